"""Both packagings refuse the same bad input, each naming the field.

:data:`BAD_INPUTS` is one table of bad-value classes. For each, the chart
(values.schema.json or a template ``fail``) refuses to render on Helm 3 and
Helm 4 with a message naming the value, and, where the constructs have the
same prop, building the props raises ``ValueError`` naming the prop.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from constructs_lib import (
    Autoscaling,
    IngressPath,
    NetworkPolicy,
    Probe,
    Resources,
    TodoBackendProps,
    TodoFrontendProps,
    TodoIngressProps,
)
from tests.helm.value_sets import Chart
from tests.support.helm import CHARTS as CHARTS_DIR

INT32_MAX = 2**31 - 1
BACKEND_RESOURCES = {
    "cpu_request": "250m",
    "memory_request": "256Mi",
    "cpu_limit": "500m",
    "memory_limit": "512Mi",
}


def _resources(**changed: str) -> Resources:
    return Resources(**{**BACKEND_RESOURCES, **changed})


@dataclass(frozen=True)
class BadInput:
    """One class of bad value, as chart values and (where there is one) as props.

    Attributes:
        id: the test id.
        chart: the chart given the values.
        values: {dotted value path: value}; lists are given whole.
        field: the value path the chart's message must name, e.g. ``("ingress", "paths", 0, "path")``.
        props: builds the construct props carrying the same bad value; ``None``
            where the constructs have no such prop.
        prop: what the construct's message must name, e.g. ``"TodoIngressProps.host"``.
        release: the release name, when it is the bad input.
        app_version: Chart.yaml's appVersion, when it is the bad input.
        reason: words of what is allowed, one of which both Helm versions print.
        lint: ``helm lint`` must refuse it too.
    """

    id: str
    chart: Chart
    values: Mapping[str, Any]
    field: tuple[str | int, ...]
    props: Callable[[], object] | None = None
    prop: str = ""
    release: str = ""
    app_version: str = ""
    reason: tuple[str, ...] = ()
    lint: bool = False


BAD_INPUTS = (
    # Names: DNS labels and lowercase DNS subdomains.
    BadInput(
        "name-with-uppercase-and-underscore",
        "todo-backend",
        {"nameOverride": "Todo_API"},
        ("nameOverride",),
        lambda: TodoBackendProps(name="Todo_API"),
        "TodoBackendProps.name",
    ),
    BadInput(
        "name-starting-with-a-digit",
        "todo-frontend",
        {"nameOverride": "1todo"},
        ("nameOverride",),
        lambda: TodoFrontendProps(name="1todo"),
        "TodoFrontendProps.name",
    ),
    # The release name is not a value, but it names the objects.
    BadInput("release-name-starting-with-a-digit", "todo-backend", {}, ("fullname",), release="1todo"),
    BadInput(
        "uppercase-secret-name",
        "todo-backend",
        {"secretName": "Todo-Secrets"},
        ("secretName",),
        lambda: TodoBackendProps(secret_name="Todo-Secrets"),
        "TodoBackendProps.secret_name",
    ),
    BadInput(
        "uppercase-ingress-class",
        "todo-frontend",
        {"ingress.className": "NGINX"},
        ("ingress", "className"),
        lambda: TodoIngressProps(class_name="NGINX"),
        "TodoIngressProps.class_name",
    ),
    # Images.
    BadInput(
        "uppercase-image-repository",
        "todo-backend",
        {"image.repository": "Team/Todo-Backend"},
        ("image", "repository"),
        lambda: TodoBackendProps(image="Team/Todo-Backend"),
        "TodoBackendProps.image",
    ),
    BadInput(
        "image-tag-starting-with-a-dot",
        "todo-frontend",
        {"image.tag": ".1"},
        ("image", "tag"),
        lambda: TodoFrontendProps(image_tag=".1"),
        "TodoFrontendProps.image_tag",
    ),
    BadInput(
        "image-tag-of-129-characters",
        "todo-backend",
        {"image.tag": "a" * 129},
        ("image", "tag"),
        lambda: TodoBackendProps(image_tag="a" * 129),
        "TodoBackendProps.image_tag",
    ),
    # Ingress host and paths, as Kubernetes validates an Ingress.
    BadInput(
        "ip-address-as-host",
        "todo-backend",
        {"ingress.host": "10.0.0.1"},
        ("ingress", "host"),
        lambda: TodoIngressProps(host="10.0.0.1"),
        "TodoIngressProps.host",
    ),
    BadInput(
        "uppercase-host",
        "todo-frontend",
        {"ingress.host": "Todo.Local"},
        ("ingress", "host"),
        lambda: TodoIngressProps(host="Todo.Local"),
        "TodoIngressProps.host",
    ),
    *(
        BadInput(
            f"path-{name}",
            "todo-backend",
            {"ingress.paths": [{"path": path, "pathType": "Prefix"}]},
            ("ingress", "paths", 0, "path"),
            lambda path=path: TodoBackendProps(ingress_paths=(IngressPath(path=path),)),
            "TodoBackendProps.ingress_paths[0].path",
        )
        for name, path in (
            ("with-a-dot-dot-segment", "/api/../x"),
            ("with-a-dot-segment", "/api/./x"),
            ("with-a-double-slash", "/api//x"),
            ("with-an-encoded-slash", "/api%2Fx"),
            ("with-a-lowercase-encoded-slash", "/api%2fx"),
            ("ending-in-dot-dot", "/api/.."),
            ("ending-in-dot", "/api/."),
            ("with-a-space", "/my api"),
            ("with-a-newline", "/api\n"),
            ("not-starting-with-a-slash", "api"),
        )
    ),
    BadInput(
        "path-listed-twice",
        "todo-frontend",
        {"ingress.paths": [{"path": "/", "pathType": "Prefix"}, {"path": "/", "pathType": "Exact"}]},
        ("ingress", "paths", 1, "path"),
        lambda: TodoFrontendProps(ingress_paths=(IngressPath(path="/"), IngressPath(path="/", exact=True))),
        "TodoFrontendProps.ingress_paths",
    ),
    # int32 fields and their lower bounds.
    BadInput(
        "replicas-above-int32",
        "todo-backend",
        {"replicaCount": INT32_MAX + 1},
        ("replicaCount",),
        lambda: TodoBackendProps(replicas=INT32_MAX + 1),
        "TodoBackendProps.replicas",
    ),
    BadInput(
        "negative-replicas",
        "todo-frontend",
        {"replicaCount": -1},
        ("replicaCount",),
        lambda: TodoFrontendProps(replicas=-1),
        "TodoFrontendProps.replicas",
        reason=("0",),
        lint=True,
    ),
    BadInput(
        "probe-period-above-int32",
        "todo-backend",
        {"livenessProbe.periodSeconds": INT32_MAX + 1},
        ("livenessProbe", "periodSeconds"),
        lambda: TodoBackendProps(liveness=Probe(http_path="/health", period_seconds=INT32_MAX + 1)),
        "TodoBackendProps.liveness.period_seconds",
    ),
    BadInput(
        "probe-timeout-not-below-its-period",
        "todo-backend",
        {"readinessProbe.timeoutSeconds": 10},
        ("readinessProbe", "timeoutSeconds"),
        lambda: TodoBackendProps(readiness=Probe(http_path="/health", period_seconds=10, timeout_seconds=10)),
        "TodoBackendProps.readiness.timeout_seconds",
    ),
    BadInput(
        "root-uid",
        "todo-frontend",
        {"podSecurityContext.runAsUser": 0},
        ("podSecurityContext", "runAsUser"),
        lambda: TodoFrontendProps(run_as_user=0),
        "TodoFrontendProps.run_as_user",
    ),
    BadInput(
        "gid-above-int32",
        "todo-backend",
        {"securityContext.runAsGroup": INT32_MAX + 1},
        ("securityContext", "runAsGroup"),
        lambda: TodoBackendProps(run_as_group=INT32_MAX + 1),
        "TodoBackendProps.run_as_group",
    ),
    BadInput(
        "max-replicas-above-int32",
        "todo-frontend",
        {"autoscaling.enabled": True, "autoscaling.maxReplicas": INT32_MAX + 1},
        ("autoscaling", "maxReplicas"),
        lambda: TodoFrontendProps(autoscaling=Autoscaling(max_replicas=INT32_MAX + 1)),
        "TodoFrontendProps.autoscaling.max_replicas",
    ),
    BadInput(
        "max-replicas-below-min-replicas",
        "todo-backend",
        {"autoscaling.enabled": True, "autoscaling.minReplicas": 5, "autoscaling.maxReplicas": 2},
        ("autoscaling", "maxReplicas"),
        lambda: TodoBackendProps(autoscaling=Autoscaling(min_replicas=5, max_replicas=2)),
        "TodoBackendProps.autoscaling.max_replicas",
    ),
    # Resources: canonical quantities, limits not below requests.
    BadInput(
        "cpu-of-1000m-instead-of-1",
        "todo-backend",
        {"resources.limits.cpu": "1000m"},
        ("resources", "limits", "cpu"),
        lambda: TodoBackendProps(resources=_resources(cpu_limit="1000m")),
        "TodoBackendProps.resources.cpu_limit",
    ),
    BadInput(
        "fractional-cpu",
        "todo-backend",
        {"resources.requests.cpu": "0.5"},
        ("resources", "requests", "cpu"),
        lambda: TodoBackendProps(resources=_resources(cpu_request="0.5")),
        "TodoBackendProps.resources.cpu_request",
        reason=("pattern",),
        lint=True,
    ),
    BadInput(
        "memory-of-1024Mi-instead-of-1Gi",
        "todo-backend",
        {"resources.limits.memory": "1024Mi"},
        ("resources", "limits", "memory"),
        lambda: TodoBackendProps(resources=_resources(memory_limit="1024Mi")),
        "TodoBackendProps.resources.memory_limit",
    ),
    BadInput(
        "memory-with-a-decimal-suffix",
        "todo-backend",
        {"resources.requests.memory": "256M"},
        ("resources", "requests", "memory"),
        lambda: TodoBackendProps(resources=_resources(memory_request="256M")),
        "TodoBackendProps.resources.memory_request",
        reason=("pattern",),
        lint=True,
    ),
    BadInput(
        "cpu-limit-below-its-request",
        "todo-backend",
        {"resources.limits.cpu": "100m"},
        ("resources", "limits", "cpu"),
        lambda: TodoBackendProps(resources=_resources(cpu_limit="100m")),
        "TodoBackendProps.resources.cpu_limit",
    ),
    BadInput(
        "memory-limit-below-its-request",
        "todo-backend",
        {"resources.limits.memory": "128Mi"},
        ("resources", "limits", "memory"),
        lambda: TodoBackendProps(resources=_resources(memory_limit="128Mi")),
        "TodoBackendProps.resources.memory_limit",
    ),
    # The constructs fix their writable paths; the chart lets them be changed.
    BadInput(
        "size-limit-of-65536Ki-instead-of-64Mi",
        "todo-backend",
        {"writablePaths": [{"name": "tmp", "mountPath": "/tmp", "sizeLimit": "65536Ki"}]},
        ("writablePaths", 0, "sizeLimit"),
    ),
    # ConfigMap: environment variable names, string values, 1 MiB.
    BadInput(
        "config-name-with-a-dash",
        "todo-frontend",
        {"extraConfig": {"LOG-LEVEL": "debug"}},
        ("extraConfig",),
        lambda: TodoFrontendProps(extra_config={"LOG-LEVEL": "debug"}),
        "TodoFrontendProps.extra_config",
    ),
    BadInput(
        "config-name-of-254-characters",
        "todo-backend",
        {"extraConfig": {"A" * 254: "x"}},
        ("extraConfig",),
        lambda: TodoBackendProps(extra_config={"A" * 254: "x"}),
        "TodoBackendProps.extra_config",
    ),
    BadInput(
        "config-value-not-a-string",
        "todo-frontend",
        {"extraConfig": {"DEBUG": True}},
        ("extraConfig", "DEBUG"),
        lambda: TodoFrontendProps(extra_config={"DEBUG": True}),
        "TodoFrontendProps.extra_config",
        reason=("string",),
        lint=True,
    ),
    BadInput(
        "config-name-a-typed-value-sets",
        "todo-frontend",
        {"extraConfig": {"PORT": "8080"}},
        ("extraConfig",),
        lambda: TodoFrontendProps(extra_config={"PORT": "8080"}),
        "TodoFrontendProps.extra_config",
        reason=("PORT",),
    ),
    BadInput(
        "config-values-over-1-mib",
        "todo-backend",
        {"extraConfig": {"BLOB": "x" * 1024 * 1024}},
        ("extraConfig",),
        lambda: TodoBackendProps(extra_config={"BLOB": "x" * 1024 * 1024}),
        "TodoBackendProps.extra_config",
    ),
    BadInput(
        "config-value-with-a-newline",
        "todo-frontend",
        {"extraConfig": {"MOTD": "hi\nthere"}},
        ("extraConfig", "MOTD"),
        lambda: TodoFrontendProps(extra_config={"MOTD": "hi\nthere"}),
        "TodoFrontendProps.extra_config['MOTD']",
    ),
    # Backend settings.
    BadInput(
        "uppercase-cors-origin",
        "todo-backend",
        {"config.corsOrigins": ["http://Todo.local"]},
        ("config", "corsOrigins", 0),
        lambda: TodoBackendProps(cors_origins=("http://Todo.local",)),
        "TodoBackendProps.cors_origins",
    ),
    BadInput(
        "cors-origin-with-a-path",
        "todo-backend",
        {"config.corsOrigins": ["http://todo.local/app"]},
        ("config", "corsOrigins", 0),
        lambda: TodoBackendProps(cors_origins=("http://todo.local/app",)),
        "TodoBackendProps.cors_origins",
    ),
    BadInput(
        "cors-origin-port-above-65535",
        "todo-backend",
        {"config.corsOrigins": ["http://todo.local:70000"]},
        ("config", "corsOrigins", 0),
        lambda: TodoBackendProps(cors_origins=("http://todo.local:70000",)),
        "TodoBackendProps.cors_origins",
    ),
    BadInput(
        "token-lifetime-above-365-days",
        "todo-backend",
        {"config.jwtExpireDays": 366},
        ("config", "jwtExpireDays"),
        lambda: TodoBackendProps(jwt_expire_days=366),
        "TodoBackendProps.jwt_expire_days",
    ),
    BadInput(
        "unsigned-jwt-algorithm",
        "todo-backend",
        {"config.jwtAlgorithm": "none"},
        ("config", "jwtAlgorithm"),
        lambda: TodoBackendProps(jwt_algorithm="none"),
        "TodoBackendProps.jwt_algorithm",
        reason=("HS256",),
        lint=True,
    ),
    # Ports: the one the app listens on.
    BadInput(
        "backend-port-other-than-8000",
        "todo-backend",
        {"service.port": 9000},
        ("service", "port"),
        lambda: TodoBackendProps(port=9000),
        "TodoBackendProps.port",
    ),
    BadInput(
        "port-above-65535",
        "todo-frontend",
        {"service.port": 70000},
        ("service", "port"),
        lambda: TodoFrontendProps(port=70000),
        "TodoFrontendProps.port",
        reason=("65535", "65,535"),
        lint=True,
    ),
    # The constructs always probe their port; in the charts the probes are values of their own.
    BadInput(
        "backend-probe-on-another-port",
        "todo-backend",
        {"livenessProbe.httpGet.port": 9000},
        ("livenessProbe", "httpGet", "port"),
    ),
    BadInput(
        "frontend-port-moved-without-its-probes",
        "todo-frontend",
        {"service.port": 8081},
        ("livenessProbe", "tcpSocket", "port"),
    ),
    BadInput(
        "probe-on-a-port-name-the-container-lacks",
        "todo-frontend",
        {"readinessProbe.tcpSocket.port": "metrics"},
        ("readinessProbe", "tcpSocket", "port"),
    ),
    # Labels.
    BadInput(
        "app-version-with-a-plus",
        "todo-backend",
        {},
        ("appVersion",),
        lambda: TodoBackendProps(app_version="1.0.0+build.5"),
        "TodoBackendProps.app_version",
        app_version="1.0.0+build.5",
    ),
    BadInput(
        "ingress-controller-label-value-starting-with-a-dash",
        "todo-frontend",
        {"networkPolicy.enabled": True, "networkPolicy.ingressController.podLabels": {"team": "-edge"}},
        ("networkPolicy", "ingressController", "podLabels", "team"),
        lambda: TodoFrontendProps(
            network_policy=NetworkPolicy(ingress_controller_pod_labels={"team": "-edge"})
        ),
        "TodoFrontendProps.network_policy.ingress_controller_pod_labels['team']",
    ),
    # Types, enums and ranges the schema checks (helm lint too), each message saying what is allowed.
    BadInput(
        "replicas-of-wrong-type",
        "todo-frontend",
        {"replicaCount": "3"},
        ("replicaCount",),
        lambda: TodoFrontendProps(replicas="3"),  # type: ignore[arg-type]
        "TodoFrontendProps.replicas",
        reason=("integer",),
        lint=True,
    ),
    BadInput(
        "unknown-pull-policy",
        "todo-backend",
        {"image.pullPolicy": "Sometimes"},
        ("image", "pullPolicy"),
        lambda: TodoBackendProps(image_pull_policy="Sometimes"),  # type: ignore[arg-type]
        "TodoBackendProps.image_pull_policy",
        reason=("IfNotPresent",),
        lint=True,
    ),
    BadInput(
        "port-below-1",
        "todo-frontend",
        {"service.port": 0},
        ("service", "port"),
        lambda: TodoFrontendProps(port=0),
        "TodoFrontendProps.port",
        reason=("1",),
        lint=True,
    ),
    BadInput(
        "probe-port-above-65535",
        "todo-backend",
        {"livenessProbe.httpGet.port": 65536},
        ("livenessProbe", "httpGet", "port"),
        reason=("65535", "65,535"),
        lint=True,
    ),
    BadInput(
        "liveness-needing-two-successes",
        "todo-backend",
        {"livenessProbe.successThreshold": 2},
        ("livenessProbe", "successThreshold"),
        reason=("must be 1",),
    ),
    BadInput(
        "startup-needing-two-successes",
        "todo-frontend",
        {"startupProbe": {"httpGet": {"path": "/", "port": "http"}, "successThreshold": 2}},
        ("startupProbe", "successThreshold"),
        reason=("must be 1",),
    ),
    BadInput(
        "readiness-with-a-grace-period",
        "todo-backend",
        {"readinessProbe.terminationGracePeriodSeconds": 30},
        ("readinessProbe", "terminationGracePeriodSeconds"),
        reason=("must not be set",),
    ),
    BadInput(
        "startup-probe-on-another-port",
        "todo-backend",
        {"startupProbe": {"tcpSocket": {"port": 9000}}},
        ("startupProbe", "tcpSocket", "port"),
        reason=("service.port",),
    ),
    BadInput(
        "probe-period-of-wrong-type",
        "todo-frontend",
        {"readinessProbe.periodSeconds": "soon"},
        ("readinessProbe", "periodSeconds"),
        reason=("integer",),
        lint=True,
    ),
    BadInput(
        "zero-token-lifetime",
        "todo-backend",
        {"config.jwtExpireDays": 0},
        ("config", "jwtExpireDays"),
        lambda: TodoBackendProps(jwt_expire_days=0),
        "TodoBackendProps.jwt_expire_days",
        reason=("1",),
        lint=True,
    ),
    BadInput(
        "host-with-underscore",
        "todo-frontend",
        {"ingress.host": "todo_local"},
        ("ingress", "host"),
        lambda: TodoIngressProps(host="todo_local"),
        "TodoIngressProps.host",
        reason=("pattern",),
        lint=True,
    ),
    BadInput(
        "unknown-service-type",
        "todo-frontend",
        {"service.type": "External"},
        ("service", "type"),
        lambda: TodoFrontendProps(service_type="External"),  # type: ignore[arg-type]
        "TodoFrontendProps.service_type",
        reason=("ClusterIP",),
        lint=True,
    ),
    # A misspelt key would otherwise be ignored without a word.
    BadInput(
        "misspelt-key", "todo-backend", {"replicas": 3}, ("replicas",), reason=("additional",), lint=True
    ),
    # Keys a typed value or the Secret sets, named in the refusal.
    *(
        BadInput(
            f"config-name-{key}",
            "todo-backend",
            {"extraConfig": {key: "x"}},
            ("extraConfig",),
            lambda key=key: TodoBackendProps(extra_config={key: "x"}),
            "TodoBackendProps.extra_config",
            reason=(key,),
        )
        for key in ("JWT_ALGORITHM", "DATABASE_URL")
    ),
)


def _values_tree(flat: Mapping[str, Any]) -> dict[str, Any]:
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        node[leaf] = value
    return tree


def _spellings(field: tuple[str | int, ...]) -> tuple[str, ...]:
    """How each refusal names a value: Helm 3's schema, Helm 4's schema, the templates' fail."""
    parts = [str(part) for part in field]
    bracketed = "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in field).lstrip(".")
    return (".".join(parts), "/" + "/".join(parts), bracketed)


def _chart_with_app_version(chart: str, app_version: str, tmp_path: Path) -> Path:
    copy = tmp_path / chart
    shutil.copytree(CHARTS_DIR / chart, copy)
    meta = copy / "Chart.yaml"
    text, count = re.subn(
        r"(?m)^appVersion: .*$", f'appVersion: "{app_version}"', meta.read_text(encoding="utf-8")
    )
    assert count == 1
    meta.write_text(text, encoding="utf-8")
    return copy


@pytest.mark.parametrize("bad", BAD_INPUTS, ids=lambda bad: bad.id)
def test_the_chart_refuses_it_naming_the_value(bad, helm, tmp_path):
    chart_dir = (
        _chart_with_app_version(bad.chart, bad.app_version, tmp_path)
        if bad.app_version
        else CHARTS_DIR / bad.chart
    )
    values = tmp_path / "values.json"
    values.write_text(json.dumps(_values_tree(bad.values)), encoding="utf-8")

    result = helm.run(
        "template", bad.release or bad.chart, str(chart_dir), "--values", str(values), check=False
    )

    message = result.stderr
    assert result.returncode != 0, f"{helm.label} rendered {bad.chart} with {bad.values}"
    names = _spellings(bad.field)
    assert any(name in message for name in names), f"the message names none of {names}:\n{message}"
    # Either the schema refused it, or a template check in the constructs' wording.
    assert "schema" in message or f"{names[2]}: got " in message, message
    assert not bad.reason or any(word.lower() in message.lower() for word in bad.reason), message


@pytest.mark.parametrize("bad", [bad for bad in BAD_INPUTS if bad.lint], ids=lambda bad: bad.id)
def test_helm_lint_refuses_it_naming_the_value(bad, helm, tmp_path):
    values = tmp_path / "values.json"
    values.write_text(json.dumps(_values_tree(bad.values)), encoding="utf-8")

    result = helm.run("lint", str(CHARTS_DIR / bad.chart), "--values", str(values), check=False)

    message = result.stdout + result.stderr
    assert result.returncode != 0, f"{helm.label} lint accepted {bad.values}"
    assert any(name in message for name in _spellings(bad.field)), message


@pytest.mark.parametrize("bad", [bad for bad in BAD_INPUTS if bad.props], ids=lambda bad: bad.id)
def test_the_props_refuse_it_naming_the_field(bad):
    with pytest.raises(ValueError) as refused:
        bad.props()

    assert bad.prop in str(refused.value)
