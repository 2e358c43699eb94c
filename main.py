"""The Todo app: ``cdk8s synth`` (or ``make synth``) writes its manifests to ``dist/``.

``IMAGE_TAG`` (default ``latest``, the spec's) sets the tag of both images.
Under GitOps a rebuilt ``:latest`` never reaches running pods, because nothing
in git changes; synthesizing with a new tag and committing ``dist/`` changes
the pod templates, so Argo CD rolls the Deployments.

``python main.py [OUTDIR]`` writes ``OUTDIR`` (default: ``dist/`` beside this
file) and swaps it in only when the whole synth succeeded, so a failure never
loses the committed manifests; a folder holding anything but manifests is
refused, untouched. ``cdk8s synth`` empties its own output folder
before it runs the app, which is why ``cdk8s.yaml`` points the CLI at a
scratch folder (``cdk8s.out/``); the app copies its manifests there for the
CLI to list.
"""

import os
import shutil
import sys
from pathlib import Path

import cdk8s

from constructs_lib import TodoBackendProps, TodoFrontendProps, add_todo_charts
from constructs_lib.publish import ForeignFiles, synth_into

DIST = Path(__file__).parent / "dist"


def main() -> None:
    outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else DIST
    image_tag = os.environ.get("IMAGE_TAG") or "latest"
    try:
        backend = TodoBackendProps(image_tag=image_tag)
        frontend = TodoFrontendProps(image_tag=image_tag)
    except ValueError as error:
        sys.exit(f"IMAGE_TAG: {error}")

    def build(app: cdk8s.App) -> None:
        add_todo_charts(app, backend=backend, frontend=frontend)

    try:
        manifests = synth_into(outdir, build)
    except ForeignFiles as error:
        sys.exit(str(error))

    cli_outdir = os.environ.get("CDK8S_OUTDIR")
    if cli_outdir and Path(cli_outdir).absolute() != outdir.absolute():
        Path(cli_outdir).mkdir(parents=True, exist_ok=True)
        for manifest in manifests:
            shutil.copy(manifest, cli_outdir)


if __name__ == "__main__":
    main()
