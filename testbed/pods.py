"""Containers as the kubelet asks for them, run by runc from an OCI bundle generated from the pod spec.

Part of the runc harness ``make bench`` uses (stack.py); the tests run pods on a
real kubelet (node_stack.py).

runc (Debian's package) is the OCI runtime containerd calls on every
Kubernetes node; the kubelet's CRI request becomes an OCI ``config.json``
much like the one :func:`oci_config` writes, starting from ``runc spec``'s own
template (namespaces, /proc, /dev, masked and read-only paths):

- ``runAsUser``/``runAsGroup`` are the process's UID/GID, and ``fsGroup`` and
  ``supplementalGroups`` its supplementary groups, as the kubelet adds them;
- ``readOnlyRootFilesystem`` makes the root read-only; the image's files are
  read-only bind mounts (see :class:`Image`);
- each ``emptyDir`` is a tmpfs of its ``sizeLimit`` at its ``mountPath``, mode
  2777 and group ``fsGroup``, as the kubelet leaves an emptyDir. On a node a
  disk-backed emptyDir's sizeLimit is enforced by eviction; a tmpfs makes the
  limit an ENOSPC, and its pages count against the pod's memory limit, as
  ``medium: Memory`` would;
- capabilities are containerd's default set less ``drop`` plus ``add``;
  ``allowPrivilegeEscalation: false`` is ``no_new_privs``;
- ``seccompProfile: RuntimeDefault`` is the default profile of
  ``github.com/moby/profiles`` (built from ``tools/seccomp``), resolved for the
  capabilities the container keeps;
- ``limits.cpu``/``limits.memory`` are written to a pod-level cgroup, as the
  kubelet writes a pod's limits to its pod cgroup (for a one-container pod
  the same numbers as the container's), on cgroup v1 or v2 (cgroups.py), and
  the memory limit also to the container's own cgroup inside it, through
  ``linux.resources``, as containerd asks runc; runc removes that one when
  the container exits. The
  pod cgroup's OOM count tells an OOM kill apart from any other SIGKILL
  (``OOMKilled``).

Two things differ from a node, on purpose. The container shares the host's
network namespace and binds its own loopback address (the pod IP stand-in):
every connection stays on loopback, and PostgreSQL on 127.0.0.1 stays
reachable. And no rlimits are set, so the process inherits ours, as pods
inherit containerd's.

"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testbed.cache import GoUnavailable, go_tool
from testbed.cgroups import PodCgroup, memory_bytes
from testbed.manifests import only_container, pod_spec

RUNC_HINT = "apt-get install runc (`make e2e` installs it as root via SYSTEM_PACKAGES)"
# containerd's default capability set (oci.DefaultUnixCaps); `drop`/`add` apply to it.
DEFAULT_CAPABILITIES = (
    "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW",
    "CAP_SETGID", "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE",
    "CAP_SYS_CHROOT", "CAP_KILL", "CAP_AUDIT_WRITE",
)  # fmt: skip
# The distribution the images' own files sit on: bound read-only from this machine.
DISTRIBUTION = ("/usr", "/etc")


class RuntimeUnavailable(RuntimeError):
    """runc or root is missing; the message says what to do."""


def find_runc() -> str:
    found = shutil.which("runc") or shutil.which("runc", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise RuntimeUnavailable(f"runc not found on PATH or in /usr/sbin: {RUNC_HINT}")
    if os.geteuid() != 0:
        raise RuntimeUnavailable("the pods run under runc with cgroup limits, which needs root")
    return found


@functools.cache
def _runc_spec() -> str:
    with tempfile.TemporaryDirectory() as bundle:
        subprocess.run([find_runc(), "spec", "--bundle", bundle], check=True)
        return Path(bundle, "config.json").read_text()


def runc_template() -> dict[str, Any]:
    """A fresh copy of ``runc spec``'s default config.json: the runtime's own defaults, not retyped here."""
    template: dict[str, Any] = json.loads(_runc_spec())
    return template


@functools.cache
def seccomp_profile(capabilities: tuple[str, ...]) -> dict[str, Any]:
    """moby's default profile as OCI ``linux.seccomp``, from tools/seccomp (built once into the cache)."""
    try:
        binary = go_tool("seccomp")
    except GoUnavailable as error:
        raise RuntimeUnavailable(str(error)) from None
    output = subprocess.run([str(binary), *capabilities], check=True, capture_output=True, text=True)
    profile: dict[str, Any] = json.loads(output.stdout)
    return profile


@dataclass(frozen=True)
class Image:
    """What a container image gives its container: files, ENV, WORKDIR and CMD.

    ``files`` maps a path in the container to a host directory or file bound
    there read-only: the image's own content (its WORKDIR, a virtualenv), laid
    over the machine's /usr and /etc, which stand in for the base image's
    distribution.
    """

    files: Mapping[str, Path]
    env: Mapping[str, str]
    workdir: str
    cmd: Sequence[str]


def security_context(deployment: dict[str, Any]) -> dict[str, Any]:
    """The container's securityContext over the pod's, as the kubelet merges them."""
    return {
        **pod_spec(deployment).get("securityContext", {}),
        **only_container(deployment).get("securityContext", {}),
    }


def _capabilities(context: Mapping[str, Any]) -> list[str]:
    caps = context.get("capabilities", {})
    drop = {f"CAP_{c}" for c in caps.get("drop", [])}
    kept = [] if "CAP_ALL" in drop else [c for c in DEFAULT_CAPABILITIES if c not in drop]
    return kept + [f"CAP_{c}" for c in caps.get("add", []) if f"CAP_{c}" not in kept]


def _tmpfs(volume: Mapping[str, Any], gid: int | None) -> dict[str, Any]:
    empty_dir = volume.get("emptyDir")
    if empty_dir is None:
        raise NotImplementedError(f"volume kind not modelled here: {sorted(volume)}")
    # World-writable and setgid to the fsGroup, as the kubelet leaves an emptyDir.
    options = ["nosuid", "nodev", "mode=2777"]
    if "sizeLimit" in empty_dir:
        options.append(f"size={memory_bytes(empty_dir['sizeLimit'])}")
    return {"type": "tmpfs", "source": "tmpfs", "options": options + ([f"gid={gid}"] if gid else [])}


def oci_config(
    deployment: dict[str, Any],
    image: Image,
    *,
    env: Mapping[str, str],
    cgroup: str,
    hostname: str,
    command: Sequence[str] | None = None,
) -> dict[str, Any]:
    """config.json for the Deployment's container running ``image`` (or ``command``) in cgroup ``cgroup``."""
    spec, container = pod_spec(deployment), only_container(deployment)
    context = security_context(deployment)
    if context.get("privileged"):
        raise NotImplementedError("privileged containers are not modelled here")
    uid, gid = int(context.get("runAsUser", 0)), int(context.get("runAsGroup", 0))
    if context.get("runAsNonRoot") and uid == 0:
        # The kubelet's CreateContainerConfigError.
        raise ValueError(f"{deployment['metadata']['name']}: runAsNonRoot with UID 0")
    pod_context = spec.get("securityContext", {})
    groups = [pod_context["fsGroup"]] if "fsGroup" in pod_context else []
    groups += pod_context.get("supplementalGroups", [])
    caps = _capabilities(context)
    config = runc_template()
    config["process"] = {
        "terminal": False,
        "user": {"uid": uid, "gid": gid, "additionalGids": groups},
        "args": list(command or image.cmd),
        "env": [f"{key}={value}" for key, value in {**image.env, **env}.items()],
        "cwd": image.workdir,
        "capabilities": {kind: caps for kind in ("bounding", "effective", "permitted")},
        "noNewPrivileges": not context.get("allowPrivilegeEscalation", True),
    }
    config["root"] = {"path": "rootfs", "readonly": bool(context.get("readOnlyRootFilesystem"))}
    config["hostname"] = hostname
    # Read-only even under a writable root: the sources are this machine's /usr and /etc.
    binds = {path: Path(path) for path in DISTRIBUTION} | dict(image.files)
    mounts = [
        {"destination": dest, "type": "bind", "source": str(src), "options": ["rbind", "ro"]}
        for dest, src in binds.items()
    ]
    volumes = {v["name"]: v for v in spec.get("volumes", [])}
    for mount in container.get("volumeMounts", []):
        tmpfs = _tmpfs(volumes[mount["name"]], pod_context.get("fsGroup"))
        mounts.append({"destination": mount["mountPath"], **tmpfs})
    # Parents before children: /app before /app/.next/cache.
    config["mounts"] += sorted(mounts, key=lambda m: m["destination"].count("/"))
    linux = config["linux"]
    linux["namespaces"] = [ns for ns in linux["namespaces"] if ns["type"] != "network"]
    linux["cgroupsPath"] = cgroup
    # The container's own memory limit too, as containerd passes it to runc: the
    # container sees it in its cgroup (the backend counts its hashing slots from it).
    # Its CPU quota is left to the pod cgroup, whose throttling the tests read.
    limits = container.get("resources", {}).get("limits", {})
    if "memory" in limits:
        linux.setdefault("resources", {})["memory"] = {"limit": memory_bytes(limits["memory"])}
    profile = context.get("seccompProfile", {}).get("type", "Unconfined")
    if profile == "RuntimeDefault":
        linux["seccomp"] = seccomp_profile(tuple(caps))
    elif profile != "Unconfined":
        raise NotImplementedError(f"seccompProfile {profile} is not modelled here")
    return config


def write_bundle(bundle: Path, config: Mapping[str, Any]) -> None:
    """The bundle runc runs: config.json and a rootfs of mount points (runc creates missing ones)."""
    rootfs = bundle / "rootfs"
    rootfs.mkdir(parents=True)
    for link in ("bin", "lib", "lib64", "sbin"):
        # Debian's merged /usr.
        (rootfs / link).symlink_to(f"usr/{link}")
    binds = {m["destination"]: Path(m["source"]) for m in config["mounts"] if m["type"] == "bind"}
    for mount in config["mounts"]:
        mode = next((o[5:] for o in mount.get("options", []) if o.startswith("mode=")), None)
        if mount["type"] != "tmpfs" or mode is None or mount["destination"].startswith("/dev/"):
            continue
        # runc gives a tmpfs the mode of its mount point, wherever that is: in the rootfs
        # or inside a bind mount (the frontend's /app/.next/cache).
        holders = [d for d in binds if mount["destination"].startswith(d.rstrip("/") + "/")]
        if holders:
            holder = max(holders, key=len)
            point = binds[holder] / os.path.relpath(mount["destination"], holder)
        else:
            point = rootfs / mount["destination"].lstrip("/")
        point.mkdir(parents=True, exist_ok=True)
        point.chmod(int(mode, 8))
    (bundle / "config.json").write_text(json.dumps(config, indent=1))


@dataclass
class Container:
    """One container started with ``runc run`` in the foreground: runc relays signals and returns its exit code."""

    id: str
    bundle: Path
    cgroup: PodCgroup
    process: subprocess.Popen[bytes]
    state_dir: Path

    @classmethod
    def run(
        cls, id: str, bundle: Path, config: Mapping[str, Any], cgroup: PodCgroup, state_dir: Path, log: Path
    ) -> Container:
        write_bundle(bundle, config)
        with open(log, "wb") as out:
            process = subprocess.Popen(
                [find_runc(), "--root", str(state_dir), "run", "--bundle", str(bundle), id],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return cls(id, bundle, cgroup, process, state_dir)

    def _runc(self, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [find_runc(), "--root", str(self.state_dir), *args], capture_output=True, text=True, **kwargs
        )

    def exec(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """``kubectl exec``: a process in the container with its user, capabilities and seccomp profile."""
        return self._runc("exec", self.id, *args, timeout=timeout)

    def init_pid(self) -> int:
        """The container's PID 1 as seen from here."""
        return int(json.loads(self._runc("state", self.id, check=True).stdout)["pid"])

    def send(self, sig: int) -> None:
        if self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.send_signal(sig)

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30.0) -> int:
        """``sig`` (relayed by runc), then SIGKILL after ``timeout``; the exit code, 128+N for signal N."""
        self.send(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(timeout=timeout)
        self._runc("kill", self.id, "KILL")
        with contextlib.suppress(subprocess.TimeoutExpired):
            return self.process.wait(timeout=10)
        self.process.kill()
        return self.process.wait()

    def reason(self) -> str | None:
        """How the kubelet would report the terminated container, or None while it runs."""
        code = self.process.poll()
        if code is None:
            return None
        if self.cgroup.ooms():
            return "OOMKilled"
        return "Completed" if code == 0 else "Error"

    def remove(self) -> None:
        self.stop(timeout=20)
        self._runc("delete", "--force", self.id)
        self.cgroup.remove()
        shutil.rmtree(self.bundle, ignore_errors=True)
