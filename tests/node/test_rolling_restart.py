"""Rolling restarts of the backend under load, as the real controllers and kubelet run them.

``kubectl rollout restart``: the Deployment controller surges or removes pods
as the strategy allows, the kubelet's readiness probe decides when a new pod
joins the Service's EndpointSlices, and deleting the old pod takes it out of
them while the kubelet runs its preStop hook and then sends SIGTERM. nginx
follows the EndpointSlices, as ingress-nginx does (testbed/node_stack.py).

The endpoint removal and the SIGTERM race: the ingress controller learns of
the removal only after the kubelet has started stopping the pod. With
``ZeroDowntimeRollout`` the pod keeps serving through its preStop sleep, long
enough for the controller to catch up, and no request fails. dist/, with the
spec's values, has no preStop hook: restarted the same way, its backend
answered 15 of 3,307 requests with nginx's 502 (docs/operations.md).

nginx runs with ``proxy_next_upstream off`` (see ingress_nginx.py), so a request
sent to a stopping pod fails rather than being retried elsewhere; and each
load request opens its own connection, so the count measures the rollout, not
a client's handling of nginx closing idle keep-alive connections at reload
(which HTTP clients retry, RFC 9112 section 9.3.1).
"""

from __future__ import annotations

import math
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from constructs_lib import TodoBackendProps, ZeroDowntimeRollout
from testbed.backend import PASSWORD
from testbed.manifests import Manifests, only_container
from testbed.node_stack import NodeStack as Stack
from tests.support.synth import synth_stack

CLIENTS = 6
# The load runs until the test stops it; this only bounds a test that hangs.
MAX_LOAD_SECONDS = 600.0
REQUEST_GAP = 0.02
SETTLE = 2.0


@dataclass(frozen=True)
class Outcome:
    at: float
    path: str
    status: int | None
    upstream: str
    error: str = ""


def rollout_bounds(deployment: dict[str, Any]) -> tuple[int, int]:
    """(maxSurge, maxUnavailable) in pods: percentages round up for surge, down for unavailable."""
    replicas = deployment["spec"].get("replicas", 1)
    strategy = deployment["spec"]["strategy"]
    assert strategy["type"] == "RollingUpdate", strategy
    update = strategy.get("rollingUpdate", {})

    def pods(value: int | str, rounding: Any) -> int:
        if isinstance(value, str) and value.endswith("%"):
            return int(rounding(int(value[:-1]) * replicas / 100))
        return int(value)

    return pods(update.get("maxSurge", "25%"), math.ceil), pods(
        update.get("maxUnavailable", "25%"), math.floor
    )


class Load:
    """CLIENTS threads alternating /health and an authenticated task list through nginx."""

    def __init__(self, base_url: str, host: str, token: str) -> None:
        self.base_url, self.host, self.token = base_url, host, token
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self.ran_out = False
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]

    def _client(self) -> None:
        requests = [("/health", {}), ("/api/tasks", {"Authorization": f"Bearer {self.token}"})]
        # No keep-alive: one connection per request (see the module docstring).
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(
            base_url=self.base_url, headers={"Host": self.host}, limits=limits, timeout=30
        ) as client:
            deadline = time.monotonic() + MAX_LOAD_SECONDS
            index = 0
            while not self._stop.is_set():
                if time.monotonic() > deadline:
                    self.ran_out = True
                    return
                path, headers = requests[index % 2]
                index += 1
                try:
                    response = client.get(path, headers=headers)
                    outcome = Outcome(
                        time.monotonic(),
                        path,
                        response.status_code,
                        response.headers.get("x-upstream-addr", ""),
                    )
                except httpx.HTTPError as error:
                    outcome = Outcome(time.monotonic(), path, None, "", repr(error))
                with self._lock:
                    self.outcomes.append(outcome)
                time.sleep(REQUEST_GAP)

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=60)


@pytest.fixture(scope="module")
def zero_downtime(stack: Stack, dist: Manifests) -> Iterator[Stack]:
    """The spec's stack with ZeroDowntimeRollout on the backend, beside dist/ on the same node."""
    manifests = synth_stack(backend=TodoBackendProps(zero_downtime_rollout=ZeroDowntimeRollout()))
    assert {only_container(d)["image"] for d in manifests.of_kind("Deployment")} == {
        only_container(d)["image"] for d in dist.of_kind("Deployment")
    }, "the images built for dist/"
    running = Stack(stack.cluster, stack.cluster.namespace("rollout"), manifests, stack.secrets)
    try:
        yield running.start()
    finally:
        running.close()


def test_a_rolling_restart_with_zero_downtime_rollout_fails_no_request(
    zero_downtime: Stack, ingress_host: str, capsys: pytest.CaptureFixture[str]
) -> None:
    stack = zero_downtime
    deployment = stack.dist.get("Deployment", "todo-backend")
    max_surge, max_unavailable = rollout_bounds(deployment)
    assert stack.nginx is not None
    (old,) = stack.pods["todo-backend"]
    namespace = ("-n", stack.namespace)
    with httpx.Client(base_url=stack.nginx.base_url, headers={"Host": ingress_host}, timeout=15) as client:
        credentials = {"email": f"roll-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
        token = client.post("/api/auth/register", json=credentials).json()["access_token"]

    with Load(stack.nginx.base_url, ingress_host, token) as load:
        time.sleep(SETTLE)
        stack.cluster.kubectl("rollout", "restart", "deployment/todo-backend", *namespace)
        stack.cluster.kubectl("rollout", "status", "deployment/todo-backend", *namespace, "--timeout=180s")
        stack.cluster.kubectl("wait", "--for=delete", f"pod/{old.name}", *namespace, "--timeout=120s")
        gone = time.monotonic()
        time.sleep(SETTLE)

    (new,) = stack.pods["todo-backend"]
    outcomes = load.outcomes
    failed = [o for o in outcomes if o.status != 200]
    by_pod = {pod.address: sum(o.upstream == pod.address for o in outcomes) for pod in (old, new)}
    after = [o for o in outcomes if o.at > gone]
    with capsys.disabled():
        print(
            f"\nrolling restart (maxSurge={max_surge}, maxUnavailable={max_unavailable}): "
            f"{len(outcomes)} requests from {CLIENTS} clients, {len(outcomes) - len(failed)} ok, "
            f"{len(failed)} failed; old pod {old.address} answered {by_pod[old.address]}, new pod "
            f"{new.address} answered {by_pod[new.address]}; {len(after)} after the old pod was gone"
        )
    assert not failed, failed[:10]
    assert not load.ran_out, f"the load stopped after {MAX_LOAD_SECONDS} s, before the rollout ended"
    # The load really spanned the rollout: both pods served, and requests kept coming after it.
    assert by_pod[old.address] > 0 and by_pod[new.address] > 0, by_pod
    assert after, "no request came after the old pod was gone"
    assert all(o.upstream == new.address for o in after)
