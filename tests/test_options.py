"""The production options: off by default, and each does what its prop says when on.

The charts render the same objects (tests/helm value sets); here the
constructs' behaviour is pinned field by field.
"""

from __future__ import annotations

import re
import runpy
from collections.abc import Callable
from typing import Any

import cdk8s
import pytest
import yaml

from constructs_lib import (
    Autoscaling,
    NetworkPolicy,
    Resources,
    ServiceAccount,
    TodoBackend,
    TodoBackendProps,
    TodoFrontend,
    TodoFrontendProps,
    TodoIngressProps,
    ZeroDowntimeRollout,
    add_todo_charts,
)
from constructs_lib.backend import GUNICORN_GRACEFUL_TIMEOUT
from testbed.dockerfile import Dockerfile
from testbed.manifests import Manifests, only_container, pod_spec
from testbed.paths import REPO_ROOT
from tests.support.synth import synth_stack

OPTION_KINDS = {"NetworkPolicy", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
BACKEND, FRONTEND = "todo-backend", "todo-frontend"


def _stack(**backend: Any) -> Manifests:
    return synth_stack(backend=TodoBackendProps(**backend))


def test_default_props_emit_none_of_the_options(default_stack: Manifests) -> None:
    assert {obj["kind"] for obj in default_stack} & OPTION_KINDS == set()
    for name in (BACKEND, FRONTEND):
        deployment = default_stack.get("Deployment", name)
        spec = pod_spec(deployment)
        assert deployment["spec"]["replicas"] == 1
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == "25%"
        assert "affinity" not in spec and "topologySpreadConstraints" not in spec
        assert "lifecycle" not in only_container(deployment)


# --- NetworkPolicies ------------------------------------------------------------


def _rules(policy: dict[str, Any], direction: str) -> list[dict[str, Any]]:
    return policy["spec"].get(direction, [])


def test_network_policy_denies_everything_by_default_for_the_workloads_pods() -> None:
    manifests = synth_stack(
        backend=TodoBackendProps(network_policy=NetworkPolicy()),
        frontend=TodoFrontendProps(network_policy=NetworkPolicy()),
    )

    for name in (BACKEND, FRONTEND):
        deny = manifests.get("NetworkPolicy", f"{name}-default-deny")
        assert deny["spec"] == {
            "podSelector": {
                "matchLabels": {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}
            },
            "policyTypes": ["Ingress", "Egress"],
        }


def test_backend_accepts_only_the_ingress_controller_and_the_frontend() -> None:
    policy = _stack(network_policy=NetworkPolicy()).get("NetworkPolicy", BACKEND)

    http = [{"port": "http", "protocol": "TCP"}]
    assert _rules(policy, "ingress") == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}},
                    "podSelector": {"matchLabels": {"app.kubernetes.io/name": "ingress-nginx"}},
                }
            ],
            "ports": http,
        },
        {
            "from": [
                {
                    "podSelector": {
                        "matchLabels": {
                            "app.kubernetes.io/instance": FRONTEND,
                            "app.kubernetes.io/component": "frontend",
                        }
                    }
                }
            ],
            "ports": http,
        },
    ]


def test_backend_connects_out_only_to_dns_postgresql_and_https() -> None:
    policy = _stack(network_policy=NetworkPolicy()).get("NetworkPolicy", BACKEND)

    assert _rules(policy, "egress") == [
        {
            "to": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}}}],
            "ports": [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}],
        },
        {"ports": [{"port": 5432, "protocol": "TCP"}, {"port": 443, "protocol": "TCP"}]},
    ]


def test_frontend_accepts_the_ingress_controller_and_calls_only_dns_and_the_backend() -> None:
    manifests = synth_stack(
        frontend=TodoFrontendProps(
            network_policy=NetworkPolicy(
                ingress_controller_namespace="traefik", ingress_controller_pod_labels={"app": "traefik"}
            )
        )
    )
    policy = manifests.get("NetworkPolicy", FRONTEND)

    (ingress,) = _rules(policy, "ingress")
    assert ingress["from"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "traefik"}},
            "podSelector": {"matchLabels": {"app": "traefik"}},
        }
    ]
    dns, backend = _rules(policy, "egress")
    assert {port["port"] for port in dns["ports"]} == {53}
    assert backend == {
        "to": [
            {
                "podSelector": {
                    "matchLabels": {
                        "app.kubernetes.io/instance": BACKEND,
                        "app.kubernetes.io/component": "backend",
                    }
                }
            }
        ],
        "ports": [{"port": "http", "protocol": "TCP"}],
    }


def _peer_selectors(policy: dict[str, Any], direction: str) -> list[dict[str, str]]:
    """The pod selectors of the policy's rules for pods in its own namespace (not the controller's)."""
    side = "from" if direction == "ingress" else "to"
    return [
        peer["podSelector"]["matchLabels"]
        for rule in _rules(policy, direction)
        for peer in rule.get(side, [])
        if "podSelector" in peer and "namespaceSelector" not in peer
    ]


def _selected_workloads(selectors: list[dict[str, str]], deployments: list[dict[str, Any]]) -> set[str]:
    return {
        deployment["metadata"]["name"]
        for deployment in deployments
        for selector in selectors
        if selector.items() <= deployment["spec"]["template"]["metadata"]["labels"].items()
    }


def test_two_stacks_in_one_namespace_each_admit_and_call_only_their_own_peer() -> None:
    app = cdk8s.Testing.app()
    stacks = [(BACKEND, FRONTEND), ("todo-api", "todo-web")]
    charts = [
        chart
        for backend, frontend in stacks
        for chart in add_todo_charts(
            app,
            backend=TodoBackendProps(name=backend, network_policy=NetworkPolicy()),
            frontend=TodoFrontendProps(name=frontend, network_policy=NetworkPolicy()),
            ingress=TodoIngressProps(host=f"{frontend}.example.com"),
        )
    ]
    manifests = Manifests(obj for chart in charts for obj in cdk8s.Testing.synth(chart))
    deployments = manifests.of_kind("Deployment")

    def peers(name: str, direction: str) -> set[str]:
        return _selected_workloads(
            _peer_selectors(manifests.get("NetworkPolicy", name), direction), deployments
        )

    for backend, frontend in stacks:
        assert peers(backend, "ingress") == {frontend}
        assert peers(frontend, "egress") == {backend}
        assert peers(backend, "egress") == peers(frontend, "ingress") == set()


def _backend(chart: cdk8s.Chart, **peer: str) -> None:
    TodoBackend(chart, "backend", props=TodoBackendProps(network_policy=NetworkPolicy()), **peer)


def _frontend(chart: cdk8s.Chart, **peer: str) -> None:
    TodoFrontend(chart, "frontend", props=TodoFrontendProps(network_policy=NetworkPolicy()), **peer)


@pytest.mark.parametrize(
    ("build", "peer", "name", "direction", "expected", "component"),
    [
        (_backend, {}, BACKEND, "ingress", FRONTEND, "frontend"),
        (_backend, {"frontend_name": "todo-web"}, BACKEND, "ingress", "todo-web", "frontend"),
        (_frontend, {}, FRONTEND, "egress", BACKEND, "backend"),
        (_frontend, {"backend_name": "todo-api"}, FRONTEND, "egress", "todo-api", "backend"),
    ],
    ids=["backend-default", "backend-named", "frontend-default", "frontend-named"],
)
def test_a_standalone_workload_selects_the_peer_it_is_given_defaulting_to_the_spec_name(
    build: Callable[..., None], peer: dict[str, str], name: str, direction: str, expected: str, component: str
) -> None:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test")
    build(chart, **peer)
    policy = Manifests(cdk8s.Testing.synth(chart)).get("NetworkPolicy", name)

    assert _peer_selectors(policy, direction) == [
        {"app.kubernetes.io/instance": expected, "app.kubernetes.io/component": component}
    ]


def test_the_peer_rules_name_the_port_the_containers_name() -> None:
    manifests = _stack(network_policy=NetworkPolicy())

    assert only_container(manifests.get("Deployment", BACKEND))["ports"][0]["name"] == "http"
    assert only_container(manifests.get("Deployment", FRONTEND))["ports"][0]["name"] == "http"


def test_network_policy_replaces_the_checkov_exception_for_pods_without_one() -> None:
    def exceptions(manifests: Manifests) -> set[str]:
        annotations = manifests.get("Deployment", BACKEND)["metadata"]["annotations"]
        return {
            value.split("=")[0] for key, value in annotations.items() if key.startswith("checkov.io/skip")
        }

    assert "CKV2_K8S_6" in exceptions(_stack())
    assert "CKV2_K8S_6" not in exceptions(_stack(network_policy=NetworkPolicy()))


# --- HorizontalPodAutoscaler ------------------------------------------------------


def test_autoscaling_adds_a_cpu_autoscaler_and_leaves_replicas_to_it() -> None:
    manifests = _stack(
        replicas=4, autoscaling=Autoscaling(min_replicas=2, max_replicas=6, target_cpu_utilization=70)
    )

    hpa = manifests.get("HorizontalPodAutoscaler", BACKEND)
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": BACKEND},
        "minReplicas": 2,
        "maxReplicas": 6,
        "metrics": [
            {
                "type": "Resource",
                "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}},
            }
        ],
    }
    assert "replicas" not in manifests.get("Deployment", BACKEND)["spec"]


# --- PodDisruptionBudget and spreading, from two pods on -------------------------------


@pytest.mark.parametrize(("replicas", "emitted"), [(0, False), (1, False), (2, True), (5, True)])
def test_disruption_budget_is_emitted_only_from_two_replicas(replicas: int, emitted: bool) -> None:
    manifests = _stack(replicas=replicas, pod_disruption_budget=True)

    budgets = manifests.of_kind("PodDisruptionBudget")
    assert bool(budgets) is emitted
    if emitted:
        assert budgets[0]["spec"] == {
            "maxUnavailable": 1,
            "selector": {
                "matchLabels": {"app.kubernetes.io/name": BACKEND, "app.kubernetes.io/instance": BACKEND}
            },
        }


def test_disruption_budget_counts_the_autoscalers_floor_not_replicas() -> None:
    assert _stack(replicas=1, autoscaling=Autoscaling(min_replicas=2), pod_disruption_budget=True).of_kind(
        "PodDisruptionBudget"
    )
    assert not _stack(
        replicas=3, autoscaling=Autoscaling(min_replicas=1), pod_disruption_budget=True
    ).of_kind("PodDisruptionBudget")


@pytest.mark.parametrize(("replicas", "spread"), [(1, False), (2, True)])
def test_pods_are_spread_softly_over_nodes_and_zones_only_from_two_replicas(
    replicas: int, spread: bool
) -> None:
    spec = pod_spec(_stack(replicas=replicas, spread_pods=True).get("Deployment", BACKEND))

    selector = {"matchLabels": {"app.kubernetes.io/name": BACKEND, "app.kubernetes.io/instance": BACKEND}}
    if not spread:
        assert "affinity" not in spec and "topologySpreadConstraints" not in spec
        return
    (term,) = spec["affinity"]["podAntiAffinity"]["preferredDuringSchedulingIgnoredDuringExecution"]
    assert term == {
        "weight": 100,
        "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname", "labelSelector": selector},
    }
    assert spec["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": selector,
            # Each revision spreads on its own: a rollout's old pods do not skew the new ones.
            "matchLabelKeys": ["pod-template-hash"],
        }
    ]


# --- zero-downtime rollout ------------------------------------------------------------


def test_zero_downtime_rollout_keeps_old_pods_until_new_ones_are_ready_and_drains_them() -> None:
    deployment = _stack(zero_downtime_rollout=ZeroDowntimeRollout()).get("Deployment", BACKEND)

    assert deployment["spec"]["strategy"] == {
        "type": "RollingUpdate",
        "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 0},
    }
    assert only_container(deployment)["lifecycle"] == {"preStop": {"exec": {"command": ["/bin/sleep", "5"]}}}
    assert pod_spec(deployment)["terminationGracePeriodSeconds"] == 45


def _gunicorn_graceful_timeout() -> int:
    """gunicorn's graceful_timeout for the image's CMD and backend/gunicorn.conf.py, as gunicorn reads them."""
    from gunicorn.config import Config

    command = Dockerfile(REPO_ROOT / "docker" / "backend" / "Dockerfile").final.cmd
    assert command and command[0] == "gunicorn"
    config = Config()
    for key, value in runpy.run_path(str(REPO_ROOT / "backend" / "gunicorn.conf.py")).items():
        if key in config.settings:
            config.set(key, value)
    arguments = config.parser().parse_args(command[1:])
    for key, value in vars(arguments).items():
        if value is not None and key in config.settings:
            config.set(key, value)
    return int(config.graceful_timeout)


def test_backend_grace_period_outlasts_the_pause_plus_gunicorns_graceful_timeout() -> None:
    graceful = _gunicorn_graceful_timeout()
    rollout = ZeroDowntimeRollout()

    assert graceful == GUNICORN_GRACEFUL_TIMEOUT
    assert rollout.termination_grace_period_seconds > rollout.pre_stop_seconds + graceful


def test_a_grace_period_too_short_for_gunicorn_is_rejected_naming_the_field() -> None:
    with pytest.raises(
        ValueError, match=r"TodoBackendProps\.zero_downtime_rollout\.termination_grace_period_seconds"
    ):
        TodoBackendProps(
            zero_downtime_rollout=ZeroDowntimeRollout(pre_stop_seconds=5, termination_grace_period_seconds=35)
        )

    # The frontend has no gunicorn: a grace period just above the pause will do.
    TodoFrontendProps(
        zero_downtime_rollout=ZeroDowntimeRollout(pre_stop_seconds=5, termination_grace_period_seconds=6)
    )


# --- validation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("props", "field"),
    [
        ({"autoscaling": Autoscaling(min_replicas=3, max_replicas=2)}, "autoscaling.max_replicas"),
        ({"autoscaling": Autoscaling(min_replicas=0)}, "autoscaling.min_replicas"),
        ({"autoscaling": Autoscaling(target_cpu_utilization=0)}, "autoscaling.target_cpu_utilization"),
        ({"autoscaling": 3}, "autoscaling"),
        (
            {"network_policy": NetworkPolicy(ingress_controller_namespace="Ingress")},
            "network_policy.ingress_controller_namespace",
        ),
        (
            {"network_policy": NetworkPolicy(ingress_controller_pod_labels={})},
            "network_policy.ingress_controller_pod_labels",
        ),
        ({"network_policy": True}, "network_policy"),
        ({"pod_disruption_budget": 1}, "pod_disruption_budget"),
        ({"spread_pods": "yes"}, "spread_pods"),
        (
            {"zero_downtime_rollout": ZeroDowntimeRollout(pre_stop_seconds=0)},
            "zero_downtime_rollout.pre_stop_seconds",
        ),
    ],
)
def test_a_bad_option_is_rejected_naming_the_field(props: dict[str, Any], field: str) -> None:
    with pytest.raises(ValueError, match="^" + re.escape(f"TodoBackendProps.{field}: got ")):
        TodoBackendProps(**props)


# --- Argo CD and the autoscaler ----------------------------------------------------------


def _documented_ignore_differences() -> list[dict[str, Any]]:
    text = (REPO_ROOT / "docs" / "gitops.md").read_text(encoding="utf-8")
    block = text.split("<!-- argocd-ignore-replicas -->", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    return yaml.safe_load(block)["spec"]["ignoreDifferences"]


def test_docs_tell_argo_cd_to_ignore_the_replicas_the_autoscaler_owns() -> None:
    assert _documented_ignore_differences() == [
        {"group": "apps", "kind": "Deployment", "jsonPointers": ["/spec/replicas"]}
    ]


def test_the_documented_ignore_differences_is_valid_in_the_dist_application(tmp_path) -> None:
    from tests.gitops.support import DIST_APPLICATION, load_application, validate_with_argo_cd_schema

    application = load_application(DIST_APPLICATION)
    application["spec"]["ignoreDifferences"] = _documented_ignore_differences()
    path = tmp_path / "todo.yaml"
    path.write_text(yaml.safe_dump(application), encoding="utf-8")

    validation = validate_with_argo_cd_schema([path])

    assert validation.returncode == 0, validation.results or validation.stderr
    assert [result["errors"] for result in validation.results] == [[]]


def test_a_service_account_is_the_pods_identity_without_its_token() -> None:
    role = {"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/todo"}
    manifests = synth_stack(
        backend=TodoBackendProps(service_account=ServiceAccount(annotations=role)),
        frontend=TodoFrontendProps(service_account=ServiceAccount(create=False, name="shared")),
    )

    account = manifests.get("ServiceAccount", BACKEND)
    assert account["automountServiceAccountToken"] is False
    assert role.items() <= account["metadata"]["annotations"].items()
    assert [obj["metadata"]["name"] for obj in manifests.of_kind("ServiceAccount")] == [BACKEND]
    for name, account_name in ((BACKEND, BACKEND), (FRONTEND, "shared")):
        spec = pod_spec(manifests.get("Deployment", name))
        assert (spec["serviceAccountName"], spec["automountServiceAccountToken"]) == (account_name, False)


def test_without_a_service_account_the_pods_run_as_the_namespaces_default() -> None:
    assert "serviceAccountName" not in pod_spec(_stack().get("Deployment", BACKEND))


@pytest.mark.parametrize(
    ("account", "message"),
    [
        (lambda: ServiceAccount(create=False), "TodoBackendProps.service_account.name: got None; must name"),
        (lambda: ServiceAccount(name="Todo"), "TodoBackendProps.service_account.name: got 'Todo'"),
        (
            lambda: ServiceAccount(create=False, name="x", annotations={"a": "b"}),
            "TodoBackendProps.service_account.annotations: got {'a': 'b'}; must be empty when create is False",
        ),
    ],
    ids=["existing-without-name", "bad-name", "annotations-on-nothing"],
)
def test_a_service_account_that_cannot_exist_is_refused(
    account: Callable[[], ServiceAccount], message: str
) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        TodoBackendProps(service_account=account())


def test_two_workloads_creating_one_service_account_are_refused() -> None:
    shared = ServiceAccount(name="todo")
    with pytest.raises(ValueError, match=r"TodoApp\.frontend\.service_account\.name: got 'todo'"):
        synth_stack(
            backend=TodoBackendProps(service_account=shared),
            frontend=TodoFrontendProps(service_account=shared),
        )


def test_without_a_cpu_limit_the_pods_may_burst_and_the_exception_says_so() -> None:
    resources = Resources(
        cpu_request="250m",
        memory_request="256Mi",
        cpu_limit=None,
        memory_limit="512Mi",
        ephemeral_storage_request="1Gi",
        ephemeral_storage_limit="2Gi",
    )
    deployment = _stack(resources=resources).get("Deployment", BACKEND)

    assert only_container(deployment)["resources"] == {
        "requests": {"cpu": "250m", "memory": "256Mi", "ephemeral-storage": "1Gi"},
        "limits": {"memory": "512Mi", "ephemeral-storage": "2Gi"},
    }
    assert any(
        value.startswith("CKV_K8S_11=no CPU limit")
        for value in deployment["metadata"]["annotations"].values()
    )


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"ephemeral_storage_request": "1G"},
            "resources.ephemeral_storage_request: got '1G'; must use a binary suffix",
        ),
        (
            {"ephemeral_storage_request": "2Gi", "ephemeral_storage_limit": "1Gi"},
            "resources.ephemeral_storage_limit: got '1Gi'; must not be below ephemeral_storage_request ('2Gi')",
        ),
        ({"cpu_request": "0.5"}, "resources.cpu_request: got '0.5'"),
    ],
    ids=["decimal-suffix", "limit-below-request", "cpu-spelling-without-limit"],
)
def test_bad_storage_or_cpu_without_a_limit_is_refused(changes: dict[str, str], message: str) -> None:
    fields = {"cpu_request": "250m", "memory_request": "256Mi", "cpu_limit": None, "memory_limit": "512Mi"}
    with pytest.raises(ValueError, match=re.escape(f"TodoBackendProps.{message}")):
        TodoBackendProps(resources=Resources(**{**fields, **changes}))  # type: ignore[arg-type]
