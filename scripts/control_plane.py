"""A real Kubernetes control plane on loopback: etcd, kube-apiserver, kube-controller-manager, kube-scheduler.

The API server admits, validates and defaults objects, the controller
manager's Deployment and ReplicaSet controllers create pods, and the
scheduler binds them to Nodes: ones the tests register, which run nothing, or
the real node of ``scripts/node.py``, whose kubelet the credentials written
here let in (the Node authorizer, and a client certificate the API server
shows the kubelet). The same code serves ``make control-plane`` (people) and
the pytest session fixture (tests).

Binaries: ``$KUBEBUILDER_ASSETS`` (the envtest convention) when it names a
folder holding them; otherwise they are built once per machine from
``tools/kube`` (k8s.io/kubernetes from the Go module proxy) into a cache
outside the clone, keyed by the Kubernetes and Go versions. etcd is Debian's
``etcd-server``.

Usage: ``control_plane.py build | up [STATE_DIR] | down [STATE_DIR] | binaries``.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
TOOLS_MODULE = REPO_ROOT / "tools" / "kube"
DEFAULT_STATE_DIR = REPO_ROOT / ".tools" / "control-plane"
KUBE_BINARIES = ("kube-apiserver", "kube-controller-manager", "kube-scheduler", "kubectl")
# Built with them, from the same module: what scripts/node.py runs.
NODE_BINARIES = ("kubelet", "kube-proxy")
# The one node a control plane's credentials admit, and its kubelet's token.
NODE_NAME = "todo-node"
NODE_TOKEN = "todo-control-plane-node"
# The API server's client identity towards kubelets (for logs and exec).
KUBELET_CLIENT = "kube-apiserver-kubelet-client"
# Its client identity towards aggregated API servers (metrics-server), which then trust its headers.
FRONT_PROXY_CLIENT = "front-proxy-client"
OPENSSL_REQ = ("openssl", "req", "-nodes", "-newkey", "rsa:2048", "-days", "2")
ETCD_PACKAGE_HINT = "apt-get install etcd-server (Debian's package; `make system-packages` installs it)"
BUILD_HINT = "make kube-binaries (builds them from tools/kube with Go)"
# The admin's credential: a static token, valid only for this loopback API server.
ADMIN_TOKEN = "todo-control-plane-admin"
SERVICE_CIDR = "10.96.0.0/16"
READY_TIMEOUT_SECONDS = 120
# Listen ports come from here up to the ephemeral range; below it lie well-known services.
LISTEN_PORTS_FROM = 20000


class MissingBinary(RuntimeError):
    """A binary the control plane needs is not there; the message names the command that provides it."""


def kube_version() -> str:
    """The Kubernetes release tools/kube/go.mod pins: the one place it is written."""
    match = re.search(r"^\s*k8s\.io/kubernetes (v\S+)", (TOOLS_MODULE / "go.mod").read_text(), re.M)
    if match is None:
        raise RuntimeError("tools/kube/go.mod does not require k8s.io/kubernetes")
    return match[1]


def go_version() -> str:
    go = shutil.which("go")
    if go is None:
        raise MissingBinary(f"go is not on PATH; the Kubernetes binaries are built with it ({BUILD_HINT})")
    return subprocess.run([go, "env", "GOVERSION"], check=True, capture_output=True, text=True).stdout.strip()


def cache_root() -> Path:
    """Where built binaries live, shared by every clone on the machine, one folder per version."""
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "todo-deploy-kit"


def cache_dir() -> Path:
    return cache_root() / f"kubernetes-{kube_version()}-{go_version()}"


def binaries_dir() -> Path:
    """The folder holding the four Kubernetes binaries, or :class:`MissingBinary`."""
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    folder = Path(assets) if assets else cache_dir()
    missing = [name for name in KUBE_BINARIES if not (folder / name).is_file()]
    if missing:
        where = f"KUBEBUILDER_ASSETS={assets}" if assets else str(folder)
        raise MissingBinary(f"{', '.join(missing)} missing in {where}; run: {BUILD_HINT}")
    return folder


def etcd_binary() -> Path:
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets and (Path(assets) / "etcd").is_file():
        return Path(assets) / "etcd"
    found = shutil.which("etcd")
    if found is None:
        raise MissingBinary(f"etcd is not on PATH; run: {ETCD_PACKAGE_HINT}")
    return Path(found)


def build() -> Path:
    """Build the binaries into the cache unless they are there; return the folder."""
    if os.environ.get("KUBEBUILDER_ASSETS"):
        return binaries_dir()
    target = cache_dir()
    if all((target / name).is_file() for name in (*KUBE_BINARIES, *NODE_BINARIES)):
        return target
    version = kube_version()
    minor = version.split(".")[1]
    # What `make` in kubernetes/kubernetes stamps, so `kubectl version` and Helm's
    # Capabilities.KubeVersion report the release rather than v0.0.0.
    stamps = [
        f"-X {package}.{key}={value}"
        for package in ("k8s.io/component-base/version", "k8s.io/client-go/pkg/version")
        for key, value in (("gitVersion", version), ("gitMajor", "1"), ("gitMinor", minor))
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    print(f"Building Kubernetes {version} into {target} (about 10 minutes on 2 cores, once per machine)")
    subprocess.run(
        ["go", "build", "-trimpath", f"-ldflags=-s -w {' '.join(stamps)}", "-o", f"{staging}/"]
        + [f"k8s.io/kubernetes/cmd/{name}" for name in (*KUBE_BINARIES, *NODE_BINARIES)],
        cwd=TOOLS_MODULE,
        check=True,
    )
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target


def free_ports(count: int) -> list[int]:
    """Distinct loopback ports below the kernel's ephemeral range, free when chosen.

    A port the kernel hands out for ``bind(0)`` is also one it may hand to any
    outgoing connection (another control plane's API server talking to its
    etcd, say) before our process binds it. Ports below the range are never
    handed out, so only another listener could take one, and that is rare.
    """
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    chosen: list[int] = []
    for port in random.sample(range(LISTEN_PORTS_FROM, low), low - LISTEN_PORTS_FROM):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
        chosen.append(port)
        if len(chosen) == count:
            return chosen
    raise RuntimeError(f"no {count} free loopback ports between {LISTEN_PORTS_FROM} and {low}")


@dataclass(frozen=True)
class ControlPlane:
    """A running control plane: where it listens and how to reach it."""

    state_dir: Path
    server: str
    kubeconfig: Path
    kubectl: Path

    def env(self) -> dict[str, str]:
        """The environment for kubectl and Helm to talk to it, and nowhere else."""
        return {**os.environ, "KUBECONFIG": str(self.kubeconfig)}

    def run_kubectl(self, *args: str, stdin: str | None = None) -> str:
        """kubectl against this control plane: its output, or RuntimeError with its errors."""
        result = subprocess.run(
            [str(self.kubectl), *args],
            input=stdin,
            env=self.env(),
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"kubectl {' '.join(args)} exited {result.returncode}:\n{result.stderr}")
        return result.stdout


def up(state_dir: Path = DEFAULT_STATE_DIR) -> ControlPlane:
    """Start the four processes in the background, stopping any this state dir ran before."""
    down(state_dir)
    binaries, etcd = binaries_dir(), etcd_binary()
    shutil.rmtree(state_dir, ignore_errors=True)
    (state_dir / "pids").mkdir(parents=True)
    etcd_port, etcd_peer, api_port = free_ports(3)
    server = f"https://127.0.0.1:{api_port}"
    _write_credentials(state_dir, server)
    kubeconfig = state_dir / "kubeconfig"
    _start(
        state_dir,
        "etcd",
        [
            str(etcd),
            f"--data-dir={state_dir / 'etcd'}",
            f"--listen-client-urls=http://127.0.0.1:{etcd_port}",
            f"--advertise-client-urls=http://127.0.0.1:{etcd_port}",
            f"--listen-peer-urls=http://127.0.0.1:{etcd_peer}",
            f"--initial-advertise-peer-urls=http://127.0.0.1:{etcd_peer}",
            f"--initial-cluster=default=http://127.0.0.1:{etcd_peer}",
            # Test data: durability is not worth an fsync per write.
            "--unsafe-no-fsync",
        ],
    )
    _start(
        state_dir,
        "kube-apiserver",
        [
            str(binaries / "kube-apiserver"),
            f"--etcd-servers=http://127.0.0.1:{etcd_port}",
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            f"--secure-port={api_port}",
            f"--cert-dir={state_dir / 'certs'}",
            f"--token-auth-file={state_dir / 'tokens.csv'}",
            # Node: a kubelet reads and writes only its own Node and pods.
            "--authorization-mode=Node,RBAC",
            f"--kubelet-client-certificate={state_dir / 'pki' / f'{KUBELET_CLIENT}.crt'}",
            f"--kubelet-client-key={state_dir / 'pki' / f'{KUBELET_CLIENT}.key'}",
            "--kubelet-preferred-address-types=InternalIP,Hostname",
            "--service-account-issuer=https://kubernetes.default.svc",
            f"--service-account-key-file={state_dir / 'sa.pub'}",
            f"--service-account-signing-key-file={state_dir / 'sa.key'}",
            f"--service-cluster-ip-range={SERVICE_CIDR}",
            # The kubernetes Service's endpoints would be a loopback address, which the API refuses.
            "--endpoint-reconciler-type=none",
            # Aggregated APIs (the metrics API): proxied with a client certificate and the user in headers,
            # to their Service's endpoint addresses, since no kube-proxy runs beside the API server.
            f"--proxy-client-cert-file={state_dir / 'pki' / f'{FRONT_PROXY_CLIENT}.crt'}",
            f"--proxy-client-key-file={state_dir / 'pki' / f'{FRONT_PROXY_CLIENT}.key'}",
            f"--requestheader-client-ca-file={state_dir / 'pki' / 'ca.crt'}",
            f"--requestheader-allowed-names={FRONT_PROXY_CLIENT}",
            "--requestheader-username-headers=X-Remote-User",
            "--requestheader-group-headers=X-Remote-Group",
            "--requestheader-extra-headers-prefix=X-Remote-Extra-",
            "--enable-aggregator-routing=true",
        ],
    )
    _wait_ready(state_dir, server)
    _start(
        state_dir,
        "kube-controller-manager",
        [
            str(binaries / "kube-controller-manager"),
            f"--kubeconfig={kubeconfig}",
            "--secure-port=0",
            "--controllers=*",
            f"--service-account-private-key-file={state_dir / 'sa.key'}",
            "--use-service-account-credentials=false",
            # No kubelet renews the registered Nodes' leases; keep them Ready for the test run.
            "--node-monitor-grace-period=24h",
            # Autoscalers act within a second rather than 15 s, so tests need not wait.
            "--horizontal-pod-autoscaler-sync-period=1s",
            "--concurrent-deployment-syncs=10",
            "--concurrent-replicaset-syncs=10",
        ],
    )
    _start(
        state_dir,
        "kube-scheduler",
        [
            str(binaries / "kube-scheduler"),
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            "--secure-port=0",
        ],
    )
    return ControlPlane(state_dir, server, kubeconfig, binaries / "kubectl")


def running(state_dir: Path = DEFAULT_STATE_DIR) -> ControlPlane:
    """The control plane ``up`` started in ``state_dir``, if its API server still runs."""
    if not _alive(state_dir, "kube-apiserver"):
        raise RuntimeError(f"no control plane runs in {state_dir}; start one with: make control-plane")
    config = json.loads((state_dir / "kubeconfig").read_text())
    server = config["clusters"][0]["cluster"]["server"]
    return ControlPlane(state_dir, server, state_dir / "kubeconfig", binaries_dir() / "kubectl")


def _write_credentials(state_dir: Path, server: str) -> None:
    key, public = state_dir / "sa.key", state_dir / "sa.pub"
    subprocess.run(["openssl", "genrsa", "-out", str(key), "2048"], check=True, capture_output=True)
    subprocess.run(
        ["openssl", "rsa", "-in", str(key), "-pubout", "-out", str(public)], check=True, capture_output=True
    )
    (state_dir / "tokens.csv").write_text(
        f'{ADMIN_TOKEN},admin,admin,"system:masters"\n'
        f'{NODE_TOKEN},system:node:{NODE_NAME},{NODE_NAME},"system:nodes"\n'
    )
    _write_pki(state_dir / "pki")
    # JSON is YAML: kubectl, Helm and the controllers read it as a kubeconfig.
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "todo", "cluster": {"server": server, "insecure-skip-tls-verify": True}}],
        "users": [{"name": "admin", "user": {"token": ADMIN_TOKEN}}],
        "contexts": [{"name": "todo", "context": {"cluster": "todo", "user": "admin"}}],
        "current-context": "todo",
    }
    kubeconfig = state_dir / "kubeconfig"
    kubeconfig.write_text(json.dumps(config, indent=2))
    kubeconfig.chmod(0o600)


def _write_pki(pki: Path) -> None:
    """A CA, and the API server's client certificates from it: towards the kubelet, which trusts the CA,
    and towards aggregated APIs (metrics-server), which trust it for the user the API server vouches for."""
    pki.mkdir(parents=True)
    subprocess.run(
        [
            *OPENSSL_REQ,
            "-x509",
            "-keyout",
            str(pki / "ca.key"),
            "-out",
            str(pki / "ca.crt"),
            "-subj",
            "/CN=todo-ca",
        ],
        check=True,
        capture_output=True,
    )
    _client_certificate(pki, KUBELET_CLIENT, f"/O=system:masters/CN={KUBELET_CLIENT}")
    _client_certificate(pki, FRONT_PROXY_CLIENT, f"/CN={FRONT_PROXY_CLIENT}")


def _client_certificate(pki: Path, name: str, subject: str) -> None:
    """``name``.key and ``name``.crt in ``pki``, signed by its CA."""
    request = pki / f"{name}.csr"
    subprocess.run(
        [*OPENSSL_REQ, "-keyout", str(pki / f"{name}.key"), "-out", str(request), "-subj", subject],
        check=True,
        capture_output=True,
    )
    signing = ["-CA", str(pki / "ca.crt"), "-CAkey", str(pki / "ca.key"), "-CAcreateserial"]
    subprocess.run(
        [
            "openssl",
            "x509",
            "-req",
            "-in",
            str(request),
            *signing,
            "-days",
            "2",
            "-out",
            str(pki / f"{name}.crt"),
        ],
        check=True,
        capture_output=True,
    )


def _start(state_dir: Path, name: str, command: list[str], env: dict[str, str] | None = None) -> None:
    """Start ``command`` in the background; stop only it with :func:`stop`, which needs ``state_dir`` in its arguments."""
    log = open(state_dir / f"{name}.log", "wb")  # noqa: SIM115 - the child keeps it
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env)
    (state_dir / "pids" / name).write_text(str(process.pid))


def _wait_ready(state_dir: Path, server: str) -> None:
    """Return once /readyz answers ok, or fail with the API server's log."""
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    request = urllib.request.Request(f"{server}/readyz", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        for name in ("etcd", "kube-apiserver"):
            if not _alive(state_dir, name, starting=True):
                log = (state_dir / f"{name}.log").read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{name} exited while starting; its log ends:\n{log}")
        try:
            with urllib.request.urlopen(request, context=context, timeout=5) as response:
                if response.read() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError(f"{server}/readyz did not answer ok within {READY_TIMEOUT_SECONDS} s")


def _pid(state_dir: Path, name: str, *, starting: bool = False) -> int | None:
    """The PID this state dir started under ``name``, if that process still runs that command.

    With ``starting``, a process whose arguments read empty counts too: the kernel lets
    the parent go on once exec has begun, and until it has set up the new program's
    arguments /proc/PID/cmdline is empty. (A zombie's is empty as well; its state says so.)
    """
    try:
        pid = int((state_dir / "pids" / name).read_text())
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except (OSError, ValueError, IndexError):
        return None
    if state in ("Z", "X"):
        return None
    if starting and not cmdline:
        return pid
    # A recycled PID runs something else: only kill what this state dir started.
    return pid if str(state_dir).encode() in cmdline else None


def _alive(state_dir: Path, name: str, *, starting: bool = False) -> bool:
    return _pid(state_dir, name, starting=starting) is not None


def wait_for_port(
    state_dir: Path, name: str, port: int, timeout: float = 60, *, host: str = "127.0.0.1"
) -> None:
    """Return once what ``_start`` started as ``name`` listens on ``host:port``; fail with its log otherwise."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not _alive(state_dir, name, starting=True):
            log = (state_dir / f"{name}.log").read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{name} exited while starting; its log ends:\n{log}")
        with socket.socket() as sock:
            if sock.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{name} did not listen on {port} within {timeout:.0f} s; see {state_dir / name}.log")


def component_main(
    argv: list[str], usage: str, up: Callable[[ControlPlane], str], down: Callable[[Path], None]
) -> int:
    """The command line of what runs beside a control plane: ``up | down [CONTROL_PLANE_DIR]``.

    ``up`` starts it for the running control plane and returns what to print;
    ``down`` stops it, given the control plane's state dir.
    """
    command = argv[0] if argv else "up"
    plane_dir = Path(argv[1]).absolute() if len(argv) > 1 else DEFAULT_STATE_DIR
    try:
        if command == "up":
            print(up(running(plane_dir)))
        elif command == "down":
            down(plane_dir)
        else:
            print(usage, file=sys.stderr)
            return 2
    except MissingBinary as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


def down(state_dir: Path = DEFAULT_STATE_DIR) -> None:
    """Stop the processes this state dir started, the API server's clients first."""
    for name in ("kube-scheduler", "kube-controller-manager", "kube-apiserver", "etcd"):
        stop(state_dir, name)


def stop(state_dir: Path, name: str, grace_seconds: float = 15) -> None:
    """SIGTERM what ``_start`` started under ``name`` in this state dir; SIGKILL it after the grace."""
    pid = _pid(state_dir, name)
    if pid is None:
        return
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + grace_seconds
    while _alive(state_dir, name) and time.monotonic() < deadline:
        time.sleep(0.1)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, os.WNOHANG)
    if _alive(state_dir, name):
        os.kill(pid, signal.SIGKILL)
    (state_dir / "pids" / name).unlink(missing_ok=True)


def main(argv: list[str]) -> int:
    command = argv[0] if argv else "up"
    state_dir = Path(argv[1]).absolute() if len(argv) > 1 else DEFAULT_STATE_DIR
    try:
        if command == "build":
            print(build())
        elif command == "binaries":
            print(binaries_dir())
        elif command == "up":
            plane = up(state_dir)
            print(f"Control plane ready at {plane.server}\nexport KUBECONFIG={plane.kubeconfig}")
        elif command == "down":
            down(state_dir)
        else:
            print(__doc__, file=sys.stderr)
            return 2
    except MissingBinary as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
