"""The HTTPRoute option against the real Gateway API CRD, installed from the pinned module."""

from __future__ import annotations

import copy
import importlib.util
import sys

import pytest

from constructs_lib import IngressPath, TodoFrontendProps, TodoHttpRouteProps
from tests.support.cluster import Cluster, changed_fields
from tests.support.manifests import REPO_ROOT
from tests.support.synth import synth_stack

ROUTE = TodoHttpRouteProps(gateway_name="public", gateway_namespace="gateways", host="todo.example.com")


def _import_crds() -> object:
    spec = importlib.util.spec_from_file_location("import_crds", REPO_ROOT / "scripts" / "import_crds.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["import_crds"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def gateway_cluster(cluster: Cluster) -> Cluster:
    crd = _import_crds().crd_file("gateway_api")  # type: ignore[attr-defined]
    cluster.kubectl("apply", "--server-side", "-f", str(crd))
    cluster.kubectl("wait", "--for=condition=Established", "crd/httproutes.gateway.networking.k8s.io")
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
