"""A rolling restart of the backend under load, in the order the Deployment's strategy dictates.

With ``maxUnavailable`` rounding down to 0 (dist/: 25% of 1 replica), Kubernetes
surges first: the new pod starts, joins the Service's endpoints once its
readiness probe passes, and only then is the old pod deleted. Deletion removes
it from the endpoints while the kubelet runs its preStop hook; SIGTERM comes
after. Here the endpoint change is nginx's reload (the ingress controller's
job), awaited until the old nginx workers have exited.

dist/ defines no preStop hook, so without one the endpoint removal and the
SIGTERM would race. The harness then waits ``DOCUMENTED_PRESTOP_PAUSE`` from
the start of the endpoint removal before SIGTERM: the pause a ``preStop: sleep``
would have to cover here (the reload completes in well under it). A preStop
sleep in dist/ is honoured instead.

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
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from testbed.backend import PASSWORD
from testbed.manifests import Manifests, only_container
from testbed.stack import Stack

DOCUMENTED_PRESTOP_PAUSE = 2.0
CLIENTS = 6
MAX_REQUESTS_PER_CLIENT = 600
REQUEST_GAP = 0.02
SETTLE = 1.0


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


def prestop_seconds(container: dict[str, Any]) -> float | None:
    """The pause a preStop hook gives before SIGTERM: a ``sleep`` action or an exec of ``sleep N``."""
    hook = container.get("lifecycle", {}).get("preStop")
    if hook is None:
        return None
    if "sleep" in hook:
        return float(hook["sleep"]["seconds"])
    command = hook.get("exec", {}).get("command", [])
    words = " ".join(command).split()
    assert "sleep" in words, f"preStop hook not modelled here: {hook}"
    return float(words[words.index("sleep") + 1])


class Load:
    """CLIENTS threads alternating /health and an authenticated task list through nginx."""

    def __init__(self, base_url: str, host: str, token: str) -> None:
        self.base_url, self.host, self.token = base_url, host, token
        self.outcomes: list[Outcome] = []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._client, daemon=True) for _ in range(CLIENTS)]

    def _client(self) -> None:
        requests = [("/health", {}), ("/api/tasks", {"Authorization": f"Bearer {self.token}"})]
        # No keep-alive: one connection per request (see the module docstring).
        limits = httpx.Limits(max_keepalive_connections=0)
        with httpx.Client(
            base_url=self.base_url, headers={"Host": self.host}, limits=limits, timeout=30
        ) as client:
            for index in range(MAX_REQUESTS_PER_CLIENT):
                if self._stop.is_set():
                    return
                path, headers = requests[index % 2]
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


def test_rolling_restart_under_load_fails_no_request(
    stack: Stack, dist: Manifests, ingress: httpx.Client, capsys: pytest.CaptureFixture[str]
) -> None:
    deployment = dist.get("Deployment", "todo-backend")
    container = only_container(deployment)
    max_surge, max_unavailable = rollout_bounds(deployment)
    pause = prestop_seconds(container)
    pause = DOCUMENTED_PRESTOP_PAUSE if pause is None else pause
    grace = float(deployment["spec"]["template"]["spec"].get("terminationGracePeriodSeconds", 30))
    credentials = {"email": f"roll-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    token = ingress.post("/api/auth/register", json=credentials).json()["access_token"]
    assert stack.nginx is not None
    (old,) = stack.pods["todo-backend"]

    with Load(stack.nginx.base_url, ingress.headers["host"], token) as load:
        time.sleep(SETTLE)
        if max_unavailable == 0:
            assert max_surge >= 1, "maxSurge and maxUnavailable cannot both be 0"
            new = stack.start_backend()  # returns once its readiness probe passes
            stack.set_ready("todo-backend", [old, new])
            time.sleep(SETTLE)
            removal = time.monotonic()
            stack.set_ready("todo-backend", [new])
            time.sleep(max(0.0, pause - (time.monotonic() - removal)))
            sigterm = time.monotonic()
            exit_code = stack.stop_pod(old, timeout=grace)
        else:
            # The strategy allows the old pod to go first.
            removal = time.monotonic()
            stack.set_ready("todo-backend", [])
            time.sleep(max(0.0, pause - (time.monotonic() - removal)))
            sigterm = time.monotonic()
            exit_code = stack.stop_pod(old, timeout=grace)
            new = stack.start_backend()
            stack.set_ready("todo-backend", [new])
        time.sleep(SETTLE)

    outcomes = load.outcomes
    failed = [o for o in outcomes if o.status != 200]
    by_pod = {pod.address: sum(o.upstream == pod.address for o in outcomes) for pod in (old, new)}
    after_sigterm = [o for o in outcomes if o.at > sigterm]
    with capsys.disabled():
        print(
            f"\nrolling restart (maxSurge={max_surge}, maxUnavailable={max_unavailable}, pause {pause:.1f}s): "
            f"{len(outcomes)} requests from {CLIENTS} clients, {len(outcomes) - len(failed)} ok, {len(failed)} failed; "
            f"old pod {old.address} answered {by_pod[old.address]}, new pod {new.address} answered "
            f"{by_pod[new.address]}; {len(after_sigterm)} after SIGTERM"
        )
    assert not failed, failed[:10]
    assert exit_code == 0, f"the old pod did not stop cleanly on SIGTERM:\n{old.log()[-3000:]}"
    # The load really spanned the rollout: both pods served, and requests kept coming after SIGTERM.
    assert by_pod[old.address] > 0 and by_pod[new.address] > 0, by_pod
    assert len(after_sigterm) >= CLIENTS, len(after_sigterm)
    assert all(o.upstream == new.address for o in after_sigterm)
    assert len(outcomes) < CLIENTS * MAX_REQUESTS_PER_CLIENT, "the load ran out before the rollout ended"


def test_a_stopped_pod_left_in_the_upstream_is_not_hidden_by_retries(
    stack: Stack, ingress: httpx.Client
) -> None:
    """The control: had the rollout skipped the endpoint removal, requests would have failed."""
    (live,) = stack.pods["todo-backend"]
    dead = stack.start_backend()
    stack.set_ready("todo-backend", [live, dead])
    try:
        assert stack.stop_pod(dead) == 0
        statuses = [ingress.get("/health").status_code for _ in range(20)]
    finally:
        stack.set_ready("todo-backend", [live])
    assert 502 in statuses and 200 in statuses, statuses
