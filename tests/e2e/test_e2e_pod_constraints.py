"""Each pod runs as its pod spec in dist/ says, and each constraint bites.

The checks run inside the stack's own pods (``kubectl exec``), or, where the
check would harm a pod (filling memory or a tmpfs), in a fresh pod of the same
Deployment running one command. Where a constraint's effect could be mistaken
for something else (the UID, say), a control pod of a copy of the Deployment
with that one setting changed shows the call succeeds without it.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest

from testbed.cgroups import memory_bytes, millicores
from testbed.manifests import Manifests, only_container, pod_spec
from testbed.pods import security_context
from testbed.stack import Pod, Stack

DEPLOYMENTS = ("todo-backend", "todo-frontend")
EROFS, ENOSPC, EPERM = "Read-only file system", "No space left on device", "Operation not permitted"


def _pod(stack: Stack, name: str) -> Pod:
    return stack.pods[name][0]


def _with(deployment: dict[str, Any], **context: Any) -> dict[str, Any]:
    """A copy of the Deployment with these container securityContext fields changed (None removes one)."""
    changed = copy.deepcopy(deployment)
    container_context = only_container(changed)["securityContext"]
    for key, value in context.items():
        pod_spec(changed).get("securityContext", {}).pop(key, None)
        container_context.pop(key, None)
        if value is not None:
            container_context[key] = value
    return changed


def _status(pid: int) -> dict[str, str]:
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def _processes(pod: Pod) -> list[int]:
    """Every process in the pod's cgroup."""
    return pod.cgroup.procs(pod.container["name"])


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_every_process_runs_as_the_pod_spec_says(stack: Stack, dist: Manifests, name: str) -> None:
    deployment = dist.get("Deployment", name)
    context = security_context(deployment)
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"]["drop"] == ["ALL"]
    assert context["seccompProfile"]["type"] == "RuntimeDefault"
    uid, gid, fs_group = context["runAsUser"], context["runAsGroup"], context["fsGroup"]
    pids = _processes(_pod(stack, name))
    assert pids
    for pid in pids:
        status = _status(pid)
        assert status["Uid"].split() == [str(uid)] * 4, (pid, status["Uid"])
        assert status["Gid"].split() == [str(gid)] * 4, (pid, status["Gid"])
        assert status["Groups"].split() == [str(fs_group)]
        for caps in ("CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb"):
            assert int(status[caps], 16) == 0, (pid, caps, status[caps])
        assert status["NoNewPrivs"] == "1"
        assert status["Seccomp"] == "2"  # SECCOMP_MODE_FILTER


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_cgroup_limits_are_the_deployments(stack: Stack, dist: Manifests, name: str) -> None:
    limits = only_container(dist.get("Deployment", name))["resources"]["limits"]
    cgroup = _pod(stack, name).cgroup
    assert cgroup.cpu_limit_millicores() == millicores(limits["cpu"])
    assert cgroup.memory_limit_bytes() == memory_bytes(limits["memory"])


def test_the_backend_runs_a_python_and_virtualenv_outside_root(stack: Stack) -> None:
    pod = _pod(stack, "todo-backend")
    result = pod.exec("python", "-c", "import sys; print(sys.prefix, sys.base_prefix, sys.executable)")
    assert result.returncode == 0, result.stderr
    prefix, base_prefix, executable = result.stdout.split()
    assert (prefix, executable) == ("/opt/venv", "/opt/venv/bin/python")
    assert not base_prefix.startswith("/root"), base_prefix
    # gunicorn itself is that interpreter, reading the venv as UID 1001.
    master = pod.runtime.init_pid()
    assert Path(f"/proc/{master}/exe").resolve().name.startswith("python3")
    assert "/opt/venv/bin/gunicorn" in Path(f"/proc/{master}/cmdline").read_text()


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_writing_outside_the_empty_dirs_fails_with_erofs(stack: Stack, dist: Manifests, name: str) -> None:
    pod = _pod(stack, name)
    workdir = pod.exec("pwd").stdout.strip()
    for path in ("/written", f"{workdir}/written", "/usr/written", "/etc/written"):
        result = pod.exec("touch", path)
        assert result.returncode != 0 and EROFS in result.stderr, (path, result.stderr)


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_each_empty_dir_is_a_writable_tmpfs_of_its_size_limit(
    stack: Stack, dist: Manifests, name: str
) -> None:
    deployment = dist.get("Deployment", name)
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    pod = _pod(stack, name)
    mounts = {line.split()[1]: line.split() for line in pod.exec("cat", "/proc/mounts").stdout.splitlines()}
    for mount in only_container(deployment)["volumeMounts"]:
        path, size = mount["mountPath"], memory_bytes(volumes[mount["name"]]["emptyDir"]["sizeLimit"])
        fstype, options = mounts[path][2], mounts[path][3].split(",")
        assert fstype == "tmpfs" and f"size={size // 1024}k" in options, mounts[path]
        written = pod.exec("sh", "-c", f"echo ok > {path}/probe && cat {path}/probe && rm {path}/probe")
        assert written.stdout.strip() == "ok", written.stderr


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_writing_past_an_empty_dirs_size_limit_fails_with_enospc(
    stack: Stack, dist: Manifests, name: str
) -> None:
    deployment = dist.get("Deployment", name)
    memory_limit = memory_bytes(only_container(deployment)["resources"]["limits"]["memory"])
    volumes = {v["name"]: v for v in pod_spec(deployment)["volumes"]}
    checked = 0
    for mount in only_container(deployment)["volumeMounts"]:
        size = memory_bytes(volumes[mount["name"]]["emptyDir"]["sizeLimit"])
        # A tmpfs is charged to the pod's memory: one as large as the limit ends in an OOM kill first.
        if size >= memory_limit:
            continue
        fill = f"dd if=/dev/zero of={mount['mountPath']}/fill bs=1M count={size // 2**20 + 1}"
        done = stack.run_to_completion(name, ["sh", "-c", fill])
        assert (done.reason, done.exit_code) == ("Error", 1), done
        assert ENOSPC in done.log, done.log
        checked += 1
    assert checked


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_capability_needing_calls_fail_with_eperm(stack: Stack, name: str) -> None:
    pod = _pod(stack, name)
    chown = pod.exec(
        "sh", "-c", "touch /tmp/owned && chown 0 /tmp/owned; status=$?; rm -f /tmp/owned; exit $status"
    )
    assert chown.returncode != 0 and EPERM in chown.stderr, chown.stderr


def test_dropping_all_capabilities_is_what_denies_root_a_chown(stack: Stack, dist: Manifests) -> None:
    # Even as UID 0 (a copy of the Deployment), CAP_CHOWN is gone; with the runtime's default set it is there.
    root = _with(dist.get("Deployment", "todo-backend"), runAsUser=0, runAsNonRoot=False)
    command = ["sh", "-c", "touch /tmp/owned && chown 1001 /tmp/owned"]
    dropped = stack.run_to_completion("todo-backend", command, deployment=root)
    assert dropped.exit_code != 0 and EPERM in dropped.log, dropped
    default = stack.run_to_completion("todo-backend", command, deployment=_with(root, capabilities=None))
    assert (default.reason, default.exit_code) == ("Completed", 0), default


def test_no_new_privs_ignores_a_setuid_root_program(stack: Stack, dist: Manifests, tmp_path: Path) -> None:
    # A setuid-root copy of `id` in the pod: it prints euid=0 only where privilege escalation is allowed.
    folder = tmp_path / "setuid"
    folder.mkdir()
    shutil.copy2("/usr/bin/id", folder / "id")
    (folder / "id").chmod(0o4755)
    files = {"/opt/setuid": folder}
    deployment = dist.get("Deployment", "todo-backend")
    held = stack.run_to_completion("todo-backend", ["/opt/setuid/id"], deployment=deployment, files=files)
    assert held.exit_code == 0 and "euid=" not in held.log, held
    allowed = _with(deployment, allowPrivilegeEscalation=True)
    escalated = stack.run_to_completion("todo-backend", ["/opt/setuid/id"], deployment=allowed, files=files)
    assert "euid=0(root)" in escalated.log, escalated


@pytest.mark.parametrize("name", DEPLOYMENTS)
def test_the_seccomp_profile_blocks_a_user_namespace(stack: Stack, name: str) -> None:
    blocked = _pod(stack, name).exec("unshare", "--user", "true")
    assert blocked.returncode != 0 and EPERM in blocked.stderr, blocked.stderr


def test_without_the_seccomp_profile_the_same_call_succeeds(stack: Stack, dist: Manifests) -> None:
    unconfined = _with(dist.get("Deployment", "todo-backend"), seccompProfile={"type": "Unconfined"})
    done = stack.run_to_completion("todo-backend", ["unshare", "--user", "true"], deployment=unconfined)
    assert (done.reason, done.exit_code) == ("Completed", 0), done


@pytest.mark.parametrize(
    ("name", "allocate"),
    [
        ("todo-backend", "python -c 'b = b\"x\" * {size}'"),
        ("todo-frontend", "node -e 'Buffer.alloc({size}, 1)'"),
    ],
)
def test_allocating_past_the_memory_limit_is_oom_killed(
    stack: Stack, dist: Manifests, name: str, allocate: str
) -> None:
    limit = memory_bytes(only_container(dist.get("Deployment", name))["resources"]["limits"]["memory"])
    within = stack.run_to_completion(name, ["sh", "-c", allocate.format(size=limit // 2)])
    assert (within.reason, within.exit_code) == ("Completed", 0), within
    past = stack.run_to_completion(name, ["sh", "-c", allocate.format(size=limit + 64 * 2**20)])
    assert (past.reason, past.exit_code) == ("OOMKilled", 137), past


def test_a_busy_pod_is_throttled_at_its_cpu_limit(stack: Stack) -> None:
    pod = _pod(stack, "todo-backend")
    before = pod.cgroup.throttling().nr_throttled
    pod.exec("timeout", "1", "sh", "-c", "while :; do :; done")
    assert pod.cgroup.throttling().nr_throttled > before
