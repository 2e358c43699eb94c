"""Stacks in one app claim no route, Secret or certificate another stack claims: the error names both."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

from constructs_lib import (
    SECRET_KEYS,
    ExternalSecret,
    IngressPath,
    IngressTls,
    TodoApp,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
)

STORE = ExternalSecret(store_name="vault", remote_keys={key: f"todo/{key.lower()}" for key in SECRET_KEYS})


def _second_stack_beside_first(first: dict[str, Any], second: dict[str, Any]) -> TodoApp:
    """Build stack "first", then stack "second" with other workload names, in one app."""
    app = cdk8s.Testing.app()
    TodoApp(app, "first", **first)
    return TodoApp(
        app,
        "second",
        chart_prefix="second-",
        backend=second.pop("backend", TodoBackendProps(name="api")),
        frontend=second.pop("frontend", TodoFrontendProps(name="web")),
        **second,
    )


def _refused(first: dict[str, Any], second: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        _second_stack_beside_first(first, second)
    assert "the stack 'first'" in str(raised.value)


def test_one_host_and_path_routed_by_two_stacks_is_refused_in_any_namespaces() -> None:
    # Ingress controllers serve every namespace: one of the two would get the other's traffic.
    _refused(
        {"namespace": "team-a"},
        {"namespace": "team-b"},
        r"^TodoApp\.ingress\.host: got 'todo\.local'; routes '/\S*' through IngressClass nginx, as the stack 'first'",
    )


def test_the_trailing_slash_of_a_prefix_path_does_not_set_two_stacks_apart() -> None:
    _refused(
        {"namespace": "team-a"},
        {
            "namespace": "team-b",
            "backend": TodoBackendProps(name="api", ingress_paths=(IngressPath(path="/api/"),)),
            "frontend": TodoFrontendProps(name="web", ingress_paths=(IngressPath(path="/app"),)),
        },
        r"routes '/api' through IngressClass nginx",
    )


@pytest.mark.parametrize(
    "second",
    [
        {"ingress": TodoIngressProps(host="other.example.com")},
        {"ingress": TodoIngressProps(class_name="traefik")},
    ],
    ids=["another-host", "another-ingress-class"],
)
def test_stacks_on_other_hosts_or_controllers_fit_beside_each_other(second: dict[str, Any]) -> None:
    _second_stack_beside_first({"namespace": "team-a"}, {"namespace": "team-b", **second})


def test_one_host_and_path_on_one_gateway_is_refused_and_another_gateway_is_not() -> None:
    route = TodoHttpRouteProps(gateway_name="public", gateway_namespace="gateways", host="todo.example.com")
    _refused(
        {"http_route": route},
        {"http_route": route, "namespace": "elsewhere"},
        r"^TodoApp\.http_route\.host: got 'todo\.example\.com'; routes '/\S*' through Gateway gateways/public",
    )
    other = TodoHttpRouteProps(gateway_name="internal", gateway_namespace="gateways", host="todo.example.com")
    _second_stack_beside_first({"http_route": route}, {"http_route": other, "namespace": "elsewhere"})


def test_two_external_secrets_writing_one_secret_in_one_namespace_are_refused() -> None:
    first = {"namespace": "todo", "backend": TodoBackendProps(secret_source=STORE)}
    second = {
        "namespace": "todo",
        "ingress": TodoIngressProps(host="other.example.com"),
        "backend": TodoBackendProps(name="api", secret_source=STORE),
    }
    _refused(
        first,
        second,
        r"^TodoApp\.backend\.secret_name: got 'todo-secrets'; is written by an ExternalSecret of the stack 'first'",
    )
    # In another namespace it is another Secret.
    _second_stack_beside_first(first, {**second, "namespace": "todo-2"})


def test_one_certificate_secret_issued_for_two_hosts_is_refused() -> None:
    issued = IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt")
    _refused(
        {"namespace": "todo", "ingress": TodoIngressProps(host="a.example.com", tls=issued)},
        {
            "namespace": "todo",
            "ingress": TodoIngressProps(host="b.example.com", tls=IngressTls(secret_name="todo-tls")),
        },
        r"^TodoApp\.ingress\.tls\.secret_name: got 'todo-tls'; is the certificate Secret of the stack 'first' "
        r"in the same namespace, for 'a\.example\.com'",
    )


def test_one_certificate_secret_of_the_teams_own_may_serve_two_hosts() -> None:
    # A certificate nothing in the cluster issues may name both hosts.
    existing = IngressTls(secret_name="wildcard-tls")
    _second_stack_beside_first(
        {"namespace": "todo", "ingress": TodoIngressProps(host="a.example.com", tls=existing)},
        {"namespace": "todo", "ingress": TodoIngressProps(host="b.example.com", tls=existing)},
    )


@pytest.mark.parametrize(
    ("backend", "tls", "writer"),
    [
        (
            TodoBackendProps(secret_name="todo-tls", secret_source=STORE),
            IngressTls(secret_name="todo-tls"),
            "the External Secrets Operator",
        ),
        (
            TodoBackendProps(secret_name="todo-tls"),
            IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt"),
            "cert-manager",
        ),
    ],
    ids=["external-secret", "cert-manager"],
)
def test_the_certificate_in_the_backends_written_secret_is_refused(
    backend: TodoBackendProps, tls: IngressTls, writer: str
) -> None:
    with pytest.raises(
        ValueError,
        match=rf"^TodoApp\.ingress\.tls\.secret_name: got 'todo-tls'; is the backend's secret_name too, which {writer} would",
    ):
        TodoApp(cdk8s.Testing.app(), "todo", backend=backend, ingress=TodoIngressProps(tls=tls))
