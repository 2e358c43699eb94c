"""Pod cgroups as the kubelet makes them, on cgroup v1 or on the unified cgroup v2 hierarchy.

The kubelet writes a pod's limits to a pod-level cgroup and runs each
container in a child of it; the runc pods (pods.py) do the same below the
cgroup this process runs in. The same limits and counters, per hierarchy:

===============  =======================================  ===========================================
                 cgroup v1 (cpu, cpuacct, memory)          cgroup v2 (unified)
===============  =======================================  ===========================================
limits.cpu       ``cpu.cfs_quota_us`` per 100 ms            ``cpu.max`` ("<quota> 100000")
                 ``cpu.cfs_period_us``
limits.memory    ``memory.limit_in_bytes`` (and             ``memory.max``, ``memory.swap.max`` 0
                 ``memory.memsw.limit_in_bytes``: no swap)
OOM kills        an eventfd on ``memory.oom_control``       ``oom_kill`` in ``memory.events``, which
                 (containerd's v1 watch): v1 counts the     counts the pod's descendants too, removed
                 kill in the container's own cgroup,        ones included
                 which runc removes
CPU used         ``cpuacct.usage`` (ns)                     ``usage_usec`` in ``cpu.stat``
throttling       ``nr_throttled``, ``throttled_time`` (ns)  ``nr_throttled``, ``throttled_usec``
                 in ``cpu.stat``                            in ``cpu.stat``
peak memory      ``memory.max_usage_in_bytes``, reset by    ``memory.peak``, reset per open file by
                 writing 0                                  writing to it (Linux 6.12)
===============  =======================================  ===========================================

cgroup v2 allows no process in a cgroup whose controllers are enabled for
its children. When the cgroup we run in holds processes, they move into a
leaf child, ``todo-runner``, before ``cpu`` and ``memory`` are enabled (as
docker's dind entrypoint moves its processes into ``/init``), and the pod
cgroups are made beside that leaf. runc then gets absolute cgroup paths,
since its own cgroup is no longer the pods' parent.

Each class takes the directories it works in, so a tree with the real file
names stands in for the kernel's in the tests of the hierarchy a machine
does not run (tests/runc/test_cgroups.py).
"""

from __future__ import annotations

import abc
import contextlib
import errno
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

# The kubelet's CFS period: limits.cpu is a share of it, on either hierarchy.
CFS_PERIOD_US = 100_000
V1_CONTROLLERS = ("cpu", "cpuacct", "memory")
V2_CONTROLLERS = ("cpu", "memory")
# Where our own processes go when our cgroup must become a parent (cgroup v2).
RUNNER_LEAF = "todo-runner"
DELEGATION_HINT = (
    "run as root in a cgroup whose parent enables cpu and memory for it (for example "
    "`systemd-run --scope -p Delegate=yes make test`), or on a machine with cgroup v1's "
    "cpu, cpuacct and memory hierarchies"
)
_BINARY = {"Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40}
_DECIMAL = {"k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12}


class CgroupUnavailable(RuntimeError):
    """No cgroup hierarchy here can hold the pods' limits; the message says what is missing and how to get it."""


def memory_bytes(quantity: str) -> int:
    """A Kubernetes memory quantity (``512Mi``, ``1G``, ``1000``) in bytes."""
    for suffix, factor in {**_BINARY, **_DECIMAL}.items():
        if quantity.endswith(suffix):
            return int(float(quantity[: -len(suffix)]) * factor)
    return int(quantity)


def millicores(quantity: str) -> int:
    """A Kubernetes CPU quantity (``500m``, ``1``) in millicores."""
    return int(quantity[:-1]) if quantity.endswith("m") else int(float(quantity) * 1000)


def own_cgroups(mountinfo: str, proc_cgroup: str) -> dict[str, Path]:
    """Each hierarchy we are in ("memory", "cpu", ... for v1, "" for v2) -> our cgroup's directory there.

    ``mountinfo`` and ``proc_cgroup`` are the texts of /proc/self/mountinfo and /proc/self/cgroup.
    """
    mounts: dict[str, Path] = {}
    for line in mountinfo.splitlines():
        fields, _, right = line.partition(" - ")
        fstype, _source, options = right.split()[:3]
        if fstype == "cgroup":
            for option in options.split(","):
                mounts[option] = Path(fields.split()[4])
        elif fstype == "cgroup2":
            mounts[""] = Path(fields.split()[4])
    own: dict[str, Path] = {}
    for line in proc_cgroup.splitlines():
        _, controllers, path = line.split(":", 2)
        for controller in controllers.split(","):
            if controller in mounts:
                own[controller] = mounts[controller] / path.lstrip("/")
    return own


@dataclass(frozen=True)
class Throttling:
    """CFS throttling so far: periods run, periods throttled, and the time spent throttled."""

    nr_periods: int
    nr_throttled: int
    throttled_ns: int


def _flat_keyed(text: str) -> dict[str, int]:
    """A flat-keyed cgroup file (cpu.stat, memory.events): "key value" lines."""
    return {key: int(value) for key, value in (line.split() for line in text.splitlines())}


class PodCgroup(abc.ABC):
    """A pod-level cgroup holding a Deployment's limits; each container runs in a child of it."""

    hierarchy: ClassVar[str]

    def __init__(self, relative: str) -> None:
        self.relative = relative

    @staticmethod
    def create(relative: str, resources: Mapping[str, Any]) -> PodCgroup:
        """The pod cgroup ``relative`` below ours, on cgroup v1 where it has cpu and memory, else on v2."""
        own = own_cgroups(Path("/proc/self/mountinfo").read_text(), Path("/proc/self/cgroup").read_text())
        try:
            if all(controller in own for controller in V1_CONTROLLERS):
                return CgroupV1({c: own[c] for c in V1_CONTROLLERS}, relative, resources)
            if "" in own:
                return CgroupV2(own[""], relative, resources)
        except OSError as error:
            raise CgroupUnavailable(
                f"cannot make the pod cgroup {relative}: {error}; {DELEGATION_HINT}"
            ) from error
        raise CgroupUnavailable(
            "neither cgroup v1's cpu, cpuacct and memory hierarchies nor the unified cgroup v2 "
            f"hierarchy is mounted here; {DELEGATION_HINT}"
        )

    @abc.abstractmethod
    def runc_path(self, child: str) -> str:
        """The ``linux.cgroupsPath`` that puts a container in the pod cgroup's child ``child``."""

    @abc.abstractmethod
    def procs(self, child: str) -> list[int]:
        """The processes in the pod cgroup's child ``child`` (a container)."""

    @abc.abstractmethod
    def cpu_limit_millicores(self) -> int | None:
        """The CPU quota as written, in millicores of the CFS period; None when unlimited."""

    @abc.abstractmethod
    def memory_limit_bytes(self) -> int | None:
        """The memory limit as written; None when unlimited."""

    @abc.abstractmethod
    def cpu_usage_ns(self) -> int:
        """CPU time the pod's processes used so far."""

    @abc.abstractmethod
    def throttling(self) -> Throttling:
        """The pod's CFS throttling so far."""

    @abc.abstractmethod
    def reset_peak_memory(self) -> None:
        """Start measuring :meth:`peak_memory` afresh."""

    @abc.abstractmethod
    def peak_memory(self) -> int:
        """The most memory the pod used since :meth:`reset_peak_memory` (or its start)."""

    @abc.abstractmethod
    def ooms(self) -> int:
        """How many times the pod's memory limit invoked the OOM killer so far."""

    @abc.abstractmethod
    def remove(self) -> None:
        """rmdir the pod cgroup, and the parents of it we made that are left empty."""


def _write(path: Path, value: object) -> None:
    path.write_text(str(value))


def _mkdir(path: Path) -> None:
    """Make a cgroup (and its parents); the kernel fills each with its interface files."""
    path.mkdir(parents=True, exist_ok=True)


def _rmdir_up(base: Path, target: Path) -> None:
    """rmdir ``target`` and its parents up to (not including) ``base``, while they are empty."""
    while target != base and base in target.parents:
        with contextlib.suppress(OSError):
            target.rmdir()
        target = target.parent


class CgroupV1(PodCgroup):
    """The pod cgroup in each of cgroup v1's cpu, cpuacct and memory hierarchies.

    ``own`` maps each controller to the cgroup we run in there; runc, given a
    relative path, joins it to its own cgroup (ours) in each hierarchy.
    """

    hierarchy = "cgroup v1"

    def __init__(self, own: Mapping[str, Path], relative: str, resources: Mapping[str, Any]) -> None:
        super().__init__(relative)
        self.own = dict(own)
        for controller in V1_CONTROLLERS:
            _mkdir(self.path(controller))
        limits = resources.get("limits", {})
        _write(self.path("cpu", "cpu.cfs_period_us"), CFS_PERIOD_US)
        if "cpu" in limits:
            _write(self.path("cpu", "cpu.cfs_quota_us"), millicores(limits["cpu"]) * CFS_PERIOD_US // 1000)
        if "memory" in limits:
            _write(self.path("memory", "memory.limit_in_bytes"), memory_bytes(limits["memory"]))
            if self.path("memory", "memory.memsw.limit_in_bytes").exists():
                _write(self.path("memory", "memory.memsw.limit_in_bytes"), memory_bytes(limits["memory"]))
        self._oom_event = os.eventfd(0, os.EFD_NONBLOCK | os.EFD_CLOEXEC)
        self._oom_control = os.open(self.path("memory", "memory.oom_control"), os.O_RDONLY | os.O_CLOEXEC)
        _write(self.path("memory", "cgroup.event_control"), f"{self._oom_event} {self._oom_control}")
        self._ooms = 0

    def path(self, controller: str, name: str = "") -> Path:
        return self.own[controller] / self.relative / name

    def runc_path(self, child: str) -> str:
        return f"{self.relative}/{child}"

    def procs(self, child: str) -> list[int]:
        return [int(pid) for pid in self.path("memory", f"{child}/cgroup.procs").read_text().split()]

    def cpu_limit_millicores(self) -> int | None:
        quota = int(self.path("cpu", "cpu.cfs_quota_us").read_text())
        period = int(self.path("cpu", "cpu.cfs_period_us").read_text())
        return None if quota < 0 else quota * 1000 // period

    def memory_limit_bytes(self) -> int | None:
        limit = int(self.path("memory", "memory.limit_in_bytes").read_text())
        # "Unlimited" is the largest page-aligned value the kernel stores.
        return None if limit >= 2**62 else limit

    def cpu_usage_ns(self) -> int:
        return int(self.path("cpuacct", "cpuacct.usage").read_text())

    def throttling(self) -> Throttling:
        stat = _flat_keyed(self.path("cpu", "cpu.stat").read_text())
        return Throttling(stat["nr_periods"], stat["nr_throttled"], stat["throttled_time"])

    def reset_peak_memory(self) -> None:
        _write(self.path("memory", "memory.max_usage_in_bytes"), 0)

    def peak_memory(self) -> int:
        return int(self.path("memory", "memory.max_usage_in_bytes").read_text())

    def ooms(self) -> int:
        with contextlib.suppress(BlockingIOError):
            self._ooms += os.eventfd_read(self._oom_event)
        return self._ooms

    def remove(self) -> None:
        for fd in (self._oom_event, self._oom_control):
            with contextlib.suppress(OSError):
                os.close(fd)
        for base in set(self.own.values()):
            _rmdir_up(base, base / self.relative)


class CgroupV2(PodCgroup):
    """The pod cgroup on the unified hierarchy, beside our processes' leaf when our cgroup holds any.

    ``own`` is the cgroup we run in (or, once moved, the parent of the leaf
    we were moved to); ``cpu`` and ``memory`` must be available there.
    """

    hierarchy = "cgroup v2"

    def __init__(self, own: Path, relative: str, resources: Mapping[str, Any]) -> None:
        super().__init__(relative)
        self.base = own.parent if own.name == RUNNER_LEAF else own
        self.root = _unified_root(self.base)
        available = (self.base / "cgroup.controllers").read_text().split()
        missing = [c for c in V2_CONTROLLERS if c not in available]
        if missing:
            raise CgroupUnavailable(
                f"cgroup v2: the {' and '.join(missing)} controller{'s are' if len(missing) > 1 else ' is'} "
                f"not delegated to {self.base} (its cgroup.controllers: {' '.join(available) or 'none'}); "
                + DELEGATION_HINT
            )
        self._enable_for_children(self.base, evacuate=True)
        target = self.base
        for part in Path(relative).parts:
            target = target / part
            _mkdir(target)
            self._enable_for_children(target, evacuate=False)
        limits = resources.get("limits", {})
        quota = millicores(limits["cpu"]) * CFS_PERIOD_US // 1000 if "cpu" in limits else "max"
        _write(self.path("cpu.max"), f"{quota} {CFS_PERIOD_US}")
        if "memory" in limits:
            _write(self.path("memory.max"), memory_bytes(limits["memory"]))
            if self.path("memory.swap.max").exists():
                _write(self.path("memory.swap.max"), 0)
        self._peak: int | None = None

    def path(self, name: str = "") -> Path:
        return self.base / self.relative / name

    @staticmethod
    def _enable_for_children(cgroup: Path, *, evacuate: bool) -> None:
        control = cgroup / "cgroup.subtree_control"
        if set(V2_CONTROLLERS) <= set(control.read_text().split()):
            return
        request = " ".join(f"+{c}" for c in V2_CONTROLLERS)
        try:
            _write(control, request)
        except OSError as error:
            if error.errno != errno.EBUSY or not evacuate:
                raise
            leaf = cgroup / RUNNER_LEAF
            _mkdir(leaf)
            for pid in (cgroup / "cgroup.procs").read_text().split():
                # A process may end between the read and the move.
                with contextlib.suppress(ProcessLookupError):
                    _write(leaf / "cgroup.procs", pid)
            _write(control, request)

    def runc_path(self, child: str) -> str:
        return "/" + str((self.path() / child).relative_to(self.root))

    def procs(self, child: str) -> list[int]:
        return [int(pid) for pid in self.path(f"{child}/cgroup.procs").read_text().split()]

    def cpu_limit_millicores(self) -> int | None:
        quota, period = self.path("cpu.max").read_text().split()
        return None if quota == "max" else int(quota) * 1000 // int(period)

    def memory_limit_bytes(self) -> int | None:
        limit = self.path("memory.max").read_text().strip()
        return None if limit == "max" else int(limit)

    def cpu_usage_ns(self) -> int:
        return _flat_keyed(self.path("cpu.stat").read_text())["usage_usec"] * 1000

    def throttling(self) -> Throttling:
        stat = _flat_keyed(self.path("cpu.stat").read_text())
        return Throttling(stat["nr_periods"], stat["nr_throttled"], stat["throttled_usec"] * 1000)

    def reset_peak_memory(self) -> None:
        if self._peak is not None:
            os.close(self._peak)
        self._peak = os.open(self.path("memory.peak"), os.O_RDWR | os.O_CLOEXEC)
        os.write(self._peak, b"reset\n")

    def peak_memory(self) -> int:
        if self._peak is None:
            return int(self.path("memory.peak").read_text())
        return int(os.pread(self._peak, 64, 0))

    def ooms(self) -> int:
        return _flat_keyed(self.path("memory.events").read_text())["oom_kill"]

    def remove(self) -> None:
        if self._peak is not None:
            with contextlib.suppress(OSError):
                os.close(self._peak)
        _rmdir_up(self.base, self.path())


def _unified_root(cgroup: Path) -> Path:
    """The unified hierarchy's mount point above ``cgroup``: the highest directory with cgroup.controllers."""
    root = cgroup
    while (root.parent / "cgroup.controllers").exists() and root.parent != root:
        root = root.parent
    return root
