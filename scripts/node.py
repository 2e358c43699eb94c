"""A real node for the control plane: the kubelet, containerd and runc, and a CNI bridge.

The kubelet is built with the control plane (``scripts/control_plane.py``),
containerd, runc and the CNI plugins are Debian's. Pods run as on any
cgroupfs node: the kubelet makes their cgroups (v1 here) under a root of
this node's own, containerd's runc shim starts them with the security context
and limits the kubelet asks for, and CNI's bridge plugin gives each an
address on a subnet of this node's own. Images are imported into containerd
(:func:`import_image`), never pulled: the pod sandbox's own is built from
``tools/pause``.

Between the API server and the kubelet: the node's token (the Node
authorizer lets it read and write only its own Node and pods), and the API
server's client certificate, which the kubelet checks against the control
plane's CA and authorizes by webhook, as for ``kubectl logs`` and ``exec``.

Every name is this node's own (bridge, subnet, cgroup root, sockets, ports),
so two nodes on one machine do not collide. :func:`down` removes what
:func:`up` made, also after a failed start: its processes, its pods'
processes, mounts, cgroups, bridge and iptables rules.

Usage: ``node.py up [CONTROL_PLANE_DIR] | down [CONTROL_PLANE_DIR]``.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts import control_plane  # noqa: E402
from scripts.control_plane import ControlPlane, MissingBinary  # noqa: E402

PACKAGES_HINT = "apt-get install containerd containernetworking-plugins iptables (`make system-packages`)"
CNI_BIN_DIR = Path("/usr/lib/cni")
CGROUP_ROOT = Path("/sys/fs/cgroup")
PAUSE_IMAGE = "localhost/todo-deploy-kit/pause:1"
READY_TIMEOUT_SECONDS = 120
# The node's data (containerd's images and containers, the kubelet's pods and volumes, its
# sockets) lives in a short path of its own under here: a unix socket's path has at most 104
# bytes, and the kubelet makes sockets deep under its root dir. The state dir holds the rest.
DATA_ROOT = Path("/var/lib")
# Processes in start order; stopped in reverse.
PROCESSES = ("containerd", "kubelet")


@dataclass(frozen=True)
class Node:
    """A running node: its name in the API, its address, and its containerd."""

    state_dir: Path
    name: str
    ip: str
    containerd_socket: Path

    def ctr(self, *args: str) -> list[str]:
        """A ``ctr`` command against this node's containerd, in the kubelet's namespace."""
        return ["ctr", "--address", str(self.containerd_socket), "--namespace", "k8s.io", *args]


def _require(*commands: str) -> None:
    missing = [command for command in commands if shutil.which(command) is None]
    if missing or not (CNI_BIN_DIR / "bridge").is_file():
        raise MissingBinary(f"{', '.join(missing) or 'CNI plugins'} missing; run: {PACKAGES_HINT}")


def host_ip() -> str:
    """This machine's first global IPv4 address: the kubelet refuses a loopback node IP."""
    shown = subprocess.run(
        ["ip", "-4", "-o", "addr", "show", "scope", "global"], check=True, capture_output=True, text=True
    ).stdout
    match = re.search(r"\binet (\d+\.\d+\.\d+\.\d+)/", shown)
    if match is None:
        raise RuntimeError("no global IPv4 address for the node; the kubelet refuses loopback")
    return match[1]


def up(plane: ControlPlane, state_dir: Path | None = None) -> Node:
    """Start containerd and the kubelet against ``plane``; return once the Node is Ready."""
    _require("containerd", "containerd-shim-runc-v2", "runc", "ctr", "iptables")
    binaries = control_plane.binaries_dir()
    kubelet = binaries / "kubelet"
    if not kubelet.is_file():
        raise MissingBinary(f"{kubelet} missing; run: {control_plane.BUILD_HINT}")
    state_dir = state_dir or plane.state_dir / "node"
    down(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)
    (state_dir / "pids").mkdir(parents=True)
    node_id = secrets.token_hex(3)
    # Written first: down() finds everything else by it, also after a failed start.
    (state_dir / "id").write_text(node_id)
    data = data_dir(node_id)
    socket_path = data / "containerd.sock"
    # Pods reach the host's own addresses (a database outside the cluster) over the bridge;
    # leaving the machine would take IP forwarding, which the node does not switch on.
    node = Node(state_dir, control_plane.NODE_NAME, host_ip(), socket_path)
    try:
        data.mkdir(mode=0o711)
        _write_cni(state_dir, node_id)
        _write_containerd_config(state_dir, data, socket_path)
        _make_cgroup_root(node_id)
        control_plane._start(
            state_dir, "containerd", ["containerd", "--config", str(state_dir / "containerd.toml")]
        )
        _wait_for_socket(state_dir, socket_path)
        import_image(node, _pause_archive(state_dir))
        kubelet_port = control_plane.free_ports(1)[0]
        _write_kubelet_config(plane, state_dir, node, node_id, kubelet_port)
        control_plane._start(
            state_dir,
            "kubelet",
            [
                str(kubelet),
                f"--config={state_dir / 'kubelet.json'}",
                f"--kubeconfig={state_dir / 'kubelet.kubeconfig'}",
                f"--root-dir={data / 'kubelet'}",
                f"--cert-dir={state_dir / 'kubelet-pki'}",
                f"--hostname-override={node.name}",
                f"--node-ip={node.ip}",
                "--v=1",
            ],
        )
        _wait_ready(plane, state_dir, node)
    except BaseException:
        down(state_dir)
        raise
    return node


def running(state_dir: Path) -> Node:
    """The node :func:`up` started in ``state_dir``, if its kubelet still runs."""
    if not control_plane._alive(state_dir, "kubelet"):
        raise RuntimeError(f"no node runs in {state_dir}; start one with: make node")
    socket_path = data_dir((state_dir / "id").read_text()) / "containerd.sock"
    return Node(state_dir, control_plane.NODE_NAME, host_ip(), socket_path)


def _write_cni(state_dir: Path, node_id: str) -> None:
    # 10.244.0.0/16 is the pod range kubeadm and minikube use; one /24 of it per node id.
    subnet = f"10.244.{int(node_id, 16) % 250 + 1}.0/24"
    config = {
        "cniVersion": "1.0.0",
        "name": f"todo-node-{node_id}",
        "plugins": [
            {
                "type": "bridge",
                "bridge": f"todo{node_id}",
                "isGateway": True,
                "ipMasq": True,
                "hairpinMode": True,
                "ipam": {
                    "type": "host-local",
                    "ranges": [[{"subnet": subnet}]],
                    "routes": [{"dst": "0.0.0.0/0"}],
                    "dataDir": str(data_dir(node_id) / "cni-ipam"),
                },
            },
            {"type": "portmap", "capabilities": {"portMappings": True}},
        ],
    }
    conf_dir = state_dir / "cni" / "net.d"
    conf_dir.mkdir(parents=True)
    (conf_dir / "10-todo.conflist").write_text(json.dumps(config, indent=2))


def data_dir(node_id: str) -> Path:
    return DATA_ROOT / f"todo-node-{node_id}"


def _write_containerd_config(state_dir: Path, data: Path, socket_path: Path) -> None:
    root = data / "containerd"
    cri = 'plugins."io.containerd.grpc.v1.cri"'
    (state_dir / "containerd.toml").write_text(
        f"""version = 2
root = "{root / "root"}"
state = "{root / "state"}"

[grpc]
  address = "{socket_path}"

[ttrpc]
  address = "{socket_path}.ttrpc"

[{cri}]
  sandbox_image = "{PAUSE_IMAGE}"
  # Root here may not lower oom_score_adj (no CAP_SYS_RESOURCE): keep the kubelet's values >= ours.
  restrict_oom_score_adj = true
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"

[{cri}.containerd]
  snapshotter = "overlayfs"
  default_runtime_name = "runc"

[{cri}.containerd.runtimes.runc]
  runtime_type = "io.containerd.runc.v2"

[{cri}.containerd.runtimes.runc.options]
  SystemdCgroup = false

[{cri}.cni]
  bin_dir = "{CNI_BIN_DIR}"
  conf_dir = "{state_dir / "cni" / "net.d"}"
"""
    )


def _cgroup_root(node_id: str) -> str:
    return f"/todo-node-{node_id}"


def pod_cgroup(node: Node, controller: str, uid: str, qos_class: str) -> Path:
    """A pod's cgroup in a v1 hierarchy, where the kubelet's cgroupfs driver makes it."""
    node_id = (node.state_dir / "id").read_text().strip()
    qos = "" if qos_class == "Guaranteed" else qos_class.lower()
    return CGROUP_ROOT / controller / _cgroup_root(node_id).lstrip("/") / "kubepods" / qos / f"pod{uid}"


def _v1_hierarchies() -> list[Path]:
    """The cgroup v1 hierarchies the kubelet writes pods into (the v2 "unified" one aside)."""
    return [
        path
        for path in sorted(CGROUP_ROOT.iterdir())
        if path.is_dir() and not path.is_symlink() and path.name != "unified"
    ]


def _make_cgroup_root(node_id: str) -> None:
    """The kubelet's --cgroup-root must exist in every hierarchy; cpuset's needs its CPUs and memory nodes."""
    for hierarchy in _v1_hierarchies():
        folder = hierarchy / _cgroup_root(node_id).lstrip("/")
        folder.mkdir(exist_ok=True)
        if hierarchy.name == "cpuset":
            for name in ("cpuset.cpus", "cpuset.mems"):
                (folder / name).write_text((hierarchy / name).read_text())


def _wait_for_socket(state_dir: Path, socket_path: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if not control_plane._alive(state_dir, "containerd", starting=True):
            raise RuntimeError(
                f"containerd exited while starting; its log ends:\n{_log_tail(state_dir, 'containerd')}"
            )
        if socket_path.is_socket():
            return
        time.sleep(0.2)
    raise RuntimeError(f"containerd did not open {socket_path} within 30 s")


def _log_tail(state_dir: Path, name: str) -> str:
    return (state_dir / f"{name}.log").read_text(errors="replace")[-3000:]


def _write_kubelet_config(plane: ControlPlane, state_dir: Path, node: Node, node_id: str, port: int) -> None:
    kubeconfig = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "todo", "cluster": {"server": plane.server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": node.name, "user": {"token": control_plane.NODE_TOKEN}}],
        "contexts": [{"name": "todo", "context": {"cluster": "todo", "user": node.name}}],
        "current-context": "todo",
    }
    (state_dir / "kubelet.kubeconfig").write_text(json.dumps(kubeconfig, indent=2))
    (state_dir / "kubelet.kubeconfig").chmod(0o600)
    config = {
        "apiVersion": "kubelet.config.k8s.io/v1beta1",
        "kind": "KubeletConfiguration",
        "address": node.ip,
        "port": port,
        "readOnlyPort": 0,
        "healthzPort": 0,
        "containerRuntimeEndpoint": f"unix://{node.containerd_socket}",
        # cgroupfs on cgroup v1, which Kubernetes deprecates but still runs when asked to.
        "cgroupDriver": "cgroupfs",
        "failCgroupV1": False,
        "cgroupRoot": _cgroup_root(node_id),
        "failSwapOn": False,
        "authentication": {
            "anonymous": {"enabled": False},
            "webhook": {"enabled": True},
            "x509": {"clientCAFile": str(plane.state_dir / "pki" / "ca.crt")},
        },
        "authorization": {"mode": "Webhook"},
        "podLogsDir": str(data_dir(node_id) / "pod-logs"),
        "resolvConf": "/etc/resolv.conf",
        # A test machine's disk is shared and often fuller than a node's: evict for memory only.
        "evictionHard": {"memory.available": "100Mi", "nodefs.available": "0%", "imagefs.available": "0%"},
        "imageGCHighThresholdPercent": 100,
        "imageGCLowThresholdPercent": 99,
        # The imported images are all there is: the kubelet never pulls.
        "serializeImagePulls": False,
        "nodeStatusReportFrequency": "10s",
        # emptyDir sizeLimit is enforced from these stats: every few seconds, not every minute.
        "volumeStatsAggPeriod": "5s",
        "evictionPressureTransitionPeriod": "5s",
        "shutdownGracePeriod": "0s",
    }
    (state_dir / "kubelet.json").write_text(json.dumps(config, indent=2))


def _wait_ready(plane: ControlPlane, state_dir: Path, node: Node) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for name in PROCESSES:
            if not control_plane._alive(state_dir, name, starting=True):
                raise RuntimeError(
                    f"{name} exited while starting; its log ends:\n{_log_tail(state_dir, name)}"
                )
        shown = subprocess.run(
            [
                str(plane.kubectl),
                "get",
                "node",
                node.name,
                "-o",
                "jsonpath={.status.conditions[?(@.type=='Ready')].status}",
            ],
            env=plane.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if shown.stdout.strip() == "True":
            return
        time.sleep(0.5)
    raise RuntimeError(
        f"Node {node.name} was not Ready within {READY_TIMEOUT_SECONDS} s; the kubelet's log ends:\n"
        f"{_log_tail(state_dir, 'kubelet')}"
    )


# --- images --------------------------------------------------------------------------------


def image_archive(path: Path, name: str, layers: list[bytes], config: dict[str, object]) -> Path:
    """Write ``docker save``'s format: each layer an uncompressed tar, the image config, the manifest."""
    diff_ids = [f"sha256:{hashlib.sha256(layer).hexdigest()}" for layer in layers]
    image_config = {
        "architecture": "amd64",
        "os": "linux",
        "config": config,
        "rootfs": {"type": "layers", "diff_ids": diff_ids},
    }
    config_bytes = json.dumps(image_config).encode()
    config_name = f"{hashlib.sha256(config_bytes).hexdigest()}.json"
    layer_names = [f"{diff_id.removeprefix('sha256:')}/layer.tar" for diff_id in diff_ids]
    manifest = [{"Config": config_name, "RepoTags": [name], "Layers": layer_names}]
    with tarfile.open(path, "w") as archive:
        for member, data in (
            *zip(layer_names, layers, strict=True),
            (config_name, config_bytes),
            ("manifest.json", json.dumps(manifest).encode()),
        ):
            info = tarfile.TarInfo(member)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def layer(files: dict[str, tuple[bytes, int]], symlinks: dict[str, str] | None = None) -> bytes:
    """A layer tar: ``{path: (content, mode)}`` files and ``{path: target}`` symlinks, owned by root."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        folders = sorted({str(Path(p).parent) for p in [*files, *(symlinks or {})]} - {"."})
        for folder in folders:
            info = tarfile.TarInfo(folder)
            info.type, info.mode = tarfile.DIRTYPE, 0o755
            archive.addfile(info)
        for member, (data, mode) in sorted(files.items()):
            info = tarfile.TarInfo(member)
            info.size, info.mode = len(data), mode
            archive.addfile(info, io.BytesIO(data))
        for member, target in sorted((symlinks or {}).items()):
            info = tarfile.TarInfo(member)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


def import_image(node: Node, archive: Path) -> None:
    """Import a ``docker save`` archive into the node's containerd, where the kubelet finds it."""
    subprocess.run(
        node.ctr("images", "import", "--no-unpack=false", str(archive)), check=True, capture_output=True
    )


def _pause_archive(state_dir: Path) -> Path:
    from testbed.cache import go_tool

    program = go_tool("pause").read_bytes()
    return image_archive(
        state_dir / "pause.tar", PAUSE_IMAGE, [layer({"pause": (program, 0o755)})], {"Entrypoint": ["/pause"]}
    )


# --- tear-down -----------------------------------------------------------------------------


def down(state_dir: Path) -> None:
    """Remove what :func:`up` made under ``state_dir``: processes, pods, mounts, cgroups, bridge, rules."""
    id_file = state_dir / "id"
    node_id = id_file.read_text().strip() if id_file.is_file() else None
    for name in reversed(PROCESSES):
        control_plane.stop(state_dir, name, grace_seconds=10)
    # The runc shims outlive containerd; they and their pods are this node's by their paths.
    for pid in _processes_naming(state_dir) + (_processes_naming(data_dir(node_id)) if node_id else []):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    if node_id is not None:
        _kill_cgroup(node_id)
    _unmount_under(state_dir)
    if node_id is not None:
        _unmount_under(data_dir(node_id))
        shutil.rmtree(data_dir(node_id), ignore_errors=True)
        subprocess.run(["ip", "link", "delete", f"todo{node_id}"], capture_output=True, check=False)
        _remove_iptables_rules(f"todo-node-{node_id}")
        _remove_cgroups(node_id)


def _processes_naming(state_dir: Path) -> list[int]:
    needle = str(state_dir).encode()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != os.getpid():
            with contextlib.suppress(OSError):
                if needle in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
    return found


def _kill_cgroup(node_id: str) -> None:
    """SIGKILL every process left in the node's pod cgroups (the pids hierarchy lists them all)."""
    root = CGROUP_ROOT / "pids" / _cgroup_root(node_id).lstrip("/")
    for _ in range(20):
        pids = (
            [int(pid) for procs in root.rglob("cgroup.procs") for pid in procs.read_text().split()]
            if root.is_dir()
            else []
        )
        if not pids:
            return
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.1)


def _unmount_under(state_dir: Path) -> None:
    """Lazily unmount the overlay, shm, netns and volume mounts under the state dir, deepest first."""
    prefix = str(state_dir.resolve())
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    for mount in sorted(
        (m for m in mounts if m == prefix or m.startswith(prefix + "/")), key=len, reverse=True
    ):
        subprocess.run(["umount", "-l", mount], capture_output=True, check=False)


def _remove_iptables_rules(network: str) -> None:
    """The rules and chains CNI's bridge and portmap added for this network (their comments name it)."""
    for table in ("nat", "filter"):
        saved = subprocess.run(
            ["iptables-save", "-t", table], capture_output=True, text=True, check=False
        ).stdout
        chains = set()
        for line in saved.splitlines():
            if line.startswith("-A ") and network in line:
                rule = shlex.split(line[3:])
                subprocess.run(["iptables", "-t", table, "-D", *rule], capture_output=True, check=False)
                if (jump := re.search(r"-j (CNI-\S+)", line)) is not None:
                    chains.add(jump[1])
        for chain in chains:
            subprocess.run(["iptables", "-t", table, "-F", chain], capture_output=True, check=False)
            subprocess.run(["iptables", "-t", table, "-X", chain], capture_output=True, check=False)


def _remove_cgroups(node_id: str) -> None:
    # runc mirrors the pods' cgroups into the v2 "unified" hierarchy too.
    for hierarchy in [*_v1_hierarchies(), CGROUP_ROOT / "unified"]:
        root = hierarchy / _cgroup_root(node_id).lstrip("/")
        if root.is_dir():
            for folder in sorted(
                (p for p in root.rglob("*") if p.is_dir()), key=lambda p: len(p.parts), reverse=True
            ):
                with contextlib.suppress(OSError):
                    folder.rmdir()
            with contextlib.suppress(OSError):
                root.rmdir()


def _up(plane: ControlPlane) -> str:
    node = up(plane)
    return f"Node {node.name} Ready at {node.ip}; its images: {' '.join(node.ctr('images', 'ls'))}"


def main(argv: list[str]) -> int:
    return control_plane.component_main(argv, __doc__ or "", _up, lambda plane_dir: down(plane_dir / "node"))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
