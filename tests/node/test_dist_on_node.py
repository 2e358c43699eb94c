"""dist/'s backend on a real node: the unchanged Deployment, its image built here, its database outside the cluster."""

from __future__ import annotations

import copy
import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from testbed.manifests import Manifests
from testbed.paths import DIST
from testbed.postgres import PostgresServer
from tests.node.conftest import backend_secret_values, container_state, is_ready, wait_for_pod
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster


@pytest.fixture(scope="module")
def backend_secrets(
    node_cluster: tuple[Cluster, Any], dist_images: dict[str, Path], node_postgres: PostgresServer
) -> dict[str, str]:
    """The backend image on the node, and its Secret's values, with PostgreSQL on the host."""
    _, node = node_cluster
    return backend_secret_values(node, node_postgres)


def _deploy(cluster: Cluster, namespace: str, values: dict[str, str], objects: list[dict[str, Any]]) -> None:
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": "todo-secrets"},
        "stringData": values,
    }
    cluster.kubectl("create", "-n", namespace, "-f", "-", stdin=json.dumps(secret))
    cluster.apply(objects, namespace)


def _backend_copy() -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A copy of dist/'s backend objects to change, and its Deployment's pod spec."""
    objects = copy.deepcopy(Manifests.from_file(DIST / "todo-backend.k8s.yaml").objects)
    (deployment,) = [obj for obj in objects if obj["kind"] == "Deployment"]
    return objects, deployment["spec"]["template"]["spec"]


def _backend_pod(cluster: Cluster, namespace: str) -> str:
    pods = cluster.get("pods", namespace, selector="app.kubernetes.io/name=todo-backend")["items"]
    assert len(pods) == 1, [pod["metadata"]["name"] for pod in pods]
    name: str = pods[0]["metadata"]["name"]
    return name


def test_the_unchanged_backend_deployment_serves_the_api_from_its_pod(
    node_cluster: tuple[Cluster, Any], backend_secrets: dict[str, str], namespace: str
) -> None:
    cluster, _ = node_cluster
    _deploy(cluster, namespace, backend_secrets, Manifests.from_file(DIST / "todo-backend.k8s.yaml").objects)
    name = _backend_pod(cluster, namespace)
    pod = wait_for_pod(cluster, namespace, name, is_ready, timeout=120)

    # The host reaches pod addresses over the node's bridge, as a node's kube-proxy would.
    base = f"http://{pod['status']['podIP']}:8000"
    with urllib.request.urlopen(f"{base}/health", timeout=10) as response:
        assert response.status == 200
    register = urllib.request.Request(
        f"{base}/api/auth/register",
        data=json.dumps({"email": "node@example.com", "password": "correct horse battery"}).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(register, timeout=30) as response:
        assert response.status in (200, 201)
    assert "running" in container_state(cluster.get("pod", namespace, name))


def test_a_read_only_root_without_the_tmp_empty_dir_never_gets_ready(
    node_cluster: tuple[Cluster, Any], backend_secrets: dict[str, str], namespace: str
) -> None:
    # gunicorn needs a writable temporary directory; dist/ mounts an emptyDir at /tmp for it.
    cluster, _ = node_cluster
    objects, pod_spec = _backend_copy()
    (container,) = pod_spec["containers"]
    tmp = {mount["name"] for mount in container["volumeMounts"] if mount["mountPath"] == "/tmp"}
    assert tmp, "dist/'s backend mounts an emptyDir at /tmp"
    container["volumeMounts"] = [mount for mount in container["volumeMounts"] if mount["name"] not in tmp]
    pod_spec["volumes"] = [volume for volume in pod_spec["volumes"] if volume["name"] not in tmp]
    _deploy(cluster, namespace, backend_secrets, objects)
    name = _backend_pod(cluster, namespace)

    failed = wait_for_pod(
        cluster,
        namespace,
        name,
        lambda pod: (
            "terminated" in container_state(pod)
            or (pod["status"].get("containerStatuses") or [{}])[0].get("restartCount", 0) > 0
        ),
        timeout=120,
    )
    assert not is_ready(failed)
    logs = cluster.kubectl("logs", "-n", namespace, name, "--previous", check=False).stdout
    logs += cluster.kubectl("logs", "-n", namespace, name, check=False).stdout
    assert "temporary directory" in logs.lower() or "read-only file system" in logs.lower(), logs[-2000:]


# Below what gunicorn's master and two workers take once the app is imported.
TOO_LITTLE_MEMORY = "48Mi"


def test_a_memory_limit_below_the_apps_footprint_gets_it_oom_killed_and_never_ready(
    node_cluster: tuple[Cluster, Any], backend_secrets: dict[str, str], namespace: str
) -> None:
    cluster, _ = node_cluster
    objects, pod_spec = _backend_copy()
    (container,) = pod_spec["containers"]
    container["resources"]["limits"]["memory"] = container["resources"]["requests"]["memory"] = (
        TOO_LITTLE_MEMORY
    )
    _deploy(cluster, namespace, backend_secrets, objects)
    name = _backend_pod(cluster, namespace)

    def last_state(pod: dict[str, Any]) -> dict[str, Any]:
        statuses = pod.get("status", {}).get("containerStatuses") or [{}]
        state: dict[str, Any] = statuses[0].get("lastState", {})
        return state

    killed = wait_for_pod(cluster, namespace, name, lambda pod: "terminated" in last_state(pod), timeout=180)
    assert last_state(killed)["terminated"]["reason"] == "OOMKilled", last_state(killed)
    assert not is_ready(killed)
