"""The backend image as an archive containerd imports, for the pods a real kubelet runs (scripts/node.py).

No registry or image builder runs in these tests, so the image is assembled
as two layers:

- the base: Debian bookworm's minbase with python3, made by ``mmdebstrap``
  from Debian's archive (cached, keyed by suite and packages). It stands in
  for the Dockerfile's ``python:3.12-slim``: Debian 12 ships Python 3.11,
  which the builder stage's virtualenv is made with here too;
- the image's own files, as ``testbed/images.py`` lays them out from the
  Dockerfile: the builder stage's ``/opt/venv`` (its ``RUN`` line, run
  verbatim) and the runtime stage's ``COPY`` lines under ``/app``.

The image config carries the Dockerfile's ENV, WORKDIR, USER and CMD. It is
tagged with the name dist/ gives the image, so the unchanged Deployment finds
it (``imagePullPolicy: Never``).
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

from testbed.cache import build_lock, cache_dir
from testbed.images import DOCKERFILES, backend_image
from testbed.paths import script

BASE_SUITE = "bookworm"
BASE_PACKAGES = ("python3", "ca-certificates")
BASE_MIRROR = "http://deb.debian.org/debian"
MMDEBSTRAP_HINT = "apt-get install mmdebstrap (`make system-packages`)"
BACKEND_USER = "1001:1001"


class MmdebstrapUnavailable(RuntimeError):
    """mmdebstrap is not installed; the message names the command that installs it."""


def base_layer() -> Path:
    """The base root filesystem as a layer tar, made once per suite and package list."""
    if shutil.which("mmdebstrap") is None:
        raise MmdebstrapUnavailable(f"mmdebstrap is not on PATH; run: {MMDEBSTRAP_HINT}")
    key = hashlib.sha256(repr((BASE_SUITE, BASE_PACKAGES, BASE_MIRROR)).encode()).hexdigest()[:16]
    layer = cache_dir() / f"base-{BASE_SUITE}-{key}.tar"
    with build_lock(layer.name):
        if not layer.is_file():
            # mmdebstrap writes a tar when the name ends in .tar, a folder otherwise.
            staging = layer.with_name(f".{os.getpid()}.{layer.name}")
            subprocess.run(
                [
                    "mmdebstrap",
                    "--quiet",
                    "--variant=minbase",
                    "--mode=root",
                    f"--include={','.join(BASE_PACKAGES)}",
                    BASE_SUITE,
                    str(staging),
                    BASE_MIRROR,
                ],
                check=True,
                capture_output=True,
            )
            staging.rename(layer)
    return layer


def _as_copied(member: tarfile.TarInfo) -> tarfile.TarInfo:
    """Owned by root and readable by everyone, as ``COPY`` writes files (a temp folder is 0700)."""
    member.uid = member.gid = 0
    member.uname = member.gname = "root"
    if member.isdir():
        member.mode |= 0o755
    elif member.isfile():
        member.mode |= 0o644
    return member


def _files_layer(files: dict[str, Path]) -> bytes:
    """The image's own files at their image paths, symlinks kept, readable by the pod's user."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        for image_path, source in sorted(files.items()):
            archive.add(source, arcname=image_path.lstrip("/"), recursive=True, filter=_as_copied)
    return buffer.getvalue()


def backend_archive(destination: Path) -> tuple[Path, str]:
    """``todo-backend:<tag of dist/>`` as a ``docker save`` archive in ``destination``; returns it and its name."""
    node = script("node")
    name = f"{_dist_image('todo-backend')}"
    with tempfile.TemporaryDirectory() as workdir:
        image = backend_image(Path(workdir))
        files = dict(image.files)
        own = _files_layer(files)
    config = {
        "Env": [f"{key}={value}" for key, value in image.env.items()],
        "WorkingDir": image.workdir,
        "Cmd": list(image.cmd),
        "User": BACKEND_USER,
        "ExposedPorts": {"8000/tcp": {}},
    }
    archive = destination / "todo-backend.tar"
    node.image_archive(archive, name, [base_layer().read_bytes(), own], config)
    return archive, name


def _dist_image(deployment: str) -> str:
    """The image dist/'s Deployment of that name runs, e.g. ``todo-backend:latest``."""
    from testbed.manifests import Manifests
    from testbed.paths import DIST

    manifests = Manifests.from_dir(DIST)
    (container,) = manifests.get("Deployment", deployment)["spec"]["template"]["spec"]["containers"]
    image: str = container["image"]
    assert DOCKERFILES[deployment].is_file()
    return image
