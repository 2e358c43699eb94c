"""The Todo app: ``cdk8s synth`` (or ``make synth``) writes its manifests to ``dist/``.

``IMAGE_TAG`` (default ``latest``, the spec's) sets the tag of both images.
Under GitOps a rebuilt ``:latest`` never reaches running pods, because nothing
in git changes; synthesizing with a new tag and committing ``dist/`` changes
the pod templates, so Argo CD rolls the Deployments.
"""

import os
import sys

import cdk8s

from constructs_lib import TodoBackendProps, TodoFrontendProps, add_todo_charts


def main() -> None:
    image_tag = os.environ.get("IMAGE_TAG") or "latest"
    try:
        backend = TodoBackendProps(image_tag=image_tag)
        frontend = TodoFrontendProps(image_tag=image_tag)
    except ValueError as error:
        sys.exit(f"IMAGE_TAG: {error}")

    app = cdk8s.App(yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART)
    add_todo_charts(app, backend=backend, frontend=frontend)
    app.synth()


if __name__ == "__main__":
    main()
