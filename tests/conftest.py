"""Session fixtures: the app is synthesized once per test session, not once per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.cluster import Cluster, start_control_plane
from tests.support.manifests import Manifests
from tests.support.synth import run_main, synth_stack


@pytest.fixture(scope="session")
def fresh_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``python main.py`` writes now, in a temp dir."""
    outdir = tmp_path_factory.mktemp("dist")
    result = run_main(outdir)
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.fixture(scope="session")
def default_stack() -> Manifests:
    """The objects of the stack with every prop at its default (the spec)."""
    return synth_stack()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A real control plane for the session, started on first use."""
    yield from start_control_plane(tmp_path_factory.mktemp("control-plane"))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `make test-fast` leaves out whatever needs the control plane.
    for item in items:
        if "cluster" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.cluster)


# Every test here is required: a skip means a missing tool or service, which
# must fail the run rather than pass it quietly.
_skipped: list[str] = []


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.skipped:
        _skipped.append(report.nodeid)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _skipped and exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if _skipped:
        terminalreporter.section("required tests were skipped", red=True)
        for nodeid in _skipped:
            terminalreporter.line(nodeid)
