"""The two images, built from their Dockerfiles into host directories that runc binds where the images have them.

For the runc harness ``make bench`` uses (stack.py); buildah builds the
node's images for the tests (node_images.py). Here each image's own files are
made the way its Dockerfile makes them and bound at the same paths; the machine's Debian /usr and /etc stand in for the base image's
distribution (see pods.py):

- backend: the builder stage's ``RUN`` line runs verbatim, as root, in a runc
  build container, creating the virtualenv at ``/opt/venv`` from this
  machine's Python (Debian's ``/usr/bin/python3``, readable by every user;
  pyenv's Pythons live under /root, which UID 1001 cannot enter). ``python``
  is on that container's PATH in ``/usr/local/bin``, where the python image
  has it. The venv is cached outside the clone, keyed by what built it. The
  runtime stage's ``COPY`` lines lay out ``/app`` from the build context
  (minus .dockerignore); ``COPY --from=builder /opt/venv`` binds the venv.
- frontend: ``next build`` as its build stage runs it (frontend_build.py), the
  runtime stage's ``COPY --from=build`` lines laid out as ``/app``, and Node 22
  from the repository's npm tools in ``/usr/local/bin``, where node:alpine
  has it.

Each image's ENV is its Dockerfile's, with ``$PATH`` the base images' PATH
(Docker's default); the base images' other ENV (LANG, NODE_VERSION, ...) is
not modelled.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
import subprocess
import tempfile
from pathlib import Path

from testbed.cache import build_lock, cache_dir
from testbed.cgroups import PodCgroup
from testbed.dockerfile import Dockerfile, Stage, expand
from testbed.dockerignore import DockerIgnore
from testbed.frontend_build import assemble_runtime, build_as_dockerfile
from testbed.paths import BACKEND_DIR, FRONTEND_DIR, NODE, REPO_ROOT
from testbed.pods import Image, find_runc, runc_template, write_bundle

BACKEND_CONTEXT = BACKEND_DIR
FRONTEND_CONTEXT = FRONTEND_DIR
DOCKERFILES = {
    "todo-backend": REPO_ROOT / "docker" / "backend" / "Dockerfile",
    "todo-frontend": REPO_ROOT / "docker" / "frontend" / "Dockerfile",
}
# Docker's default PATH, which the python and node base images start from.
BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
MACHINE_PYTHON = Path("/usr/bin/python3")
# This machine's pip settings (index, certificates, proxies) reach the build container.
HOST_BUILD_ENV = ("PIP_", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "http_proxy", "https_proxy", "no_proxy")


def image_env(stage: Stage) -> dict[str, str]:
    env = {"PATH": BASE_PATH}
    for key, value in stage.env.items():
        env[key] = expand(value, env)
    return env


def python_bin() -> Path:
    """A /usr/local/bin holding ``python``, as the python image's does, pointing at the machine's Python."""
    folder = cache_dir() / "python-usr-local-bin"
    with build_lock(folder.name):
        if not (folder / "python").is_symlink():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "python").symlink_to(MACHINE_PYTHON)
    return folder


def _run_build_stage(stage: Stage, context: Path, output: Path, destination: str, log: Path) -> None:
    """The stage's RUN lines, as root without capabilities, in a runc container writing ``destination``."""
    config = runc_template()
    config["process"] = {
        "terminal": False,
        "user": {"uid": 0, "gid": 0},
        "args": ["/bin/sh", "-c", " && ".join(f"({run})" for run in stage.runs)],
        "env": [f"{k}={v}" for k, v in image_env(stage).items()]
        + [f"{k}={v}" for k, v in os.environ.items() if k.startswith(HOST_BUILD_ENV)],
        "cwd": stage.workdir,
        "noNewPrivileges": True,
    }
    # Writable, as a build step's layer is: /tmp for pip, say.
    config["root"] = {"path": "rootfs", "readonly": False}
    binds = {"/usr": Path("/usr"), "/etc": Path("/etc"), "/usr/local/bin": python_bin()}
    for copy in stage.copies:
        assert copy.from_stage is None, f"build stage COPY --from not modelled: {copy}"
        for source in copy.sources:
            binds[str(Path(stage.workdir, copy.dest, Path(source).name))] = context / source
    mounts = [
        {"destination": d, "type": "bind", "source": str(s), "options": ["rbind", "ro"]}
        for d, s in binds.items()
    ]
    mounts.append(
        {"destination": destination, "type": "bind", "source": str(output), "options": ["rbind", "rw"]}
    )
    config["mounts"] = config["mounts"] + mounts
    # The build downloads from the package index: the host's network.
    config["linux"]["namespaces"] = [n for n in config["linux"]["namespaces"] if n["type"] != "network"]
    cgroup = PodCgroup.create(f"todo-build-{os.getpid()}", {})
    config["linux"]["cgroupsPath"] = cgroup.runc_path("build")
    with tempfile.TemporaryDirectory() as state, tempfile.TemporaryDirectory() as bundle:
        write_bundle(Path(bundle), config)
        with open(log, "wb") as out:
            result = subprocess.run(
                [find_runc(), "--root", state, "run", "--bundle", bundle, f"build-{os.getpid()}"],
                stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, timeout=900,
            )  # fmt: skip
    cgroup.remove()
    assert result.returncode == 0, f"the {stage.name} stage failed:\n{log.read_text()[-3000:]}"


def backend_venv(dockerfile: Dockerfile) -> Path:
    """The builder stage's /opt/venv, built once per requirements, RUN line and Python."""
    stage = dockerfile.stage("builder")
    python = subprocess.run([MACHINE_PYTHON, "-VV"], capture_output=True, text=True, check=True).stdout
    key = hashlib.sha256(
        repr((stage.runs, stage.env, python, platform.machine())).encode()
        + (BACKEND_CONTEXT / "requirements.txt").read_bytes()
    ).hexdigest()[:16]
    venv = cache_dir() / f"backend-venv-{key}"
    with build_lock(venv.name):
        if not (venv / "bin" / "gunicorn").exists():
            staging = Path(tempfile.mkdtemp(prefix=f".{venv.name}-", dir=cache_dir()))
            staging.chmod(0o755)
            _run_build_stage(stage, BACKEND_CONTEXT, staging, "/opt/venv", staging.with_suffix(".log"))
            shutil.rmtree(venv, ignore_errors=True)
            staging.rename(venv)
    return venv


def backend_image(workdir: Path) -> Image:
    """The backend image: its WORKDIR laid out in ``workdir``, the venv where the builder stage put it."""
    dockerfile = Dockerfile(DOCKERFILES["todo-backend"])
    final, ignore = dockerfile.final, DockerIgnore(BACKEND_CONTEXT)
    files: dict[str, Path] = {final.workdir: workdir, "/usr/local/bin": python_bin()}
    for copy in final.copies:
        if copy.from_stage == "builder":
            (source,) = copy.sources
            assert source == copy.dest == "/opt/venv", copy
            files[copy.dest] = backend_venv(dockerfile)
            continue
        for source in copy.sources:
            target = workdir / Path(final.workdir, copy.dest).relative_to(final.workdir)
            src = BACKEND_CONTEXT / source
            if src.is_dir():
                shutil.copytree(
                    src, target, dirs_exist_ok=True,
                    ignore=lambda folder, names: [
                        n for n in names if ignore.excludes(str(Path(folder, n).relative_to(BACKEND_CONTEXT)))
                    ],
                )  # fmt: skip
            else:
                target.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, target / src.name)
    assert final.cmd is not None
    return Image(files, image_env(final), final.workdir, final.cmd)


def frontend_image(workdir: Path) -> Image:
    """The frontend image: built as its Dockerfile builds it, its WORKDIR laid out in ``workdir``."""
    dockerfile = Dockerfile(DOCKERFILES["todo-frontend"])
    build_as_dockerfile(dockerfile, FRONTEND_CONTEXT)
    assemble_runtime(dockerfile, FRONTEND_CONTEXT, workdir)
    final = dockerfile.final
    # The image's RUN mkdir: where .next/cache (an emptyDir in the pod) is mounted.
    (workdir / ".next" / "cache").mkdir(parents=True, exist_ok=True)
    assert final.cmd is not None
    return Image(
        {final.workdir: workdir, "/usr/local/bin": NODE.parent}, image_env(final), final.workdir, final.cmd
    )
