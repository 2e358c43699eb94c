"""The Todo stack without a cluster: dist/ drives real nginx, gunicorn, Node and PostgreSQL.

Each "pod" is the image's CMD run natively, with the env its Deployment gives
it, on its own loopback address (127.0.0.2, 127.0.0.3, ...) standing for the
pod IP: the port stays exactly the containerPort from dist/, and the
``0.0.0.0`` the images bind (gunicorn's ``--bind``, the frontend's
``HOSTNAME``) becomes that address, which is what 0.0.0.0 reaches inside a
pod's own network namespace. Under root, pods run as the Deployment's
``runAsUser``/``runAsGroup`` and nginx as ``nobody``.

nginx's config comes from the Ingress objects (``ingress_nginx.py``); each
Service (name, port) maps to the ready pods its selector picks, at the
Service's ``targetPort``. Used by the e2e tests and by benchmarks/resources.py.
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.e2e import ingress_nginx
from tests.support.backend import BACKEND_DIR, ROOT
from tests.support.contract import container_env
from tests.support.dockerfile import Dockerfile
from tests.support.frontend_build import assemble_runtime, build_as_dockerfile
from tests.support.manifests import Manifests, only_container, pod_spec
from tests.support.postgres import free_port
from tests.support.processes import port_lock

FRONTEND_DIR = ROOT / "frontend"
DOCKERFILES = {
    "todo-backend": ROOT / "docker" / "backend" / "Dockerfile",
    "todo-frontend": ROOT / "docker" / "frontend" / "Dockerfile",
}
# Node 22 from the repository's npm tools matches the image.
NODE_22 = ROOT / "node_modules" / "node" / "bin" / "node"
CHROMIUM = Path("/usr/bin/chromium")
HOST_ANY = "0.0.0.0"
START_TIMEOUT = 60.0


class MissingTool(RuntimeError):
    """A program the harness runs for real is not installed; the message says how to install it."""


def find_nginx() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin")
    if not found:
        raise MissingTool(
            "nginx not found on PATH or in /usr/sbin: install it with "
            "`apt-get install nginx-light` (`make test` installs it as root via SYSTEM_PACKAGES)"
        )
    return found


def require_chromium() -> Path:
    if not os.access(CHROMIUM, os.X_OK):
        raise MissingTool(
            f"{CHROMIUM} not found: install Debian's Chromium with `apt-get install chromium` "
            "(`make test` installs it as root via SYSTEM_PACKAGES)"
        )
    return CHROMIUM


def require_node() -> Path:
    if not os.access(NODE_22, os.X_OK):
        raise MissingTool(
            f"{NODE_22} not found: run `make setup` (npm ci installs Node 22 and playwright-core)"
        )
    return NODE_22


def _unprivileged(uid: int, gid: int) -> dict[str, Any]:
    """Popen arguments that drop root to uid/gid; nothing when we are not root."""
    if os.geteuid() != 0:
        return {}
    return {"user": uid, "group": gid, "extra_groups": []}


def _executable_by(path: str, uid: int, gid: int) -> bool:
    """Whether uid/gid may run ``path`` (and its #! interpreter): x on the files and every directory above."""
    real = Path(path).resolve()
    with open(real, "rb") as program:
        first = program.readline(256)
    if first.startswith(b"#!") and not _executable_by(first[2:].split()[0].decode(), uid, gid):
        return False
    for part in [real, *real.parents]:
        mode = part.stat()
        if mode.st_uid == uid:
            bit = 0o100
        elif mode.st_gid == gid:
            bit = 0o010
        else:
            bit = 0o001
        if not mode.st_mode & bit:
            return False
    return True


def _kill_group(process: subprocess.Popen[bytes], sig: int = signal.SIGKILL) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, sig)


def _stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM, timeout: float = 30.0) -> None:
    """Send ``sig`` to the process, wait, then SIGKILL its whole process group."""
    if process.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(timeout=timeout)
    _kill_group(process)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=5)


def _tail(path: Path, lines: int = 30) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


@dataclass
class Pod:
    """One process standing in for one pod of a Deployment."""

    deployment: str
    ip: str
    container: dict[str, Any]
    process: subprocess.Popen[bytes]
    log_path: Path

    def port(self, port: int | str) -> int:
        """A container port by number or by name, as probes and targetPort name it."""
        if isinstance(port, int):
            return port
        (number,) = [p["containerPort"] for p in self.container["ports"] if p.get("name") == port]
        return int(number)

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.container['ports'][0]['containerPort']}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass(frozen=True)
class ProbeResult:
    ok: bool
    detail: str


def run_probe(pod: Pod, probe: Mapping[str, Any]) -> ProbeResult:
    """One probe attempt as the kubelet makes it: to the pod IP, within timeoutSeconds (default 1)."""
    timeout = float(probe.get("timeoutSeconds", 1))
    if "httpGet" in probe:
        action = probe["httpGet"]
        scheme = action.get("scheme", "HTTP").lower()
        host = action.get("host", pod.ip)
        url = f"{scheme}://{host}:{pod.port(action['port'])}{action.get('path', '/')}"
        headers = {h["name"]: h["value"] for h in action.get("httpHeaders", [])}
        try:
            response = httpx.get(url, headers=headers, timeout=timeout)
        except httpx.HTTPError as error:
            return ProbeResult(False, f"GET {url}: {error!r}")
        # The kubelet counts 200 <= status < 400 as success.
        return ProbeResult(200 <= response.status_code < 400, f"GET {url}: {response.status_code}")
    if "tcpSocket" in probe:
        action = probe["tcpSocket"]
        target = (action.get("host", pod.ip), pod.port(action["port"]))
        try:
            with socket.create_connection(target, timeout=timeout):
                return ProbeResult(True, f"TCP {target}: connected")
        except OSError as error:
            return ProbeResult(False, f"TCP {target}: {error!r}")
    raise NotImplementedError(f"probe kind not modelled here: {sorted(probe)}")


def wait_ready(pod: Pod, timeout: float = START_TIMEOUT) -> None:
    """Poll the readiness probe until it passes (faster than periodSeconds, to keep tests quick)."""
    probe = pod.container["readinessProbe"]
    deadline = time.monotonic() + timeout
    result = ProbeResult(False, "not probed")
    while time.monotonic() < deadline:
        if not pod.alive():
            raise AssertionError(
                f"{pod.deployment} at {pod.ip} exited with {pod.process.returncode}:\n{_tail(pod.log_path)}"
            )
        result = run_probe(pod, probe)
        if result.ok:
            return
        time.sleep(0.2)
    raise AssertionError(
        f"{pod.deployment} not ready within {timeout:.0f}s ({result.detail}):\n{_tail(pod.log_path)}"
    )


def pod_command(cmd: Sequence[str], ip: str, port: int) -> list[str]:
    """The image's CMD with gunicorn's ``--bind 0.0.0.0:<port>`` bound to the pod IP instead."""
    command = list(cmd)
    binds = [i for i, arg in enumerate(command) if arg in ("--bind", "-b")]
    assert len(binds) == 1, f"expected one --bind in {command}"
    value = command[binds[0] + 1]
    assert value == f"{HOST_ANY}:{port}", f"CMD binds {value}, not {HOST_ANY}:{port} (the containerPort)"
    command[binds[0] + 1] = f"{ip}:{port}"
    return command


def run_as(deployment: Mapping[str, Any]) -> tuple[int, int]:
    """The UID/GID the container runs as: its securityContext over the pod's."""
    pod_context = pod_spec(deployment).get("securityContext", {})
    context = {**pod_context, **only_container(deployment).get("securityContext", {})}
    return int(context["runAsUser"]), int(context["runAsGroup"])


def preflight() -> None:
    """Fail early, with the install step, when a program the harness runs is missing."""
    find_nginx()
    require_chromium()
    require_node()


class Nginx:
    """Real nginx with a config generated from the Ingress objects; unprivileged, in a temp dir."""

    def __init__(self, routes: Sequence[ingress_nginx.Route], runtime_dir: Path) -> None:
        self.binary = find_nginx()
        self.routes = routes
        self.dir = runtime_dir
        self.dir.mkdir(parents=True, exist_ok=True)
        self.port = free_port()
        self.conf = self.dir / "nginx.conf"
        self.process: subprocess.Popen[bytes] | None = None
        self.generation = 0
        account = pwd.getpwnam("nobody") if os.geteuid() == 0 else None
        self._user = _unprivileged(account.pw_uid, account.pw_gid) if account else {}
        if account:
            os.chown(self.dir, account.pw_uid, account.pw_gid)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def access_log(self) -> Path:
        return self.dir / "access.log"

    @property
    def error_log(self) -> Path:
        return self.dir / "error.log"

    def _args(self) -> list[str]:
        return [self.binary, "-p", str(self.dir), "-c", str(self.conf), "-e", str(self.error_log)]

    def _write(self, endpoints: Mapping[tuple[str, int], Sequence[str]]) -> None:
        text = ingress_nginx.render(
            self.routes, endpoints, listen=f"127.0.0.1:{self.port}", runtime_dir=self.dir
        )
        self.conf.write_text(text)
        self.generation += 1
        check = subprocess.run([*self._args(), "-t"], capture_output=True, text=True, **self._user)
        assert check.returncode == 0, f"nginx -t rejected the generated config:\n{check.stderr}\n{text}"

    def start(self, endpoints: Mapping[tuple[str, int], Sequence[str]]) -> None:
        self._write(endpoints)
        self.process = subprocess.Popen(
            [*self._args(), "-g", "daemon off;"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
            **self._user,
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"nginx exited:\n{_tail(self.error_log)}"
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            time.sleep(0.05)
        raise AssertionError(f"nginx did not listen on {self.port}:\n{_tail(self.error_log)}")

    def workers(self) -> set[int]:
        assert self.process is not None
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text()
        return {int(pid) for pid in children.split()}

    def reload(self, endpoints: Mapping[tuple[str, int], Sequence[str]], timeout: float = 30.0) -> None:
        """Apply new endpoints, as the controller does, and return once only new workers remain."""
        assert self.process is not None and self.process.poll() is None
        old = self.workers()
        self._write(endpoints)
        self.process.send_signal(signal.SIGHUP)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self.workers()
            # Old workers finish their in-flight requests, then exit.
            if current and not current & old:
                return
            time.sleep(0.05)
        raise AssertionError(f"nginx reload did not complete within {timeout:.0f}s:\n{_tail(self.error_log)}")

    def stop(self) -> None:
        if self.process is not None:
            _stop(self.process, signal.SIGQUIT, timeout=10)
            self.process = None


@dataclass
class Stack:
    """The pods of every Deployment in ``dist``, a Service -> endpoints map, and nginx in front."""

    dist: Manifests
    secrets: dict[str, str]
    dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="todo-e2e-")))
    pods: dict[str, list[Pod]] = field(default_factory=dict)
    nginx: Nginx | None = None
    _next_ip: int = 2
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _all: list[Pod] = field(default_factory=list)

    def __post_init__(self) -> None:
        # Pods may run as another user: they must be able to reach their files.
        os.chmod(self.dir, 0o755)
        self.dockerfiles = {name: Dockerfile(path) for name, path in DOCKERFILES.items()}
        # The images bind fixed ports: hold the contract tests' locks on them for
        # as long as this stack runs, so parallel pytest-xdist workers take turns.
        for deployment in self.dist.of_kind("Deployment"):
            for port in only_container(deployment)["ports"]:
                self._exit.enter_context(port_lock(port["containerPort"]))

    def _allocate_ip(self) -> str:
        ip = f"127.0.0.{self._next_ip}"
        self._next_ip += 1
        return ip

    def _spawn(self, name: str, command: list[str], cwd: Path, env: dict[str, str], ip: str) -> Pod:
        deployment = self.dist.get("Deployment", name)
        uid, gid = run_as(deployment)
        # Root drops to the Deployment's runAsUser, unless that user cannot reach
        # the program (a Python under /root, say): then it runs as we do.
        program = shutil.which(command[0], path=env["PATH"])
        assert program, f"{command[0]} not found on the pod's PATH {env['PATH']}"
        user = _unprivileged(uid, gid) if _executable_by(program, uid, gid) else {}
        log_path = self.dir / f"{name}-{ip}.log"
        with open(log_path, "wb") as log:
            process = subprocess.Popen(
                command,
                cwd=cwd,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                **user,
            )
        pod = Pod(name, ip, only_container(deployment), process, log_path)
        self._all.append(pod)
        return pod

    def start_backend(self, *, database_url: str | None = None, ready: bool = True) -> Pod:
        """Start one backend pod (not yet in the Service's endpoints); wait for readiness if asked."""
        name = "todo-backend"
        runtime = self.dockerfiles[name].final
        ip = self._allocate_ip()
        container = only_container(self.dist.get("Deployment", name))
        secrets = {**self.secrets, **({"DATABASE_URL": database_url} if database_url else {})}
        env = {k: v for k, v in runtime.env.items() if k != "PATH"}
        # The image puts its virtualenv first on PATH; this venv is its stand-in.
        env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
        env.update(container_env(self.dist, name, secrets))
        assert runtime.cmd is not None
        command = pod_command(runtime.cmd, ip, container["ports"][0]["containerPort"])
        pod = self._spawn(name, command, BACKEND_DIR, env, ip)
        if ready:
            wait_ready(pod)
        return pod

    def start_frontend(self) -> Pod:
        name = "todo-frontend"
        dockerfile = self.dockerfiles[name]
        build_as_dockerfile(dockerfile, FRONTEND_DIR)
        ip = self._allocate_ip()
        workdir = self.dir / f"frontend-{ip}"
        assemble_runtime(dockerfile, FRONTEND_DIR, workdir)
        uid, gid = run_as(self.dist.get("Deployment", name))
        # The image's RUN line: only .next/cache (an emptyDir in the pod) is the server's to write.
        cache = workdir / ".next" / "cache"
        cache.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            os.chown(cache, uid, gid)
        env = dict(dockerfile.final.env)
        env["PATH"] = f"{require_node().parent}{os.pathsep}{os.environ['PATH']}"
        env.update(container_env(self.dist, name, self.secrets))
        assert env.get("HOSTNAME") == HOST_ANY, (
            f"the frontend should listen on {HOST_ANY}, got {env.get('HOSTNAME')}"
        )
        env["HOSTNAME"] = ip
        assert dockerfile.final.cmd is not None
        pod = self._spawn(name, list(dockerfile.final.cmd), workdir, env, ip)
        wait_ready(pod)
        return pod

    def endpoints(self) -> dict[tuple[str, int], list[str]]:
        """Service (name, port) -> ready pods' ip:targetPort, by the Service's selector."""
        result: dict[tuple[str, int], list[str]] = {}
        deployments = self.dist.of_kind("Deployment")
        for service in self.dist.of_kind("Service"):
            selector = service["spec"]["selector"]
            selected = [
                d["metadata"]["name"]
                for d in deployments
                if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()
            ]
            for port in service["spec"]["ports"]:
                target = port.get("targetPort", port["port"])
                result[(service["metadata"]["name"], port["port"])] = [
                    f"{pod.ip}:{pod.port(target)}" for name in selected for pod in self.pods.get(name, [])
                ]
        return result

    def start(self, database_url: str | None = None) -> Stack:
        """One ready pod per Deployment, in the endpoints, and nginx routing to them."""
        try:
            backend = self.start_backend(database_url=database_url)
            frontend = self.start_frontend()
            self.pods = {"todo-backend": [backend], "todo-frontend": [frontend]}
            services = {s["metadata"]["name"]: s for s in self.dist.of_kind("Service")}
            routes = ingress_nginx.ingress_routes(self.dist.of_kind("Ingress"), services)
            self.nginx = Nginx(routes, self.dir / "nginx")
            self.nginx.start(self.endpoints())
        except BaseException:
            self.close()
            raise
        return self

    def set_ready(self, deployment: str, pods: list[Pod]) -> None:
        """Change a Deployment's ready pods and reload nginx (the controller's endpoint sync)."""
        assert self.nginx is not None
        self.pods[deployment] = pods
        self.nginx.reload(self.endpoints())

    def stop_pod(self, pod: Pod, timeout: float = 30.0) -> int:
        """SIGTERM, as the kubelet sends it, then SIGKILL after ``timeout``; returns the exit code."""
        _stop(pod.process, signal.SIGTERM, timeout=timeout)
        return pod.process.returncode

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for pod in self._all:
            _stop(pod.process, timeout=20)
        self._exit.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
