"""A production-shaped TodoApp is accepted by the real API server, PSS restricted and the Gateway API CRD."""

from __future__ import annotations

import json

import cdk8s

from constructs_lib import (
    Autoscaling,
    IngressTls,
    NetworkPolicy,
    TodoApp,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
    Toleration,
    ZeroDowntimeRollout,
)
from tests.support.cluster import RESTRICTED, Cluster, changed_fields
from tests.support.synth import synth_charts

NAMESPACE = "todo-prod"


def _production(name: str, **overrides: object) -> dict[str, object]:
    return {
        "image": f"registry.example.com/team/{name}",
        "image_tag": "1.2.3",
        "image_pull_policy": "IfNotPresent",
        "image_pull_secrets": ("registry-credentials",),
        "tolerations": (Toleration(key="dedicated", value="todo", effect="NoSchedule"),),
        "node_selector": {"kubernetes.io/arch": "amd64"},
        "pod_annotations": {"prometheus.io/scrape": "true"},
        "network_policy": NetworkPolicy(),
        "autoscaling": Autoscaling(),
        "pod_disruption_budget": True,
        "spread_pods": True,
        "zero_downtime_rollout": ZeroDowntimeRollout(),
        **overrides,
    }


def test_a_production_shaped_app_is_admitted_and_stored_as_written(cluster: Cluster) -> None:
    cluster.install_crd("gateway_api")
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        namespace=NAMESPACE,
        labels={"team": "web"},
        backend=TodoBackendProps(**_production("todo-backend", cors_origins=("https://todo.example.com",))),
        frontend=TodoFrontendProps(**_production("todo-frontend")),
        ingress=TodoIngressProps(
            host="todo.example.com", tls=IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt")
        ),
        http_route=TodoHttpRouteProps(
            gateway_name="public", gateway_namespace="gateways", host="todo.example.com"
        ),
    )
    objects = synth_charts(stack.backend_chart, stack.frontend_chart).objects
    namespace = {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": NAMESPACE, "labels": RESTRICTED},
    }
    cluster.kubectl("apply", "-f", "-", stdin=json.dumps(namespace))

    served = cluster.dry_run(objects, NAMESPACE)

    assert served.warnings == []
    assert {obj["kind"] for obj in served.objects} >= {
        "Deployment",
        "HTTPRoute",
        "Ingress",
        "HorizontalPodAutoscaler",
    }
    for written, stored in zip(objects, served.objects, strict=True):
        assert changed_fields(written, stored) == [], f"{written['kind']}/{written['metadata']['name']}"


def test_a_stack_that_creates_its_namespace_applies_to_a_fresh_cluster_in_file_order(
    cluster: Cluster,
) -> None:
    namespace = "todo-created"
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        namespace=namespace,
        create_namespace=True,
        backend=TodoBackendProps(image="registry.example.com/todo-backend", image_tag="1.2.3"),
        frontend=TodoFrontendProps(image="registry.example.com/todo-frontend", image_tag="1.2.3"),
    )
    assert stack.namespace_chart is not None
    # The namespace's chart first, as kubectl apply -f reads a folder in file name order.
    charts = (stack.namespace_chart, stack.backend_chart, stack.frontend_chart)
    objects = synth_charts(*charts).objects

    result = cluster.kubectl(
        "apply", "-f", "-", stdin=json.dumps({"kind": "List", "apiVersion": "v1", "items": objects})
    )

    assert "Warning" not in result.stderr, result.stderr
    created = cluster.kubectl("get", "namespace", namespace, "-o", "json")
    assert (
        json.loads(created.stdout)["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    )
    assert cluster.get("Deployment", namespace, "todo-backend")["metadata"]["name"] == "todo-backend"
