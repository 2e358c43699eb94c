"""Synthesize N independent Todo stacks in one cdk8s app: ``many_stacks.py N OUTDIR``."""

import sys

import cdk8s

from constructs_lib import TodoBackendProps, TodoFrontendProps, add_todo_charts


def main(count: int, outdir: str) -> None:
    app = cdk8s.App(outdir=outdir, yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART)
    for index in range(count):
        add_todo_charts(
            app,
            backend=TodoBackendProps(name=f"todo-backend-{index}"),
            frontend=TodoFrontendProps(name=f"todo-frontend-{index}"),
        )
    app.synth()


if __name__ == "__main__":
    main(int(sys.argv[1]), sys.argv[2])
