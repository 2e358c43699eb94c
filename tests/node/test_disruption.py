"""A node drain's evictions against the backend's PodDisruptionBudget: one pod at a time, never both.

The Eviction API consults the budget's status, which the disruption
controller keeps from the pods' readiness as the kubelet reports it: an
eviction is refused while the pod evicted before it has no ready replacement.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator

import pytest

from constructs_lib import TodoBackendProps
from testbed.node_stack import NodeStack
from tests.support.cluster import wait_for
from tests.support.synth import synth_stack

pytestmark = pytest.mark.cluster

REPLICAS = 2


@pytest.fixture(scope="module")
def budgeted(stack: NodeStack) -> Iterator[NodeStack]:
    """The spec's stack with two backend pods and their PodDisruptionBudget, beside dist/ on the node."""
    manifests = synth_stack(backend=TodoBackendProps(replicas=REPLICAS, pod_disruption_budget=True))
    assert manifests.of_kind("PodDisruptionBudget")
    running = NodeStack(stack.cluster, stack.cluster.namespace("budget"), manifests, stack.secrets)
    try:
        yield running.start()
    finally:
        running.close()


def _evict(stack: NodeStack, pod: str) -> subprocess.CompletedProcess[str]:
    eviction = {
        "apiVersion": "policy/v1",
        "kind": "Eviction",
        "metadata": {"name": pod, "namespace": stack.namespace},
    }
    path = f"/api/v1/namespaces/{stack.namespace}/pods/{pod}/eviction"
    return stack.cluster.kubectl("create", "--raw", path, "-f", "-", stdin=json.dumps(eviction), check=False)


def _allowed(stack: NodeStack) -> int:
    (budget,) = stack.cluster.get("poddisruptionbudgets", stack.namespace)["items"]
    return int(budget.get("status", {}).get("disruptionsAllowed", 0))


def test_a_drain_evicts_one_backend_pod_then_waits_for_its_replacement(budgeted: NodeStack) -> None:
    stack = budgeted
    assert stack.watch is not None
    port = stack.dist.get("Service", "todo-backend")["spec"]["ports"][0]["port"]
    stack.watch.wait_for("both backend pods ready", lambda e: len(e[("todo-backend", port)]) == REPLICAS)
    wait_for("the budget to allow one disruption", lambda: _allowed(stack) == 1)
    first, second = (pod.name for pod in stack.pods["todo-backend"])

    assert _evict(stack, first).returncode == 0
    refused = _evict(stack, second)
    assert refused.returncode != 0 and "disruption budget" in refused.stderr, refused

    # The first pod's replacement gets ready (the kubelet's readiness probe); then the budget allows the next.
    wait_for("the budget to allow one disruption again", lambda: _allowed(stack) == 1, timeout=120)
    names = {pod.name for pod in stack.pods["todo-backend"]}
    assert second in names and first not in names and len(names) == REPLICAS
    assert _evict(stack, second).returncode == 0
