"""What a real kubelet enforces on the pods it runs: user, read-only root, capabilities, seccomp, cgroups, probes."""

from __future__ import annotations

import json
import re
import ssl
import subprocess
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from tests.node.conftest import (
    container_state,
    is_ready,
    node_script,
    restricted_pod,
    start_node,
    wait_for_pod,
)
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster

WEB = ["/bin/sh", "-c", "echo serving; exec httpd -f -p 8080 -h /www"]


def _run(cluster: Cluster, namespace: str, pod: dict[str, Any]) -> None:
    cluster.kubectl("create", "-n", namespace, "-f", "-", stdin=json.dumps(pod))


def test_the_node_is_ready_with_containerd_and_the_kubelet_built_here(
    node_cluster: tuple[Cluster, Any],
) -> None:
    cluster, node = node_cluster
    info = cluster.get("node", "", node.name)["status"]["nodeInfo"]
    assert info["containerRuntimeVersion"].startswith("containerd://1.6")
    assert info["kubeletVersion"] == node_script.control_plane.kube_version()


def test_the_kubelet_answers_no_one_without_a_client_certificate(node_cluster: tuple[Cluster, Any]) -> None:
    cluster, node = node_cluster
    port = cluster.get("node", "", node.name)["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"]
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"https://{node.ip}:{port}/pods", context=context, timeout=10)
    assert refused.value.code == 401


def test_a_restricted_pod_runs_as_its_user_without_capabilities_under_seccomp_on_a_read_only_root(
    node_cluster: tuple[Cluster, Any],
    namespace: str,
) -> None:
    cluster, _ = node_cluster
    pod = restricted_pod(
        "web",
        WEB,
        ports=[{"containerPort": 8080}],
        readinessProbe={"httpGet": {"path": "/health", "port": 8080}, "periodSeconds": 1},
    )
    _run(cluster, namespace, pod)
    wait_for_pod(cluster, namespace, "web", is_ready)

    status = cluster.kubectl("exec", "-n", namespace, "web", "--", "cat", "/proc/self/status").stdout
    fields = dict(re.findall(r"^(\w+):\s+(.*)$", status, re.M))
    assert fields["Uid"].split()[0] == fields["Gid"].split()[0] == "1001"
    assert int(fields["CapEff"], 16) == int(fields["CapBnd"], 16) == 0
    assert (fields["NoNewPrivs"], fields["Seccomp"]) == ("1", "2")
    written = cluster.kubectl("exec", "-n", namespace, "web", "--", "touch", "/written", check=False)
    assert written.returncode != 0 and "Read-only file system" in written.stderr
    assert cluster.kubectl("logs", "-n", namespace, "web").stdout == "serving\n"


def test_a_readiness_probe_on_a_port_nothing_listens_on_keeps_the_pod_out(
    node_cluster: tuple[Cluster, Any],
    namespace: str,
) -> None:
    cluster, _ = node_cluster
    pod = restricted_pod(
        "wrong-port",
        WEB,
        readinessProbe={"httpGet": {"path": "/health", "port": 8081}, "periodSeconds": 1},
    )
    _run(cluster, namespace, pod)
    running = wait_for_pod(cluster, namespace, "wrong-port", lambda pod: "running" in container_state(pod))

    assert not is_ready(running)
    wait_for_pod(
        cluster,
        namespace,
        "wrong-port",
        lambda _: any(
            "Readiness probe failed" in (e.get("message") or "") for e in cluster.events(namespace)
        ),
    )
    assert not is_ready(cluster.get("pod", namespace, "wrong-port"))


def test_a_container_past_its_memory_limit_is_oom_killed(
    node_cluster: tuple[Cluster, Any], namespace: str
) -> None:
    cluster, _ = node_cluster
    # tail holds all of a line-less input: 100 MiB against a 32 MiB limit.
    # A whole CPU, so the memory fills in a second rather than at the 100m the other pods get.
    hog = restricted_pod("hog", ["/bin/sh", "-c", "head -c 100m /dev/zero | tail"])
    hog["spec"]["containers"][0]["resources"]["limits"]["cpu"] = "1"
    _run(cluster, namespace, hog)
    pod = wait_for_pod(cluster, namespace, "hog", lambda pod: "terminated" in container_state(pod))

    terminated = container_state(pod)["terminated"]
    assert (terminated["reason"], terminated["exitCode"]) == ("OOMKilled", 137)


def test_an_empty_dir_past_its_size_limit_gets_the_pod_evicted(
    node_cluster: tuple[Cluster, Any], namespace: str
) -> None:
    cluster, _ = node_cluster
    pod = restricted_pod(
        "filler",
        ["/bin/sh", "-c", "dd if=/dev/zero of=/scratch/fill bs=1M count=8 && exec sleep 600"],
        volumeMounts=[{"name": "scratch", "mountPath": "/scratch"}],
    )
    pod["spec"]["volumes"] = [{"name": "scratch", "emptyDir": {"sizeLimit": "2Mi"}}]
    _run(cluster, namespace, pod)
    evicted = wait_for_pod(
        cluster, namespace, "filler", lambda pod: pod["status"].get("reason") == "Evicted", timeout=90
    )

    assert "scratch" in evicted["status"]["message"]


def test_down_removes_every_process_mount_cgroup_bridge_and_rule_it_made(
    busybox_archive: Path, tmp_path: Path
) -> None:
    # A node of its own, with a pod (a network namespace, mounts, NAT rules) to clean up after.
    for cluster, node in start_node(tmp_path / "plane", busybox_archive):
        namespace = cluster.namespace("node")
        _run(cluster, namespace, restricted_pod("web", WEB))
        wait_for_pod(cluster, namespace, "web", lambda pod: "running" in container_state(pod))
        node_id = (node.state_dir / "id").read_text()
        node_script.down(node.state_dir)

        assert node_script._processes_naming(node.state_dir) == []
        assert node_script._processes_naming(node.containerd_socket.parent) == []
        assert not node.containerd_socket.parent.exists()
        assert str(node.state_dir) not in Path("/proc/self/mountinfo").read_text()
        assert not list(Path("/sys/fs/cgroup").glob(f"*/todo-node-{node_id}"))
        links = subprocess.run(["ip", "-o", "link"], capture_output=True, text=True, check=True).stdout
        assert f"todo{node_id}" not in links
        rules = subprocess.run(["iptables-save"], capture_output=True, text=True, check=True).stdout
        assert f"todo-node-{node_id}" not in rules
