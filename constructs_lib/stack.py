"""The whole Todo app as two cdk8s charts, as ``main.py`` and the Helm charts package it."""

from __future__ import annotations

import cdk8s
from constructs import Construct

from constructs_lib.backend import TodoBackend, TodoBackendProps
from constructs_lib.frontend import TodoFrontend, TodoFrontendProps
from constructs_lib.ingress import TodoIngress, TodoIngressProps


def add_todo_charts(
    scope: Construct,
    *,
    backend: TodoBackendProps | None = None,
    frontend: TodoFrontendProps | None = None,
    ingress: TodoIngressProps | None = None,
) -> tuple[cdk8s.Chart, cdk8s.Chart]:
    """Add a ``todo-backend`` and a ``todo-frontend`` chart to ``scope``.

    Each chart holds its workload and the Ingress for its paths, mirroring the
    Helm charts of the same names. Charts are named after the workloads, so
    with ``YamlOutputType.FILE_PER_CHART`` they synthesize to
    ``<name>.k8s.yaml``; give each stack in one app its own names.

    Returns:
        The backend chart and the frontend chart.
    """
    backend_props = backend or TodoBackendProps()
    frontend_props = frontend or TodoFrontendProps()
    charts = []
    for props, workload_type in ((backend_props, TodoBackend), (frontend_props, TodoFrontend)):
        # Stable object names: no cdk8s hash suffixes, so dist/ and the charts agree.
        chart = cdk8s.Chart(scope, props.name, disable_resource_name_hashes=True)
        workload = workload_type(chart, "workload", props=props)  # type: ignore[arg-type]
        TodoIngress(chart, "ingress", target=workload, props=ingress)
        charts.append(chart)
    return charts[0], charts[1]
