"""What a route (an Ingress or an HTTPRoute) needs from the workload it sends traffic to."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Protocol, runtime_checkable

import cdk8s_plus_27 as kplus

from constructs_lib.workload import IngressPath

# The spec's host: Minikube's Ingress serves the app at http://todo.local.
DEFAULT_HOST = "todo.local"
# ingress-nginx's IngressClass, the spec's (Minikube's ingress addon).
INGRESS_NGINX_CLASS = "nginx"


@runtime_checkable
class Routable(Protocol):
    """A Service with the HTTP paths routed to it. :class:`~constructs_lib.workload.Workload` is one.

    Attributes:
        name: the name the route object takes, e.g. ``"todo-backend"``.
        service: the Service traffic goes to.
        service_name: its name.
        port: its port.
        route_paths: the paths routed to it.
        labels: the labels the route object carries.
        route_annotations: the annotations the route object carries.
        ingress_nginx_annotations: the annotations its own Ingress carries
            for ingress-nginx (IngressClass ``nginx``), unless the Ingress's
            props set them.
    """

    name: str
    service: kplus.Service
    service_name: str
    port: int
    route_paths: tuple[IngressPath, ...]
    labels: Mapping[str, str]
    route_annotations: Mapping[str, str]
    ingress_nginx_annotations: Mapping[str, str]


def origin(host: str, *, https: bool) -> str:
    """The origin a browser sends for pages served at ``host``: no port, as routes serve the default one."""
    return f"{'https' if https else 'http'}://{host}"
