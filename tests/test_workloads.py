"""The backend and the frontend as the spec describes them, read from the synthesized objects."""

from __future__ import annotations

from typing import Any

import pytest

from testbed.manifests import Manifests, only_container, pod_spec


def _http_probe(period: int) -> dict[str, Any]:
    return {
        "httpGet": {"path": "/health", "port": 8000, "scheme": "HTTP"},
        "periodSeconds": period,
        "timeoutSeconds": 5,
        "failureThreshold": 3,
    }


def _tcp_probe(period: int) -> dict[str, Any]:
    # The spec sets no timeout for the frontend's probes; the API default (1 s) applies.
    return {"tcpSocket": {"port": 3000}, "periodSeconds": period, "failureThreshold": 3}


SPEC: dict[str, dict[str, Any]] = {
    "todo-backend": {
        "port": 8000,
        "resources": {
            "requests": {"cpu": "250m", "memory": "256Mi"},
            "limits": {"cpu": "500m", "memory": "512Mi"},
        },
        "probes": (_http_probe(30), _http_probe(10)),
        "config": {"JWT_ALGORITHM": "HS256", "JWT_EXPIRE_DAYS": "7", "CORS_ORIGINS": "http://todo.local"},
        "writable": ["/tmp"],
    },
    "todo-frontend": {
        "port": 3000,
        "resources": {
            "requests": {"cpu": "150m", "memory": "128Mi"},
            "limits": {"cpu": "300m", "memory": "256Mi"},
        },
        "probes": (_tcp_probe(30), _tcp_probe(10)),
        # HOSTNAME: the standalone server binds every interface, as a pod must.
        "config": {
            "PORT": "3000",
            "NODE_ENV": "production",
            "HOSTNAME": "0.0.0.0",
            "NEXT_TELEMETRY_DISABLED": "1",
        },
        "writable": ["/app/.next/cache", "/tmp"],
    },
}
WORKLOADS = pytest.mark.parametrize("name", SPEC)


@WORKLOADS
def test_one_replica_of_the_local_image_never_pulled_listens_on_its_port(
    default_stack: Manifests, name: str
) -> None:
    deployment = default_stack.get("Deployment", name)
    container = only_container(deployment)
    assert deployment["spec"]["replicas"] == 1
    assert (container["image"], container["imagePullPolicy"]) == (f"{name}:latest", "Never")
    assert container["ports"] == [{"containerPort": SPEC[name]["port"], "name": "http", "protocol": "TCP"}]


@WORKLOADS
def test_requests_and_limits_are_the_specs(default_stack: Manifests, name: str) -> None:
    assert only_container(default_stack.get("Deployment", name))["resources"] == SPEC[name]["resources"]


@WORKLOADS
def test_liveness_and_readiness_are_the_specs_with_no_implicit_startup_probe(
    default_stack: Manifests, name: str
) -> None:
    container = only_container(default_stack.get("Deployment", name))
    assert (container["livenessProbe"], container["readinessProbe"]) == SPEC[name]["probes"]
    assert "startupProbe" not in container


@WORKLOADS
def test_settings_come_from_the_workloads_configmap(default_stack: Manifests, name: str) -> None:
    container = only_container(default_stack.get("Deployment", name))
    assert default_stack.get("ConfigMap", f"{name}-config")["data"] == SPEC[name]["config"]
    assert container["envFrom"] == [{"configMapRef": {"name": f"{name}-config"}}]


@WORKLOADS
def test_service_is_cluster_ip_on_the_port_selecting_the_workloads_pods(
    default_stack: Manifests, name: str
) -> None:
    service = default_stack.get("Service", name)["spec"]
    port = SPEC[name]["port"]
    assert service["type"] == "ClusterIP"
    assert service["ports"] == [{"name": "http", "port": port, "targetPort": port, "protocol": "TCP"}]
    assert service["selector"] == default_stack.get("Deployment", name)["spec"]["selector"]["matchLabels"]


@WORKLOADS
def test_the_pod_can_write_only_to_its_empty_dirs(default_stack: Manifests, name: str) -> None:
    deployment = default_stack.get("Deployment", name)
    container = only_container(deployment)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert sorted(mount["mountPath"] for mount in container["volumeMounts"]) == SPEC[name]["writable"]
    assert all("emptyDir" in volume for volume in pod_spec(deployment)["volumes"])


def test_backend_reads_its_secrets_from_the_external_todo_secrets(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-backend"))
    refs = {env["name"]: env["valueFrom"]["secretKeyRef"] for env in container["env"]}
    assert refs == {
        key: {"name": "todo-secrets", "key": key}
        for key in ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY")
    }
    # The Secret is the user's: if dist/ held it, Argo CD's selfHeal would
    # overwrite the real values and prune would delete them.
    assert not default_stack.of_kind("Secret")


def test_frontend_needs_no_secrets(default_stack: Manifests) -> None:
    assert "env" not in only_container(default_stack.get("Deployment", "todo-frontend"))
