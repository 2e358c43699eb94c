"""A control plane with a real node: the kubelet, containerd and runc run the pods (scripts/node.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from testbed.backend import SECRET
from testbed.manifests import Manifests
from testbed.node_images import ImageBuildUnavailable, dist_archives
from testbed.node_stack import NodeStack
from testbed.paths import script
from testbed.postgres import PostgresServer, PostgresUnavailable
from tests.support.cluster import Cluster, start_control_plane

node_script = script("node")
gitops_script = script("gitops")
metrics_script = script("metrics_server")
BUSYBOX = Path("/bin/busybox")
BUSYBOX_IMAGE = "localhost/todo-tests/busybox:1"
# What the test pods run: a static busybox, and a page for the probes.
APPLETS = ("sh", "httpd", "sleep", "id", "touch", "head", "tail", "cat", "dd", "echo")


@pytest.fixture(scope="session")
def busybox_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test pods' image: Debian's static busybox, and a page for the probes."""
    if not BUSYBOX.is_file():
        pytest.fail(f"{BUSYBOX} missing; run: apt-get install busybox-static (`make system-packages`)")
    layer = node_script.layer(
        {"bin/busybox": (BUSYBOX.read_bytes(), 0o755), "www/health": (b"ok\n", 0o644)},
        {f"bin/{applet}": "busybox" for applet in APPLETS},
    )
    archive: Path = node_script.image_archive(
        tmp_path_factory.mktemp("images") / "busybox.tar", BUSYBOX_IMAGE, [layer], {"Env": ["PATH=/bin"]}
    )
    return archive


def start_node(state_dir: Path, busybox_archive: Path) -> Iterator[tuple[Cluster, Any]]:
    """A control plane of its own (pods land on its node only) and its node, with the busybox image."""
    for cluster in start_control_plane(state_dir):
        try:
            node = node_script.up(cluster.plane)
        except node_script.MissingBinary as error:
            pytest.fail(str(error), pytrace=False)
        try:
            node_script.import_image(node, busybox_archive)
            yield cluster, node
        finally:
            node_script.down(node.state_dir)


@pytest.fixture(scope="session")
def node_cluster(
    tmp_path_factory: pytest.TempPathFactory, busybox_archive: Path
) -> Iterator[tuple[Cluster, Any]]:
    yield from start_node(tmp_path_factory.mktemp("node-control-plane"), busybox_archive)


@pytest.fixture(scope="session")
def gitops(node_cluster: tuple[Cluster, Any], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Argo CD and External Secrets Operator against the node's control plane (scripts/gitops.py)."""
    cluster, _ = node_cluster
    try:
        running = gitops_script.up(cluster.plane, tmp_path_factory.mktemp("gitops"))
    except gitops_script.MissingBinary as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield running
    finally:
        gitops_script.down(running.state_dir)


@pytest.fixture(scope="session")
def metrics_api(node_cluster: tuple[Cluster, Any]) -> Iterator[Path]:
    """metrics-server, serving the pods' CPU figures the autoscalers read (scripts/metrics_server.py)."""
    cluster, _ = node_cluster
    try:
        state_dir: Path = metrics_script.up(cluster.plane)
    except node_script.MissingBinary as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield state_dir
    finally:
        metrics_script.down(state_dir)


# The node's pod network (scripts/node.py): where the database lets the pods in from.
POD_NETWORK = "10.244.0.0/16"


@pytest.fixture(scope="session")
def dist_images(
    node_cluster: tuple[Cluster, Any], dist: Manifests, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, Path]:
    """dist/'s images, built from the Dockerfiles and imported into the node: Deployment -> archive."""
    _, node = node_cluster
    try:
        archives = dist_archives(dist, tmp_path_factory.mktemp("images"))
    except ImageBuildUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    for archive in archives.values():
        node_script.import_image(node, archive)
    return archives


@pytest.fixture(scope="session")
def node_postgres(node_cluster: tuple[Cluster, Any]) -> Iterator[PostgresServer]:
    """PostgreSQL outside the cluster: on the host, letting the pod network in."""
    _, node = node_cluster
    try:
        server = PostgresServer(pods_from=(node.ip, POD_NETWORK)).start()
    except PostgresUnavailable as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield server
    finally:
        server.stop()


def backend_secret_values(node: Any, server: PostgresServer) -> dict[str, str]:
    """The keys of the Secret the user creates: a database of its own, a signing key, no OpenAI key."""
    database = server.create_database().rsplit("/", 1)[1].split("?")[0]
    return {
        "DATABASE_URL": server.url(database, host=node.ip),
        "BETTER_AUTH_SECRET": SECRET,
        # Empty: the chat endpoint must answer 503.
        "OPENAI_API_KEY": "",
    }


@pytest.fixture(scope="session")
def stack(
    node_cluster: tuple[Cluster, Any],
    dist: Manifests,
    dist_images: dict[str, Path],
    node_postgres: PostgresServer,
) -> Iterator[NodeStack]:
    """dist/ on the node, both Deployments ready behind nginx."""
    cluster, node = node_cluster
    running = NodeStack(cluster, cluster.namespace("todo"), dist, backend_secret_values(node, node_postgres))
    try:
        yield running.start()
    finally:
        running.close()


@pytest.fixture
def namespace(node_cluster: tuple[Cluster, Any]) -> Iterator[str]:
    """A namespace for one test; its pods leave the node afterwards, freeing the CPU they requested."""
    cluster, _ = node_cluster
    name = cluster.namespace("node")
    yield name
    # Terminating first, so no controller makes new pods; then the pods go at once.
    cluster.kubectl("delete", "namespace", name, "--wait=false")
    cluster.kubectl("delete", "pods", "--all", "-n", name, "--force", "--grace-period=0", check=False)


def restricted_pod(name: str, command: list[str], **container: Any) -> dict[str, Any]:
    """A pod of the busybox image that meets the "restricted" profile, as the library's pods do."""
    return {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": name},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "terminationGracePeriodSeconds": 1,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 1001,
                "runAsGroup": 1001,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": name,
                    "image": BUSYBOX_IMAGE,
                    "imagePullPolicy": "Never",
                    "command": command,
                    "resources": {"limits": {"cpu": "100m", "memory": "32Mi"}},
                    "securityContext": {
                        "allowPrivilegeEscalation": False,
                        "readOnlyRootFilesystem": True,
                        "capabilities": {"drop": ["ALL"]},
                    },
                    **container,
                }
            ],
        },
    }


def wait_for_pod(
    cluster: Cluster, namespace: str, name: str, done: Callable[[dict[str, Any]], bool], timeout: float = 60
) -> dict[str, Any]:
    """The pod once ``done(pod)`` holds; fails with its status and events after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        pod = cluster.get("pod", namespace, name)
        if done(pod):
            return pod
        if time.monotonic() > deadline:
            events = [event.get("message") for event in cluster.events(namespace)]
            pytest.fail(f"pod {name}: {json.dumps(pod.get('status'))}\nevents: {events}")
        time.sleep(0.5)


def container_state(pod: dict[str, Any]) -> dict[str, Any]:
    statuses = pod.get("status", {}).get("containerStatuses") or [{}]
    state: dict[str, Any] = statuses[0].get("state", {})
    return state


def is_ready(pod: dict[str, Any]) -> bool:
    conditions = pod.get("status", {}).get("conditions", [])
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)
