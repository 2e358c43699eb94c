"""The cluster's ingress controller: Traefik, serving the library's Ingresses and HTTPRoutes unchanged.

Traefik's ``kubernetesIngressNGINX`` provider reads Ingresses of an
IngressClass whose controller is ``k8s.io/ingress-nginx`` (what Minikube's
ingress addon installs, and the class the library's Ingresses name), with
their nginx annotations, and routes to the ready endpoints of their Services'
EndpointSlices, on the node's pod network. As ingress-nginx does, it publishes
its address in each Ingress's status, which is what Argo CD's health check of
an Ingress waits for.

Its ``kubernetesGateway`` provider serves Gateway API: the Gateways of the
GatewayClass ``traefik`` (which up() installs with Gateway API's standard CRDs,
at the release tools/crds pins), each listener on the entry point of its port,
and the HTTPRoutes that attach to them, whose status it writes (what Argo CD's
health check of an HTTPRoute waits for). A Gateway is the cluster admin's, as
on a real cluster: up() makes none.

It runs out of cluster on loopback, with the control plane's kubeconfig:
traffic arrives at the published address and port, not through a Service.
Built from ``tools/traefik`` once per machine, or taken from the folder
``$TRAEFIK_ASSETS`` names (scripts/go_tools.py).

Usage: ``ingress.py up [CONTROL_PLANE_DIR] | down [CONTROL_PLANE_DIR]``.
"""

from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts import control_plane, import_crds  # noqa: E402
from scripts.control_plane import ControlPlane  # noqa: E402
from scripts.go_tools import TRAEFIK  # noqa: E402

# What ingress-nginx's chart and Minikube's addon install.
INGRESS_CLASS = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "IngressClass",
    "metadata": {"name": "nginx"},
    "spec": {"controller": "k8s.io/ingress-nginx"},
}
GATEWAY_CLASS = {
    "apiVersion": "gateway.networking.k8s.io/v1",
    "kind": "GatewayClass",
    "metadata": {"name": "traefik"},
    "spec": {"controllerName": "traefik.io/gateway-controller"},
}
ADDRESS = "127.0.0.1"
# A request header Traefik's access log keeps, so a caller can find the line of its request.
PROBE_HEADER = "X-Todo-Probe"


@dataclass(frozen=True)
class Ingress:
    """Traefik running for one control plane: where its entry point listens."""

    state_dir: Path
    port: int

    @property
    def base_url(self) -> str:
        return f"http://{ADDRESS}:{self.port}"

    def access_log(self, probe: str) -> dict[str, Any] | None:
        """The access log entry of the request that sent ``PROBE_HEADER: probe``, once Traefik wrote it.

        Its ``ServiceAddr`` is the endpoint that answered, absent when Traefik answered itself.
        """
        for line in (self.state_dir / "traefik.log").read_text(errors="replace").splitlines():
            if line.startswith("{") and f'"{probe}"' in line:
                entry: dict[str, Any] = json.loads(line)
                if entry.get(f"request_{PROBE_HEADER}") == probe:
                    return entry
        return None


# Where up() keeps its state, in the control plane's state dir unless told otherwise.
STATE = "ingress"


def up(
    plane: ControlPlane, state_dir: Path | None = None, *, namespace: str = "", ingresses: bool = True
) -> Ingress:
    """Install the classes (and Gateway API) and start Traefik; stop any this state dir ran before.

    ``namespace``: serve only that namespace's Ingresses and Gateways (every namespace's when empty).
    ``ingresses=False``: serve Gateways only, leaving the Ingresses to another controller.
    """
    state_dir = state_dir or plane.state_dir / STATE
    binary = TRAEFIK.assets_dir() / TRAEFIK.name
    down(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)
    (state_dir / "pids").mkdir(parents=True)
    # Run from a path in the state dir, so stopping it finds only what this dir started.
    (state_dir / "traefik").symlink_to(binary)
    _install_gateway_api(plane)
    for item in (INGRESS_CLASS, GATEWAY_CLASS):
        plane.run_kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(item))
    port, ping = control_plane.free_ports(2)
    control_plane._start(
        state_dir,
        "traefik",
        [
            str(state_dir / "traefik"),
            f"--entryPoints.web.address={ADDRESS}:{port}",
            f"--entryPoints.ping.address={ADDRESS}:{ping}",
            "--ping.entryPoint=ping",
            *(
                [
                    "--providers.kubernetesIngressNGINX=true",
                    f"--providers.kubernetesIngressNGINX.publishStatusAddress={ADDRESS}",
                    f"--providers.kubernetesIngressNGINX.watchNamespace={namespace}",
                ]
                if ingresses
                else []
            ),
            "--providers.kubernetesGateway=true",
            f"--providers.kubernetesGateway.statusAddress.ip={ADDRESS}",
            *([f"--providers.kubernetesGateway.namespaces={namespace}"] if namespace else []),
            # Nothing leaves the machine: no release check, no usage report.
            "--global.checkNewVersion=false",
            "--global.sendAnonymousUsage=false",
            "--log.level=INFO",
            "--accessLog=true",
            "--accessLog.format=json",
            f"--accessLog.fields.headers.names.{PROBE_HEADER}=keep",
        ],
        env=plane.env(),
    )
    try:
        control_plane.wait_for_port(state_dir, "traefik", port)
    except BaseException:
        down(state_dir)
        raise
    return Ingress(state_dir, port)


def _install_gateway_api(plane: ControlPlane) -> None:
    """Gateway API's standard-channel CRDs, which the Gateway provider watches, before it starts."""
    httproutes = import_crds.crd_file("gateway_api")
    # The CRDs, not the folder's ValidatingAdmissionPolicy against installing older ones over them.
    crds = sorted(
        c for c in httproutes.parent.glob("gateway.networking.k8s.io_*.yaml") if "_vap_" not in c.name
    )
    for crd in crds:
        plane.run_kubectl("apply", "--server-side", "-f", str(crd))
    plane.run_kubectl("wait", "--for=condition=Established", "--timeout=60s", *(f"-f={c}" for c in crds))


def down(state_dir: Path) -> None:
    control_plane.stop(state_dir, "traefik", grace_seconds=10)


def _up(plane: ControlPlane) -> str:
    ingress = up(plane)
    return f"Traefik serves the cluster's Ingresses at {ingress.base_url} (log: {ingress.state_dir})"


def main(argv: list[str]) -> int:
    return control_plane.component_main(argv, __doc__ or "", _up, lambda plane_dir: down(plane_dir / STATE))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
