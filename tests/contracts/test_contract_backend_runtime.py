"""Run the backend image's exact CMD natively, with the env its Deployment gives it.

There is no Docker engine here, so this is what the container would do: the
CMD parsed from docker/backend/Dockerfile, in backend/ (the image's WORKDIR
holds the same files), with the Dockerfile's ENV, the ConfigMap from dist/
and test values for the Secret, against a real PostgreSQL. What the running
image serves is the node tier's (tests/node runs dist/ on a real node); here,
how gunicorn itself starts and stops.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from testbed.backend import SECRET
from testbed.contract import container, container_env
from testbed.dockerfile import Dockerfile
from testbed.manifests import Manifests
from testbed.paths import BACKEND_DIR
from testbed.postgres import PostgresServer
from testbed.processes import assert_port_free, port_lock, stop


def _landing_path(dest: str, source: str) -> Path:
    """Where COPY puts ``source`` relative to WORKDIR: a trailing "/" means "into"."""
    if dest.endswith("/"):
        return Path(dest, Path(source).name)
    return Path(dest)


def _probe_port(dist: Manifests) -> int:
    return container(dist, "todo-backend")["readinessProbe"]["httpGet"]["port"]


@pytest.fixture
def run_backend(
    backend_dockerfile: Dockerfile,
    dist: Manifests,
    postgres: PostgresServer,
    tmp_path: Path,
) -> Callable[..., object]:
    runtime = backend_dockerfile.final
    # backend/ stands in for the image's WORKDIR only if the image puts each
    # file it copies from the context at the same relative path there.
    for copy in runtime.copies:
        if copy.from_stage is None:
            for source in copy.sources:
                assert _landing_path(copy.dest, source) == Path(source)
    secrets = {
        "DATABASE_URL": postgres.create_database(),
        "BETTER_AUTH_SECRET": SECRET,
        "OPENAI_API_KEY": "",
    }

    @contextmanager
    def run(drop: tuple[str, ...] = ()) -> Iterator[tuple[subprocess.Popen, Path]]:
        env = {k: v for k, v in runtime.env.items() if k != "PATH"}
        # The image puts its virtualenv first on PATH; this venv is its stand-in.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        env.update(container_env(dist, "todo-backend", secrets))
        for name in drop:
            env.pop(name)
        log_path = tmp_path / "gunicorn.log"
        port = _probe_port(dist)
        with port_lock(port), open(log_path, "wb") as log:
            assert_port_free(port)
            process = subprocess.Popen(
                runtime.cmd, cwd=BACKEND_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            try:
                yield process, log_path
            finally:
                stop(process)

    return run


def _wait_for_log(log_path: Path, text: str, count: int, timeout: float = 60.0) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        log = log_path.read_text(errors="replace")
        if log.count(text) >= count:
            return log
        time.sleep(0.2)
    raise AssertionError(f"{text!r} seen fewer than {count} times:\n{log}")


def test_both_workers_boot_against_one_fresh_database(run_backend) -> None:
    # The two workers create the schema at the same moment; both must start.
    with run_backend() as (_process, log_path):
        log = _wait_for_log(log_path, "Application startup complete", count=2)
        assert "Traceback" not in log


def test_missing_secret_stops_gunicorn_with_its_name(run_backend) -> None:
    with run_backend(drop=("BETTER_AUTH_SECRET",)) as (process, log_path):
        process.wait(timeout=60)
        assert process.returncode != 0
        assert "BETTER_AUTH_SECRET is required" in log_path.read_text(errors="replace")
