"""Helpers to run the images' commands natively: port waits, fixed-port locks and log tails."""

from __future__ import annotations

import fcntl
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


@contextmanager
def port_lock(port: int) -> Iterator[None]:
    """Serialise tests that must use a fixed port (the one the manifests name).

    Parallel pytest-xdist workers would otherwise start two servers on it.
    """
    lock_path = Path(tempfile.gettempdir()) / f"todo-contract-port-{port}.lock"
    with open(lock_path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def assert_port_free(port: int) -> None:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("0.0.0.0", port))
        except OSError as error:
            raise AssertionError(
                f"port {port} is taken by another process; the contract test must run the "
                f"image's command, which binds exactly this port ({error})"
            ) from None


def stop(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """SIGTERM, as the kubelet sends on pod deletion, then SIGKILL if it lingers."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def log_tail(path: Path, lines: int = 30) -> str:
    """The last ``lines`` lines of a log, for an error message."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"
