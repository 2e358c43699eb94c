"""Real nginx with a config generated from Ingress or HTTPRoute objects (ingress_nginx.py); unprivileged, in a folder of its own.

It stands in for an ingress controller and a Gateway: none is built here
yet. The config follows ingress-nginx's translation of the objects; the
endpoints come from whoever runs it (the Services' EndpointSlices on the
node, node_stack.py).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from testbed import ingress_nginx
from testbed.postgres import free_port
from testbed.processes import log_tail
from testbed.programs import find_nginx


def _unprivileged(uid: int, gid: int) -> dict[str, Any]:
    """Popen arguments that drop root to uid/gid; nothing when we are not root."""
    if os.geteuid() != 0:
        return {}
    return {"user": uid, "group": gid, "extra_groups": []}


def _kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Send ``sig`` to the process, wait, then SIGKILL its whole process group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    _kill_group(process)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


class Nginx:
    """Real nginx with a config generated from the Ingress objects; unprivileged, in a temp dir."""

    def __init__(self, routes: Sequence[ingress_nginx.Route], runtime_dir: Path) -> None:
        self.binary = find_nginx()
        self.routes = routes
        self.dir = runtime_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.conf = self.dir / "nginx.conf"
        self.process: subprocess.Popen[bytes] | None = None
        self.generation = 0
        account = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
        self._user = _unprivileged(account.pw_uid, account.pw_gid) if account else {}
        if account:
            os.chown(self.dir, account.pw_uid, account.pw_gid)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.dir / "access.log"

    def logged(self, match: Callable[[str], bool], count: int = 1, timeout: float = 5.0) -> list[str]:
        """Access-log lines that ``match``: nginx writes a line after sending the answer, so a client
        may have its answer first; wait up to ``timeout`` seconds for ``count`` of them."""
        deadline = time.monotonic() + timeout
        while True:
            found = [line for line in self.access_log.read_text().splitlines() if match(line)]
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.1)

    @property
    def error_log(self) -> Path:
        return self.dir / "error.log"

    def _args(self) -> list[str]:
        return [self.binary, "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.error_log)]

    def _write(self, endpoints: Mapping[tuple[str, int], Sequence[str]]) -> None:
        text = ingress_nginx.render(
            self.routes, endpoints, listen=f"127.0.0.1:{self.port}", runtime_dir=self.dir
        )
        self.conf.write_text(text)
        self.generation += 1
        check = subprocess.run([*self._args(), "-t"], capture_output=True, text=True, **self._user)
        assert check.returncode == 0, f"nginx -t rejected the generated config:\n{check.stderr}\n{text}"

    def start(self, endpoints: Mapping[tuple[str, int], Sequence[str]]) -> None:
        self._write(endpoints)
        self.process = subprocess.Popen(
            [*self._args(), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **self._user,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"nginx exited:\n{log_tail(self.error_log)}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.05)
        raise AssertionError(f"nginx did not listen on {self.port}:\n{log_tail(self.error_log)}")

    def workers(self) -> set[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return {int(pid) for pid in children.split()}

    def reload(self, endpoints: Mapping[tuple[str, int], Sequence[str]], timeout: float = 30.0) -> None:
        """Apply new endpoints, as the controller does, and return once only new workers remain."""
        assert self.process is not None and self.process.poll() is None
        old = self.workers()
        self._write(endpoints)
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.workers()
            # Old workers finish their in-flight requests, then exit.
            if current and not current & old:
                return
            time.sleep(0.05)
        raise AssertionError(
            f"nginx reload did not complete within {timeout:.0f}s:\n{log_tail(self.error_log)}"
        )

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, signal.SIGQUIT, timeout=10)
            self.process = None
