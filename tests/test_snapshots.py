"""Snapshots of what non-default props change; dist/ (tests/test_dist.py) pins the defaults.

Each snapshot holds only the parts the props reach: the pod's container and
the objects' specs, not the labels and annotations other tests pin. Update
after a deliberate change with ``pytest tests/test_snapshots.py --snapshot-update``.
"""

from __future__ import annotations

from typing import Any

from constructs_lib import (
    IngressPath,
    Probe,
    PullPolicy,
    Resources,
    TodoBackend,
    TodoBackendProps,
    TodoFrontend,
    TodoFrontendProps,
    TodoIngress,
    TodoIngressProps,
)
from testbed.manifests import Manifests, only_container
from tests.support.synth import synth_chart

CUSTOM_BACKEND = TodoBackendProps(
    replicas=3,
    image="registry.example.com/todo/backend",
    image_tag="1.4.2",
    image_pull_policy=PullPolicy.IF_NOT_PRESENT,
    resources=Resources(cpu_request="500m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi"),
    liveness=Probe(http_path="/health", period_seconds=20, timeout_seconds=3),
    secret_name="todo-prod-secrets",
    jwt_expire_days=1,
    cors_origins=("https://todo.example.com", "https://admin.example.com"),
    extra_config={"LOG_LEVEL": "info"},
)
CUSTOM_FRONTEND = TodoFrontendProps(
    replicas=2,
    image_tag="1.4.2",
    port=8080,
    ingress_paths=(IngressPath(path="/"), IngressPath(path="/favicon.ico", exact=True)),
)
CUSTOM_INGRESS = TodoIngressProps(host="todo.example.com", class_name="traefik")


def _workload_parts(objects: Manifests, name: str) -> dict[str, Any]:
    deployment = objects.get("Deployment", name)
    return {
        "replicas": deployment["spec"]["replicas"],
        "container": only_container(deployment),
        "service": objects.get("Service", name)["spec"],
        "config": objects.get("ConfigMap", f"{name}-config")["data"],
    }


def test_custom_backend_snapshot(snapshot: Any) -> None:
    objects = synth_chart(lambda chart: TodoBackend(chart, "backend", props=CUSTOM_BACKEND))
    assert _workload_parts(objects, "todo-backend") == snapshot


def test_custom_frontend_snapshot(snapshot: Any) -> None:
    objects = synth_chart(lambda chart: TodoFrontend(chart, "frontend", props=CUSTOM_FRONTEND))
    assert _workload_parts(objects, "todo-frontend") == snapshot


def test_custom_ingress_snapshot(snapshot: Any) -> None:
    def build(chart: Any) -> None:
        TodoIngress(chart, "ingress", target=TodoBackend(chart, "backend"), props=CUSTOM_INGRESS)

    assert synth_chart(build).get("Ingress", "todo-backend")["spec"] == snapshot


def test_custom_props_reach_the_objects() -> None:
    objects = synth_chart(lambda chart: TodoBackend(chart, "backend", props=CUSTOM_BACKEND))
    deployment = objects.get("Deployment", "todo-backend")
    container = only_container(deployment)
    assert deployment["spec"]["replicas"] == 3
    assert container["image"] == "registry.example.com/todo/backend:1.4.2"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert {env["valueFrom"]["secretKeyRef"]["name"] for env in container["env"]} == {"todo-prod-secrets"}
    assert objects.get("ConfigMap", "todo-backend-config")["data"] == {
        "JWT_ALGORITHM": "HS256",
        "JWT_EXPIRE_DAYS": "1",
        "CORS_ORIGINS": "https://todo.example.com,https://admin.example.com",
        "LOG_LEVEL": "info",
    }


def test_a_custom_frontend_port_moves_the_probes_service_and_port_variable_together() -> None:
    objects = synth_chart(lambda chart: TodoFrontend(chart, "frontend", props=CUSTOM_FRONTEND))
    container = only_container(objects.get("Deployment", "todo-frontend"))
    assert container["ports"][0]["containerPort"] == 8080
    assert container["livenessProbe"]["tcpSocket"]["port"] == 8080
    assert container["readinessProbe"]["tcpSocket"]["port"] == 8080
    assert objects.get("Service", "todo-frontend")["spec"]["ports"][0]["port"] == 8080
    assert objects.get("ConfigMap", "todo-frontend-config")["data"]["PORT"] == "8080"
