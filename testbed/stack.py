"""The Todo stack without a cluster, for ``make bench`` on a machine without a node: dist/ drives real nginx, gunicorn, Node and PostgreSQL.

An imitation of a kubelet, kept for benchmarks/resources.py only: the tests
run dist/ on a real node (node_stack.py), and the benchmarks are yet to move
there.

Each pod is its image's CMD in a runc container built from its Deployment in
dist/ (pods.py): UID/GID 1001, a read-only root, each emptyDir a tmpfs of its
sizeLimit, no capabilities, no_new_privs, the RuntimeDefault seccomp profile,
and the CPU and memory limits in its pod cgroup; the env comes from its
ConfigMap and Secret references. The images' files come from their
Dockerfiles (images.py). The kubelet's probes run on their periods for as
long as the pod runs (probes.py).

A pod shares the host's network namespace on its own loopback address
(127.0.0.2, 127.0.0.3, ...) standing for the pod IP: the port stays exactly
the containerPort from dist/, and the ``0.0.0.0`` the images bind
(gunicorn's ``--bind``, the frontend's ``HOSTNAME``) becomes that address,
which is what 0.0.0.0 reaches inside a pod's own network namespace. nginx
runs as ``nobody``.

nginx's config comes from the Ingress objects (``ingress_nginx.py``); each
Service (name, port) maps to the ready pods its selector picks, at the
Service's ``targetPort``.
"""

from __future__ import annotations

import contextlib
import copy
import itertools
import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testbed import ingress_nginx
from testbed.cgroups import CgroupUnavailable, PodCgroup
from testbed.contract import container_env
from testbed.images import backend_image, frontend_image
from testbed.manifests import Manifests, only_container
from testbed.nginx import Nginx
from testbed.pods import Container, Image, RuntimeUnavailable, find_runc, oci_config
from testbed.probes import ProbeEvent, Prober, ProbeResult, run_probe
from testbed.processes import log_tail, port_lock
from testbed.programs import MissingTool, find_nginx, require_chromium, require_node

# Node 22 from the repository's npm tools matches the image; it also drives the browser test.
HOST_ANY = "0.0.0.0"
START_TIMEOUT = 60.0


@dataclass
class Pod:
    """One pod of a Deployment: its container under runc, and the kubelet's probes of it."""

    deployment: str
    ip: str
    container: dict[str, Any]
    runtime: Container
    log_path: Path
    prober: Prober | None = None

    def port(self, port: int | str) -> int:
        """A container port by number or by name, as probes and targetPort name it."""
        if isinstance(port, int):
            return port
        (number,) = [p["containerPort"] for p in self.container["ports"] if p.get("name") == port]
        return int(number)

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.container['ports'][0]['containerPort']}"

    @property
    def cgroup(self) -> PodCgroup:
        return self.runtime.cgroup

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.runtime.process.poll() is None

    def exec(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """``kubectl exec``: run ``args`` in the pod's container, under its constraints."""
        return self.runtime.exec(*args, timeout=timeout)


def probe(pod: Pod, spec: Mapping[str, Any]) -> ProbeResult:
    """One attempt of the probe ``spec`` against ``pod``."""
    return run_probe(pod.ip, pod.port, spec)


def wait_ready(pod: Pod, timeout: float = START_TIMEOUT) -> None:
    """Poll the readiness probe until it passes (faster than periodSeconds, to keep tests quick)."""
    spec = pod.container["readinessProbe"]
    deadline = time.monotonic() + timeout
    result = ProbeResult(False, "not probed")
    while time.monotonic() < deadline:
        if not pod.alive():
            raise AssertionError(
                f"{pod.deployment} at {pod.ip} exited with {pod.runtime.process.returncode} "
                f"({pod.runtime.reason()}):\n{log_tail(pod.log_path)}"
            )
        result = probe(pod, spec)
        if result.ok:
            return
        time.sleep(0.2)
    raise AssertionError(
        f"{pod.deployment} not ready within {timeout:.0f}s ({result.detail}):\n{log_tail(pod.log_path)}"
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


def preflight() -> None:
    """Fail early, with the install step, when a program the harness runs is missing."""
    find_nginx()
    require_chromium()
    require_node()
    try:
        find_runc()
        # A pod cgroup made and removed: the hierarchy can hold the pods' limits.
        PodCgroup.create(f"todo-preflight-{os.getpid()}", {}).remove()
    except (RuntimeUnavailable, CgroupUnavailable) as error:
        raise MissingTool(str(error)) from None


@dataclass(frozen=True)
class Terminated:
    """A finished container as ``kubectl get pod`` shows it: reason, exit code, and its output."""

    reason: str
    exit_code: int
    log: str


@dataclass
class Stack:
    """The pods of every Deployment in ``dist``, a Service -> endpoints map, and nginx in front."""

    dist: Manifests
    secrets: dict[str, str]
    dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="todo-e2e-")))
    pods: dict[str, list[Pod]] = field(default_factory=dict)
    nginx: Nginx | None = None
    _next_ip: int = 2
    _serial: itertools.count[int] = field(default_factory=itertools.count)
    _exit: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)
    _all: list[Pod] = field(default_factory=list)

    def __post_init__(self) -> None:
        # nginx runs as another user: it must be able to reach its files.
        os.chmod(self.dir, 0o755)
        # runc's state, and each pod's cgroup below ours, are this stack's own.
        self.runc_state = self.dir / "runc"
        self.cgroup_prefix = self.dir.name
        # The images bind fixed ports: hold the contract tests' locks on them for
        # as long as this stack runs, so parallel pytest-xdist workers take turns.
        for deployment in self.dist.of_kind("Deployment"):
            for port in only_container(deployment)["ports"]:
                self._exit.enter_context(port_lock(port["containerPort"]))

    def _allocate_ip(self) -> str:
        ip = f"127.0.0.{self._next_ip}"
        self._next_ip += 1
        return ip

    def _container(
        self,
        deployment: dict[str, Any],
        image: Image,
        env: Mapping[str, str],
        name: str,
        command: Sequence[str] | None = None,
    ) -> Container:
        """Start the Deployment's container from ``image`` in a pod cgroup of its limits."""
        container = only_container(deployment)
        cgroup = PodCgroup.create(f"{self.cgroup_prefix}/{name}", container.get("resources", {}))
        config = oci_config(
            deployment, image, env=env, cgroup=cgroup.runc_path(container["name"]),
            hostname=name, command=command,
        )  # fmt: skip
        return Container.run(
            f"{self.cgroup_prefix}-{name}", self.dir / "bundles" / name, config, cgroup,
            self.runc_state, self.dir / f"{name}.log",
        )  # fmt: skip

    def _backend(self, ip: str, secrets: Mapping[str, str]) -> tuple[Image, dict[str, str]]:
        image = backend_image(self.dir / f"backend-{ip}")
        return image, container_env(self.dist, "todo-backend", secrets)

    def _frontend(self, ip: str) -> tuple[Image, dict[str, str]]:
        image = frontend_image(self.dir / f"frontend-{ip}")
        env = container_env(self.dist, "todo-frontend", self.secrets)
        assert env.get("HOSTNAME") == HOST_ANY, (
            f"the frontend should listen on {HOST_ANY}, got {env.get('HOSTNAME')}"
        )
        return image, {**env, "HOSTNAME": ip}

    def _start_pod(
        self, name: str, ip: str, image: Image, env: Mapping[str, str], command: Sequence[str]
    ) -> Pod:
        deployment = self.dist.get("Deployment", name)
        pod_name = f"{name}-{next(self._serial)}"
        runtime = self._container(deployment, image, env, pod_name, command)
        pod = Pod(name, ip, only_container(deployment), runtime, self.dir / f"{pod_name}.log")
        pod.prober = Prober(f"{pod_name} {ip}", ip, pod.port, pod.container).start()
        self._all.append(pod)
        return pod

    def start_backend(self, *, database_url: str | None = None, ready: bool = True) -> Pod:
        """Start one backend pod (not yet in the Service's endpoints); wait for readiness if asked."""
        ip = self._allocate_ip()
        secrets = {**self.secrets, **({"DATABASE_URL": database_url} if database_url else {})}
        image, env = self._backend(ip, secrets)
        port = only_container(self.dist.get("Deployment", "todo-backend"))["ports"][0]["containerPort"]
        pod = self._start_pod("todo-backend", ip, image, env, pod_command(image.cmd, ip, port))
        if ready:
            wait_ready(pod)
        return pod

    def start_frontend(self) -> Pod:
        ip = self._allocate_ip()
        image, env = self._frontend(ip)
        pod = self._start_pod("todo-frontend", ip, image, env, image.cmd)
        wait_ready(pod)
        return pod

    def run_to_completion(
        self,
        name: str,
        command: Sequence[str],
        *,
        deployment: Mapping[str, Any] | None = None,
        files: Mapping[str, Path] | None = None,
        timeout: float = 60,
    ) -> Terminated:
        """Run ``command`` in a pod of Deployment ``name`` (or of ``deployment``, a changed copy), to its end.

        Like ``kubectl run`` with the Deployment's pod spec and a command: the
        same image, env, user, mounts, capabilities, seccomp and limits;
        ``files`` binds more host paths into it, read-only.
        """
        spec = copy.deepcopy(dict(deployment or self.dist.get("Deployment", name)))
        ip = self._allocate_ip()
        image, env = self._backend(ip, self.secrets) if name == "todo-backend" else self._frontend(ip)
        image = Image({**image.files, **(files or {})}, image.env, image.workdir, image.cmd)
        runtime = self._container(spec, image, env, f"{name}-run-{next(self._serial)}", command)
        try:
            runtime.process.wait(timeout=timeout)
            reason = runtime.reason()
            assert reason is not None
            return Terminated(
                reason, runtime.process.returncode, (self.dir / f"{runtime.bundle.name}.log").read_text()
            )
        finally:
            runtime.remove()

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
        """Stop probing, then SIGTERM, as the kubelet sends it, and SIGKILL after ``timeout``; the exit code."""
        if pod.prober is not None:
            pod.prober.stop()
        return pod.runtime.stop(signal.SIGTERM, timeout=timeout)

    def probe_events(self) -> list[ProbeEvent]:
        """Every probe failure, restart and unready transition of every pod so far, in time order."""
        return sorted((e for pod in self._all if pod.prober for e in pod.prober.events), key=lambda e: e.at)

    def close(self) -> None:
        if self.nginx is not None:
            self.nginx.stop()
        for pod in self._all:
            if pod.prober is not None:
                pod.prober.stop()
        for pod in self._all:
            pod.runtime.remove()
        self._exit.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self) -> Stack:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
