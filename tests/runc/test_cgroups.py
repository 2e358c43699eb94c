"""The pod cgroups' code on both hierarchies: on this machine's for real, and against trees with the kernel's file names.

The runc harness that ``make bench`` measures pods with (testbed/stack.py)
runs them on whichever hierarchy the machine has. These tests cover both, so the one a machine lacks is still checked: each
tree holds the files the kernel would create, and the test plays the kernel
where a rule matters (cgroup v2's "no internal processes").
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from testbed import cgroups
from testbed.cgroups import (
    CFS_PERIOD_US,
    RUNNER_LEAF,
    CgroupUnavailable,
    CgroupV1,
    CgroupV2,
    PodCgroup,
    own_cgroups,
)  # fmt: skip

LIMITS = {"limits": {"cpu": "500m", "memory": "512Mi"}}
# A hybrid machine: v1 cpu, cpuacct and memory, and the unified hierarchy beside them.
HYBRID_MOUNTINFO = """\
30 25 0:26 / /sys/fs/cgroup/unified rw,nosuid - cgroup2 cgroup2 rw
31 25 0:27 / /sys/fs/cgroup/cpu rw,nosuid - cgroup cgroup rw,cpu
32 25 0:28 / /sys/fs/cgroup/cpuacct rw,nosuid - cgroup cgroup rw,cpuacct
33 25 0:29 / /sys/fs/cgroup/memory rw,nosuid - cgroup cgroup rw,memory
"""
HYBRID_CGROUP = "4:memory:/sandbox/job\n2:cpuacct:/\n1:cpu:/\n0::/\n"
UNIFIED_MOUNTINFO = "30 25 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n"
UNIFIED_CGROUP = "0::/system.slice/ci.service\n"


def test_a_pod_cgroup_without_limits_is_made_and_removed_on_this_machine() -> None:
    # The image build's cgroup has no limits; its OOM watch still needs the memory cgroup.
    pod = PodCgroup.create(f"todo-test-{os.getpid()}", {})
    try:
        assert (pod.cpu_limit_millicores(), pod.memory_limit_bytes()) == (None, None)
        assert pod.ooms() == 0
    finally:
        pod.remove()


def test_own_cgroups_reads_each_hierarchy_of_a_hybrid_machine() -> None:
    assert own_cgroups(HYBRID_MOUNTINFO, HYBRID_CGROUP) == {
        "": Path("/sys/fs/cgroup/unified"),
        "cpu": Path("/sys/fs/cgroup/cpu"),
        "cpuacct": Path("/sys/fs/cgroup/cpuacct"),
        "memory": Path("/sys/fs/cgroup/memory/sandbox/job"),
    }


def test_own_cgroups_reads_the_unified_hierarchy() -> None:
    assert own_cgroups(UNIFIED_MOUNTINFO, UNIFIED_CGROUP) == {
        "": Path("/sys/fs/cgroup/system.slice/ci.service")
    }


def _files(folder: Path, files: dict[str, str]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)


# What the kernel puts in a new cgroup (of the files the code reads), per hierarchy.
V2_FILES = {
    "cgroup.controllers": "cpu memory", "cgroup.subtree_control": "", "cgroup.procs": "",
    "cpu.max": "max 100000", "memory.max": "max", "memory.swap.max": "max", "memory.peak": "0\n",
    "memory.events": "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\noom_group_kill 0\n",
    "cpu.stat": "usage_usec 0\nuser_usec 0\nsystem_usec 0\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
}  # fmt: skip
V1_FILES = {
    "cpu": {"cpu.cfs_period_us": "100000", "cpu.cfs_quota_us": "-1",
            "cpu.stat": "nr_periods 0\nnr_throttled 0\nthrottled_time 0\n"},
    "cpuacct": {"cpuacct.usage": "0"},
    "memory": {"memory.limit_in_bytes": "9223372036854771712", "memory.max_usage_in_bytes": "0",
               "memory.oom_control": "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"},
}  # fmt: skip


@pytest.fixture
def kernel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Plays the kernel under ``tmp_path``: a new cgroup gets its files, and cgroup v2's rules hold.

    A v1 cgroup's hierarchy is the first folder under ``tmp_path``; anything
    else is cgroup v2. Writing to cgroup.subtree_control of a cgroup that
    holds processes fails with EBUSY ("no internal processes"), and a PID
    written to cgroup.procs leaves the cgroup it was in.
    """
    real_write = cgroups._write

    def mkdir(path: Path) -> None:
        for folder in [path, *path.parents]:
            if folder == tmp_path or folder.exists():
                break
            hierarchy = folder.relative_to(tmp_path).parts[0]
            _files(folder, V1_FILES.get(hierarchy, V2_FILES))

    def write(path: Path, value: object) -> None:
        if path.name == "cgroup.subtree_control" and (path.parent / "cgroup.procs").read_text().split():
            raise OSError(errno.EBUSY, "Device or resource busy", str(path))
        if path.name == "cgroup.procs":
            for procs in tmp_path.rglob("cgroup.procs"):
                procs.write_text("".join(f"{p}\n" for p in procs.read_text().split() if p != str(value)))
            value = path.read_text() + f"{value}\n"
        real_write(path, value)

    monkeypatch.setattr(cgroups, "_mkdir", mkdir)
    monkeypatch.setattr(cgroups, "_write", write)
    return tmp_path


# cgroup v2 ------------------------------------------------------------------------------------


@pytest.fixture
def unified(kernel: Path) -> Path:
    """A unified hierarchy whose cgroup ``ci`` we run in, with two processes, and cpu and memory delegated."""
    root = kernel / "cgroup"
    _files(root, {"cgroup.controllers": "cpuset cpu io memory pids", "cgroup.subtree_control": "cpu memory"})
    _files(root / "ci", {**V2_FILES, "cgroup.controllers": "cpu memory pids", "cgroup.procs": "100\n101\n"})
    return root


def test_v2_moves_our_processes_to_a_leaf_and_enables_cpu_and_memory(unified: Path) -> None:
    pod = CgroupV2(unified / "ci", "stack/todo-backend-0", LIMITS)
    assert (unified / "ci" / "cgroup.procs").read_text().split() == []
    assert (unified / "ci" / RUNNER_LEAF / "cgroup.procs").read_text().split() == ["100", "101"]
    for cgroup in (unified / "ci", unified / "ci" / "stack", unified / "ci" / "stack" / "todo-backend-0"):
        assert set((cgroup / "cgroup.subtree_control").read_text().split()) == {"+cpu", "+memory"}, cgroup
    assert pod.path() == unified / "ci" / "stack" / "todo-backend-0"


def test_v2_writes_the_limits_as_the_kubelet_does(unified: Path) -> None:
    pod = CgroupV2(unified / "ci", "pod", LIMITS)
    assert pod.path("cpu.max").read_text() == f"{50 * CFS_PERIOD_US // 100} {CFS_PERIOD_US}"
    assert pod.path("memory.max").read_text() == str(512 * 2**20)
    assert pod.path("memory.swap.max").read_text() == "0"
    assert (pod.cpu_limit_millicores(), pod.memory_limit_bytes()) == (500, 512 * 2**20)


def test_v2_without_limits_leaves_the_pod_unlimited(unified: Path) -> None:
    pod = CgroupV2(unified / "ci", "build", {})
    assert (pod.cpu_limit_millicores(), pod.memory_limit_bytes()) == (None, None)
    assert pod.ooms() == 0


def test_v2_pods_started_from_the_leaf_go_beside_it(unified: Path) -> None:
    CgroupV2(unified / "ci", "first", LIMITS)
    # Our process now runs in ci/todo-runner: the next pod still goes in ci.
    second = CgroupV2(unified / "ci" / RUNNER_LEAF, "second", LIMITS)
    assert second.path() == unified / "ci" / "second"
    # runc runs in the leaf now, so it gets the path from the hierarchy's root.
    assert second.runc_path("todo-backend") == "/ci/second/todo-backend"


def test_v2_reads_usage_throttling_peak_and_oom_kills(unified: Path) -> None:
    pod = CgroupV2(unified / "ci", "pod", LIMITS)
    _files(pod.path(), {"cpu.stat": "usage_usec 2500\nnr_periods 40\nnr_throttled 7\nthrottled_usec 900\n",
                        "memory.peak": "123456\n"})  # fmt: skip
    _files(pod.path("todo-backend"), {"cgroup.procs": "7\n8\n"})
    assert pod.cpu_usage_ns() == 2_500_000
    assert pod.throttling() == cgroups.Throttling(nr_periods=40, nr_throttled=7, throttled_ns=900_000)
    assert pod.peak_memory() == 123456
    assert pod.procs("todo-backend") == [7, 8]
    assert pod.ooms() == 0
    # memory.events counts the pod's descendants: the container's kill, after runc removed its cgroup.
    pod.path("memory.events").write_text("low 0\nhigh 0\nmax 3\noom 1\noom_kill 1\noom_group_kill 0\n")
    assert pod.ooms() == 1


def test_v2_refuses_a_cgroup_without_the_controllers_delegated(unified: Path) -> None:
    (unified / "ci" / "cgroup.controllers").write_text("pids")
    with pytest.raises(CgroupUnavailable, match=r"the cpu and memory controllers are not delegated to .*/ci "
                       r"\(its cgroup.controllers: pids\); .*Delegate=yes"):  # fmt: skip
        CgroupV2(unified / "ci", "pod", LIMITS)


def test_v2_remove_leaves_our_leaf_alone(unified: Path) -> None:
    pod = CgroupV2(unified / "ci", "stack/pod", LIMITS)
    # The kernel's files go with the directory.
    for folder in (pod.path(), unified / "ci" / "stack"):
        for file in folder.glob("*.*"):
            file.unlink()
    pod.remove()
    assert not (unified / "ci" / "stack").exists()
    assert (unified / "ci" / RUNNER_LEAF).is_dir()


# cgroup v1 ------------------------------------------------------------------------------------


@pytest.fixture
def v1_own(kernel: Path) -> dict[str, Path]:
    """Our cgroup ``job`` in each of the cpu, cpuacct and memory hierarchies."""
    own = {controller: kernel / controller / "job" for controller in cgroups.V1_CONTROLLERS}
    for controller, folder in own.items():
        _files(folder, V1_FILES[controller])
    return own


def test_v1_writes_the_limits_in_each_hierarchy(v1_own: dict[str, Path]) -> None:
    pod = CgroupV1(v1_own, "stack/pod", LIMITS)
    assert (v1_own["cpu"] / "stack/pod/cpu.cfs_quota_us").read_text() == str(50 * CFS_PERIOD_US // 100)
    assert (v1_own["memory"] / "stack/pod/memory.limit_in_bytes").read_text() == str(512 * 2**20)
    assert (pod.cpu_limit_millicores(), pod.memory_limit_bytes()) == (500, 512 * 2**20)
    # runc joins a relative path to its own cgroup in each hierarchy: ours.
    assert pod.runc_path("todo-backend") == "stack/pod/todo-backend"
    pod.remove()


def test_v1_without_limits_still_watches_the_memory_cgroup_for_oom_kills(v1_own: dict[str, Path]) -> None:
    # The image build's cgroup has no limits; its OOM watch needs the memory cgroup all the same.
    pod = CgroupV1(v1_own, "build", {})
    assert (pod.cpu_limit_millicores(), pod.memory_limit_bytes()) == (None, None)
    assert (v1_own["memory"] / "build" / "cgroup.event_control").read_text()
    assert pod.ooms() == 0
    pod.remove()


def test_v1_reads_usage_throttling_and_peak(v1_own: dict[str, Path]) -> None:
    pod = CgroupV1(v1_own, "stack/pod", LIMITS)
    _files(v1_own["cpu"] / "stack/pod", {"cpu.stat": "nr_periods 40\nnr_throttled 7\nthrottled_time 900\n"})
    _files(v1_own["cpuacct"] / "stack/pod", {"cpuacct.usage": "2500"})
    _files(v1_own["memory"] / "stack/pod", {"memory.max_usage_in_bytes": "4096"})
    assert pod.cpu_usage_ns() == 2500
    assert pod.throttling() == cgroups.Throttling(nr_periods=40, nr_throttled=7, throttled_ns=900)
    assert pod.peak_memory() == 4096
    pod.reset_peak_memory()
    assert pod.peak_memory() == 0
    pod.remove()
