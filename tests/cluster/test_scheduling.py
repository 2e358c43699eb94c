"""The real scheduler binds the pods to a Node the size of Minikube's default machine.

Minikube's default machine has 2 CPUs and, for memory, a quarter of the
host's RAM clamped to 2200-6000 MiB (``suggestMemoryAllocation`` in
minikube's cmd/minikube/cmd/start_flags.go); the Node here takes the floor,
2200 MiB, the smallest machine a default ``minikube start`` makes. No kubelet
runs, so the pods are bound but never started.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator

import pytest

from constructs_lib import NetworkPolicy, Resources, TodoBackendProps, TodoFrontendProps, ZeroDowntimeRollout
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.cluster.stacks import dist_objects
from tests.support.cluster import Cluster, start_control_plane, wait_for
from tests.support.synth import synth_stack

NODE = "minikube"
MINIKUBE_CPUS = "2"
MINIKUBE_MEMORY = "2200Mi"


@pytest.fixture(scope="module")
def node_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    """A control plane of its own, so no other test's pods take the Node's room."""
    for cluster in start_control_plane(tmp_path_factory.mktemp("scheduling")):
        cluster.register_node(NODE, cpu=MINIKUBE_CPUS, memory=MINIKUBE_MEMORY, zone="zone-a")
        yield cluster


def _bound(cluster: Cluster, namespace: str, count: int, nodes: tuple[str, ...] = (NODE,)) -> list[dict]:
    def pods() -> list[dict] | None:
        items = cluster.get("pods", namespace)["items"]
        bound = len(items) == count and all(p["spec"].get("nodeName") in nodes for p in items)
        return items if bound else None

    return wait_for(f"{count} pods bound to {', '.join(nodes)}", pods)


def test_the_specs_pods_are_bound_to_a_minikube_sized_node(node_cluster: Cluster) -> None:
    namespace = node_cluster.namespace("spec")
    node_cluster.apply(dist_objects(), namespace)
    assert len(_bound(node_cluster, namespace, 2)) == 2


def test_two_spread_replicas_of_each_production_workload_are_bound(node_cluster: Cluster) -> None:
    production = {
        "replicas": 2,
        "spread_pods": True,
        "pod_disruption_budget": True,
        "network_policy": NetworkPolicy(),
        "zero_downtime_rollout": ZeroDowntimeRollout(),
    }
    stack = synth_stack(backend=TodoBackendProps(**production), frontend=TodoFrontendProps(**production))
    namespace = node_cluster.namespace("production")
    node_cluster.apply(stack.objects, namespace)
    pods = _bound(node_cluster, namespace, 4)
    assert all("topologySpreadConstraints" in pod["spec"] for pod in pods)


def test_a_stack_that_does_not_fit_stays_pending_with_the_schedulers_reason(node_cluster: Cluster) -> None:
    too_big = Resources(cpu_request="3", memory_request="256Mi", cpu_limit="3", memory_limit="512Mi")
    stack = synth_stack(backend=TodoBackendProps(resources=too_big))
    namespace = node_cluster.namespace("too-big")
    node_cluster.apply(stack.objects, namespace)

    def failed_scheduling() -> list[str]:
        return [e["message"] for e in node_cluster.events(namespace) if e["reason"] == "FailedScheduling"]

    message = wait_for("a FailedScheduling event", failed_scheduling)[0]
    assert "Insufficient cpu" in message
    backend = node_cluster.get("pods", namespace, selector="app.kubernetes.io/name=todo-backend")["items"]
    assert [pod["status"]["phase"] for pod in backend] == ["Pending"]
    assert "nodeName" not in backend[0]["spec"]


# Production: three machines of 2 CPUs and 4 GiB, one per zone (a small managed node pool).
ZONES = ("zone-a", "zone-b", "zone-c")
PRODUCTION_NODES = tuple(f"node-{zone}" for zone in ZONES)


@pytest.fixture(scope="module")
def zoned_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cluster]:
    for cluster in start_control_plane(tmp_path_factory.mktemp("zoned")):
        for node, zone in zip(PRODUCTION_NODES, ZONES, strict=True):
            cluster.register_node(node, cpu="2", memory="4Gi", zone=zone)
        cluster.install_crd("gateway_api")
        cluster.install_crd("external_secrets")
        yield cluster


def test_production_at_its_autoscalers_maximum_is_bound_evenly_across_three_zones(
    zoned_cluster: Cluster,
) -> None:
    objects = Manifests.from_dir(REPO_ROOT / "environments" / "dist" / "production").objects
    (namespace,) = {obj["metadata"]["namespace"] for obj in objects}
    zoned_cluster.kubectl("create", "namespace", namespace)
    zoned_cluster.apply(objects, namespace)
    # Peak load: each autoscaler held at its maximum, as it would be under sustained CPU.
    maximum = 0
    for autoscaler in (obj for obj in objects if obj["kind"] == "HorizontalPodAutoscaler"):
        top = autoscaler["spec"]["maxReplicas"]
        maximum += top
        patch = json.dumps({"spec": {"minReplicas": top}})
        zoned_cluster.kubectl("patch", "hpa", autoscaler["metadata"]["name"], "-n", namespace, "-p", patch)

    pods = _bound(zoned_cluster, namespace, maximum, PRODUCTION_NODES)

    for workload in ("todo-backend", "todo-frontend"):
        zones = Counter(
            pod["spec"]["nodeName"]
            for pod in pods
            if pod["metadata"]["labels"]["app.kubernetes.io/name"] == workload
        )
        assert max(zones.values()) - min(zones.values()) <= 1 and len(zones) == len(ZONES), (workload, zones)
