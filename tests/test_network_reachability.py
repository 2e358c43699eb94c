"""Who can reach whom under the NetworkPolicies each packaging writes, as a truth table.

The verdicts come from cyclonus's NetworkPolicy matcher (tools/netpol-reach),
not from our reading of the API. Each table lists, for dist/, staging,
production, the charts under their own release names and the todo chart
installing both under one, what must get
through: the ingress controller or the Gateway to the frontend and to the
backend's routed port, the frontend to the backend, DNS, and the backend to
its database; and what must not: anyone else in or between the namespaces,
and another Todo stack's frontend.
"""

from __future__ import annotations

import json
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import cdk8s
import pytest

from constructs_lib import NetworkPolicy, TodoApp, TodoBackendProps, TodoFrontendProps, TodoHttpRouteProps
from testbed.cache import go_tool
from testbed.manifests import Manifests
from testbed.paths import DIST, REPO_ROOT
from tests.support.helm import helm_binary
from tests.support.synth import synth_charts

pytestmark = pytest.mark.slow

ENVIRONMENTS = REPO_ROOT / "environments" / "dist"
NAMESPACE = "todo"
GATEWAY_NAMESPACE = "gateways"
DATABASE = "10.20.0.5"


@dataclass(frozen=True)
class Pod:
    """A pod that opens or takes connections: its namespace, its labels, and its address."""

    namespace: str
    labels: Mapping[str, str]
    ip: str

    def peer(self) -> dict[str, Any]:
        return {
            "Internal": {
                "Namespace": self.namespace,
                "NamespaceLabels": {"kubernetes.io/metadata.name": self.namespace},
                "PodLabels": dict(self.labels),
            },
            "IP": self.ip,
        }


def _pods(manifests: Manifests, namespace: str) -> dict[str, Pod]:
    """The actors: the stack's two workloads as their pod templates label them, and the rest of the cluster."""
    workloads = {}
    for index, deployment in enumerate(manifests.of_kind("Deployment")):
        component = deployment["metadata"]["labels"]["app.kubernetes.io/component"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        workloads[component] = Pod(namespace, labels, f"10.244.0.{index + 10}")
    other_frontend = {**workloads["frontend"].labels, "app.kubernetes.io/instance": "other-todo-frontend"}
    return {
        **workloads,
        "ingress controller": Pod("ingress-nginx", {"app.kubernetes.io/name": "ingress-nginx"}, "10.244.1.2"),
        "gateway": Pod(
            GATEWAY_NAMESPACE, {"gateway.envoyproxy.io/owning-gateway-name": "public"}, "10.244.1.3"
        ),
        "another stack's frontend": Pod(namespace, other_frontend, "10.244.0.30"),
        "a pod elsewhere": Pod("elsewhere", {"app": "curl"}, "10.244.2.2"),
        "a pod beside it": Pod(namespace, {"app": "curl"}, "10.244.0.40"),
        "cluster DNS": Pod("kube-system", {"k8s-app": "kube-dns"}, "10.244.3.2"),
        "database": Pod("", {}, DATABASE),
    }


# (source, destination, port): port "http" is the destination's container port.
CONNECTIONS = (
    ("ingress controller", "frontend", "http"),
    ("ingress controller", "backend", "http"),
    ("gateway", "frontend", "http"),
    ("gateway", "backend", "http"),
    ("frontend", "backend", "http"),
    ("frontend", "cluster DNS", 53),
    ("backend", "cluster DNS", 53),
    ("backend", "database", 5432),
    ("backend", "frontend", "http"),
    ("another stack's frontend", "backend", "http"),
    ("a pod beside it", "backend", "http"),
    ("a pod beside it", "frontend", "http"),
    ("a pod elsewhere", "frontend", "http"),
    ("frontend", "database", 5432),
)
ALL = dict.fromkeys(CONNECTIONS, True)
# With the policies: the routers, the stack's own calls and DNS in; nothing else.
ROUTED_THROUGH_BOTH = {
    **dict.fromkeys(CONNECTIONS, False),
    ("ingress controller", "frontend", "http"): True,
    ("ingress controller", "backend", "http"): True,
    ("gateway", "frontend", "http"): True,
    ("gateway", "backend", "http"): True,
    ("frontend", "backend", "http"): True,
    ("frontend", "cluster DNS", 53): True,
    ("backend", "cluster DNS", 53): True,
    ("backend", "database", 5432): True,
}


def _traffic(
    pods: Mapping[str, Pod], manifests: Manifests, connection: tuple[str, str, Any]
) -> dict[str, Any]:
    source, destination, port = connection
    if port == "http":
        deployment = next(
            d
            for d in manifests.of_kind("Deployment")
            if d["metadata"]["labels"]["app.kubernetes.io/component"] == destination
        )
        number = deployment["spec"]["template"]["spec"]["containers"][0]["ports"][0]["containerPort"]
        name = "http"
    else:
        number, name = port, ""
    return {
        "Source": pods[source].peer(),
        "Destination": pods[destination].peer() if pods[destination].namespace else {"IP": DATABASE},
        "ResolvedPort": number,
        "ResolvedPortName": name,
        "Protocol": "UDP" if port == 53 else "TCP",
    }


def _verdicts(manifests: Manifests, traffic: list[dict[str, Any]]) -> list[dict[str, bool]]:
    """cyclonus's verdict on each connection under the manifests' NetworkPolicies."""
    request = {"policies": manifests.of_kind("NetworkPolicy"), "traffic": traffic}
    answer = subprocess.run(
        [go_tool("netpol-reach")], input=json.dumps(request), capture_output=True, text=True, check=True
    ).stdout.splitlines()
    return [json.loads(line) for line in answer]


def reachability(manifests: Manifests, namespace: str) -> dict[tuple[str, str, Any], bool]:
    """Each connection of :data:`CONNECTIONS`: whether both ends' policies let it through."""
    pods = _pods(manifests, namespace)
    verdicts = _verdicts(manifests, [_traffic(pods, manifests, connection) for connection in CONNECTIONS])
    return {
        connection: verdict["ingress"] and verdict["egress"]
        for connection, verdict in zip(CONNECTIONS, verdicts, strict=True)
    }


def _namespaced(manifests: Manifests) -> Manifests:
    """Objects as the namespace they are applied to holds them: a policy without one is in the stack's."""
    for obj in manifests:
        obj["metadata"].setdefault("namespace", NAMESPACE)
    return manifests


def test_dist_writes_no_policies_so_every_connection_gets_through() -> None:
    assert reachability(_namespaced(Manifests.from_dir(DIST)), NAMESPACE) == ALL


@pytest.mark.parametrize("environment", ["staging", "production"])
def test_an_environment_lets_in_its_gateway_and_controller_and_nothing_else(environment: str) -> None:
    manifests = Manifests.from_dir(ENVIRONMENTS / environment)
    assert reachability(manifests, f"todo-{environment}") == ROUTED_THROUGH_BOTH


@pytest.mark.parametrize("label", ["helm3", "helm4"])
def test_the_charts_under_their_own_release_names_let_in_the_same(label: str) -> None:
    helm = helm_binary(label)
    common = {
        "networkPolicy": {"enabled": True},
        "httpRoute": {"enabled": True, "gatewayName": "public", "gatewayNamespace": GATEWAY_NAMESPACE},
    }
    backend = helm.template(
        "prod-backend",
        "todo-backend",
        values={**common, "networkPolicy": {"enabled": True, "frontendName": "prod-frontend"}},
    )
    frontend = helm.template(
        "prod-frontend",
        "todo-frontend",
        values={**common, "networkPolicy": {"enabled": True, "backendName": "prod-backend"}},
    )
    assert reachability(_namespaced(Manifests(backend + frontend)), NAMESPACE) == ROUTED_THROUGH_BOTH


@pytest.mark.parametrize("label", ["helm3", "helm4"])
def test_the_todo_chart_lets_in_the_same_with_both_workloads_under_one_release_name(label: str) -> None:
    common = {
        "networkPolicy": {"enabled": True},
        "httpRoute": {"enabled": True, "gatewayName": "public", "gatewayNamespace": GATEWAY_NAMESPACE},
    }
    rendered = helm_binary(label).template(
        "prod", "todo", values={"todo-backend": common, "todo-frontend": common}
    )
    assert reachability(_namespaced(Manifests(rendered)), NAMESPACE) == ROUTED_THROUGH_BOTH


def test_a_gateway_in_the_stacks_namespace_is_let_in_by_its_name_label() -> None:
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        namespace=NAMESPACE,
        backend=TodoBackendProps(network_policy=NetworkPolicy()),
        frontend=TodoFrontendProps(network_policy=NetworkPolicy()),
        http_route=TodoHttpRouteProps(gateway_name="public"),
    )
    manifests = synth_charts(stack.backend_chart, stack.frontend_chart)
    gateway_here = Pod(NAMESPACE, {"gateway.networking.k8s.io/gateway-name": "public"}, "10.244.0.50")
    other_gateway = Pod(NAMESPACE, {"gateway.networking.k8s.io/gateway-name": "private"}, "10.244.0.51")
    pods = _pods(manifests, NAMESPACE)
    traffic = [
        {**_traffic(pods, manifests, ("gateway", "frontend", "http")), "Source": gateway.peer()}
        for gateway in (gateway_here, other_gateway)
    ]
    assert [verdict["ingress"] for verdict in _verdicts(manifests, traffic)] == [True, False]
