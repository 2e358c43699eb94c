"""Each rule JSON Schema cannot state is enforced by both packagings, with the same message.

scripts.chart_mapping.TEMPLATE_RULES lists them; :data:`EXAMPLES` breaks each one
the constructs also have, in both packagings. The chart's template must fail
and the props must raise, and "what is allowed" must read the same in both.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import cdk8s
import pytest

from constructs_lib import (
    SECRET_KEYS,
    Autoscaling,
    ConfigMapKeyRef,
    ExternalSecret,
    IngressPath,
    IngressTls,
    NetworkPeer,
    NetworkPolicy,
    Probe,
    Resources,
    SecretKeyRef,
    ServiceAccount,
    TodoApp,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
    Toleration,
    TolerationOperator,
    Volume,
    VolumeMount,
    ZeroDowntimeRollout,
    add_todo_charts,
)
from constructs_lib.pod_settings import ANNOTATIONS_MAX_BYTES
from scripts.chart_mapping import TEMPLATE_RULES, VALUES, Chart, TemplateRule, values_tree
from testbed.paths import REPO_ROOT

RULES = {rule.id: rule for rule in TEMPLATE_RULES}
BACKEND_RESOURCES = {
    "cpu_request": "250m",
    "memory_request": "256Mi",
    "cpu_limit": "500m",
    "memory_limit": "512Mi",
}


ROUTED = {"httpRoute": {"enabled": True, "gatewayName": "public"}}


def _routed(backend: TodoBackendProps | None = None, frontend: TodoFrontendProps | None = None) -> None:
    """The stack routed through a Gateway: where the Gateway API's path rules apply."""
    add_todo_charts(
        cdk8s.App(),
        backend=backend or TodoBackendProps(),
        frontend=frontend or TodoFrontendProps(),
        http_route=TodoHttpRouteProps(gateway_name="public"),
    )


@dataclass(frozen=True)
class Example:
    """One breach of a rule: as chart values, and as props."""

    rule: str
    chart: Chart
    values: Mapping[str, Any]
    props: Callable[[], object]


# Below the limit on their own; over it with the library's annotations on the same object.
_NEAR_ANNOTATIONS_MAX = "x" * (ANNOTATIONS_MAX_BYTES - 20)


def _resources(**changed: str) -> Resources:
    return Resources(**{**BACKEND_RESOURCES, **changed})


EXAMPLES = (
    Example(
        "wildcard-host-origins",
        "todo-backend",
        {"ingress.host": "*.example.com"},
        lambda: TodoApp(cdk8s.Testing.app(), "todo", ingress=TodoIngressProps(host="*.example.com")),
    ),
    Example(
        "wildcard-host-origins",
        "todo-backend",
        {
            "ingress.enabled": False,
            "httpRoute": {"enabled": True, "gatewayName": "public", "host": "*.example.com"},
        },
        lambda: TodoApp(
            cdk8s.Testing.app(),
            "todo",
            http_route=TodoHttpRouteProps(gateway_name="public", host="*.example.com"),
        ),
    ),
    Example(
        "tls-secret-apart-from-settings",
        "todo-backend",
        {"secretName": "todo-tls", "ingress.tls": {"secretName": "todo-tls", "clusterIssuer": "letsencrypt"}},
        lambda: TodoApp(
            cdk8s.Testing.app(),
            "todo",
            backend=TodoBackendProps(secret_name="todo-tls"),
            ingress=TodoIngressProps(tls=IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt")),
        ),
    ),
    Example(
        "annotations-with-library-size",
        "todo-backend",
        {"commonAnnotations": {"owner": _NEAR_ANNOTATIONS_MAX}},
        lambda: TodoApp(cdk8s.Testing.app(), "todo", annotations={"owner": _NEAR_ANNOTATIONS_MAX}),
    ),
    Example(
        "annotations-with-library-size",
        "todo-frontend",
        {"podAnnotations": {"note": _NEAR_ANNOTATIONS_MAX}},
        lambda: TodoFrontendProps(pod_annotations={"note": _NEAR_ANNOTATIONS_MAX}),
    ),
    Example(
        "probe-timeout-below-period",
        "todo-backend",
        {"readinessProbe.timeoutSeconds": 10},
        lambda: TodoBackendProps(readiness=Probe(http_path="/health", period_seconds=10, timeout_seconds=10)),
    ),
    Example(
        "limits-not-below-requests",
        "todo-backend",
        {"resources.limits.memory": "128Mi"},
        lambda: TodoBackendProps(resources=_resources(memory_limit="128Mi")),
    ),
    Example(
        "canonical-quantities",
        "todo-backend",
        {"resources.limits.cpu": "1000m"},
        lambda: TodoBackendProps(resources=_resources(cpu_limit="1000m")),
    ),
    Example(
        "max-replicas-not-below-min",
        "todo-frontend",
        {"autoscaling.enabled": True, "autoscaling.minReplicas": 5, "autoscaling.maxReplicas": 2},
        lambda: TodoFrontendProps(autoscaling=Autoscaling(min_replicas=5, max_replicas=2)),
    ),
    Example(
        "grace-period-outlasts-shutdown",
        "todo-backend",
        {"zeroDowntimeRollout.enabled": True, "zeroDowntimeRollout.terminationGracePeriodSeconds": 35},
        lambda: TodoBackendProps(
            zero_downtime_rollout=ZeroDowntimeRollout(termination_grace_period_seconds=35)
        ),
    ),
    Example(
        "grace-period-outlasts-shutdown",
        "todo-frontend",
        {"zeroDowntimeRollout.enabled": True, "zeroDowntimeRollout.terminationGracePeriodSeconds": 5},
        lambda: TodoFrontendProps(
            zero_downtime_rollout=ZeroDowntimeRollout(termination_grace_period_seconds=5)
        ),
    ),
    Example(
        "config-names-of-typed-values",
        "todo-frontend",
        {"extraConfig": {"PORT": "8080"}},
        lambda: TodoFrontendProps(extra_config={"PORT": "8080"}),
    ),
    Example(
        "config-names-of-typed-values",
        "todo-backend",
        {"extraConfig": {"JWT_ALGORITHM": "HS384"}},
        lambda: TodoBackendProps(extra_config={"JWT_ALGORITHM": "HS384"}),
    ),
    Example(
        "image-path-length",
        "todo-backend",
        {"image.repository": "registry.example.com/" + "a" * 256},
        lambda: TodoBackendProps(image="registry.example.com/" + "a" * 256),
    ),
    Example(
        "image-path-length",
        "todo-frontend",
        {"image.repository": "a" * 248},
        lambda: TodoFrontendProps(image="a" * 248),
    ),
    Example(
        "image-source",
        "todo-backend",
        {
            "image.repository": "registry.example.com/todo-backend",
            "image.tag": "1.2.3",
            "image.pullPolicy": "Never",
        },
        lambda: TodoBackendProps(
            image="registry.example.com/todo-backend", image_tag="1.2.3", image_pull_policy="Never"
        ),
    ),
    Example(
        "image-source",
        "todo-frontend",
        {"image.repository": "team/todo-frontend"},
        lambda: TodoFrontendProps(image="team/todo-frontend"),
    ),
    Example(
        "image-source",
        "todo-backend",
        {"image.pullPolicy": "IfNotPresent"},
        lambda: TodoBackendProps(image_pull_policy="IfNotPresent"),
    ),
    Example(
        "origin-default-port",
        "todo-backend",
        {"config.corsOrigins": ["https://todo.example.com:443"]},
        lambda: TodoBackendProps(cors_origins=("https://todo.example.com:443",)),
    ),
    Example(
        "cidr-canonical",
        "todo-backend",
        {"networkPolicy.enabled": True, "networkPolicy.egressTo": [{"cidr": "10.20.0.1/16"}]},
        lambda: TodoBackendProps(network_policy=NetworkPolicy(egress_to=(NetworkPeer(cidr="10.20.0.1/16"),))),
    ),
    Example(
        "cidr-canonical",
        "todo-frontend",
        {"networkPolicy.enabled": True, "networkPolicy.dns": [{"cidr": "169.254.20.10/24"}]},
        lambda: TodoFrontendProps(network_policy=NetworkPolicy(dns=(NetworkPeer(cidr="169.254.20.10/24"),))),
    ),
    Example(
        "service-account-annotations-need-create",
        "todo-backend",
        {
            "serviceAccount.name": "todo",
            "serviceAccount.annotations": {"iam.gke.io/gcp-service-account": "x"},
        },
        lambda: TodoBackendProps(
            service_account=ServiceAccount(
                create=False, name="todo", annotations={"iam.gke.io/gcp-service-account": "x"}
            )
        ),
    ),
    Example(
        "env-names",
        "todo-frontend",
        {"extraEnvVars": [{"name": "PORT", "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}]},
        lambda: TodoFrontendProps(extra_env={"PORT": SecretKeyRef(secret="s", key="k")}),
    ),
    Example(
        "env-names",
        "todo-backend",
        {
            "extraEnvVars": [
                {"name": "GUNICORN_CMD_ARGS", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}
            ]
        },
        lambda: TodoBackendProps(extra_env={"GUNICORN_CMD_ARGS": ConfigMapKeyRef(config_map="c", key="k")}),
    ),
    Example(
        "env-names",
        "todo-backend",
        {
            "extraConfig": {"REGION": "eu"},
            "extraEnvVars": [{"name": "REGION", "valueFrom": {"configMapKeyRef": {"name": "c", "key": "k"}}}],
        },
        lambda: TodoBackendProps(
            extra_config={"REGION": "eu"}, extra_env={"REGION": ConfigMapKeyRef(config_map="c", key="k")}
        ),
    ),
    Example(
        "extra-volumes",
        "todo-frontend",
        {"extraVolumes": [{"name": "tmp", "emptyDir": {"sizeLimit": "1Gi"}}]},
        lambda: TodoFrontendProps(extra_volumes=(Volume(name="tmp", empty_dir_size_limit="1Gi"),)),
    ),
    Example(
        "extra-volumes",
        "todo-backend",
        {"extraVolumes": [{"name": "ca", "configMap": {"name": "ca"}}]},
        lambda: TodoBackendProps(extra_volumes=(Volume(name="ca", config_map="ca"),)),
    ),
    Example(
        "extra-volumes",
        "todo-backend",
        {
            "extraVolumes": [{"name": "ca", "configMap": {"name": "ca"}}],
            "extraVolumeMounts": [{"name": "cb", "mountPath": "/ca"}],
        },
        lambda: TodoBackendProps(
            extra_volumes=(Volume(name="ca", config_map="ca"),),
            extra_volume_mounts=(VolumeMount(volume="cb", path="/ca"),),
        ),
    ),
    Example(
        "extra-volumes",
        "todo-frontend",
        {
            "extraVolumes": [{"name": "ca", "configMap": {"name": "ca"}}],
            "extraVolumeMounts": [{"name": "ca", "mountPath": "/app/.next/cache/"}],
        },
        lambda: TodoFrontendProps(
            extra_volumes=(Volume(name="ca", config_map="ca"),),
            extra_volume_mounts=(VolumeMount(volume="ca", path="/app/.next/cache/"),),
        ),
    ),
    Example(
        "extra-volumes",
        "todo-backend",
        {
            "extraVolumes": [{"name": "ca", "secret": {"secretName": "ca"}}],
            "extraVolumeMounts": [{"name": "ca", "mountPath": "/etc/../root"}],
        },
        lambda: TodoBackendProps(
            extra_volumes=(Volume(name="ca", secret="ca"),),
            extra_volume_mounts=(VolumeMount(volume="ca", path="/etc/../root"),),
        ),
    ),
    Example(
        "extra-volumes",
        "todo-backend",
        {
            "extraVolumes": [{"name": "ca", "secret": {"secretName": "ca"}}],
            "extraVolumeMounts": [{"name": "ca", "mountPath": "/ca", "subPath": "../x"}],
        },
        lambda: TodoBackendProps(
            extra_volumes=(Volume(name="ca", secret="ca"),),
            extra_volume_mounts=(VolumeMount(volume="ca", path="/ca", sub_path="../x"),),
        ),
    ),
    Example(
        "config-names-the-library-owns",
        "todo-frontend",
        {"extraConfig": {"HOSTNAME": "127.0.0.1"}},
        lambda: TodoFrontendProps(extra_config={"HOSTNAME": "127.0.0.1"}),
    ),
    Example(
        "config-names-the-library-owns",
        "todo-backend",
        {"extraConfig": {"GUNICORN_CMD_ARGS": "--graceful-timeout 90"}},
        lambda: TodoBackendProps(extra_config={"GUNICORN_CMD_ARGS": "--graceful-timeout 90"}),
    ),
    Example(
        "config-map-size",
        "todo-frontend",
        {"extraConfig": {"BLOB": "x" * 1024 * 1024}},
        lambda: TodoFrontendProps(extra_config={"BLOB": "x" * 1024 * 1024}),
    ),
    Example(
        "ingress-paths",
        "todo-backend",
        {"ingress.paths": [{"path": "/api/../x", "pathType": "Prefix"}]},
        lambda: TodoBackendProps(ingress_paths=(IngressPath(path="/api/../x"),)),
    ),
    Example(
        "ingress-paths",
        "todo-backend",
        {"ingress.paths": [{"path": "/api/.", "pathType": "Prefix"}]},
        lambda: TodoBackendProps(ingress_paths=(IngressPath(path="/api/."),)),
    ),
    Example(
        "ingress-paths",
        "todo-frontend",
        {"ingress.paths": [{"path": "/", "pathType": "Prefix"}, {"path": "/", "pathType": "Exact"}]},
        lambda: TodoFrontendProps(ingress_paths=(IngressPath(path="/"), IngressPath(path="/", exact=True))),
    ),
    Example(
        "ingress-paths",
        "todo-backend",
        {"ingress.paths": [{"path": "/api", "pathType": "Prefix"}, {"path": "/api/", "pathType": "Prefix"}]},
        lambda: TodoBackendProps(ingress_paths=(IngressPath(path="/api"), IngressPath(path="/api/"))),
    ),
    Example(
        "backend-port",
        "todo-backend",
        {"service.port": 9000},
        lambda: TodoBackendProps(port=9000),
    ),
    Example(
        "host-not-an-ip-address",
        "todo-frontend",
        {"ingress.host": "10.0.0.1"},
        lambda: TodoIngressProps(host="10.0.0.1"),
    ),
    Example(
        # Kubernetes reads leading zeros as an IP address too (ParseIPSloppy).
        "host-not-an-ip-address",
        "todo-backend",
        {"ingress.host": "010.0.0.001"},
        lambda: TodoIngressProps(host="010.0.0.001"),
    ),
    Example(
        "go-duration",
        "todo-backend",
        {
            "externalSecret": {
                "enabled": True,
                "storeName": "vault",
                "refreshInterval": "2562048h",
                "remoteKeys": {key: f"todo/{key}" for key in SECRET_KEYS},
            }
        },
        lambda: ExternalSecret(
            store_name="vault",
            remote_keys={key: f"todo/{key}" for key in SECRET_KEYS},
            refresh_interval="2562048h",
        ),
    ),
    Example(
        "gateway-paths",
        "todo-backend",
        {**ROUTED, "ingress": {"paths": [{"path": "/api#top", "pathType": "Prefix"}]}},
        lambda: _routed(TodoBackendProps(ingress_paths=(IngressPath(path="/api#top"),))),
    ),
    Example(
        "gateway-paths",
        "todo-frontend",
        {
            **ROUTED,
            "ingress": {"paths": [{"path": f"/p{index}", "pathType": "Prefix"} for index in range(65)]},
        },
        lambda: _routed(
            frontend=TodoFrontendProps(
                ingress_paths=tuple(IngressPath(path=f"/p{index}") for index in range(65))
            )
        ),
    ),
    Example(
        "reserved-metadata-keys",
        "todo-backend",
        {"podLabels": {"app.kubernetes.io/part-of": "other"}},
        lambda: TodoBackendProps(pod_labels={"app.kubernetes.io/part-of": "other"}),
    ),
    Example(
        "reserved-metadata-keys",
        "todo-frontend",
        {"podLabels": {"helm.sh/chart": "mine"}},
        lambda: TodoFrontendProps(pod_labels={"helm.sh/chart": "mine"}),
    ),
    Example(
        "reserved-metadata-keys",
        "todo-backend",
        {"commonAnnotations": {"helm.sh/hook": "pre-install"}},
        lambda: TodoApp(cdk8s.Testing.app(), "todo", annotations={"helm.sh/hook": "pre-install"}),
    ),
    Example(
        "reserved-metadata-keys",
        "todo-frontend",
        {"service.annotations": {"argocd.argoproj.io/hook": "PreSync"}},
        lambda: TodoFrontendProps(service_annotations={"argocd.argoproj.io/hook": "PreSync"}),
    ),
    Example(
        "reserved-metadata-keys",
        "todo-backend",
        {"commonLabels": {"checkov.io/x": "y"}},
        lambda: TodoApp(cdk8s.Testing.app(), "todo", labels={"checkov.io/x": "y"}),
    ),
    Example(
        "annotations-size",
        "todo-frontend",
        {"podAnnotations": {"a": "x" * 256 * 1024}},
        lambda: TodoFrontendProps(pod_annotations={"a": "x" * 256 * 1024}),
    ),
    Example(
        "cluster-issuer-annotation",
        "todo-frontend",
        {
            "ingress.tls.secretName": "todo-tls",
            "ingress.tls.clusterIssuer": "letsencrypt",
            "ingress.annotations": {"cert-manager.io/cluster-issuer": "other"},
        },
        lambda: TodoIngressProps(
            tls=IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt"),
            annotations={"cert-manager.io/cluster-issuer": "other"},
        ),
    ),
    Example(
        "tolerations",
        "todo-backend",
        {"tolerations": [{"key": "", "operator": "Equal"}]},
        lambda: TodoBackendProps(tolerations=(Toleration(key=""),)),
    ),
    Example(
        "tolerations",
        "todo-frontend",
        {
            "tolerations": [
                {"key": "dedicated", "operator": "Exists", "effect": "NoSchedule", "tolerationSeconds": 5}
            ]
        },
        lambda: TodoFrontendProps(
            tolerations=(
                Toleration(
                    key="dedicated",
                    operator=TolerationOperator.EXISTS,
                    effect="NoSchedule",
                    toleration_seconds=5,
                ),
            )
        ),
    ),
)


def test_every_rule_the_constructs_share_has_an_example():
    assert {example.rule for example in EXAMPLES} == {rule.id for rule in TEMPLATE_RULES if rule.props}


def _allowed(message: str, rule: TemplateRule) -> tuple[str, str]:
    """(the field named, what is allowed) of a ``<field>: got <value>; <allowed>`` message, in the props' spellings."""
    field, _, rest = message.partition(": got ")
    _, _, allowed = rest.partition("; ")
    for chart_name, props_name in sorted(rule.names.items(), key=lambda item: -len(item[0])):
        allowed = allowed.replace(chart_name, props_name)
    return field, allowed.replace('"', "'")


@pytest.mark.parametrize(
    "example", EXAMPLES, ids=[f"{example.rule}-{example.chart}-{i}" for i, example in enumerate(EXAMPLES)]
)
def test_both_packagings_refuse_it_with_the_same_message(example, helm, tmp_path):
    rule = RULES[example.rule]
    values = tmp_path / "values.json"
    values.write_text(json.dumps(values_tree(example.values)), encoding="utf-8")

    rendered = helm.run(
        "template",
        example.chart,
        str(REPO_ROOT / "charts" / example.chart),
        "--values",
        str(values),
        check=False,
    )
    with pytest.raises(ValueError) as raised:
        example.props()

    assert rendered.returncode != 0, f"{helm.label} rendered {example.values}"
    failed = re.search(r"execution error at \([^)]*\): (.*)", rendered.stderr)
    assert failed, f"not a template fail (the schema's job?):\n{rendered.stderr}"
    chart_field, chart_allowed = _allowed(failed[1], rule)
    props_field, props_allowed = _allowed(str(raised.value), rule)
    assert re.sub(r"\[\d+\]", "[]", chart_field).startswith(rule.values), chart_field
    assert any(prop.split(".")[-1] in props_field for prop in rule.props), props_field
    assert chart_allowed, failed[1]
    assert chart_allowed == props_allowed


@pytest.mark.parametrize("rule", TEMPLATE_RULES, ids=lambda rule: rule.id)
def test_each_rule_names_values_its_charts_have(rule):
    for chart in rule.charts:
        paths = {entry.path for entry in VALUES if chart in entry.charts}
        for value in rule.values:
            # A key inside a map value (livenessProbe.timeoutSeconds) counts as its map's.
            parts = value.split("[]")[0].split(".")
            ancestors = {".".join(parts[: end + 1]) for end in range(len(parts))}
            assert ancestors & paths, f"{chart} has no value {value}"
