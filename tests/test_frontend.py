"""The frontend as the spec describes it, read from the synthesized objects."""

from __future__ import annotations

from testbed.manifests import Manifests, only_container


def test_frontend_runs_one_replica_of_the_local_image_never_pulled(default_stack: Manifests) -> None:
    deployment = default_stack.get("Deployment", "todo-frontend")
    container = only_container(deployment)
    assert deployment["spec"]["replicas"] == 1
    assert container["image"] == "todo-frontend:latest"
    assert container["imagePullPolicy"] == "Never"
    assert container["ports"] == [{"containerPort": 3000, "name": "http", "protocol": "TCP"}]


def test_frontend_requests_and_limits_are_the_specs(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-frontend"))
    assert container["resources"] == {
        "requests": {"cpu": "150m", "memory": "128Mi"},
        "limits": {"cpu": "300m", "memory": "256Mi"},
    }


def test_frontend_probes_connect_to_3000_every_30s_and_10s(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-frontend"))
    liveness, readiness = container["livenessProbe"], container["readinessProbe"]
    assert liveness["tcpSocket"] == {"port": 3000} and liveness["periodSeconds"] == 30
    assert readiness["tcpSocket"] == {"port": 3000} and readiness["periodSeconds"] == 10
    # The spec sets no timeout for these probes; the API default (1 s) applies.
    assert "timeoutSeconds" not in liveness and "timeoutSeconds" not in readiness
    assert "startupProbe" not in container


def test_frontend_reads_its_runtime_settings_from_its_configmap(default_stack: Manifests) -> None:
    config_map = default_stack.get("ConfigMap", "todo-frontend-config")
    container = only_container(default_stack.get("Deployment", "todo-frontend"))
    assert config_map["data"]["PORT"] == "3000"
    assert config_map["data"]["NODE_ENV"] == "production"
    assert container["envFrom"] == [{"configMapRef": {"name": "todo-frontend-config"}}]
    assert "env" not in container, "the frontend needs no secrets"


def test_frontend_service_is_cluster_ip_on_3000(default_stack: Manifests) -> None:
    service = default_stack.get("Service", "todo-frontend")
    assert service["spec"]["type"] == "ClusterIP"
    assert [port["port"] for port in service["spec"]["ports"]] == [3000]


def test_frontend_can_write_only_to_tmp_and_the_next_cache(default_stack: Manifests) -> None:
    container = only_container(default_stack.get("Deployment", "todo-frontend"))
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert sorted(mount["mountPath"] for mount in container["volumeMounts"]) == [
        "/app/.next/cache",
        "/tmp",
    ]
