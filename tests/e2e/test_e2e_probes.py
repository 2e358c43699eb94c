"""The probes in dist/, made as the kubelet makes them (pod IP, port, path, timeoutSeconds), pass.

Liveness must not depend on the database: with PostgreSQL stopped, a backend
pod's liveness probe still passes, or Kubernetes would restart healthy pods
during a database outage; and a worker that restarts during the outage boots,
so the pod keeps serving.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from testbed.backend import register
from testbed.manifests import Manifests, only_container
from testbed.postgres import running_postgres
from testbed.probes import run_probe
from testbed.stack import Pod, Stack
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


def _workers(pod: Pod) -> set[int]:
    """The gunicorn workers: the children of the container's PID 1, the master."""
    master = pod.runtime.init_pid()
    return {
        pid
        for pid in pod.cgroup.procs(pod.container["name"])
        if f"PPid:\t{master}\n" in Path(f"/proc/{pid}/status").read_text()
    }


def _eventually(check: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, f"not within {timeout:.0f} s: {what}"
        time.sleep(0.2)


def test_a_worker_restarted_during_a_database_outage_keeps_the_pod_serving(
    stack: Stack, dist: Manifests
) -> None:
    liveness = only_container(dist.get("Deployment", "todo-backend"))["livenessProbe"]
    with running_postgres() as database:
        pod = stack.start_backend(database_url=database.create_database())
        with httpx.Client(base_url=f"http://{pod.address}", timeout=60) as client:
            auth = register(client)
            _eventually(lambda: len(_workers(pod)) == 2, 60, "two workers")
            database.pause()
            # A worker dies during the outage (an OOM kill, say); gunicorn boots another.
            killed = min(_workers(pod))
            os.kill(killed, signal.SIGKILL)
            _eventually(
                lambda: len(_workers(pod) - {killed}) == 2, 60, "a new worker in place of the killed one"
            )
            _eventually(
                lambda: pod.log().count("Application startup complete") == 3, 60, "the new worker's start-up"
            )
            assert pod.alive(), pod.log()
            for _ in range(2 * len(_workers(pod))):
                assert run_on(pod, liveness).ok
            # The database is back: both workers serve from it again, within the pool's reconnect backoff.
            database.resume()
            for _ in range(4):
                _eventually(
                    lambda: client.get("/api/tasks", headers=auth).status_code == 200,
                    60,
                    "/api/tasks answers 200",
                )
        assert pod.alive(), pod.log()
    assert stack.stop_pod(pod) == 0
