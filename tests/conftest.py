"""Session fixtures: the app is synthesized once per test session, not once per test."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from testbed.manifests import Manifests
from testbed.paths import DIST
from tests.support.cluster import Cluster, start_control_plane
from tests.support.synth import run_main, synth_stack


@pytest.fixture(scope="session")
def fresh_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``python main.py`` writes now, in a temp dir that held a stale manifest before."""
    outdir = tmp_path_factory.mktemp("dist")
    (outdir / "stale.k8s.yaml").write_text("kind: Gone\n", encoding="utf-8")
    result = run_main(outdir)
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.fixture(scope="session")
def dist() -> Manifests:
    """The committed dist/, both workloads, read when the tests run."""
    return Manifests.from_dir(DIST)


@pytest.fixture(scope="session")
def default_stack() -> Manifests:
    """The objects of the stack with every prop at its default (the spec)."""
    return synth_stack()


@pytest.fixture(scope="session")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A real control plane for the session, started on first use.

    It holds what a cluster admin creates before anyone deploys: the
    PriorityClasses the value sets name (admission refuses pods naming one
    that does not exist).
    """
    from tests.helm.value_sets import CRD_VALUE_SETS, VALUE_SETS

    for running in start_control_plane(tmp_path_factory.mktemp("control-plane")):
        names = {
            props.priority_class_name
            for value_set in (*VALUE_SETS, *CRD_VALUE_SETS)
            for props in (value_set.backend_props(), value_set.frontend_props())
            if props.priority_class_name
        }
        for name in sorted(names):
            priority = {
                "apiVersion": "scheduling.k8s.io/v1",
                "kind": "PriorityClass",
                "metadata": {"name": name},
                "value": 1000,
            }
            running.kubectl("apply", "-f", "-", stdin=json.dumps(priority))
        yield running


@pytest.fixture(scope="session")
def ingress_host(dist: Manifests) -> str:
    (host,) = {rule["host"] for ing in dist.of_kind("Ingress") for rule in ing["spec"]["rules"]}
    return host


@pytest.fixture
def ingress(stack: Any, ingress_host: str) -> Iterator[httpx.Client]:
    """A client of the Ingress: nginx's address, with the Ingress host in every request (the tier's ``stack``)."""
    assert stack.nginx is not None
    with httpx.Client(base_url=stack.nginx.base_url, headers={"Host": ingress_host}, timeout=15) as client:
        yield client


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # `make test-fast` leaves out whatever needs the control plane.
    for item in items:
        if {"cluster", "node_cluster"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.cluster)


# Tests whose session fixtures cost too much to build on both pytest-xdist workers (`make test`
# runs two): each group runs on one worker. On the node this also gives its CPU to one test's
# pods at a time. (xdist's own xdist_group mark no longer groups under pytest 9.2: it renames
# node ids, which pytest 9 ignores.)
ONE_WORKER_GROUPS = {"tests/node/": "node", "tests/policy/test_checkov.py": "checkov"}


# Optional: pytest-xdist defines the hook, and `-p no:xdist` runs without it.
@pytest.hookimpl(optionalhook=True)
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """``-n N`` with the default ``--dist load``: load balancing, with ONE_WORKER_GROUPS kept whole."""
    if config.getvalue("dist") != "load":
        return None
    from xdist.scheduler import LoadScopeScheduling

    class KeepingGroupsWhole(LoadScopeScheduling):
        def _split_scope(self, nodeid: str) -> str:
            groups = [group for prefix, group in ONE_WORKER_GROUPS.items() if nodeid.startswith(prefix)]
            return groups[0] if groups else nodeid

    return KeepingGroupsWhole(config, log)


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
