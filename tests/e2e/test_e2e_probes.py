"""The probes in dist/, made as the kubelet makes them (pod IP, port, path, timeoutSeconds), pass.

Liveness must not depend on the database: with PostgreSQL stopped, a backend
pod's liveness probe still passes, or Kubernetes would restart healthy pods
during a database outage.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from testbed.backend import register
from testbed.manifests import Manifests, only_container
from testbed.postgres import running_postgres
from testbed.probes import run_probe
from testbed.stack import Stack
from testbed.stack import probe as run_on

PROBES = ("startupProbe", "livenessProbe", "readinessProbe")


def _deployments(dist: Manifests) -> list[str]:
    return sorted(d["metadata"]["name"] for d in dist.of_kind("Deployment"))


def test_every_deployment_defines_liveness_and_readiness(dist: Manifests) -> None:
    for name in _deployments(dist):
        container = only_container(dist.get("Deployment", name))
        assert {"livenessProbe", "readinessProbe"} <= set(container), name


@pytest.mark.parametrize("probe", PROBES)
def test_probes_pass_against_the_running_pods(stack: Stack, dist: Manifests, probe: str) -> None:
    results = {}
    for name in _deployments(dist):
        container = only_container(dist.get("Deployment", name))
        if probe in container:
            results[name] = [run_on(pod, container[probe]) for pod in stack.pods[name]]
    failed = {
        name: [r.detail for r in rs if not r.ok] for name, rs in results.items() if not all(r.ok for r in rs)
    }
    assert not failed
    if probe != "startupProbe":
        assert set(results) == set(_deployments(dist))


def test_probes_fail_against_a_port_nothing_listens_on(stack: Stack, dist: Manifests) -> None:
    # The probe runner can say no: the same probes at a free address fail.
    for name in _deployments(dist):
        (pod,) = stack.pods[name]
        container = only_container(dist.get("Deployment", name))
        assert not run_probe("127.0.0.250", pod.port, container["livenessProbe"]).ok, name


def test_liveness_passes_with_the_database_stopped(stack: Stack, dist: Manifests) -> None:
    container = only_container(dist.get("Deployment", "todo-backend"))
    # Its own server, which the test stops; the stack's stays up for the other tests.
    with running_postgres() as database:
        pod = stack.start_backend(database_url=database.create_database())
        base = f"http://{pod.address}"
        with httpx.Client(base_url=base, timeout=10) as client:
            auth = register(client)
            assert client.get("/api/tasks", headers=auth).status_code == 200
        database.stop()
        with ThreadPoolExecutor(1) as pool, httpx.Client(base_url=base, timeout=60) as client:
            # The database is really gone for this pod: its task list waits for a
            # connection (the pool's 30 s) and then fails...
            pending = pool.submit(client.get, "/api/tasks", headers=auth)
            time.sleep(1)
            # ...while the liveness probe, exactly as dist/ defines it, still passes.
            liveness = run_on(pod, container["livenessProbe"])
            assert liveness.ok, liveness.detail
            assert not pending.done(), "the task list answered at once: is the database really stopped?"
            down = pending.result()
        assert down.status_code == 503, down.text
        assert run_on(pod, container["livenessProbe"]).ok
        assert pod.alive()
    assert stack.stop_pod(pod) == 0
