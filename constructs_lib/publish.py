"""Synthesize an app into a folder without ever leaving that folder half-written or gone.

``cdk8s synth`` deletes its output folder before it runs the app, so any
failure (a bad prop, a missing Node binary) leaves the committed manifests
deleted, and a GitOps tool with pruning on then deletes the running app.
:func:`synth_into` synthesizes into a fresh folder beside the target and swaps
it in only when the whole synth succeeded.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import cdk8s


def synth_into(
    outdir: Path,
    build: Callable[[cdk8s.App], None],
    *,
    yaml_output_type: cdk8s.YamlOutputType = cdk8s.YamlOutputType.FILE_PER_CHART,
) -> list[Path]:
    """Build an app with ``build(app)``, synthesize it and replace ``outdir`` with the result.

    On any error ``outdir`` is left exactly as it was. On success its old
    content is replaced as a whole, so a manifest of a chart that is gone does
    not linger.

    Args:
        outdir: the folder of manifests, e.g. ``Path("dist")``.
        build: adds the charts to the app it is given.
        yaml_output_type: how the app lays out its files.

    Returns:
        The manifests now in ``outdir``, sorted.
    """
    outdir = outdir.absolute()
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, so the swap is a rename on one filesystem.
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
    try:
        app = cdk8s.App(outdir=str(staging), yaml_output_type=yaml_output_type)
        build(app)
        app.synth()
        staging.chmod(0o755)
        _swap(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(outdir.iterdir())


def _swap(new: Path, target: Path) -> None:
    """Put ``new`` at ``target``: two renames, undone if the second one fails."""
    if not target.exists():
        os.rename(new, target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    os.rename(target, old / target.name)
    try:
        os.rename(new, target)
    except OSError:
        os.rename(old / target.name, target)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)
