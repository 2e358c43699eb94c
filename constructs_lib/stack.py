"""The whole Todo app as two cdk8s charts, as ``main.py`` and the Helm charts package it."""

from __future__ import annotations

from collections import Counter

import cdk8s
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib.backend import TodoBackend, TodoBackendProps
from constructs_lib.frontend import TodoFrontend, TodoFrontendProps
from constructs_lib.http_route import TodoHttpRoute, TodoHttpRouteProps
from constructs_lib.ingress import TodoIngress, TodoIngressProps
from constructs_lib.workload import WorkloadProps

_OWNER = "add_todo_charts"


def add_todo_charts(
    scope: Construct,
    *,
    backend: TodoBackendProps | None = None,
    frontend: TodoFrontendProps | None = None,
    ingress: TodoIngressProps | None = None,
    http_route: TodoHttpRouteProps | None = None,
) -> tuple[cdk8s.Chart, cdk8s.Chart]:
    """Add a ``todo-backend`` and a ``todo-frontend`` chart to ``scope``.

    Each chart holds its workload and the Ingress for its paths, mirroring the
    Helm charts of the same names. Each workload is given the other's name, so
    that with ``network_policy`` the backend lets in only this stack's frontend
    and the frontend calls only this stack's backend. Charts are named after
    the workloads, so with ``YamlOutputType.FILE_PER_CHART`` they synthesize to
    ``<name>.k8s.yaml``; give each stack in one app its own names.

    Routing: an Ingress per chart by default (the spec's). With ``http_route``
    a Gateway API HTTPRoute per chart routes the same paths instead; give
    ``ingress`` as well to emit both while moving from one to the other.

    Raises:
        ValueError: a props object of the wrong class, or names or paths that
            collide with each other or with a chart already in ``scope``.

    Returns:
        The backend chart and the frontend chart.
    """
    backend_props = backend if backend is not None else TodoBackendProps()
    frontend_props = frontend if frontend is not None else TodoFrontendProps()
    check.check_instance(_OWNER, "backend", backend_props, TodoBackendProps)
    check.check_instance(_OWNER, "frontend", frontend_props, TodoFrontendProps)
    check.check_instance(
        _OWNER, "ingress", ingress if ingress is not None else TodoIngressProps(), TodoIngressProps
    )
    if http_route is not None:
        check.check_instance(_OWNER, "http_route", http_route, TodoHttpRouteProps)
    _check_collisions(scope, backend_props, frontend_props)
    # Stable object names: no cdk8s hash suffixes, so dist/ and the charts agree.
    backend_chart = cdk8s.Chart(scope, backend_props.name, disable_resource_name_hashes=True)
    backend_workload = TodoBackend(
        backend_chart, "workload", props=backend_props, frontend_name=frontend_props.name
    )
    frontend_chart = cdk8s.Chart(scope, frontend_props.name, disable_resource_name_hashes=True)
    frontend_workload = TodoFrontend(
        frontend_chart, "workload", props=frontend_props, backend_name=backend_props.name
    )
    for chart, workload in ((backend_chart, backend_workload), (frontend_chart, frontend_workload)):
        if http_route is None or ingress is not None:
            TodoIngress(chart, "ingress", target=workload, props=ingress)
        if http_route is not None:
            TodoHttpRoute(chart, "route", target=workload, props=http_route)
    return backend_chart, frontend_chart


def _check_collisions(scope: Construct, backend: TodoBackendProps, frontend: TodoFrontendProps) -> None:
    """Objects of one kind share a namespace, and one Ingress host shares its paths."""
    for field, props in (("backend", backend), ("frontend", frontend)):
        if scope.node.try_find_child(props.name) is not None:
            raise check.fail(
                _OWNER,
                f"{field}.name",
                props.name,
                "is already a chart in this app; give each stack its own names",
            )
    names = Counter(name for props in (backend, frontend) for name in object_names(props))
    for field, props in (("frontend", frontend), ("backend", backend)):
        for name in object_names(props):
            if names[name] > 1:
                raise check.fail(
                    _OWNER,
                    f"{field}.name",
                    props.name,
                    f"makes an object named {name!r} that the other workload makes too",
                )
    backend_paths = {route.path for route in backend.ingress_paths}
    for route in frontend.ingress_paths:
        if route.path in backend_paths:
            raise check.fail(
                _OWNER,
                "frontend.ingress_paths",
                route.path,
                "is routed to the backend already; route each path once",
            )


def object_names(props: WorkloadProps) -> set[str]:
    """The names of the objects one workload emits, whatever their kind."""
    return {props.name, f"{props.name}-config", f"{props.name}-default-deny"}
