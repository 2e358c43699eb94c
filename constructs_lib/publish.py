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

# What a synth writes into its folder; anything else there is not the app's to delete.
MANIFEST_SUFFIX = ".k8s.yaml"


class ForeignFiles(ValueError):
    """The output folder holds files the app did not write; nothing was changed."""


def check_outdir(outdir: Path) -> None:
    """Refuse an output folder that holds anything but manifests a synth wrote.

    Replacing the folder would delete those files; ``python main.py ~/work``
    must not empty ``~/work``.

    Raises:
        ForeignFiles: naming up to five of them.
    """
    if not outdir.exists():
        return
    if not outdir.is_dir():
        raise ForeignFiles(f"{outdir}: got a file; the output must be a folder of manifests")
    foreign = sorted(
        path.name for path in outdir.iterdir() if not (path.is_file() and path.name.endswith(MANIFEST_SUFFIX))
    )
    if foreign:
        raise ForeignFiles(
            f"{outdir}: holds {', '.join(foreign[:5])}{', ...' if len(foreign) > 5 else ''}, which a synth "
            f"did not write (only *{MANIFEST_SUFFIX} files); choose an empty or new folder, or remove them"
        )


def stage(
    outdir: Path,
    build: Callable[[cdk8s.App], None],
    *,
    yaml_output_type: cdk8s.YamlOutputType = cdk8s.YamlOutputType.FILE_PER_CHART,
) -> Path:
    """Synthesize into a new folder beside ``outdir``, for :func:`swap_in`; ``outdir`` is not touched.

    Raises:
        ForeignFiles: ``outdir`` holds files the app did not write.
    """
    outdir = outdir.absolute()
    check_outdir(outdir)
    outdir.parent.mkdir(parents=True, exist_ok=True)
    # Beside the target, so the swap is a rename on one filesystem.
    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.new-", dir=outdir.parent))
    try:
        app = cdk8s.App(outdir=str(staging), yaml_output_type=yaml_output_type)
        build(app)
        app.synth()
        staging.chmod(0o755)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def swap_in(staging: Path, outdir: Path) -> list[Path]:
    """Put a staged synth at ``outdir``, replacing what a synth wrote there; return its manifests."""
    outdir = outdir.absolute()
    try:
        _swap(staging, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return sorted(outdir.iterdir())


def synth_into(
    outdir: Path,
    build: Callable[[cdk8s.App], None],
    *,
    yaml_output_type: cdk8s.YamlOutputType = cdk8s.YamlOutputType.FILE_PER_CHART,
) -> list[Path]:
    """Build an app with ``build(app)``, synthesize it and replace ``outdir`` with the result.

    On any error ``outdir`` is left exactly as it was. On success its old
    content is replaced as a whole, so a manifest of a chart that is gone does
    not linger. A folder holding anything but manifests is refused, untouched.

    Args:
        outdir: the folder of manifests, e.g. ``Path("dist")``.
        build: adds the charts to the app it is given.
        yaml_output_type: how the app lays out its files.

    Returns:
        The manifests now in ``outdir``, sorted.

    Raises:
        ForeignFiles: ``outdir`` holds files the app did not write.
    """
    return swap_in(stage(outdir, build, yaml_output_type=yaml_output_type), outdir)


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
