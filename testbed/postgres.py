"""A throwaway PostgreSQL server: Debian's binaries, a temp dir, loopback only (or a node's pods too).

initdb and postgres refuse to run as root, so under root the server runs as
the unprivileged ``postgres`` user that Debian's package creates. Password
authentication (scram-sha-256) is on, so URLs look like the real ones.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg

from testbed.paths import script

SUPERUSER = "postgres"
PASSWORD = "test-password"
START_TIMEOUT = 30.0


class PostgresUnavailable(RuntimeError):
    """The server binaries are missing or the server did not start."""


def find_bindir() -> Path:
    """The directory holding initdb and postgres (PG_BINDIR, else Debian's newest)."""
    candidates = [os.environ["PG_BINDIR"]] if os.environ.get("PG_BINDIR") else []
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(Path(p).parent.name))[::-1]
    on_path = shutil.which("initdb")
    if on_path:
        candidates.append(str(Path(on_path).resolve().parent))
    for candidate in candidates:
        if (Path(candidate) / "initdb").exists() and (Path(candidate) / "postgres").exists():
            return Path(candidate)
    raise PostgresUnavailable(
        "PostgreSQL server binaries (initdb, postgres) not found in "
        f"{candidates or '/usr/lib/postgresql/*/bin'}; install them with "
        "`apt-get install postgresql` or point PG_BINDIR at them"
    )


def free_port() -> int:
    """A loopback port to listen on, chosen as the control plane chooses its own."""
    port: int = script("control_plane").free_ports(1)[0]
    return port


class PostgresServer:
    """Start with ``start()``, stop with ``stop()``; ``create_database()`` gives fresh DBs.

    ``pods_from``: also listen on this host address and let clients from this
    network in (a node's pods, say ``("192.0.2.2", "10.244.0.0/16")``), as a
    database outside the cluster does.
    """

    def __init__(self, pods_from: tuple[str, str] | None = None) -> None:
        self.pods_from = pods_from
        self.bindir = find_bindir()
        self.port = 0
        self._dir: Path | None = None
        self._process: subprocess.Popen[bytes] | None = None
        # Run as the postgres system user when we are root; as ourselves otherwise.
        self._user = SUPERUSER if os.geteuid() == 0 else None

    @property
    def log_path(self) -> Path:
        assert self._dir is not None
        return self._dir / "postgres.log"

    def url(self, dbname: str = "postgres", host: str = "127.0.0.1", **params: str) -> str:
        query = "&".join(f"{k}={v}" for k, v in {"sslmode": "disable", **params}.items())
        return f"postgresql://{SUPERUSER}:{PASSWORD}@{host}:{self.port}/{dbname}?{query}"

    def _run_kwargs(self) -> dict:
        if self._user is None:
            return {}
        account = pwd.getpwnam(self._user)
        return {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}

    def start(self) -> PostgresServer:
        self._dir = Path(tempfile.mkdtemp(prefix="todo-pg-"))
        if self._user is not None:
            account = pwd.getpwnam(self._user)
            os.chown(self._dir, account.pw_uid, account.pw_gid)
        os.chmod(self._dir, 0o700)
        pwfile = self._dir / "pwfile"
        pwfile.write_text(PASSWORD + "\n")
        if self._user is not None:
            os.chown(pwfile, account.pw_uid, account.pw_gid)
        data = self._dir / "data"
        subprocess.run(
            [
                str(self.bindir / "initdb"),
                "--pgdata", str(data),
                "--username", SUPERUSER,
                "--pwfile", str(pwfile),
                "--auth", "scram-sha-256",
                "--encoding", "UTF8",
                "--no-locale",
                "--no-sync",
            ],
            check=True,
            capture_output=True,
            cwd=self._dir,
            **self._run_kwargs(),
        )  # fmt: skip
        if self.pods_from is not None:
            with open(data / "pg_hba.conf", "a") as hba:
                hba.write(f"host all all {self.pods_from[1]} scram-sha-256\n")
        # Another process may grab the port between free_port() and bind: retry.
        for _attempt in range(3):
            self.port = free_port()
            if self._launch(data):
                return self
        raise PostgresUnavailable(f"PostgreSQL did not start:\n{self._log_tail()}")

    def _launch(self, data: Path) -> bool:
        log = open(self.log_path, "ab")  # noqa: SIM115 - the server process owns it
        self._process = subprocess.Popen(
            [
                str(self.bindir / "postgres"),
                "-D", str(data),
                "-h", ",".join(["127.0.0.1", *self.pods_from[:1]]) if self.pods_from else "127.0.0.1",
                "-p", str(self.port),
                "-k", str(self._dir),
                # Durability is pointless for a throwaway cluster; speed is not.
                "-c", "fsync=off",
                "-c", "synchronous_commit=off",
                "-c", "full_page_writes=off",
                "-c", "max_connections=200",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=self._dir,
            **self._run_kwargs(),
        )  # fmt: skip
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                return False
            try:
                psycopg.connect(self.url(), connect_timeout=1).close()
                return True
            except psycopg.OperationalError:
                time.sleep(0.1)
        self.stop()
        raise PostgresUnavailable(f"PostgreSQL did not accept connections:\n{self._log_tail()}")

    def _log_tail(self) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-20:])
        except OSError:
            return "(no log)"

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database and return its URL."""
        name = name or f"test_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def pause(self) -> None:
        """Stop the server and keep its data: a database outage, ended by :meth:`resume`."""
        self._shut_down()

    def resume(self) -> None:
        """Start the paused server again, on its port and with its data."""
        assert self._dir is not None and self._process is None, "resume() follows pause()"
        if not self._launch(self._dir / "data"):
            raise PostgresUnavailable(f"PostgreSQL did not start again:\n{self._log_tail()}")

    def stop(self) -> None:
        self._shut_down()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _shut_down(self) -> None:
        if self._process is not None and self._process.poll() is None:
            # SIGINT is PostgreSQL's "fast" shutdown: abort sessions, exit cleanly.
            self._process.send_signal(signal.SIGINT)
            try:
                self._process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        self._process = None


@contextlib.contextmanager
def running_postgres() -> Iterator[PostgresServer]:
    """A started server, stopped on exit; raises :class:`PostgresUnavailable` when PostgreSQL is missing."""
    server = PostgresServer().start()
    try:
        yield server
    finally:
        server.stop()
