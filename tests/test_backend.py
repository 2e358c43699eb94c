"""The backend as the spec describes it, read from the synthesized objects."""

from __future__ import annotations

from testbed.manifests import Manifests, only_container, pod_spec


def test_backend_runs_one_replica_of_the_local_image_never_pulled(default_stack: Manifests) -> None:
    deployment = default_stack.get("Deployment", "todo-backend")
    container = only_container(deployment)
    assert deployment["spec"]["replicas"] == 1
    assert container["image"] == "todo-backend:latest"
    assert container["imagePullPolicy"] == "Never"


def test_backend_listens_on_port_8000(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-backend"))
    assert container["ports"] == [{"containerPort": 8000, "name": "http", "protocol": "TCP"}]


def test_backend_requests_and_limits_are_the_specs(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-backend"))
    assert container["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }


def test_backend_liveness_gets_health_every_30s_with_5s_timeout(default_stack: Manifests) -> None:
    probe = only_container(default_stack.get("Deployment", "todo-backend"))["livenessProbe"]
    assert probe["httpGet"]["path"] == "/health"
    assert probe["httpGet"]["port"] == 8000
    assert (probe["periodSeconds"], probe["timeoutSeconds"]) == (30, 5)


def test_backend_readiness_gets_health_every_10s_with_5s_timeout(default_stack: Manifests) -> None:
    probe = only_container(default_stack.get("Deployment", "todo-backend"))["readinessProbe"]
    assert probe["httpGet"]["path"] == "/health"
    assert probe["httpGet"]["port"] == 8000
    assert (probe["periodSeconds"], probe["timeoutSeconds"]) == (10, 5)


def test_backend_has_no_implicit_startup_probe(default_stack: Manifests) -> None:
    assert "startupProbe" not in only_container(default_stack.get("Deployment", "todo-backend"))


def test_backend_reads_its_secrets_from_the_external_todo_secrets(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-backend"))
    refs = {env["name"]: env["valueFrom"]["secretKeyRef"] for env in container["env"]}
    assert refs == {
        key: {"name": "todo-secrets", "key": key}
        for key in ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY")
    }
    assert not default_stack.of_kind("Secret"), "the Secret is the user's; it is never rendered"


def test_backend_reads_jwt_and_cors_settings_from_its_configmap(default_stack: Manifests) -> None:
    config_map = default_stack.get("ConfigMap", "todo-backend-config")
    container = only_container(default_stack.get("Deployment", "todo-backend"))
    assert config_map["data"] == {
        "JWT_ALGORITHM": "HS256",
        "JWT_EXPIRE_DAYS": "7",
        "CORS_ORIGINS": "http://todo.local",
    }
    assert container["envFrom"] == [{"configMapRef": {"name": "todo-backend-config"}}]


def test_backend_service_is_cluster_ip_on_8000_selecting_the_backend_pods(
    default_stack: Manifests,
) -> None:
    service = default_stack.get("Service", "todo-backend")
    deployment = default_stack.get("Deployment", "todo-backend")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [{"name": "http", "port": 8000, "targetPort": 8000, "protocol": "TCP"}]
    assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]


def test_backend_can_write_only_to_an_emptydir_at_tmp(default_stack: Manifests) -> None:
    deployment = default_stack.get("Deployment", "todo-backend")
    container = only_container(deployment)
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert [mount["mountPath"] for mount in container["volumeMounts"]] == ["/tmp"]
    assert all("emptyDir" in volume for volume in pod_spec(deployment)["volumes"])
