"""A Gateway API ``HTTPRoute`` (``gateway.networking.k8s.io/v1``) routing one workload's paths.

Where routing goes now that ingress-nginx is retired: the same portable paths
as :class:`~constructs_lib.ingress.TodoIngress` (``Prefix`` becomes
``PathPrefix``, ``Exact`` stays ``Exact``), attached to a Gateway the cluster
runs. Typed from the Gateway API CRD by ``cdk8s import`` (scripts/import_crds.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cdk8s import ApiObjectMetadata
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib._signature import init_signature
from constructs_lib.routing import DEFAULT_HOST, Routable

if TYPE_CHECKING:
    from constructs_lib._imports.gateway_api.io.k8s.networking.gateway import HttpRoute


@dataclass(frozen=True, kw_only=True)
class TodoHttpRouteProps:
    """Props of :class:`TodoHttpRoute`.

    Attributes:
        gateway_name: the Gateway the route attaches to, e.g. ``"public"``.
        gateway_namespace: the Gateway's namespace; ``None`` (default): the route's own.
        section_name: the Gateway listener to attach to, e.g. ``"https"``;
            ``None`` (default): every listener that admits the route.
        host: the host name the route matches, e.g. ``"todo.example.com"``.

    Example:
        ``TodoHttpRouteProps(gateway_name="public", gateway_namespace="gateways", host="todo.example.com")``
    """

    gateway_name: str
    gateway_namespace: str | None = None
    section_name: str | None = None
    host: str = DEFAULT_HOST

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check.check_dns_subdomain(owner, "gateway_name", self.gateway_name)
        if self.gateway_namespace is not None:
            check.check_namespace(owner, "gateway_namespace", self.gateway_namespace)
        if self.section_name is not None:
            check.check_dns_subdomain(owner, "section_name", self.section_name)
        check.check_host(owner, "host", self.host)


@init_signature
class TodoHttpRoute(Construct):
    """One HTTPRoute, named after its workload, sending the workload's paths to its Service.

    Example:
        ``TodoHttpRoute(chart, "route", target=backend, props=TodoHttpRouteProps(gateway_name="public"))``

    Attributes:
        route: the HTTPRoute object.
    """

    def __init__(self, scope: Construct, id: str, *, target: Routable, props: TodoHttpRouteProps) -> None:
        # The Gateway API bindings load here, not with the library: most apps never route through one.
        from constructs_lib._imports.gateway_api.io.k8s.networking.gateway import (
            HttpRoute,
            HttpRouteSpec,
            HttpRouteSpecParentRefs,
            HttpRouteSpecRules,
            HttpRouteSpecRulesBackendRefs,
            HttpRouteSpecRulesMatches,
            HttpRouteSpecRulesMatchesPath,
            HttpRouteSpecRulesMatchesPathType,
        )

        super().__init__(scope, id)
        owner = type(self).__name__
        check.check_instance(owner, "target", target, Routable)
        check.check_instance(owner, "props", props, TodoHttpRouteProps)
        check.check_gateway_paths(
            f"{owner}({target.name!r})", "route_paths", [route.path for route in target.route_paths]
        )
        backend = HttpRouteSpecRulesBackendRefs(name=target.service_name, port=target.port)
        self.route: HttpRoute = HttpRoute(
            self,
            "route",
            metadata=ApiObjectMetadata(
                name=target.name,
                labels=dict(target.labels),
                annotations=dict(target.route_annotations),
            ),
            spec=HttpRouteSpec(
                parent_refs=[
                    HttpRouteSpecParentRefs(
                        name=props.gateway_name,
                        namespace=props.gateway_namespace,
                        section_name=props.section_name,
                    )
                ],
                hostnames=[props.host],
                # One rule: every path of the workload goes to the same Service.
                rules=[
                    HttpRouteSpecRules(
                        matches=[
                            HttpRouteSpecRulesMatches(
                                path=HttpRouteSpecRulesMatchesPath(
                                    type=HttpRouteSpecRulesMatchesPathType.EXACT
                                    if route.exact
                                    else HttpRouteSpecRulesMatchesPathType.PATH_PREFIX,
                                    value=route.path,
                                )
                            )
                            for route in target.route_paths
                        ],
                        backend_refs=[backend],
                    )
                ],
            ),
        )
