"""Snapshots pin each construct's whole output; the named tests beside them say which parts matter.

Update after a deliberate change with ``pytest tests/test_snapshots.py --snapshot-update``
and review the diff in ``tests/__snapshots__/``.
"""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

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


def _synth(build: Any) -> list[dict[str, Any]]:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test", disable_resource_name_hashes=True)
    build(chart)
    return cdk8s.Testing.synth(chart)


@pytest.mark.parametrize("props", [None, CUSTOM_BACKEND], ids=["default", "custom"])
def test_backend_snapshot(snapshot: Any, props: TodoBackendProps | None) -> None:
    assert _synth(lambda chart: TodoBackend(chart, "backend", props=props)) == snapshot


@pytest.mark.parametrize("props", [None, CUSTOM_FRONTEND], ids=["default", "custom"])
def test_frontend_snapshot(snapshot: Any, props: TodoFrontendProps | None) -> None:
    assert _synth(lambda chart: TodoFrontend(chart, "frontend", props=props)) == snapshot


@pytest.mark.parametrize("props", [None, CUSTOM_INGRESS], ids=["default", "custom"])
def test_ingress_snapshot(snapshot: Any, props: TodoIngressProps | None) -> None:
    def build(chart: cdk8s.Chart) -> None:
        backend = TodoBackend(chart, "backend")
        TodoIngress(chart, "ingress", target=backend, props=props)

    ingresses = [obj for obj in _synth(build) if obj["kind"] == "Ingress"]
    assert ingresses == snapshot


def test_custom_props_reach_the_objects() -> None:
    objects = {
        (o["kind"], o["metadata"]["name"]): o
        for o in _synth(lambda chart: TodoBackend(chart, "backend", props=CUSTOM_BACKEND))
    }
    deployment = objects[("Deployment", "todo-backend")]
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert deployment["spec"]["replicas"] == 3
    assert container["image"] == "registry.example.com/todo/backend:1.4.2"
    assert container["imagePullPolicy"] == "IfNotPresent"
    assert container["resources"]["limits"] == {"cpu": "1", "memory": "1Gi"}
    assert {env["valueFrom"]["secretKeyRef"]["name"] for env in container["env"]} == {"todo-prod-secrets"}
    assert objects[("ConfigMap", "todo-backend-config")]["data"] == {
        "JWT_ALGORITHM": "HS256",
        "JWT_EXPIRE_DAYS": "1",
        "CORS_ORIGINS": "https://todo.example.com,https://admin.example.com",
        "LOG_LEVEL": "info",
    }


def test_a_custom_frontend_port_moves_the_probes_service_and_port_variable_together() -> None:
    objects = {
        (o["kind"], o["metadata"]["name"]): o
        for o in _synth(lambda chart: TodoFrontend(chart, "frontend", props=CUSTOM_FRONTEND))
    }
    container = objects[("Deployment", "todo-frontend")]["spec"]["template"]["spec"]["containers"][0]
    assert container["ports"][0]["containerPort"] == 8080
    assert container["livenessProbe"]["tcpSocket"]["port"] == 8080
    assert container["readinessProbe"]["tcpSocket"]["port"] == 8080
    assert objects[("Service", "todo-frontend")]["spec"]["ports"][0]["port"] == 8080
    assert objects[("ConfigMap", "todo-frontend-config")]["data"]["PORT"] == "8080"
