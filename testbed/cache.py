"""What the tests build once per machine, kept outside the clone and shared by every clone.

Each entry is keyed by what built it, so a change builds anew, and written
under a lock and renamed into place, so parallel pytest-xdist workers and
clones never see half of one. ``.ci/run`` empties this cache for every run,
so each entry's miss path runs in CI as on a fresh machine.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

from testbed.paths import REPO_ROOT

TOOLS = REPO_ROOT / "tools"


class GoUnavailable(RuntimeError):
    """go is not on PATH; the message names what it builds."""


def cache_dir() -> Path:
    """``~/.cache/todo-deploy-kit`` (or under ``$XDG_CACHE_HOME``), as scripts/control_plane.py's."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "todo-deploy-kit"


@contextlib.contextmanager
def build_lock(name: str) -> Iterator[None]:
    """One builder at a time per cache entry, across pytest-xdist workers and clones."""
    cache_dir().mkdir(parents=True, exist_ok=True)
    with open(cache_dir() / f".{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def go_tool(name: str) -> Path:
    """The program of the Go module ``tools/<name>``, built once per version of its files."""
    module = TOOLS / name
    source = b"".join((module / file).read_bytes() for file in ("go.mod", "go.sum", "main.go"))
    binary = cache_dir() / f"{name}-{hashlib.sha256(source).hexdigest()[:16]}"
    with build_lock(binary.name):
        if not binary.is_file():
            if not shutil.which("go"):
                raise GoUnavailable(f"go is not on PATH; it builds {module} once")
            staging = binary.with_name(f".{binary.name}.{os.getpid()}")
            subprocess.run(["go", "build", "-trimpath", "-o", str(staging), "."], cwd=module, check=True)
            staging.rename(binary)
    return binary
