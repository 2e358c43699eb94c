"""The cluster's resource metrics API: metrics-server, which the HorizontalPodAutoscalers read.

Real clusters run it (Minikube as its ``metrics-server`` addon); without it an
autoscaler cannot read its pods' CPU and stays ``ScalingActive=False``, which
Argo CD reports as Degraded. It scrapes the kubelet's ``/metrics/resource``
(the node's own certificate is self-signed, hence ``--kubelet-insecure-tls``,
as Minikube's addon runs it) and serves ``metrics.k8s.io`` through the API
server's aggregation layer: the APIService names a Service whose endpoint is
the address it listens on, the node's, since no kube-proxy runs beside the API
server (``--enable-aggregator-routing``, scripts/control_plane.py).

It runs out of cluster with the control plane's kubeconfig. Built from
``tools/metrics-server`` once per machine, or taken from the folder
``$METRICS_SERVER_ASSETS`` names (scripts/go_tools.py).

Usage: ``metrics_server.py up [CONTROL_PLANE_DIR] | down [CONTROL_PLANE_DIR]``.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from scripts import control_plane  # noqa: E402
from scripts.control_plane import ControlPlane  # noqa: E402
from scripts.go_tools import METRICS_SERVER  # noqa: E402
from scripts.node import host_ip  # noqa: E402

NAMESPACE = "kube-system"
NAME = "metrics-server"
# Where up() keeps its state, in the control plane's state dir unless told otherwise.
STATE = "metrics-server"
# How often it scrapes the kubelet: the shortest it allows, so an autoscaler has CPU figures soon;
# a scrape must time out sooner than that (the kubelet is on this machine).
RESOLUTION = "10s"
KUBELET_TIMEOUT = "5s"
AVAILABLE_TIMEOUT_SECONDS = 60


def registration(address: str, port: int) -> list[dict[str, object]]:
    """The APIService, and the Service and endpoint the API server proxies it to."""
    return [
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": NAME, "namespace": NAMESPACE},
            "spec": {"ports": [{"name": "https", "port": 443, "targetPort": port}]},
        },
        {
            "apiVersion": "v1",
            "kind": "Endpoints",
            "metadata": {"name": NAME, "namespace": NAMESPACE},
            "subsets": [{"addresses": [{"ip": address}], "ports": [{"name": "https", "port": port}]}],
        },
        {
            "apiVersion": "apiregistration.k8s.io/v1",
            "kind": "APIService",
            "metadata": {"name": "v1beta1.metrics.k8s.io"},
            "spec": {
                "service": {"name": NAME, "namespace": NAMESPACE, "port": 443},
                "group": "metrics.k8s.io",
                "version": "v1beta1",
                # Its serving certificate is self-signed, as in metrics-server's own manifests.
                "insecureSkipTLSVerify": True,
                "groupPriorityMinimum": 100,
                "versionPriority": 100,
            },
        },
    ]


def up(plane: ControlPlane, state_dir: Path | None = None) -> Path:
    """Start metrics-server and register its API; return once the API server reports it available."""
    state_dir = state_dir or plane.state_dir / STATE
    binary = METRICS_SERVER.assets_dir() / METRICS_SERVER.name
    down(state_dir)
    shutil.rmtree(state_dir, ignore_errors=True)
    (state_dir / "pids").mkdir(parents=True)
    # Run from a path in the state dir, so stopping it finds only what this dir started.
    (state_dir / NAME).symlink_to(binary)
    address, (port,) = host_ip(), control_plane.free_ports(1)
    kubeconfig = str(plane.kubeconfig)
    control_plane._start(
        state_dir,
        NAME,
        [
            str(state_dir / NAME),
            f"--kubeconfig={kubeconfig}",
            f"--authentication-kubeconfig={kubeconfig}",
            f"--authorization-kubeconfig={kubeconfig}",
            f"--bind-address={address}",
            f"--secure-port={port}",
            f"--cert-dir={state_dir / 'certs'}",
            f"--metric-resolution={RESOLUTION}",
            f"--kubelet-request-timeout={KUBELET_TIMEOUT}",
            "--kubelet-use-node-status-port",
            "--kubelet-preferred-address-types=InternalIP",
            "--kubelet-insecure-tls",
        ],
    )
    try:
        control_plane.wait_for_port(state_dir, NAME, port, host=address)
        for item in registration(address, port):
            plane.run_kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(item))
        _wait_available(plane, state_dir)
    except BaseException:
        down(state_dir)
        raise
    return state_dir


def _wait_available(plane: ControlPlane, state_dir: Path) -> None:
    deadline = time.monotonic() + AVAILABLE_TIMEOUT_SECONDS
    while True:
        service = json.loads(plane.run_kubectl("get", "apiservice", "v1beta1.metrics.k8s.io", "-o", "json"))
        conditions = service.get("status", {}).get("conditions", [])
        if any(c["type"] == "Available" and c["status"] == "True" for c in conditions):
            return
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"the metrics API is not available: {json.dumps(conditions)}; see {state_dir / NAME}.log"
            )
        time.sleep(0.5)


def down(state_dir: Path) -> None:
    control_plane.stop(state_dir, NAME, grace_seconds=10)


def _up(plane: ControlPlane) -> str:
    state_dir = up(plane)
    return f"metrics-server serves the metrics API (kubectl top pods; log: {state_dir / NAME}.log)"


def main(argv: list[str]) -> int:
    return control_plane.component_main(argv, __doc__ or "", _up, lambda plane_dir: down(plane_dir / STATE))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
