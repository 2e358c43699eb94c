"""The Ingress objects in dist/ and the HTTPRoutes of the same stack route as specified, on the node's pods.

The HTTPRoutes are served by Traefik's Gateway API provider, a real
controller (scripts/ingress.py). Gateway API's HTTPRoute matching (PathPrefix
element-wise, Exact first, then the longest prefix) is the oracle, and each
request's answering pod is read from Traefik's access log.

The Ingresses are served by real nginx configured the way ingress-nginx
translates pathTypes (testbed/ingress_nginx.py), a stand-in kept because the
oracle here is ingress-nginx's behaviour, the controller the Ingresses name:
Traefik's emulation of it breaks the tie between an Exact and a Prefix rule
of equal length differently (docs/routing.md). The oracle is the Kubernetes
Ingress spec itself (element-wise Prefix matching, Exact, longest match first,
Exact over Prefix on a tie), so a translation mistake shows up as a request
reaching the wrong Service.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from constructs_lib import TodoHttpRouteProps
from testbed import ingress_nginx
from testbed.ingress_nginx import Route
from testbed.manifests import Manifests
from testbed.node_stack import NodeStack as Stack
from tests.node.argocd import ingress_script, traefik
from tests.support.cluster import wait_for
from tests.support.synth import synth_stack

# The Gateway the HTTPRoutes attach to, in the stack's namespace (as the charts' httpRoute.gatewayName).
GATEWAY = "public"


def _services(dist: Manifests) -> dict[str, dict]:
    return {s["metadata"]["name"]: s for s in dist.of_kind("Service")}


def _routes(dist: Manifests) -> list[Route]:
    return ingress_nginx.ingress_routes(dist.of_kind("Ingress"), _services(dist))


def spec_match(routes: list[Route], host: str, path: str) -> Route | None:
    """The route the Kubernetes Ingress spec picks for host + path (ImplementationSpecific: string prefix)."""

    def elements(p: str) -> list[str]:
        return [e for e in p.split("/") if e]

    candidates = []
    for route in routes:
        if route.host not in ("", host):
            continue
        if route.path_type == "Exact":
            matched = path == route.path
        elif route.path_type == "Prefix":
            want = elements(route.path)
            matched = elements(path)[: len(want)] == want
        else:
            matched = path.startswith(route.path)
        if matched:
            candidates.append(route)
    return max(candidates, key=lambda r: (len(r.path), r.path_type == "Exact"), default=None)


def _probe_paths(routes: list[Route]) -> list[str]:
    """Paths around every rule's boundaries: the path, a child, a sibling sharing its prefix."""
    paths = {"/", "/tasks", "/robots.txt"}
    for route in routes:
        base = route.path.rstrip("/")
        paths |= {route.path, base or "/", f"{base}/", f"{base}/x/y", f"{base}ary", f"{base}-x"}
    return sorted(paths)


def _service_of(stack: Stack, response: httpx.Response) -> str | None:
    """Which Service's pod answered, from nginx's $upstream_addr; None for nginx's own answers."""
    return _owner(stack, response.headers.get("x-upstream-addr", ""))


def _owner(stack: Stack, address: str) -> str | None:
    """The Service whose ready endpoint ``address`` (ip:port) is."""
    owners = {
        address: service for (service, _), addresses in stack.endpoints().items() for address in addresses
    }
    return owners.get(address)


def test_every_path_reaches_the_service_the_ingress_spec_picks(
    stack: Stack, ingress: httpx.Client, dist: Manifests, ingress_host: str
) -> None:
    routes = _routes(dist)
    assert {r.path_type for r in routes} >= {"Prefix", "Exact"}, routes
    seen = {}
    for path in _probe_paths(routes):
        expected = spec_match(routes, ingress_host, path)
        response = ingress.get(path)
        seen[path] = (_service_of(stack, response), expected and expected.service)
    assert {p: got for p, (got, _) in seen.items()} == {p: want for p, (_, want) in seen.items()}
    # Both workloads were reached: the comparison above is not vacuous.
    assert {got for got, _ in seen.values()} >= {"todo-backend", "todo-frontend"}


def test_health_reaches_the_backend(ingress: httpx.Client) -> None:
    response = ingress.get("/health")
    assert (response.status_code, response.json()) == (200, {"status": "healthy"})


def test_api_prefix_reaches_the_backend_unchanged(ingress: httpx.Client) -> None:
    # The backend's own JSON 404 for a path only it could have seen under /api:
    # were /api stripped, /api/tasks below would be /tasks, which the backend lacks.
    unknown = ingress.get("/api/no-such-route")
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/json"
    assert unknown.json() == {"detail": "Not Found"}
    unauthenticated = ingress.get("/api/tasks")
    assert unauthenticated.status_code == 401
    assert unauthenticated.headers["content-type"] == "application/json"


def test_a_body_over_the_backends_limit_is_refused_by_the_controller_before_the_pod(
    stack: Stack, ingress: httpx.Client
) -> None:
    # 64 KiB is the backend's own bound (backend/app/body_limit.py), which its
    # Ingress passes on to ingress-nginx; within it the body reaches the app.
    marker = "body-limit-probe"
    small = ingress.post("/api/tasks", content=b"x" * 1024, headers={"User-Agent": marker})
    large = ingress.post("/api/tasks", content=b"x" * (65 * 1024), headers={"User-Agent": marker})
    assert small.status_code == 401  # the app's answer: no token
    assert large.status_code == 413
    assert stack.nginx is not None
    (logged,) = stack.nginx.logged(lambda line: '" 413 ' in line and marker in line)
    assert "upstream=-" in logged  # nginx answered; no pod saw the body


def test_root_and_deep_links_reach_the_frontend(stack: Stack, ingress: httpx.Client) -> None:
    page = ingress.get("/")
    assert page.status_code == 200
    assert "<title>Todo</title>" in page.text
    scripts = re.findall(r'src="(/_next/static/[^"]+\.js)"', page.text)
    assert scripts, "the page references no script under /_next/static"
    for url in [*scripts, "/robots.txt"]:
        asset = ingress.get(url)
        assert (asset.status_code, _service_of(stack, asset)) == (200, "todo-frontend"), url
    # A deep link the app does not define is Next.js's own 404 page, not nginx's.
    missing = ingress.get("/tasks/42")
    assert missing.status_code == 404
    assert _service_of(stack, missing) == "todo-frontend"
    assert "<html" in missing.text and "/_next/static" in missing.text


@pytest.fixture(scope="module")
def gateway_routes(dist: Manifests, ingress_host: str) -> list[Route]:
    """The HTTPRoutes the spec's stack emits when routed through a Gateway, for dist/'s Services."""
    http_routes = synth_stack(http_route=TodoHttpRouteProps(gateway_name=GATEWAY, host=ingress_host))
    return ingress_nginx.http_route_routes(http_routes.of_kind("HTTPRoute"), _services(dist))


@dataclass
class Gateway:
    """A client of Traefik serving the HTTPRoutes through a Gateway, in front of the stack's pods."""

    stack: Stack
    traefik: Any
    client: httpx.Client

    def get(self, path: str, host: str | None = None) -> tuple[httpx.Response, str | None]:
        """The response, and the Service whose pod answered (None when Traefik answered itself)."""
        probe = uuid.uuid4().hex
        headers = {ingress_script.PROBE_HEADER: probe, **({"Host": host} if host else {})}
        response = self.client.get(path, headers=headers)
        entry = wait_for("Traefik to log the request", lambda: self.traefik.access_log(probe), timeout=10)
        return response, _owner(self.stack, entry.get("ServiceAddr", ""))


def _accepted(route: dict[str, Any]) -> bool:
    conditions = [c for parent in route.get("status", {}).get("parents", []) for c in parent["conditions"]]
    wanted = {"Accepted", "ResolvedRefs"}
    return wanted <= {c["type"] for c in conditions if c["status"] == "True"}


@pytest.fixture(scope="module")
def gateway(stack: Stack, ingress_host: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Gateway]:
    """Traefik's Gateway API provider serving the stack's HTTPRoutes, through a Gateway in its namespace."""
    http_routes = synth_stack(http_route=TodoHttpRouteProps(gateway_name=GATEWAY, host=ingress_host))
    routes = http_routes.of_kind("HTTPRoute")
    cluster, namespace = stack.cluster, stack.namespace
    with traefik(cluster, tmp_path_factory.mktemp("gateway"), namespace, ingresses=False) as running:
        listener = {"name": "web", "protocol": "HTTP", "port": running.port}
        gateway_object = {
            "apiVersion": "gateway.networking.k8s.io/v1",
            "kind": "Gateway",
            "metadata": {"name": GATEWAY},
            "spec": {
                "gatewayClassName": ingress_script.GATEWAY_CLASS["metadata"]["name"],
                "listeners": [listener],
            },
        }
        cluster.apply([gateway_object, *routes], namespace)
        try:
            wait_for(
                "Traefik to accept the HTTPRoutes",
                lambda: all(
                    _accepted(cluster.get("httproute", namespace, r["metadata"]["name"])) for r in routes
                ),
            )
            with httpx.Client(
                base_url=running.base_url, headers={"Host": ingress_host}, timeout=15
            ) as client:
                gateway = Gateway(stack, running, client)
                # Traefik reloads its routers on a schedule of its own, after it writes the routes' status.
                wait_for("Traefik to route through the Gateway", lambda: gateway.get("/")[1], timeout=30)
                yield gateway
        finally:
            for obj in [*routes, gateway_object]:
                cluster.kubectl(
                    "delete", obj["kind"].lower(), obj["metadata"]["name"], "-n", namespace, check=False
                )


def test_every_path_reaches_the_service_gateway_api_picks_and_the_ingress_does(
    stack: Stack,
    gateway: httpx.Client,
    ingress: httpx.Client,
    gateway_routes: list[Route],
    dist: Manifests,
    ingress_host: str,
) -> None:
    seen = {}
    for path in _probe_paths(gateway_routes):
        expected = spec_match(gateway_routes, ingress_host, path)
        seen[path] = (gateway.get(path)[1], expected and expected.service)
    assert {p: got for p, (got, _) in seen.items()} == {p: want for p, (_, want) in seen.items()}
    assert {got for got, _ in seen.values()} >= {"todo-backend", "todo-frontend"}
    # Same props, same answers: routing through the Gateway changes no path's Service.
    assert {p: _service_of(stack, ingress.get(p)) for p in seen} == {p: got for p, (got, _) in seen.items()}


def test_a_host_outside_the_http_routes_hostnames_gets_a_404(gateway: Gateway) -> None:
    response, service = gateway.get("/health", host="other.example")
    assert (response.status_code, service) == (404, None)


def test_unknown_host_gets_the_default_backend(stack: Stack) -> None:
    assert stack.nginx is not None
    response = httpx.get(f"{stack.nginx.base_url}/health", headers={"Host": "other.example"}, timeout=10)
    assert (response.status_code, response.text) == (404, "default backend - 404\n")
    assert "x-upstream-addr" not in response.headers


# The translation itself, on Ingress objects made up for the purpose.


def _ingress(name: str, *paths: tuple[str, str, str], annotations: dict | None = None) -> dict:
    return {
        "metadata": {"name": name, "annotations": annotations or {}},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [
                {
                    "host": "h.test",
                    "http": {
                        "paths": [
                            {
                                "path": p,
                                "pathType": t,
                                "backend": {"service": {"name": s, "port": {"number": 80}}},
                            }
                            for p, t, s in paths
                        ]
                    },
                }
            ],
        },
    }


SERVICES = {name: {"spec": {"ports": [{"port": 80}]}} for name in ("a", "b", "c")}


def _matches(*paths: tuple[str, str, str]) -> list[tuple[str, str]]:
    routes = ingress_nginx.ingress_routes([_ingress("i", *paths)], SERVICES)
    return [(loc.match, loc.route.service) for loc in ingress_nginx.locations(routes)["h.test"]]


def test_prefix_adds_a_segment_location_and_an_exact_one() -> None:
    assert _matches(("/api", "Prefix", "a"), ("/", "Prefix", "b")) == [
        ("/api/", "a"),
        ("= /api", "a"),
        ("/", "b"),
    ]


def test_exact_is_an_exact_location_and_wins_over_the_prefix_twin() -> None:
    assert _matches(("/x", "Prefix", "a"), ("/x", "Exact", "b")) == [("/x/", "a"), ("= /x", "b")]


def test_implementation_specific_is_a_plain_nginx_prefix() -> None:
    assert _matches(("/docs", "ImplementationSpecific", "c")) == [("/docs", "c")]


def test_two_ingresses_claiming_one_location_are_refused() -> None:
    routes = ingress_nginx.ingress_routes(
        [_ingress("one", ("/api", "Exact", "a")), _ingress("two", ("/api", "Exact", "b"))], SERVICES
    )
    with pytest.raises(ValueError, match="claimed by Ingress one and two"):
        ingress_nginx.locations(routes)


def test_controller_annotations_are_refused_not_ignored() -> None:
    rewrite = {"nginx.ingress.kubernetes.io/rewrite-target": "/"}
    with pytest.raises(NotImplementedError, match="rewrite-target"):
        ingress_nginx.ingress_routes([_ingress("i", ("/api", "Prefix", "a"), annotations=rewrite)], SERVICES)


def _http_route(*matches: tuple[str, str], rule: dict | None = None) -> dict:
    return {
        "metadata": {"name": "r"},
        "spec": {
            "hostnames": ["h.test"],
            "rules": [
                {
                    "matches": [{"path": {"type": t, "value": v}} for t, v in matches],
                    "backendRefs": [{"name": "a", "port": 80}],
                    **(rule or {}),
                }
            ],
        },
    }


@pytest.mark.parametrize(
    "route",
    [
        _http_route(("RegularExpression", "/a.*")),
        _http_route(("PathPrefix", "/"), rule={"filters": [{"type": "URLRewrite"}]}),
    ],
    ids=["regular-expression", "filters"],
)
def test_http_route_features_not_modelled_are_refused_not_ignored(route: dict) -> None:
    with pytest.raises(NotImplementedError):
        ingress_nginx.http_route_routes([route], SERVICES)


def test_a_service_without_ready_endpoints_answers_503(tmp_path) -> None:
    routes = ingress_nginx.ingress_routes([_ingress("i", ("/", "Prefix", "a"))], SERVICES)
    text = ingress_nginx.render(routes, {("a", 80): []}, listen="127.0.0.1:1", runtime_dir=tmp_path)
    assert "return 503;" in text
    assert not re.search(r"^\s*upstream ", text, re.MULTILINE)
