"""The Todo stack on a real node: dist/ applied to the control plane, its pods run by the kubelet.

- Images: built by buildah from the Dockerfiles (node_images.py) and imported
  into the node's containerd under the names dist/ gives them.
- PostgreSQL stays outside the cluster, as the spec has it: on the host,
  listening for the pod network.
- dist/ is applied unchanged to a namespace of its own, with the Secret the
  docs tell the user to create. The Deployment controller rolls the pods out,
  the kubelet probes them, and the EndpointSlice controller decides which
  pods a Service sends to.
- The Ingresses' controller is a stand-in for ingress-nginx, the one they
  name: real nginx, configured from dist/'s Ingress objects (ingress_nginx.py)
  and, as ingress-nginx does, from the Services' EndpointSlices, watched on
  the API server (ready endpoints only), reloaded when they change. Traefik,
  which runs here (scripts/ingress.py), serves the HTTPRoutes and the Argo CD
  tests' Ingresses, but its emulation of ingress-nginx breaks an Exact/Prefix
  tie differently (docs/routing.md), and nginx names the answering pod in a
  response header, which the rollout tests follow request by request.

Used by the tests in tests/node.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from testbed import ingress_nginx
from testbed.contract import secret_env
from testbed.manifests import Manifests, only_container
from testbed.nginx import Nginx

Endpoints = dict[tuple[str, int], list[str]]


@dataclass(frozen=True)
class RunningPod:
    """A ready pod of a Deployment, as the API server reports it."""

    name: str
    ip: str
    port: int

    @property
    def address(self) -> str:
        return f"{self.ip}:{self.port}"


def ready_endpoints(dist: Manifests, slices: Mapping[str, dict[str, Any]]) -> Endpoints:
    """Service (name, port) -> the ready ``ip:targetPort`` of its EndpointSlices, as ingress-nginx reads them."""
    result: Endpoints = {}
    for service in dist.of_kind("Service"):
        name = service["metadata"]["name"]
        own = [
            s for s in slices.values() if s["metadata"]["labels"].get("kubernetes.io/service-name") == name
        ]
        for port in service["spec"]["ports"]:
            addresses = set()
            for endpoint_slice in own:
                numbers = [
                    p["port"]
                    for p in endpoint_slice.get("ports") or []
                    if p.get("name", "") == port.get("name", "")
                ]
                for endpoint in endpoint_slice.get("endpoints") or []:
                    if endpoint.get("conditions", {}).get("ready"):
                        addresses |= {f"{ip}:{number}" for ip in endpoint["addresses"] for number in numbers}
            result[(name, port["port"])] = sorted(addresses)
    return result


@dataclass
class EndpointWatch:
    """``kubectl get endpointslices --watch``: the controller's view, applied to nginx on every change."""

    kubectl: list[str]
    env: dict[str, str]
    dist: Manifests
    nginx: Nginx
    slices: dict[str, dict[str, Any]] = field(default_factory=dict)
    current: Endpoints = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)
    error: BaseException | None = None

    def start(self) -> EndpointWatch:
        self.process = subprocess.Popen(
            [*self.kubectl, "get", "endpointslices", "--watch", "--output-watch-events", "-o", "json"],
            env=self.env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
        )  # fmt: skip
        self.thread = threading.Thread(target=self._follow, daemon=True)
        self.thread.start()
        return self

    def _follow(self) -> None:
        assert self.process.stdout is not None
        decoder, buffer = json.JSONDecoder(), ""
        try:
            for line in self.process.stdout:
                buffer += line
                while buffer.strip():
                    try:
                        event, end = decoder.raw_decode(buffer.lstrip())
                    except json.JSONDecodeError:
                        break
                    buffer = buffer.lstrip()[end:]
                    self._apply(event)
        except BaseException as error:  # reported by wait_for
            self.error = error
            with self.changed:
                self.changed.notify_all()

    def _apply(self, event: dict[str, Any]) -> None:
        name = event["object"]["metadata"]["name"]
        if event["type"] == "DELETED":
            self.slices.pop(name, None)
        else:
            self.slices[name] = event["object"]
        endpoints = ready_endpoints(self.dist, self.slices)
        if endpoints != self.current:
            if self.nginx.process is None:
                self.nginx.start(endpoints)
            else:
                self.nginx.reload(endpoints)
            with self.changed:
                self.current = endpoints
                self.changed.notify_all()

    def wait_for(self, what: str, done: Any, timeout: float = 120) -> Endpoints:
        """The endpoints nginx routes to once ``done(endpoints)`` holds."""
        with self.changed:
            if not self.changed.wait_for(lambda: self.error is not None or done(self.current), timeout):
                raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}: {self.current}")
            if self.error is not None:
                raise AssertionError(f"the EndpointSlice watch failed: {self.error!r}")
            return dict(self.current)

    def stop(self) -> None:
        self.process.kill()
        self.process.wait(timeout=10)
        self.thread.join(timeout=10)


@dataclass
class NodeStack:
    """dist/ running on the node in ``namespace``, nginx in front of its Services."""

    cluster: Any
    namespace: str
    dist: Manifests
    secrets: dict[str, str]
    # nginx runs as another user: a folder it can reach, unlike pytest's 0700 ones.
    dir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="todo-node-stack-")))
    nginx: Nginx | None = None
    watch: EndpointWatch | None = None

    def start(self) -> NodeStack:
        os.chmod(self.dir, 0o755)
        secret = {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": secret_name(self.dist)},
            "stringData": self.secrets,
        }
        self.cluster.kubectl("create", "-n", self.namespace, "-f", "-", stdin=json.dumps(secret))
        self.cluster.apply(self.dist.objects, self.namespace)
        services = {s["metadata"]["name"]: s for s in self.dist.of_kind("Service")}
        routes = ingress_nginx.ingress_routes(self.dist.of_kind("Ingress"), services)
        self.nginx = Nginx(routes, self.dir / "nginx")
        kubectl = [str(self.cluster.plane.kubectl), "-n", self.namespace]
        self.watch = EndpointWatch(kubectl, self.cluster.plane.env(), self.dist, self.nginx).start()
        self.watch.wait_for("a ready pod behind every Service", lambda e: e and all(e.values()))
        return self

    def endpoints(self) -> Endpoints:
        assert self.watch is not None
        return dict(self.watch.current)

    @property
    def pods(self) -> dict[str, list[RunningPod]]:
        """Each Deployment's ready pods, as its selector finds them."""
        result: dict[str, list[RunningPod]] = {}
        for deployment in self.dist.of_kind("Deployment"):
            name = deployment["metadata"]["name"]
            selector = ",".join(f"{k}={v}" for k, v in deployment["spec"]["selector"]["matchLabels"].items())
            port = only_container(deployment)["ports"][0]["containerPort"]
            found = self.cluster.get("pods", self.namespace, selector=selector)["items"]
            result[name] = [
                RunningPod(pod["metadata"]["name"], pod["status"]["podIP"], port)
                for pod in found
                if any(
                    c["type"] == "Ready" and c["status"] == "True"
                    for c in pod["status"].get("conditions", [])
                )
                and not pod["metadata"].get("deletionTimestamp")
            ]
        return result

    def close(self) -> None:
        if self.watch is not None:
            self.watch.stop()
        if self.nginx is not None:
            self.nginx.stop()
        with contextlib.suppress(AssertionError):
            self.cluster.kubectl("delete", "namespace", self.namespace, "--wait=false")
        shutil.rmtree(self.dir, ignore_errors=True)


def secret_name(dist: Manifests) -> str:
    """The Secret the backend's pods read their settings from, which the user creates."""
    (name,) = {
        secret
        for deployment in dist.of_kind("Deployment")
        for secret, _ in secret_env(dist, deployment["metadata"]["name"]).values()
    }
    return name
