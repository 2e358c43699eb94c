"""The whole Todo app as two cdk8s charts, as ``main.py`` and the Helm charts package it."""

from __future__ import annotations

import dataclasses
import re
import types
from collections import Counter
from collections.abc import Mapping

import cdk8s
from cdk8s_plus_27 import k8s
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib._signature import init_signature
from constructs_lib.backend import TodoBackend, TodoBackendProps
from constructs_lib.chart import TodoChart
from constructs_lib.frontend import TodoFrontend, TodoFrontendProps
from constructs_lib.http_route import TodoHttpRoute, TodoHttpRouteProps
from constructs_lib.ingress import IngressTls, TodoIngress, TodoIngressProps
from constructs_lib.network_policy import NetworkPeer, NetworkPolicy, gateway_peer
from constructs_lib.pod_settings import (
    ANNOTATIONS_MAX_BYTES,
    LIBRARY_ANNOTATIONS_BOUND,
    annotations_size,
    check_annotations_with_library,
    check_metadata_map,
)
from constructs_lib.routing import origin
from constructs_lib.workload import PART_OF, WorkloadProps

WILDCARD_ORIGINS = (
    "is a wildcard, which gives no one origin to derive the backend's CORS origins from; set "
    "backend.cors_origins to the origins browsers send, e.g. 'https://app.example.com'"
)
# The chart holding the Namespace object, with create_namespace: "namespace.k8s.yaml" sorts first.
NAMESPACE_CHART = "namespace"
CHART_PREFIX_MAX = 100
_CHART_PREFIX = re.compile(rf"([a-z0-9][-a-z0-9]{{0,{CHART_PREFIX_MAX - 1}}})?")
# The Pod Security Standards profile the pods meet, enforced by the namespace they get.
POD_SECURITY_LABELS = types.MappingProxyType(
    {f"pod-security.kubernetes.io/{mode}": "restricted" for mode in ("enforce", "audit", "warn")}
)


@init_signature
class TodoApp(Construct):
    """One Todo stack: a ``todo-backend`` and a ``todo-frontend`` chart, each with its routes.

    The charts mirror the Helm charts of the same names. Each workload is
    given the other's name, so that with ``network_policy`` the backend lets
    in only this stack's frontend and the frontend calls only this stack's
    backend. Charts are named after the workloads, so with
    ``YamlOutputType.FILE_PER_CHART`` they synthesize to ``<name>.k8s.yaml``;
    give each stack in one app its own names.

    Routing: an Ingress per chart by default (the spec's), or the frontend's
    one for both with ``TodoIngressProps(per_workload=False)``. With ``http_route``
    a Gateway API HTTPRoute per chart routes the same paths instead; give
    ``ingress`` as well to emit both while moving from one to the other.

    Example:
        ``TodoApp(app, "todo", namespace="todo-prod", backend=TodoBackendProps(replicas=2))``

    Attributes:
        backend_chart: the chart holding the backend and its routes.
        frontend_chart: the chart holding the frontend and its routes.
        backend: the :class:`TodoBackend`.
        frontend: the :class:`TodoFrontend`.
        ingresses: the Ingresses, backend's first (only the frontend's without
            ``per_workload``); empty with only ``http_route``.
        http_routes: the HTTPRoutes, backend's first; empty without ``http_route``.

    Raises:
        ValueError: a props object of the wrong class, a bad namespace or
            label, or names or paths that collide with each other or with a
            chart already in the app.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        backend: TodoBackendProps | None = None,
        frontend: TodoFrontendProps | None = None,
        ingress: TodoIngressProps | None = None,
        http_route: TodoHttpRouteProps | None = None,
        namespace: str | None = None,
        labels: Mapping[str, str] = types.MappingProxyType({}),
        annotations: Mapping[str, str] = types.MappingProxyType({}),
        create_namespace: bool = False,
        chart_prefix: str = "",
    ) -> None:
        """Build the two charts.

        Args:
            backend: the backend's props; ``None``: the spec's.
            frontend: the frontend's props; ``None``: the spec's.
            ingress: the Ingresses' host and class; ``None``: the spec's.
            http_route: the Gateway to route through instead of (or, with
                ``ingress``, beside) the Ingresses; ``None`` (default): none.
            namespace: written into every object, e.g. ``"todo-prod"``;
                ``None`` (default): left to Argo CD or ``kubectl -n``.
            labels: more labels on every object and on the pods, e.g.
                ``{"team": "web"}``; never in selectors. Keys with a prefix
                the library writes (``app.kubernetes.io/``, ...) are refused;
                a workload's ``pod_labels`` win on its pods.
            annotations: more annotations on every object (not the pods:
                ``pod_annotations``), e.g. ``{"owner": "team-web@example.com"}``;
                an object's own annotation of the same key wins. Keys with a
                prefix the library writes are refused.
            create_namespace: ``True`` emits ``namespace`` as a Namespace
                object, in a chart ``<chart_prefix>namespace`` of its own (its
                file sorts first), labelled to enforce the Pod Security
                Standards "restricted" profile; ``False`` (default): the
                namespace exists already (or Argo CD creates it).
            chart_prefix: put before each chart's name, e.g. ``"staging-"``, so
                two stacks with the same workload names fit in one app (in
                different namespaces); ``""`` (default): the charts are named
                after the workloads.
        """
        super().__init__(scope, id)
        owner = type(self).__name__
        backend_props = backend if backend is not None else TodoBackendProps()
        frontend_props = frontend if frontend is not None else TodoFrontendProps()
        check.check_instance(owner, "backend", backend_props, TodoBackendProps)
        check.check_instance(owner, "frontend", frontend_props, TodoFrontendProps)
        check.check_instance(
            owner, "ingress", ingress if ingress is not None else TodoIngressProps(), TodoIngressProps
        )
        if http_route is not None:
            check.check_instance(owner, "http_route", http_route, TodoHttpRouteProps)
        if namespace is not None:
            check.check_namespace(owner, "namespace", namespace)
        check.check_bool(owner, "create_namespace", create_namespace)
        if create_namespace and namespace is None:
            raise check.fail(
                owner, "create_namespace", True, "needs namespace: the name of the Namespace to create"
            )
        if not isinstance(chart_prefix, str) or not _CHART_PREFIX.fullmatch(chart_prefix):
            raise check.fail(
                owner,
                "chart_prefix",
                chart_prefix,
                f"must be empty or up to {CHART_PREFIX_MAX} lowercase letters, digits and '-', starting "
                "with a letter or digit, e.g. 'staging-'",
            )
        ingress_props = ingress if ingress is not None else TodoIngressProps()
        routes_through_ingress = http_route is None or ingress is not None
        if backend_props.cors_origins is None:
            # The backend allows the origins its stack serves pages from, not the spec's todo.local.
            backend_props = dataclasses.replace(
                backend_props,
                cors_origins=route_origins(ingress_props if routes_through_ingress else None, http_route),
            )
        _check_image_sources(owner, backend_props, frontend_props)
        if http_route is not None:
            # The Gateway's proxies route to both workloads: their policies let them in.
            gateway = gateway_peer(http_route.gateway_name, http_route.gateway_namespace)
            backend_props = dataclasses.replace(
                backend_props, network_policy=_admit(backend_props.network_policy, gateway)
            )
            frontend_props = dataclasses.replace(
                frontend_props, network_policy=_admit(frontend_props.network_policy, gateway)
            )
        # Keys the library writes are refused: cdk8s would let the library's own win silently.
        check_metadata_map(owner, "labels", labels, labels=True)
        check_metadata_map(owner, "annotations", annotations, labels=False)
        if labels:
            # On the pods too, where cost and policy tools read them; cdk8s labels only metadata.
            backend_props = dataclasses.replace(
                backend_props, pod_labels={**labels, **backend_props.pod_labels}
            )
            frontend_props = dataclasses.replace(
                frontend_props, pod_labels={**labels, **frontend_props.pod_labels}
            )
        # The charts sit beside this construct, so their objects are named as before.
        app = scope
        self.namespace: str | None = namespace
        self.object_names: frozenset[str] = frozenset(
            name for props in (backend_props, frontend_props) for name in object_names(props)
        )
        _check_collisions(owner, app, backend_props, frontend_props, chart_prefix, create_namespace)
        tls = ingress_props.tls if routes_through_ingress else None
        _check_tls_secret(owner, backend_props, tls)
        # What this stack claims beyond its namespace's object names, for the stacks after it.
        self.routes: frozenset[RouteClaim] = frozenset(
            _route_claims(
                namespace,
                backend_props,
                frontend_props,
                ingress_props if routes_through_ingress else None,
                http_route,
            )
        )
        self.external_secret_name: str | None = (
            backend_props.secret_name if backend_props.secret_source is not None else None
        )
        self.tls_claim: tuple[IngressTls, str] | None = None if tls is None else (tls, ingress_props.host)
        _check_other_stacks(owner, app, self, backend_names=frozenset(object_names(backend_props)))

        def chart(name: str, chart_namespace: str | None = namespace) -> TodoChart:
            # Stable object names: no cdk8s hash suffixes, so dist/ and the charts agree.
            return TodoChart(
                app,
                f"{chart_prefix}{name}",
                disable_resource_name_hashes=True,
                namespace=chart_namespace,
                labels=dict(labels) or None,
                annotations=annotations,
            )

        self.namespace_chart: TodoChart | None = None
        self.namespace_object: k8s.KubeNamespace | None = None
        if create_namespace and namespace is not None:
            # Cluster-scoped: its chart writes no namespace into it.
            self.namespace_chart = chart(NAMESPACE_CHART, chart_namespace=None)
            self.namespace_object = k8s.KubeNamespace(
                self.namespace_chart,
                "namespace",
                metadata=k8s.ObjectMeta(
                    name=namespace, labels={**POD_SECURITY_LABELS, "app.kubernetes.io/part-of": PART_OF}
                ),
            )

        self.backend_chart: TodoChart = chart(backend_props.name)
        self.backend: TodoBackend = TodoBackend(
            self.backend_chart, "workload", props=backend_props, frontend_name=frontend_props.name
        )
        self.frontend_chart: TodoChart = chart(frontend_props.name)
        self.frontend: TodoFrontend = TodoFrontend(
            self.frontend_chart, "workload", props=frontend_props, backend_name=backend_props.name
        )
        ingresses, routes = [], []
        for target, where in ((self.backend, self.backend_chart), (self.frontend, self.frontend_chart)):
            if routes_through_ingress and (ingress_props.per_workload or target is self.frontend):
                # The frontend's Ingress (the host's "/") asks cert-manager for the
                # certificate; without per_workload it routes the backend's paths too.
                ingresses.append(
                    TodoIngress(
                        where,
                        "ingress",
                        target=target,
                        props=ingress_props,
                        issues_certificate=target is self.frontend,
                        also=() if ingress_props.per_workload else (self.backend,),
                    )
                )
            if http_route is not None:
                routes.append(TodoHttpRoute(where, "route", target=target, props=http_route))
        self.ingresses: tuple[TodoIngress, ...] = tuple(ingresses)
        self.http_routes: tuple[TodoHttpRoute, ...] = tuple(routes)
        user_annotations = [
            ingress_props.annotations,
            *(props.service_annotations for props in (backend_props, frontend_props)),
            *(
                props.service_account.annotations
                for props in (backend_props, frontend_props)
                if props.service_account
            ),
        ]
        _check_annotation_sizes(
            owner, annotations, user_annotations, (self.backend_chart, self.frontend_chart)
        )


def _check_annotation_sizes(
    owner: str,
    annotations: Mapping[str, str],
    user_annotations: list[Mapping[str, str]],
    charts: tuple[TodoChart, ...],
) -> None:
    """Each object's annotations, the library's, the props' and ``annotations``, fit the API server's limit."""
    if (
        sum(map(annotations_size, [annotations, *user_annotations])) + LIBRARY_ANNOTATIONS_BOUND
        <= ANNOTATIONS_MAX_BYTES
    ):
        # Nothing can reach the limit: spare the round trip to each object's metadata.
        return
    for chart in charts:
        for obj in chart.node.find_all():
            if isinstance(obj, cdk8s.ApiObject):
                # Blame the stack's annotations when given; else the object's own (an Ingress's, say).
                field = "annotations" if annotations else f"{obj.kind}/{obj.name} annotations"
                own = obj.metadata.to_json().get("annotations") or {}
                check_annotations_with_library(owner, field, dict(annotations), own)


def route_origins(ingress: TodoIngressProps | None, http_route: TodoHttpRouteProps | None) -> tuple[str, ...]:
    """The origins browsers send from pages the stack's routes serve, each once.

    An Ingress's host over https with TLS, else http; an HTTPRoute's over
    https, as Gateways listen for browsers. ``ingress`` is ``None`` when no
    Ingress is emitted.

    Raises:
        ValueError: a host is a wildcard, which serves many origins.
    """
    origins = []
    for field, host, https in (
        ("ingress.host", ingress.host if ingress else None, ingress is not None and ingress.tls is not None),
        ("http_route.host", http_route.host if http_route else None, True),
    ):
        if host is None:
            continue
        if host.startswith(check.WILDCARD_PREFIX):
            raise check.fail("TodoApp", field, host, WILDCARD_ORIGINS)
        origins.append(origin(host, https=https))
    return tuple(dict.fromkeys(origins))


def _admit(policy: NetworkPolicy | None, peer: NetworkPeer) -> NetworkPolicy | None:
    """The network policy, if any, letting ``peer`` in first among ``ingress_from``."""
    if policy is None:
        return None
    return dataclasses.replace(policy, ingress_from=(peer, *policy.ingress_from))


def _check_image_sources(owner: str, backend: TodoBackendProps, frontend: TodoFrontendProps) -> None:
    """Both images come from a registry, or both are built on the node: a stack is for one kind of cluster."""
    local = {
        field: check.is_local_image(props.image)
        for field, props in (("backend", backend), ("frontend", frontend))
    }
    for field, other in (("frontend", "backend"), ("backend", "frontend")):
        props = backend if field == "backend" else frontend
        if local[field] and not local[other] and props.pull_policy == "Never":
            raise check.fail(
                owner,
                f"{field}.image",
                props.image,
                f"must come from a registry too, as {other}.image does: a local image with pull policy Never "
                "runs only on a node that built it",
            )


def add_todo_charts(
    scope: Construct,
    *,
    backend: TodoBackendProps | None = None,
    frontend: TodoFrontendProps | None = None,
    ingress: TodoIngressProps | None = None,
    http_route: TodoHttpRouteProps | None = None,
) -> tuple[cdk8s.Chart, cdk8s.Chart]:
    """Shorthand for :class:`TodoApp` when only its two charts are wanted.

    Returns:
        The backend chart and the frontend chart.
    """
    stack = TodoApp(
        scope, _stack_id(scope), backend=backend, frontend=frontend, ingress=ingress, http_route=http_route
    )
    return stack.backend_chart, stack.frontend_chart


def _stack_id(scope: Construct) -> str:
    """A construct id no other stack in ``scope`` has."""
    taken = {child.node.id for child in scope.node.children}
    return next(
        f"todo-stack-{index}" for index in range(len(taken) + 1) if f"todo-stack-{index}" not in taken
    )


def _check_collisions(
    owner: str,
    scope: Construct,
    backend: TodoBackendProps,
    frontend: TodoFrontendProps,
    chart_prefix: str,
    create_namespace: bool,
) -> None:
    """Objects of one kind share a namespace, and one Ingress host shares its paths."""
    charts = [("backend.name", backend.name), ("frontend.name", frontend.name)]
    if create_namespace:
        charts.append(("create_namespace", NAMESPACE_CHART))
    for field, name in charts:
        if scope.node.try_find_child(f"{chart_prefix}{name}") is not None:
            raise check.fail(
                owner,
                field,
                name,
                f"makes a chart {chart_prefix + name!r} this app has already; give each stack its own "
                "chart_prefix (or names)",
            )
    names = Counter(name for props in (backend, frontend) for name in object_names(props))
    for field, props in (("frontend", frontend), ("backend", backend)):
        for name in object_names(props):
            if names[name] > 1:
                raise check.fail(
                    owner,
                    f"{field}.name",
                    props.name,
                    f"makes an object named {name!r} that the other workload makes too",
                )
    accounts = [
        props.service_account.name_for(props.name)
        for props in (backend, frontend)
        if props.service_account is not None and props.service_account.create
    ]
    if len(accounts) == 2 and accounts[0] == accounts[1]:
        raise check.fail(
            owner,
            "frontend.service_account.name",
            accounts[1],
            "is the backend's ServiceAccount too; give each its own, or create it once and name it in the other",
        )
    backend_paths = {route.match_key for route in backend.ingress_paths}
    for route in frontend.ingress_paths:
        if route.match_key in backend_paths:
            raise check.fail(
                owner,
                "frontend.ingress_paths",
                route.path,
                "is routed to the backend already; route each path once",
            )


# (kind, where it attaches: the IngressClass or the Gateway, host, what the path matches), and
# the field that sets the host. Ingress controllers and Gateways serve every namespace: a host
# and path routed twice goes to one of the two stacks, whichever the controller picks.
RouteClaim = tuple[tuple[str, str, str, str], str]


def _route_claims(
    namespace: str | None,
    backend: TodoBackendProps,
    frontend: TodoFrontendProps,
    ingress: TodoIngressProps | None,
    http_route: TodoHttpRouteProps | None,
) -> list[RouteClaim]:
    paths = [route.match_key for props in (backend, frontend) for route in props.ingress_paths]
    claims: list[RouteClaim] = []
    if ingress is not None:
        where = f"IngressClass {ingress.class_name or '(the default)'}"
        claims += [(("Ingress", where, ingress.host, path), "ingress.host") for path in paths]
    if http_route is not None:
        gateway = f"Gateway {http_route.gateway_namespace or namespace or '(the stack namespace)'}/{http_route.gateway_name}"
        claims += [(("HTTPRoute", gateway, http_route.host, path), "http_route.host") for path in paths]
    return claims


def _check_tls_secret(owner: str, backend: TodoBackendProps, tls: IngressTls | None) -> None:
    """The Ingress's certificate and the backend's settings are two Secrets when anything writes either."""
    if tls is None or tls.secret_name != backend.secret_name:
        return
    writer = "the External Secrets Operator" if backend.secret_source is not None else None
    if tls.cluster_issuer is not None:
        writer = "cert-manager" if writer is None else f"{writer} and cert-manager"
    if writer is not None:
        raise check.fail(
            owner,
            "ingress.tls.secret_name",
            tls.secret_name,
            f"is the backend's secret_name too, which {writer} would write over; give the certificate its own Secret",
        )


def _check_other_stacks(
    owner: str, scope: Construct, stack: TodoApp, *, backend_names: frozenset[str]
) -> None:
    """No two stacks claim one object, route or Secret: the second would take the first's."""
    for other in scope.node.children:
        if other is stack or not isinstance(other, TodoApp):
            continue
        theirs = f"the stack {other.node.id!r}"
        if other.namespace == stack.namespace:
            _check_one_namespace(owner, stack, other, backend_names=backend_names)
        # Controllers serve every namespace: routes collide across namespaces too.
        for route, field in sorted(stack.routes):
            if any(route == claimed for claimed, _ in other.routes):
                kind, where, host, path = route
                raise check.fail(
                    owner,
                    field,
                    host,
                    f"routes {path!r} through {where}, as {theirs} does already ({kind} controllers serve "
                    "every namespace); give each stack its own host or paths",
                )


def _check_one_namespace(
    owner: str, stack: TodoApp, other: TodoApp, *, backend_names: frozenset[str]
) -> None:
    """Two stacks in one namespace share no object name, ExternalSecret target or issued certificate."""
    theirs = f"the stack {other.node.id!r}"
    shared = sorted(stack.object_names & other.object_names)
    if shared:
        raise check.fail(
            owner,
            "backend.name" if shared[0] in backend_names else "frontend.name",
            shared[0],
            f"is an object {theirs} makes in the same namespace too; give each "
            "stack its own workload names, or its own namespace",
        )
    if stack.external_secret_name is not None and stack.external_secret_name == other.external_secret_name:
        raise check.fail(
            owner,
            "backend.secret_name",
            stack.external_secret_name,
            f"is written by an ExternalSecret of {theirs} in the same namespace too; give each stack's "
            "ExternalSecret its own Secret",
        )
    if stack.tls_claim is not None and other.tls_claim is not None:
        (tls, host), (their_tls, their_host) = stack.tls_claim, other.tls_claim
        issuers = [t.cluster_issuer for t in (tls, their_tls) if t.cluster_issuer is not None]
        # cert-manager issues one Secret for one Ingress's hosts: a second issuer, or a
        # second host on the issued certificate, breaks one of the two stacks.
        if tls.secret_name == their_tls.secret_name and (
            len(issuers) == 2 or (issuers and host != their_host)
        ):
            raise check.fail(
                owner,
                "ingress.tls.secret_name",
                tls.secret_name,
                f"is the certificate Secret of {theirs} in the same namespace, for {their_host!r}, and "
                "cert-manager issues it for one host and one Ingress; give each stack its own",
            )


def object_names(props: WorkloadProps) -> set[str]:
    """The names of the objects one workload emits, whatever their kind."""
    return {props.name, f"{props.name}-config", f"{props.name}-default-deny"}
