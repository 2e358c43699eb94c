"""The Ingress that routes ``todo.local`` to one workload's paths."""

from __future__ import annotations

from dataclasses import dataclass

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib.routing import Routable


@dataclass(frozen=True, kw_only=True)
class TodoIngressProps:
    """Props of :class:`TodoIngress`; the defaults are the spec's.

    Attributes:
        host: the host name the rules match, e.g. ``"todo.example.com"``.
        class_name: the IngressClass of the controller serving it.
    """

    host: str = "todo.local"
    class_name: str = "nginx"

    def __post_init__(self) -> None:
        check.check_host(type(self).__name__, "host", self.host)
        check.check_dns_subdomain(type(self).__name__, "class_name", self.class_name)


class TodoIngress(Construct):
    """One Ingress, named after its workload, routing the workload's paths to its Service.

    The backend's and the frontend's Ingress are separate objects, one per
    chart, as the Helm charts package them; the controller merges rules for the
    same host. Paths are portable (``Prefix``/``Exact``): no controller-specific
    rewrite or regex annotations, and ``/api`` reaches the backend unchanged.

    Example:
        ``TodoIngress(chart, "ingress", target=backend, props=TodoIngressProps(host="todo.example.com"))``

    Attributes:
        ingress: the cdk8s-plus Ingress.
        host: the host it routes.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        target: Routable,
        props: TodoIngressProps | None = None,
    ) -> None:
        super().__init__(scope, id)
        props = props if props is not None else TodoIngressProps()
        check.check_instance(type(self).__name__, "props", props, TodoIngressProps)
        check.check_instance(type(self).__name__, "target", target, Routable)
        self.host = props.host
        backend = kplus.IngressBackend.from_service(target.service, port=target.port)
        self.ingress = kplus.Ingress(
            self,
            "ingress",
            metadata=cdk8s.ApiObjectMetadata(
                name=target.name,
                labels=dict(target.labels),
                annotations=dict(target.route_annotations),
            ),
            class_name=props.class_name,
            rules=[
                kplus.IngressRule(
                    backend=backend,
                    host=props.host,
                    path=route.path,
                    path_type=kplus.HttpIngressPathType.EXACT
                    if route.exact
                    else kplus.HttpIngressPathType.PREFIX,
                )
                for route in target.route_paths
            ],
        )
