"""What Kubernetes would refuse, the props refuse first: each class of hostile input, with the field named."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from typing import Any

import cdk8s
import pytest

from constructs_lib import (
    Autoscaling,
    IngressPath,
    NetworkPolicy,
    Probe,
    TodoApp,
    TodoBackend,
    TodoBackendProps,
    TodoFrontend,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngress,
    TodoIngressProps,
    add_todo_charts,
)

INT32_MAX = 2**31 - 1


def _in_chart(build: Callable[[cdk8s.Chart], Any]) -> Callable[[], Any]:
    return lambda: build(cdk8s.Chart(cdk8s.Testing.app(), "test"))


def _two_stacks() -> None:
    app = cdk8s.Testing.app()
    add_todo_charts(app)
    add_todo_charts(app)


CASES: list[tuple[str, Callable[[], Any], str]] = [
    # A trailing newline: `re.match` with `$` accepts it; whole-string matching does not.
    *(
        (f"newline-{field}", lambda field=field, value=value: TodoBackendProps(**{field: value}), field)
        for field, value in {
            "name": "todo-backend\n",
            "image": "todo-backend\n",
            "image_tag": "1.0\n",
            "secret_name": "todo-secrets\n",
            "app_version": "1.0.0\n",
            "extra_config": {"LOG_LEVEL\n": "info"},
            "cors_origins": ("http://todo.local\n",),
        }.items()
    ),
    ("newline-host", lambda: TodoIngressProps(host="todo.local\n"), "host"),
    ("newline-class", lambda: TodoIngressProps(class_name="nginx\n"), "class_name"),
    (
        "newline-label-key",
        lambda: TodoBackendProps(network_policy=NetworkPolicy(ingress_controller_pod_labels={"app\n": "x"})),
        "ingress_controller_pod_labels",
    ),
    # Ingress paths and hosts as Kubernetes validates them.
    *(
        (f"path-{path}", lambda path=path: TodoFrontendProps(ingress_paths=(IngressPath(path=path),)), "path")
        for path in ("/api/../x", "//", "/api/.", "/a/./b", "/a%2fb", "/a\x00b", "/a\tb")
    ),
    *(
        (f"host-{host}", lambda host=host: TodoIngressProps(host=host), "host")
        for host in ("10.0.0.1", "192.168.49.2", "TODO.local", "a" * 254)
    ),
    # int32 fields.
    ("replicas-int32", lambda: TodoBackendProps(replicas=INT32_MAX + 1), "replicas"),
    ("run-as-user-int32", lambda: TodoFrontendProps(run_as_user=INT32_MAX + 1), "run_as_user"),
    ("probe-period-int32", lambda: TodoFrontendProps(liveness=Probe(period_seconds=2**31)), "period_seconds"),
    (
        "autoscaling-int32",
        lambda: TodoBackendProps(autoscaling=Autoscaling(min_replicas=2, max_replicas=2**40)),
        "max_replicas",
    ),
    # ConfigMap limits.
    ("config-key-253", lambda: TodoFrontendProps(extra_config={"A" * 254: "x"}), "extra_config"),
    ("config-1mib", lambda: TodoFrontendProps(extra_config={"BIG": "x" * (1 << 20)}), "extra_config"),
    # A line break in a config value; test_every_control_character_in_a_config_value_is_refused has the rest.
    (
        "frontend-config-value-newline",
        lambda: TodoFrontendProps(extra_config={"MOTD": "hi\nthere"}),
        "extra_config['MOTD']",
    ),
    (
        "backend-config-value-newline",
        lambda: TodoBackendProps(extra_config={"LOG_LEVEL": "info\n"}),
        "extra_config['LOG_LEVEL']",
    ),
    # What the app itself cannot serve.
    ("uppercase-origin", lambda: TodoBackendProps(cors_origins=("http://Todo.local",)), "cors_origins"),
    ("origin-port", lambda: TodoBackendProps(cors_origins=("http://todo.local:99999",)), "cors_origins"),
    ("jwt-days", lambda: TodoBackendProps(jwt_expire_days=10**9), "jwt_expire_days"),
    ("backend-port", lambda: TodoBackendProps(port=9000), "port"),
    # Collisions.
    (
        "frontend-named-like-backend",
        lambda: add_todo_charts(cdk8s.Testing.app(), frontend=TodoFrontendProps(name="todo-backend")),
        "frontend.name",
    ),
    (
        "network-policy-name-clash",
        lambda: add_todo_charts(
            cdk8s.Testing.app(), frontend=TodoFrontendProps(name="todo-backend-default-deny")
        ),
        "frontend.name",
    ),
    ("two-stacks-same-names", _two_stacks, "backend.name"),
    (
        "path-routed-twice",
        lambda: add_todo_charts(
            cdk8s.Testing.app(), frontend=TodoFrontendProps(ingress_paths=(IngressPath(path="/api"),))
        ),
        "frontend.ingress_paths",
    ),
    (
        "path-routed-twice-with-a-trailing-slash",
        lambda: add_todo_charts(
            cdk8s.Testing.app(), frontend=TodoFrontendProps(ingress_paths=(IngressPath(path="/api/"),))
        ),
        "frontend.ingress_paths",
    ),
    (
        "path-listed-twice",
        lambda: TodoFrontendProps(ingress_paths=(IngressPath(path="/"), IngressPath(path="/", exact=True))),
        "ingress_paths",
    ),
    # Types.
    ("paths-as-string", lambda: TodoBackendProps(ingress_paths="/api"), "ingress_paths"),  # type: ignore[arg-type]
    ("config-none", lambda: TodoBackendProps(extra_config=None), "extra_config"),  # type: ignore[arg-type]
    ("exact-string", lambda: TodoFrontendProps(ingress_paths=(IngressPath(path="/", exact="no"),)), "exact"),  # type: ignore[arg-type]
    ("origins-as-string", lambda: TodoBackendProps(cors_origins="http://todo.local"), "cors_origins"),  # type: ignore[arg-type]
    (
        "backend-props-as-frontend",
        lambda: add_todo_charts(cdk8s.Testing.app(), frontend=TodoBackendProps()),  # type: ignore[arg-type]
        "frontend",
    ),
    (
        "backend-props-to-frontend",
        _in_chart(lambda chart: TodoFrontend(chart, "f", props=TodoBackendProps())),  # type: ignore[arg-type]
        "props",
    ),
    (
        "ingress-target",
        _in_chart(lambda chart: TodoIngress(chart, "i", target="todo-backend")),  # type: ignore[arg-type]
        "target",
    ),
    # The peer a standalone workload's NetworkPolicy names: a workload name, so a DNS label.
    (
        "frontend-name",
        _in_chart(lambda chart: TodoBackend(chart, "b", frontend_name="Todo_Web")),
        "frontend_name",
    ),
    (
        "backend-name",
        _in_chart(lambda chart: TodoFrontend(chart, "f", backend_name="todo-api\n")),
        "backend_name",
    ),
    (
        "frontend-props-to-backend",
        _in_chart(lambda chart: TodoBackend(chart, "b", props=TodoFrontendProps())),  # type: ignore[arg-type]
        "props",
    ),
    # A wrong type names its field, never an AttributeError or TypeError from inside.
    ("resources-none", lambda: TodoBackendProps(resources=None), "resources"),  # type: ignore[arg-type]
    ("liveness-none", lambda: TodoBackendProps(liveness=None), "liveness"),  # type: ignore[arg-type]
    ("readiness-str", lambda: TodoFrontendProps(readiness="/health"), "readiness"),  # type: ignore[arg-type]
    (
        "controller-labels-none",
        lambda: NetworkPolicy(ingress_controller_pod_labels=None),  # type: ignore[arg-type]
        "ingress_controller_pod_labels",
    ),
    # A lone surrogate has no UTF-8 form: no manifest can carry it.
    ("surrogate-config", lambda: TodoBackendProps(extra_config={"MOTD": "a\ud800"}), "extra_config"),
    ("surrogate-annotation", lambda: TodoBackendProps(pod_annotations={"a": "\udfff"}), "pod_annotations"),
    # Names the image or its runtime settings own: Next.js would listen on loopback only, or
    # gunicorn's graceful timeout would no longer be the one the rollout is sized for.
    ("owned-hostname", lambda: TodoFrontendProps(extra_config={"HOSTNAME": "127.0.0.1"}), "extra_config"),
    ("owned-node-env", lambda: TodoFrontendProps(extra_config={"NODE_ENV": "development"}), "extra_config"),
    (
        "owned-gunicorn-args",
        lambda: TodoBackendProps(extra_config={"GUNICORN_CMD_ARGS": "--graceful-timeout 90"}),
        "extra_config",
    ),
    # A label key's prefix, when there is a '/', is a DNS subdomain (IsQualifiedName): never empty.
    ("label-key-empty-prefix", lambda: TodoBackendProps(pod_labels={"/team": "web"}), "pod_labels"),
    (
        "app-label-key-empty-prefix",
        lambda: TodoApp(cdk8s.Testing.app(), "t", labels={"/team": "web"}),
        "labels",
    ),
    # Kubernetes reads 010.0.0.1 as an IP address (ParseIPSloppy), which no host may be.
    ("ingress-host-sloppy-ip", lambda: TodoIngressProps(host="010.0.0.1"), "host"),
    (
        "route-host-sloppy-ip",
        lambda: TodoHttpRouteProps(gateway_name="public", host="10.000.0.1"),
        "host",
    ),
    ("namespace-leading-dash", lambda: TodoApp(cdk8s.Testing.app(), "t", namespace="-team"), "namespace"),
    # Origins as browsers send them: a host of whole labels, a port without leading zeros, not 0.
    *(
        (f"origin-{origin}", lambda origin=origin: TodoBackendProps(cors_origins=(origin,)), "cors_origins")
        for origin in ("http://a..b", "http://a.com:0", "http://a.com:080", "http://.a.com", "http://a.com.")
    ),
]


@pytest.mark.parametrize(("build", "field"), [pytest.param(b, f, id=i) for i, b, f in CASES])
def test_hostile_input_raises_value_error_naming_the_field(build: Callable[[], Any], field: str) -> None:
    with pytest.raises(ValueError) as error:
        build()
    assert f".{field}: got " in str(error.value) or f"{field}[" in str(error.value), str(error.value)


# Unicode's control characters (category Cc) and the line and paragraph separators.
CONTROL_CHARACTERS = [
    char for char in map(chr, range(0x110000)) if unicodedata.category(char) == "Cc" or char in "\u2028\u2029"
]


def test_every_control_character_in_a_config_value_is_refused() -> None:
    accepted = []
    for char in CONTROL_CHARACTERS:
        try:
            TodoBackendProps(extra_config={"MOTD": f"a{char}b"})
        except ValueError as error:
            assert "extra_config['MOTD']: got " in str(error), str(error)
        else:
            accepted.append(f"U+{ord(char):04X}")
    assert len(CONTROL_CHARACTERS) == 67
    assert not accepted, accepted


def test_config_values_keep_printable_text_beyond_ascii() -> None:
    config = {"MOTTO": "café <olé> & co", "EMOJI": "✅ done", "SPACE": "a\u00a0b c"}

    assert TodoFrontendProps(extra_config=config).extra_config == config


def test_a_namespace_may_start_with_a_digit_as_kubernetes_allows() -> None:
    # ValidateNamespaceName is IsDNS1123Label; Service names (DNS-1035) may not.
    TodoApp(cdk8s.Testing.app(), "t", namespace="1team")
    TodoHttpRouteProps(gateway_name="public", gateway_namespace="2gateways")
    NetworkPolicy(ingress_controller_namespace="3ingress")


def test_a_wildcard_host_is_accepted_as_kubernetes_and_gateway_api_allow_with_the_origins_given() -> None:
    # IsWildcardDNS1123Subdomain for an Ingress, the Hostname pattern for an HTTPRoute.
    TodoApp(
        cdk8s.Testing.app(),
        "t",
        backend=TodoBackendProps(cors_origins=("https://eu.todo.example.com",)),
        ingress=TodoIngressProps(host="*.todo.example.com"),
        http_route=TodoHttpRouteProps(gateway_name="public", host="*.todo.example.com"),
    )


@pytest.mark.parametrize(
    "host", ["*", "*.", "a.*.example.com", "**.example.com", "*example.com", "*.-a.example.com"]
)
def test_a_wildcard_anywhere_but_a_whole_first_label_is_refused(host: str) -> None:
    with pytest.raises(ValueError, match=r"^TodoIngressProps\.host: got .*the first of them maybe '\*'"):
        TodoIngressProps(host=host)
