"""End to end without a cluster: one stack per e2e package run, torn down also on failure.

A missing nginx, Chromium, Node or PostgreSQL fails these tests (never skips
them), with the step that installs it.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from types import FrameType

import pytest

from testbed.backend import SECRET
from testbed.manifests import Manifests
from testbed.postgres import PostgresServer, running_postgres
from testbed.stack import MissingTool, Stack, preflight


@pytest.fixture(scope="package")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


@pytest.fixture(scope="package")
def stack(request: pytest.FixtureRequest, dist: Manifests, postgres: PostgresServer) -> Iterator[Stack]:
    try:
        preflight()
    except MissingTool as error:
        pytest.fail(str(error), pytrace=False)
    secrets = {
        "DATABASE_URL": postgres.create_database(),
        # 64 bytes: HS256 wants at least 32.
        "BETTER_AUTH_SECRET": SECRET,
        # Empty: the chat endpoint must answer 503.
        "OPENAI_API_KEY": "",
    }
    # A SIGTERM to pytest (a CI timeout, say) still tears the stack down: its
    # processes run in their own sessions and would outlive pytest otherwise.
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        with Stack(dist, secrets).start() as running:
            yield running
            # Every probe failure the kubelet would have seen, for the record.
            reporter = request.config.pluginmanager.get_plugin("terminalreporter")
            for event in running.probe_events():
                if reporter is not None:
                    reporter.write_line(f"probe {event.event}: {event.pod} {event.probe}: {event.detail}")
    finally:
        signal.signal(signal.SIGTERM, previous)


@pytest.fixture(autouse=True)
def no_liveness_restart(request: pytest.FixtureRequest) -> Iterator[None]:
    """A liveness probe failing failureThreshold times in a row (a kubelet restart) fails the test."""
    if "stack" not in request.fixturenames:
        yield
        return
    running: Stack = request.getfixturevalue("stack")
    before = len([e for e in running.probe_events() if e.event == "restart"])
    yield
    restarts = [e for e in running.probe_events() if e.event == "restart"][before:]
    assert not restarts, f"the kubelet would have restarted a pod: {restarts}"
