"""The HTTPRoute option against the real Gateway API CRD, installed from the pinned module."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml

from constructs_lib import IngressPath, TodoFrontendProps, TodoHttpRouteProps
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
