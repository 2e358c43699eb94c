"""dist/'s pods, as the kubelet runs them, hold to their pod specs: seen from inside (``kubectl exec``) and in their cgroups."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from testbed.cgroups import CFS_PERIOD_US, millicores
from testbed.manifests import only_container, pod_spec
from testbed.node_stack import NodeStack, RunningPod
from tests.node.conftest import node_script
from tests.support.cluster import Cluster

pytestmark = pytest.mark.cluster

DEPLOYMENTS = ("todo-backend", "todo-frontend")
NO_CAPABILITIES = "0000000000000000"


def _exec(stack: NodeStack, pod: RunningPod, *command: str) -> subprocess.CompletedProcess[str]:
    return stack.cluster.kubectl("exec", "-n", stack.namespace, pod.name, "--", *command, check=False)


def _context(stack: NodeStack, name: str) -> dict[str, Any]:
    """The container's effective security context: the pod's, overridden by the container's own."""
    deployment = stack.dist.get("Deployment", name)
    return {
        **pod_spec(deployment).get("securityContext", {}),
        **only_container(deployment)["securityContext"],
    }


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_the_main_process_runs_as_the_pod_spec_says(stack: NodeStack, name: str) -> None:
    (pod,) = stack.pods[name]
    context = _context(stack, name)
    shown = _exec(stack, pod, "cat", "/proc/1/status")
    status = {
        key: value.strip() for key, _, value in (line.partition(":") for line in shown.stdout.splitlines())
    }
    assert status["Uid"].split() == [str(context["runAsUser"])] * 4
    assert status["Gid"].split() == [str(context["runAsGroup"])] * 4
    assert context["capabilities"]["drop"] == ["ALL"]
    assert {status[key] for key in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb")} == {NO_CAPABILITIES}
    assert context["allowPrivilegeEscalation"] is False and status["NoNewPrivs"] == "1"
    # RuntimeDefault: containerd's default profile, in filter mode.
    assert context["seccompProfile"]["type"] == "RuntimeDefault" and status["Seccomp"] == "2"


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_the_root_is_read_only_and_each_empty_dir_is_writable(stack: NodeStack, name: str) -> None:
    (pod,) = stack.pods[name]
    deployment = stack.dist.get("Deployment", name)
    assert only_container(deployment)["securityContext"]["readOnlyRootFilesystem"] is True
    workdir = _exec(stack, pod, "pwd").stdout.strip()
    refused = _exec(stack, pod, "touch", f"{workdir}/written")
    assert refused.returncode != 0 and "Read-only file system" in refused.stderr, refused
    empty_dirs = {v["name"] for v in pod_spec(deployment)["volumes"] if "emptyDir" in v}
    mounts = [m["mountPath"] for m in only_container(deployment)["volumeMounts"] if m["name"] in empty_dirs]
    assert mounts, f"{name} mounts no emptyDir"
    for path in mounts:
        written = _exec(
            stack, pod, "sh", "-c", f"echo ok > {path}/probe && cat {path}/probe && rm {path}/probe"
        )
        assert written.stdout.strip() == "ok", (path, written)


def test_a_busy_backend_is_throttled_at_its_cpu_limit(
    stack: NodeStack, node_cluster: tuple[Cluster, Any]
) -> None:
    _, node = node_cluster
    (pod,) = stack.pods["todo-backend"]
    limit = only_container(stack.dist.get("Deployment", "todo-backend"))["resources"]["limits"]["cpu"]
    api_pod = stack.cluster.get("pod", stack.namespace, pod.name)
    cgroup = node_script.pod_cgroup(node, "cpu", api_pod["metadata"]["uid"], api_pod["status"]["qosClass"])
    period = int((cgroup / "cpu.cfs_period_us").read_text())
    assert period == CFS_PERIOD_US
    assert int((cgroup / "cpu.cfs_quota_us").read_text()) == millicores(limit) * period // 1000

    def throttled() -> int:
        stat = dict(line.split() for line in (cgroup / "cpu.stat").read_text().splitlines())
        return int(stat["nr_throttled"])

    before = throttled()
    _exec(stack, pod, "timeout", "1", "sh", "-c", "while :; do :; done")
    assert throttled() > before
