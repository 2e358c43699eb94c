"""The HTTPRoute option against the real Gateway API CRD, installed from the pinned module."""

from __future__ import annotations

import copy

import pytest

from constructs_lib import IngressPath, TodoFrontendProps, TodoHttpRouteProps
from tests.support.cluster import Cluster, changed_fields
from tests.support.synth import synth_stack

ROUTE = TodoHttpRouteProps(gateway_name="public", gateway_namespace="gateways", host="todo.example.com")


@pytest.fixture(scope="module")
def gateway_cluster(cluster: Cluster) -> Cluster:
    cluster.install_crd("gateway_api")
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
