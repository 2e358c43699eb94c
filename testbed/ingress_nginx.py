"""An nginx config generated from Ingress objects, as ingress-nginx would write it, or from HTTPRoutes.

Only what the routing needs is modelled, and it follows ingress-nginx's own
translation (internal/ingress/controller: ``updateServerLocations``,
``normalizePrefixPath``; the template's ``buildLocation``):

- ``Exact`` ``/p`` becomes ``location = /p``.
- ``Prefix`` ``/p`` becomes ``location /p/`` plus ``location = /p`` (unless an
  Exact ``/p`` exists), so ``/api`` matches ``/api`` and ``/api/...`` but not
  ``/apiary``. ``Prefix`` ``/`` stays ``location /``.
- ``ImplementationSpecific`` without regex annotations is a plain nginx prefix
  ``location /p``.
- nginx itself picks the longest matching prefix and prefers ``=`` matches,
  so rule order does not matter; locations are written longest first anyway.
- A host with no ``/`` rule, and any unknown host, gets the default backend's
  404. A Service with no ready endpoints answers 503.

Of the annotations under ``nginx.ingress.kubernetes.io/``, ``proxy-body-size``
is modelled (nginx's ``client_max_body_size`` in the Ingress's locations, as
ingress-nginx writes it; without it both default to 1m). The others change
routing in ways this generator does not model, so they are refused rather
than silently ignored.

Gateway API HTTPRoutes are served by a real controller, Traefik's Gateway
provider (scripts/ingress.py); ``http_route_routes`` only reads them into the
same route records, for the routing tests' oracle. ``PathPrefix`` matches
element by element as ``Prefix`` does, ``Exact`` as ``Exact``, and an exact
match wins over any prefix, then the longest prefix wins. What differs from an
Ingress is only what an HTTPRoute cannot say: no ``ImplementationSpecific``
path type, and the backend port is a number, never a Service port name.
Filters, weights and header, query or method matches are refused as not
modelled.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

INGRESS_CLASS = "nginx"
CONTROLLER_ANNOTATIONS = "nginx.ingress.kubernetes.io/"
BODY_SIZE_ANNOTATION = CONTROLLER_ANNOTATIONS + "proxy-body-size"
PATH_TYPES = ("Exact", "Prefix", "ImplementationSpecific")


@dataclass(frozen=True)
class Route:
    """One Ingress path (or HTTPRoute path match): host, path, pathType and the Service (name, port) behind it."""

    host: str
    path: str
    path_type: str
    service: str
    port: int
    ingress: str
    kind: str = "Ingress"
    # nginx's client_max_body_size for this path; None: nginx's default (1m, ingress-nginx's too).
    max_body_size: str | None = None


@dataclass(frozen=True)
class Location:
    """One nginx location block: ``modifier`` is ``"="`` for exact matches, else ``""``."""

    modifier: str
    path: str
    route: Route

    @property
    def match(self) -> str:
        return f"= {self.path}" if self.modifier else self.path


def service_port_number(services: Mapping[str, Mapping[str, Any]], name: str, port: Mapping[str, Any]) -> int:
    """The Service port an Ingress backend names, by number or by port name."""
    assert name in services, f"Ingress backend names Service {name!r}, which is not in dist/"
    ports = services[name]["spec"]["ports"]
    if "number" in port:
        assert any(p["port"] == port["number"] for p in ports), f"Service {name} has no port {port}"
        return int(port["number"])
    (found,) = [p["port"] for p in ports if p.get("name") == port["name"]]
    return int(found)


def ingress_routes(
    ingresses: Iterable[Mapping[str, Any]], services: Mapping[str, Mapping[str, Any]]
) -> list[Route]:
    """Every path of the Ingresses of class ``nginx``, with its Service port resolved."""
    routes = []
    for ingress in ingresses:
        name = ingress["metadata"]["name"]
        spec = ingress["spec"]
        if spec.get("ingressClassName") != INGRESS_CLASS:
            continue
        annotations = ingress["metadata"].get("annotations") or {}
        unmodelled = sorted(
            key
            for key in annotations
            if key.startswith(CONTROLLER_ANNOTATIONS) and key != BODY_SIZE_ANNOTATION
        )
        if unmodelled:
            raise NotImplementedError(f"Ingress {name}: annotations {unmodelled} are not modelled here")
        if "defaultBackend" in spec:
            raise NotImplementedError(f"Ingress {name}: spec.defaultBackend is not modelled here")
        for rule in spec["rules"]:
            for path in rule["http"]["paths"]:
                path_type = path["pathType"]
                if path_type not in PATH_TYPES:
                    raise ValueError(f"Ingress {name}: unknown pathType {path_type!r}")
                backend = path["backend"]["service"]
                routes.append(
                    Route(
                        host=rule.get("host", ""),
                        path=path["path"],
                        path_type=path_type,
                        service=backend["name"],
                        port=service_port_number(services, backend["name"], backend["port"]),
                        ingress=name,
                        max_body_size=annotations.get(BODY_SIZE_ANNOTATION),
                    )
                )
    return routes


# Gateway API path match types -> the Ingress pathType that matches the same requests.
GATEWAY_PATH_TYPES = {"PathPrefix": "Prefix", "Exact": "Exact"}


def http_route_routes(
    http_routes: Iterable[Mapping[str, Any]], services: Mapping[str, Mapping[str, Any]]
) -> list[Route]:
    """Every path match of the HTTPRoutes, for each of their hostnames, with its Service port checked."""
    routes = []
    for http_route in http_routes:
        name = http_route["metadata"]["name"]
        spec = http_route["spec"]
        for rule in spec["rules"]:
            unmodelled = sorted(set(rule) - {"matches", "backendRefs"})
            (backend,) = rule["backendRefs"]
            if unmodelled or set(backend) - {"name", "port"}:
                raise NotImplementedError(f"HTTPRoute {name}: {unmodelled or backend} is not modelled here")
            port = service_port_number(services, backend["name"], {"number": backend["port"]})
            for match in rule["matches"]:
                if set(match) != {"path"} or match["path"]["type"] not in GATEWAY_PATH_TYPES:
                    raise NotImplementedError(f"HTTPRoute {name}: match {match} is not modelled here")
                for host in spec.get("hostnames") or [""]:
                    routes.append(
                        Route(
                            host=host,
                            path=match["path"]["value"],
                            path_type=GATEWAY_PATH_TYPES[match["path"]["type"]],
                            service=backend["name"],
                            port=port,
                            ingress=name,
                            kind="HTTPRoute",
                        )
                    )
    return routes


def locations(routes: Sequence[Route]) -> dict[str, list[Location]]:
    """nginx locations per host, as ingress-nginx's updateServerLocations builds them."""
    by_host: dict[str, dict[tuple[str, str], Location]] = {}

    def add(location: Location) -> None:
        host = by_host.setdefault(location.route.host, {})
        key = (location.modifier, location.path)
        if key in host and host[key].route != location.route:
            raise ValueError(
                f"host {location.route.host!r}: location {location.match} is claimed by {location.route.kind} "
                f"{host[key].route.ingress} and {location.route.ingress}"
            )
        host[key] = location

    exact = {(r.host, r.path) for r in routes if r.path_type == "Exact"}
    for route in routes:
        if route.path_type == "Exact":
            add(Location("=", route.path, route))
        elif route.path_type == "Prefix" and route.path != "/":
            add(Location("", route.path if route.path.endswith("/") else route.path + "/", route))
            if (route.host, route.path) not in exact:
                add(Location("=", route.path, route))
        else:
            add(Location("", route.path, route))
    return {
        host: sorted(found.values(), key=lambda loc: (-len(loc.path), loc.modifier == "", loc.path))
        for host, found in by_host.items()
    }


def upstream_name(service: str, port: int, namespace: str = "default") -> str:
    """ingress-nginx's upstream naming: ``<namespace>-<service>-<port>``."""
    return f"{namespace}-{service}-{port}"


_PROXY = """\
            proxy_set_header Host $host;
            proxy_set_header X-Request-ID $request_id;
            proxy_set_header X-Real-IP $remote_addr;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Forwarded-Host $host;
            proxy_set_header X-Forwarded-Port $server_port;
            proxy_set_header X-Forwarded-Proto $scheme;
            proxy_set_header Connection "";
            # Which pod answered: the rolling-restart test counts requests per pod.
            add_header X-Upstream-Addr $upstream_addr always;"""


def render(
    routes: Sequence[Route],
    endpoints: Mapping[tuple[str, int], Sequence[str]],
    *,
    listen: str,
    runtime_dir: Path,
) -> str:
    """The whole nginx.conf.

    ``endpoints`` maps (Service name, Service port) to the ready pods' ``ip:port``
    addresses, as the controller reads them from EndpointSlices. Everything
    nginx writes (pid, logs, temp files) goes under ``runtime_dir``.
    """
    upstreams = []
    for service, port in sorted({(r.service, r.port) for r in routes}):
        servers = endpoints.get((service, port), ())
        if servers:
            # max_fails=0: no passive health marking; only the endpoint list
            # decides, as with ingress-nginx's Lua balancer.
            lines = "".join(f"        server {address} max_fails=0;\n" for address in servers)
            # Idle connections kept per worker: ingress-nginx's upstream-keepalive-connections default.
            upstreams.append(
                f"    upstream {upstream_name(service, port)} {{\n{lines}        keepalive 320;\n    }}\n"
            )

    servers = []
    for host, host_locations in sorted(locations(routes).items()):
        blocks = []
        for location in host_locations:
            route = location.route
            if endpoints.get((route.service, route.port)):
                body = f"{_PROXY}\n            proxy_pass http://{upstream_name(route.service, route.port)};"
            else:
                body = "            return 503;"
            if route.max_body_size is not None:
                body = f"            client_max_body_size {route.max_body_size};\n{body}"
            blocks.append(
                f"        # {route.kind} {route.ingress}: {route.path} ({route.path_type})\n"
                f"        location {location.match} {{\n{body}\n        }}\n"
            )
        if not any(loc.match == "/" for loc in host_locations):
            blocks.append(
                "        location / {\n            return 404 'default backend - 404\\n';\n        }\n"
            )
        server_name = host or "_"
        servers.append(
            f"    server {{\n        listen {listen};\n        server_name {server_name};\n{''.join(blocks)}    }}\n"
        )

    return f"""\
# Generated from the Ingress objects in dist/ by testbed/ingress_nginx.py.
worker_processes 2;
pid {runtime_dir}/nginx.pid;
error_log {runtime_dir}/error.log notice;
# Each proxied request holds two connections (client and upstream): 1,000 clients
# in flight need more than nginx's default 1024. ingress-nginx allows 16384.
worker_rlimit_nofile 8192;

events {{
    worker_connections 4096;
}}

http {{
    log_format e2e '$remote_addr "$request" $status rt=$request_time host=$host upstream=$upstream_addr '
                   'ua="$http_user_agent"';
    access_log {runtime_dir}/access.log e2e;
    client_body_temp_path {runtime_dir}/client_body;
    proxy_temp_path {runtime_dir}/proxy;
    fastcgi_temp_path {runtime_dir}/fastcgi;
    uwsgi_temp_path {runtime_dir}/uwsgi;
    scgi_temp_path {runtime_dir}/scgi;

    # ingress-nginx's defaults for the settings that matter here.
    proxy_http_version 1.1;
    proxy_connect_timeout 5s;
    proxy_send_timeout 60s;
    proxy_read_timeout 60s;
    proxy_buffering off;
    client_max_body_size 1m;
    # Stricter than ingress-nginx (proxy-next-upstream "error timeout", 3 tries):
    # a request nginx sent to a dead or stopping pod fails instead of being
    # retried on another one, so a clean rollout has to be clean on its own.
    proxy_next_upstream off;

{"".join(upstreams)}
    # Unknown hosts: the controller's default backend.
    server {{
        listen {listen} default_server;
        server_name _;
        location / {{
            return 404 'default backend - 404\\n';
        }}
    }}

{"".join(servers)}}}
"""
