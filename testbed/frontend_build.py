"""Build the frontend once, the way its Dockerfile's deps and build stages do.

Part of the runc harness ``make bench`` uses (stack.py); buildah builds the
node's images (node_images.py).

`npm ci` runs when package-lock.json changed, `next build` when any source
(or the build's env) changed; stamps in node_modules/ and .next/ record what
was built. A file lock keeps parallel pytest-xdist workers from building at once.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shlex
import shutil
import subprocess
import tempfile
from pathlib import Path

from testbed.dockerfile import Dockerfile

SKIPPED_DIRS = {"node_modules", ".next"}
DEPS_STAMP = ".todo-lock-sha256"
BUILD_STAMP = ".todo-source-sha256"


def _digest(frontend: Path, build_env: dict[str, str]) -> str:
    digest = hashlib.sha256(repr(sorted(build_env.items())).encode())
    for path in sorted(frontend.rglob("*")):
        relative = path.relative_to(frontend)
        if relative.parts[0] in SKIPPED_DIRS or not path.is_file():
            continue
        digest.update(str(relative).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _run(command: list[str], cwd: Path, env: dict[str, str]) -> None:
    result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, (
        f"`{shlex.join(command)}` failed in {cwd}:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    )


def ensure_build(frontend: Path, build_command: list[str], build_env: dict[str, str]) -> Path:
    """Install and build if needed; return the .next directory."""
    npm = shutil.which("npm")
    assert npm, "npm not found on PATH: install Node.js 20.9+ (the build needs it)"
    env = {**os.environ, **build_env}
    lock_path = (
        Path(tempfile.gettempdir()) / f"todo-frontend-build-{hashlib.sha1(bytes(frontend)).hexdigest()}.lock"
    )
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock_sum = hashlib.sha256((frontend / "package-lock.json").read_bytes()).hexdigest()
        deps_stamp = frontend / "node_modules" / DEPS_STAMP
        if not deps_stamp.exists() or deps_stamp.read_text() != lock_sum:
            _run([npm, "ci", "--no-audit", "--no-fund"], frontend, env)
            deps_stamp.write_text(lock_sum)
        source_sum = _digest(frontend, build_env)
        build_stamp = frontend / ".next" / BUILD_STAMP
        if not build_stamp.exists() or build_stamp.read_text() != source_sum:
            _run(build_command, frontend, env)
            build_stamp.write_text(source_sum)
    return frontend / ".next"


def build_as_dockerfile(dockerfile: Dockerfile, frontend: Path) -> Path:
    """Build ``frontend`` as the Dockerfile's build stage does, with its default build args.

    The build stage copies the whole context to its WORKDIR, so ``frontend``
    (the context) is that directory. Returns the .next directory.
    """
    build = dockerfile.stage("build")
    assert any(c.from_stage is None and c.sources == ["."] and c.dest == "." for c in build.copies)
    (command,) = build.runs
    build_env = {**build.env, "NEXT_PUBLIC_API_URL": build.args["NEXT_PUBLIC_API_URL"]}
    return ensure_build(frontend, shlex.split(command), build_env)


def assemble_runtime(dockerfile: Dockerfile, frontend: Path, workdir: Path) -> None:
    """Lay out ``workdir`` as the runtime stage's COPY --from=build lines lay out its WORKDIR."""
    build_workdir = Path(dockerfile.stage("build").workdir)
    for copy in dockerfile.final.copies:
        assert copy.from_stage == "build", f"unexpected COPY into the runtime stage: {copy}"
        for source in copy.sources:
            src = frontend / Path(source).relative_to(build_workdir)
            dest = workdir / copy.dest
            if src.is_dir():
                # COPY of a directory copies its contents.
                shutil.copytree(src, dest, symlinks=True, dirs_exist_ok=True)
            else:
                dest.mkdir(parents=True, exist_ok=True)
                shutil.copy2(src, dest / src.name)
