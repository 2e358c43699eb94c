"""Routing on todo.local: /api and /health to the backend, everything else to the frontend."""

from __future__ import annotations

from testbed.manifests import Manifests


def _routes(ingress: dict) -> list[tuple[str, str, str, int]]:
    (rule,) = ingress["spec"]["rules"]
    assert rule["host"] == "todo.local"
    return [
        (
            path["path"],
            path["pathType"],
            path["backend"]["service"]["name"],
            path["backend"]["service"]["port"]["number"],
        )
        for path in rule["http"]["paths"]
    ]


def test_one_ingress_per_chart_both_of_class_nginx(default_stack: Manifests) -> None:
    ingresses = default_stack.of_kind("Ingress")
    assert sorted(ingress["metadata"]["name"] for ingress in ingresses) == [
        "todo-backend",
        "todo-frontend",
    ]
    assert {ingress["spec"]["ingressClassName"] for ingress in ingresses} == {"nginx"}


def test_backend_ingress_routes_api_prefix_and_exact_health_to_the_backend(
    default_stack: Manifests,
) -> None:
    assert _routes(default_stack.get("Ingress", "todo-backend")) == [
        ("/api", "Prefix", "todo-backend", 8000),
        ("/health", "Exact", "todo-backend", 8000),
    ]


def test_frontend_ingress_routes_everything_else_to_the_frontend(default_stack: Manifests) -> None:
    assert _routes(default_stack.get("Ingress", "todo-frontend")) == [
        ("/", "Prefix", "todo-frontend", 3000),
    ]


def test_api_prefix_reaches_the_backend_unchanged(default_stack: Manifests) -> None:
    for ingress in default_stack.of_kind("Ingress"):
        annotations = ingress["metadata"].get("annotations", {})
        assert not any("rewrite" in key or "use-regex" in key for key in annotations), annotations


def test_ingress_routes_to_the_services_that_exist(default_stack: Manifests) -> None:
    for ingress in default_stack.of_kind("Ingress"):
        for _path, _type, service_name, port in _routes(ingress):
            service = default_stack.get("Service", service_name)
            assert port in [p["port"] for p in service["spec"]["ports"]]


def test_tls_serves_the_host_from_its_secret_and_one_ingress_asks_cert_manager_for_it() -> None:
    from constructs_lib import IngressTls, TodoIngressProps
    from tests.support.synth import synth_stack

    props = TodoIngressProps(
        host="todo.example.com",
        tls=IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt"),
        annotations={"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
    )
    stack = synth_stack(ingress=props)
    issuers = []
    for name in ("todo-backend", "todo-frontend"):
        ingress = stack.get("Ingress", name)
        assert ingress["spec"]["tls"] == [{"hosts": ["todo.example.com"], "secretName": "todo-tls"}]
        assert ingress["metadata"]["annotations"]["nginx.ingress.kubernetes.io/proxy-body-size"] == "8m"
        issuers.append(ingress["metadata"]["annotations"].get("cert-manager.io/cluster-issuer"))
    assert issuers == [None, "letsencrypt"]


def test_bad_tls_or_annotations_raise_value_error_naming_them() -> None:
    import pytest

    from constructs_lib import IngressTls, TodoIngressProps

    with pytest.raises(ValueError, match=r"^TodoIngressProps\.tls\.secret_name: got "):
        TodoIngressProps(tls=IngressTls(secret_name="TLS"))
    with pytest.raises(ValueError, match=r"^TodoIngressProps\.annotations: got "):
        TodoIngressProps(annotations={"bad key": "x"})
    with pytest.raises(
        ValueError, match=r"^TodoIngressProps\.annotations: got 'cert-manager.io/cluster-issuer'"
    ):
        TodoIngressProps(
            tls=IngressTls(secret_name="t", cluster_issuer="le"),
            annotations={"cert-manager.io/cluster-issuer": "other"},
        )


def test_without_per_workload_the_frontends_one_ingress_routes_the_whole_stack() -> None:
    from constructs_lib import IngressTls, TodoIngressProps
    from tests.support.synth import synth_stack

    tls = IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt")
    stack = synth_stack(ingress=TodoIngressProps(per_workload=False, tls=tls))

    (ingress,) = stack.of_kind("Ingress")
    assert ingress["metadata"]["name"] == "todo-frontend"
    assert ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"] == "letsencrypt"
    assert _routes(ingress) == [
        ("/", "Prefix", "todo-frontend", 3000),
        ("/api", "Prefix", "todo-backend", 8000),
        ("/health", "Exact", "todo-backend", 8000),
    ]


BODY_SIZE = "nginx.ingress.kubernetes.io/proxy-body-size"


def _app_body_limit() -> str:
    """The backend app's own request body limit, as nginx writes sizes."""
    import runpy

    from testbed.paths import BACKEND_DIR

    limit = runpy.run_path(str(BACKEND_DIR / "app" / "body_limit.py"))["MAX_BODY_BYTES"]
    assert limit % 1024 == 0
    return f"{limit // 1024}k"


def test_ingress_nginx_refuses_bodies_the_backend_would_refuse(default_stack: Manifests) -> None:
    backend = default_stack.get("Ingress", "todo-backend")["metadata"]["annotations"]
    frontend = default_stack.get("Ingress", "todo-frontend")["metadata"].get("annotations", {})
    assert backend[BODY_SIZE] == _app_body_limit() == "64k"
    assert BODY_SIZE not in frontend


def test_the_body_limit_is_ingress_nginxs_alone_and_the_users_setting_wins() -> None:
    from constructs_lib import TodoIngressProps
    from tests.support.synth import synth_stack

    traefik = synth_stack(ingress=TodoIngressProps(class_name="traefik")).get("Ingress", "todo-backend")
    assert BODY_SIZE not in traefik["metadata"].get("annotations", {})
    larger = synth_stack(ingress=TodoIngressProps(annotations={BODY_SIZE: "1m"})).get(
        "Ingress", "todo-backend"
    )
    assert larger["metadata"]["annotations"][BODY_SIZE] == "1m"
