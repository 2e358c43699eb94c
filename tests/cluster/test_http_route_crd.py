"""The HTTPRoute option against the real Gateway API CRD, installed from the pinned module."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
import yaml

from constructs_lib import IngressPath, TodoBackendProps, TodoFrontendProps, TodoHttpRouteProps
from constructs_lib import _validation as check
from testbed.paths import REPO_ROOT
from tests.support.cluster import Cluster, changed_fields
from tests.support.helm import HELM_VERSIONS
from tests.support.synth import synth_stack

ROUTE = TodoHttpRouteProps(gateway_name="public", gateway_namespace="gateways", host="todo.example.com")


@pytest.fixture(scope="module")
def gateway_cluster(cluster: Cluster) -> Cluster:
    # The Gateway and its class too, for the runbook's Gateway.
    cluster.install_crd(
        "gateway_api",
        "gateway.networking.k8s.io_gatewayclasses.yaml",
        "gateway.networking.k8s.io_gateways.yaml",
    )
    return cluster


def _routes() -> list[dict]:
    frontend = TodoFrontendProps(
        ingress_paths=(IngressPath(path="/"), IngressPath(path="/favicon.ico", exact=True))
    )
    return synth_stack(frontend=frontend, http_route=ROUTE).of_kind("HTTPRoute")


def test_the_routes_are_accepted_by_the_crd_and_read_back_as_written(gateway_cluster: Cluster) -> None:
    routes = _routes()
    assert [route["metadata"]["name"] for route in routes] == ["todo-backend", "todo-frontend"]
    namespace = gateway_cluster.namespace("routes")
    gateway_cluster.apply(routes, namespace)
    for route in routes:
        live = gateway_cluster.get("httproute", namespace, route["metadata"]["name"])
        assert changed_fields(route, live) == []


def test_a_wildcard_host_we_accept_the_crd_accepts(gateway_cluster: Cluster) -> None:
    route = TodoHttpRouteProps(gateway_name="public", host="*.todo.example.com")
    routes = synth_stack(
        backend=TodoBackendProps(cors_origins=("https://eu.todo.example.com",)), http_route=route
    ).of_kind("HTTPRoute")
    namespace = gateway_cluster.namespace("wildcard-routes")
    gateway_cluster.apply(routes, namespace)
    for route_object in routes:
        live = gateway_cluster.get("httproute", namespace, route_object["metadata"]["name"])
        assert live["spec"]["hostnames"] == ["*.todo.example.com"]


def test_a_route_the_crd_refuses_is_refused(gateway_cluster: Cluster) -> None:
    broken = copy.deepcopy(_routes()[0])
    broken["spec"]["rules"][0]["matches"][0]["path"]["value"] = "api"
    result = gateway_cluster.kubectl(
        "create",
        "--dry-run=server",
        "-n",
        gateway_cluster.namespace("routes"),
        "-f",
        "-",
        stdin=__import__("json").dumps(broken),
        check=False,
    )
    assert result.returncode != 0
    assert "path" in result.stderr


def test_the_runbooks_gateway_and_the_gateway_applications_charts_are_accepted(
    gateway_cluster: Cluster,
) -> None:
    # What `scripts/minikube-up.sh --gateway` applies: the Gateway, then the charts
    # with the values argocd/gateway/ gives them; the HTTPRoutes attach to that Gateway.
    namespace = gateway_cluster.namespace("gateway-runbook")
    gateway_objects = list(yaml.safe_load_all((REPO_ROOT / "scripts" / "minikube-gateway.yaml").read_text()))
    (gateway,) = [obj for obj in gateway_objects if obj["kind"] == "Gateway"]
    gateway["metadata"]["namespace"] = namespace
    gateway_cluster.apply(gateway_objects, namespace)

    helm = HELM_VERSIONS["helm3"]
    routes = []
    for path in sorted((REPO_ROOT / "argocd" / "gateway").glob("*.yaml")):
        source = yaml.safe_load(path.read_text())["spec"]["source"]
        chart = Path(source["path"]).name
        objects = helm.template(source["helm"]["releaseName"], chart, values=source["helm"]["valuesObject"])
        assert not [obj for obj in objects if obj["kind"] == "Ingress"], path
        gateway_cluster.apply(objects, namespace)
        routes += [obj for obj in objects if obj["kind"] == "HTTPRoute"]

    assert [route["spec"]["parentRefs"] for route in routes] == [[{"name": gateway["metadata"]["name"]}]] * 2


def _dry_run(cluster: Cluster, route: dict) -> str:
    result = cluster.kubectl(
        "create", "--dry-run=server", "-n", cluster.namespace("routes"), "-f", "-",
        stdin=json.dumps(route), check=False,
    )  # fmt: skip
    return result.stderr if result.returncode else ""


def test_the_gateway_path_rule_is_the_crds_at_its_edges(gateway_cluster: Cluster) -> None:
    # The longest path of every allowed character, which the constructs emit, the CRD takes.
    edge = "/" + ("a-._~!$&'()*+,;=:@%2B" * 60)[: check.GATEWAY_PATH_MAX - 1]
    longest = IngressPath(path=edge)
    (route, *_) = synth_stack(backend=TodoBackendProps(ingress_paths=(longest,)), http_route=ROUTE).of_kind(
        "HTTPRoute"
    )
    assert _dry_run(gateway_cluster, route) == ""

    # One past each edge: what TodoHttpRoute refuses, the CRD refuses too.
    for path, count in ((edge + "a", 1), ("/api#top", 1), ("/p", check.GATEWAY_MATCHES_MAX + 1)):
        with pytest.raises(ValueError, match=r"route_paths"):
            synth_stack(
                backend=TodoBackendProps(
                    ingress_paths=tuple(IngressPath(path=f"{path}{i}") for i in range(count))
                ),
                http_route=ROUTE,
            )
        broken = copy.deepcopy(route)
        broken["spec"]["rules"][0]["matches"] = [
            {"path": {"type": "PathPrefix", "value": f"{path}{i}"}} for i in range(count)
        ]
        assert _dry_run(gateway_cluster, broken) != "", path[:20]
