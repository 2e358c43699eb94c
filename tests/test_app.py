"""TodoApp: the stack as one typed construct, with a namespace and labels for real clusters."""

from __future__ import annotations

import inspect
import re

import cdk8s
import pytest

from constructs_lib import (
    SECRET_KEYS,
    Autoscaling,
    ExternalSecret,
    IngressTls,
    Resources,
    SecretKeyRef,
    TodoApp,
    TodoBackend,
    TodoBackendProps,
    TodoFrontend,
    TodoFrontendProps,
    TodoHttpRoute,
    TodoHttpRouteProps,
    TodoIngress,
    TodoIngressProps,
)
from constructs_lib.pod_settings import LIBRARY_ANNOTATIONS_BOUND, annotations_size
from testbed.manifests import Manifests
from tests.support.synth import synth_charts


def _objects(app_stack: TodoApp) -> Manifests:
    return synth_charts(app_stack.backend_chart, app_stack.frontend_chart)


def test_a_namespaced_app_writes_its_namespace_and_claims_no_namespace_exception() -> None:
    stack = TodoApp(cdk8s.Testing.app(), "todo", namespace="todo-prod", labels={"team": "web"})
    for obj in _objects(stack):
        assert obj["metadata"]["namespace"] == "todo-prod"
        assert obj["metadata"]["labels"]["team"] == "web"
        assert "CKV_K8S_21" not in str(obj["metadata"].get("annotations", {})), obj["kind"]


def test_without_a_namespace_every_object_says_why_it_has_none() -> None:
    for obj in _objects(TodoApp(cdk8s.Testing.app(), "todo")):
        assert any(value.startswith("CKV_K8S_21=") for value in obj["metadata"]["annotations"].values())


def test_labels_never_reach_selectors() -> None:
    stack = TodoApp(cdk8s.Testing.app(), "todo", labels={"team": "web"})
    deployment = _objects(stack).get("Deployment", "todo-backend")
    assert "team" not in deployment["spec"]["selector"]["matchLabels"]


def test_labels_reach_the_pods_where_the_workloads_own_pod_labels_win() -> None:
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        labels={"team": "web", "cost-center": "4711"},
        frontend=TodoFrontendProps(pod_labels={"team": "web-frontend"}),
    )
    objects = _objects(stack)
    backend_pods = objects.get("Deployment", "todo-backend")["spec"]["template"]["metadata"]["labels"]
    frontend_pods = objects.get("Deployment", "todo-frontend")["spec"]["template"]["metadata"]["labels"]
    assert (backend_pods["team"], backend_pods["cost-center"]) == ("web", "4711")
    assert (frontend_pods["team"], frontend_pods["cost-center"]) == ("web-frontend", "4711")


def test_annotations_go_on_every_object_not_the_pods_and_an_objects_own_wins() -> None:
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        annotations={"owner": "team-web@example.com", "example.com/tier": "gold"},
        backend=TodoBackendProps(service_annotations={"example.com/tier": "platinum"}),
    )
    objects = _objects(stack)
    for obj in objects:
        assert obj["metadata"]["annotations"]["owner"] == "team-web@example.com", obj["kind"]
        if obj["kind"] == "Deployment":
            assert "owner" not in obj["spec"]["template"]["metadata"]["annotations"]
    assert objects.get("Service", "todo-backend")["metadata"]["annotations"]["example.com/tier"] == "platinum"
    assert objects.get("Service", "todo-frontend")["metadata"]["annotations"]["example.com/tier"] == "gold"


_NEAR_MAX = "x" * (256 * 1024 - 20)


@pytest.mark.parametrize(
    ("build", "field"),
    [
        # Each fits alone; the library's own annotations on the same object tip it over.
        (
            lambda: TodoApp(cdk8s.Testing.app(), "todo", annotations={"owner": _NEAR_MAX}),
            "TodoApp.annotations",
        ),
        (
            lambda: TodoApp(
                cdk8s.Testing.app(), "todo", ingress=TodoIngressProps(annotations={"note": _NEAR_MAX})
            ),
            "TodoApp.Ingress/todo-backend annotations",
        ),
        (lambda: TodoBackendProps(pod_annotations={"note": _NEAR_MAX}), "TodoBackendProps.pod_annotations"),
    ],
)
def test_annotations_that_fit_only_without_the_librarys_own_are_refused(build, field: str) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^{re.escape(field)}: got '<\d+ annotations of \d+ bytes>'; must total at most 262144 bytes with the library's own",
    ):
        build()


def test_a_patch_that_makes_annotations_too_big_is_refused_at_synth() -> None:
    stack = TodoApp(cdk8s.Testing.app(), "todo")
    stack.backend_chart.add_patches(
        stack.backend.service, cdk8s.JsonPatch.add("/metadata/annotations/note", _NEAR_MAX)
    )
    with pytest.raises(
        RuntimeError, match=r"Service/todo-backend metadata\.annotations: got '<\d+ annotations"
    ):
        cdk8s.Testing.synth(stack.backend_chart)


def test_the_parts_are_typed_attributes() -> None:
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        frontend=TodoFrontendProps(autoscaling=Autoscaling(), pod_disruption_budget=True),
        http_route=TodoHttpRouteProps(gateway_name="public"),
    )
    assert stack.backend.service_name == "todo-backend"
    assert stack.frontend.autoscaler is not None and stack.frontend.disruption_budget is not None
    assert stack.backend.autoscaler is None and stack.backend.network_policy is None
    assert stack.ingresses == ()
    assert [route.route.name for route in stack.http_routes] == ["todo-backend", "todo-frontend"]


def test_a_route_takes_any_routable_not_only_a_workload() -> None:
    stack = TodoApp(cdk8s.Testing.app(), "todo")
    ingress = TodoIngress(stack.backend_chart, "extra", target=stack.frontend)
    assert ingress.ingress.name == "todo-frontend"


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"namespace": "Todo"}, "namespace"),
        ({"labels": {"team\n": "web"}}, "labels"),
        ({"labels": {"team": "a b"}}, "labels['team']"),
        ({"labels": {"app.kubernetes.io/name": "other"}}, "labels"),
        ({"labels": ["team"]}, "labels"),
        ({"annotations": {"checkov.io/skip1": "x"}}, "annotations"),
        ({"annotations": {"owner": 1}}, "annotations['owner']"),
        ({"annotations": "owner=me"}, "annotations"),
        ({"backend": TodoFrontendProps()}, "backend"),
    ],
)
def test_bad_app_settings_raise_value_error_naming_them(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^TodoApp\.{__import__('re').escape(field)}: got "):
        TodoApp(cdk8s.Testing.app(), "todo", **kwargs)


def test_two_apps_with_their_own_names_fit_in_one_cdk8s_app() -> None:
    app = cdk8s.Testing.app()
    TodoApp(app, "a")
    other = TodoApp(
        app,
        "b",
        backend=TodoBackendProps(name="api"),
        frontend=TodoFrontendProps(name="web"),
        ingress=TodoIngressProps(host="other.example.com"),
    )
    assert other.backend.network_policy is None
    assert {chart.node.id for chart in app.charts} == {"todo-backend", "todo-frontend", "api", "web"}


@pytest.mark.parametrize("construct", [TodoApp, TodoBackend, TodoFrontend, TodoIngress, TodoHttpRoute])
def test_help_shows_each_constructs_own_keyword_only_props(construct: type) -> None:
    # jsii's metaclass would show (*args, **kwargs).
    parameters = inspect.signature(construct).parameters
    assert list(parameters)[:2] == ["scope", "id"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in list(parameters.values())[2:]), parameters
    assert "props" in parameters or construct is TodoApp


def _cors_origins(stack: TodoApp) -> str:
    return _objects(stack).get("ConfigMap", "todo-backend-config")["data"]["CORS_ORIGINS"]


@pytest.mark.parametrize(
    ("routes", "origins"),
    [
        ({}, "http://todo.local"),
        ({"ingress": TodoIngressProps(host="todo.example.com")}, "http://todo.example.com"),
        (
            {"ingress": TodoIngressProps(host="todo.example.com", tls=IngressTls(secret_name="todo-tls"))},
            "https://todo.example.com",
        ),
        (
            {"http_route": TodoHttpRouteProps(gateway_name="public", host="todo.example.com")},
            "https://todo.example.com",
        ),
        (
            {
                "ingress": TodoIngressProps(host="old.example.com"),
                "http_route": TodoHttpRouteProps(gateway_name="public", host="todo.example.com"),
            },
            "http://old.example.com,https://todo.example.com",
        ),
    ],
    ids=["spec", "ingress", "ingress-tls", "http-route", "migrating"],
)
def test_the_backend_allows_the_origins_its_routes_serve_pages_from(routes: dict, origins: str) -> None:
    assert _cors_origins(TodoApp(cdk8s.Testing.app(), "todo", **routes)) == origins


def test_cors_origins_given_are_kept_whatever_the_routes() -> None:
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        backend=TodoBackendProps(cors_origins=("https://app.example.com",)),
        ingress=TodoIngressProps(host="api.example.com"),
    )
    assert _cors_origins(stack) == "https://app.example.com"


def test_a_stack_of_registry_images_writes_no_minikube_setting() -> None:
    images = {"image_tag": "1.4.2"}
    stack = TodoApp(
        cdk8s.Testing.app(),
        "todo",
        namespace="todo-prod",
        backend=TodoBackendProps(image="registry.example.com/todo-backend", **images),
        frontend=TodoFrontendProps(image="registry.example.com/todo-frontend", **images),
        ingress=TodoIngressProps(host="todo.example.com", tls=IngressTls(secret_name="todo-tls")),
    )
    text = str(list(_objects(stack)))
    for minikube in ("Never", "latest", "todo.local"):
        assert minikube not in text


@pytest.mark.parametrize("local", ["backend", "frontend"])
def test_a_local_image_beside_a_registry_image_is_refused(local: str) -> None:
    registry = (
        "registry.example.com/todo-backend" if local == "frontend" else "registry.example.com/todo-frontend"
    )
    other = "frontend" if local == "backend" else "backend"
    props = {
        other: (TodoBackendProps if other == "backend" else TodoFrontendProps)(
            image=registry, image_tag="1.4.2"
        )
    }
    with pytest.raises(
        ValueError, match=rf"^TodoApp\.{local}\.image: got 'todo-{local}'; must come from a registry too"
    ):
        TodoApp(cdk8s.Testing.app(), "todo", **props)  # type: ignore[arg-type]


def test_a_created_namespace_enforces_the_restricted_profile_in_a_chart_of_its_own() -> None:
    stack = TodoApp(
        cdk8s.Testing.app(), "todo", namespace="todo-prod", create_namespace=True, labels={"team": "web"}
    )

    assert stack.namespace_chart is not None
    (namespace,) = cdk8s.Testing.synth(stack.namespace_chart)
    assert namespace["kind"] == "Namespace"
    assert namespace["metadata"]["name"] == "todo-prod"
    assert "namespace" not in namespace["metadata"]
    assert {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/warn": "restricted",
        "team": "web",
    }.items() <= namespace["metadata"]["labels"].items()


def test_creating_a_namespace_needs_its_name() -> None:
    with pytest.raises(ValueError, match=r"^TodoApp\.create_namespace: got True; needs namespace"):
        TodoApp(cdk8s.Testing.app(), "todo", create_namespace=True)


def test_two_stacks_of_the_same_workloads_fit_in_one_app_with_their_own_prefixes_and_namespaces() -> None:
    app = cdk8s.Testing.app()
    for environment in ("staging", "production"):
        TodoApp(
            app,
            environment,
            namespace=f"todo-{environment}",
            chart_prefix=f"{environment}-",
            create_namespace=True,
            ingress=TodoIngressProps(host=f"{environment}.todo.example.com"),
        )

    assert [chart.node.id for chart in app.charts] == [
        f"{environment}-{name}"
        for environment in ("staging", "production")
        for name in ("namespace", "todo-backend", "todo-frontend")
    ]


@pytest.mark.parametrize(
    ("second", "message"),
    [
        (
            {"namespace": "todo", "chart_prefix": "b-"},
            "TodoApp.backend.name: got 'todo-backend'; is an object the stack 'first' makes in the same namespace",
        ),
        ({"namespace": "other"}, "TodoApp.backend.name: got 'todo-backend'; makes a chart 'todo-backend'"),
        ({"chart_prefix": "Staging-"}, "TodoApp.chart_prefix: got 'Staging-'; must be empty or"),
    ],
    ids=["same-namespace", "same-charts", "bad-prefix"],
)
def test_a_second_stack_that_would_replace_the_firsts_objects_is_refused(second: dict, message: str) -> None:
    app = cdk8s.Testing.app()
    TodoApp(app, "first", namespace="todo")
    with pytest.raises(ValueError, match=f"^{re.escape(message)}"):
        TodoApp(app, "second", **second)


def test_the_librarys_own_annotations_stay_far_below_the_bound_the_size_check_assumes() -> None:
    # Every option that adds an annotation of the library's: Checkov exceptions (latest, a low
    # UID, no CPU limit, Secret keys), cert-manager's issuer, ingress-nginx's body size, a sync wave.
    backend = TodoBackendProps(
        resources=Resources(cpu_request="250m", memory_request="256Mi", cpu_limit=None, memory_limit="512Mi"),
        extra_env={"SMTP_PASSWORD": SecretKeyRef(secret="smtp", key="password")},
        secret_source=ExternalSecret(
            store_name="vault", remote_keys={key: key.lower() for key in SECRET_KEYS}
        ),
    )
    tls = IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt")
    stack = TodoApp(cdk8s.Testing.app(), "todo", backend=backend, ingress=TodoIngressProps(tls=tls))
    sizes = [
        annotations_size(metadata.get("annotations") or {})
        for obj in _objects(stack)
        for metadata in (obj["metadata"], obj.get("spec", {}).get("template", {}).get("metadata", {}))
    ]
    assert 0 < max(sizes) < LIBRARY_ANNOTATIONS_BOUND / 4
