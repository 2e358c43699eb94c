"""A control plane with a real node: the kubelet, containerd and runc run the pods (scripts/node.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from testbed.paths import script
from tests.support.cluster import Cluster, start_control_plane

node_script = script("node")
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
