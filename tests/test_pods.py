"""What both workloads share: names, labels, selectors, the hardened pod, the config checksum."""

from __future__ import annotations

import pytest

from constructs_lib import TodoBackendProps, TodoFrontendProps, config_checksum
from testbed.manifests import Manifests, only_container, pod_spec
from tests.support.synth import synth_stack

WORKLOADS = [("todo-backend", "backend"), ("todo-frontend", "frontend")]
APP_VERSION = {
    "todo-backend": TodoBackendProps().app_version,
    "todo-frontend": TodoFrontendProps().app_version,
}


@pytest.mark.parametrize(("name", "component"), WORKLOADS)
def test_every_object_carries_helms_recommended_labels(
    default_stack: Manifests, name: str, component: str
) -> None:
    expected = {
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": name,
        "app.kubernetes.io/version": APP_VERSION[name],
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": "todo",
        "app.kubernetes.io/managed-by": "cdk8s",
    }
    for kind, object_name in [
        ("ConfigMap", f"{name}-config"),
        ("Deployment", name),
        ("Service", name),
        ("Ingress", name),
    ]:
        assert default_stack.get(kind, object_name)["metadata"]["labels"] == expected
    template = default_stack.get("Deployment", name)["spec"]["template"]
    assert template["metadata"]["labels"] == expected


@pytest.mark.parametrize(("name", "component"), WORKLOADS)
def test_selectors_are_exactly_name_and_instance(default_stack: Manifests, name: str, component: str) -> None:
    selector = {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}
    assert default_stack.get("Deployment", name)["spec"]["selector"] == {"matchLabels": selector}
    assert default_stack.get("Service", name)["spec"]["selector"] == selector


def test_no_object_carries_a_cdk8s_label_or_a_hashed_name(default_stack: Manifests) -> None:
    names = {"todo-backend", "todo-frontend", "todo-backend-config", "todo-frontend-config"}
    for obj in default_stack:
        assert obj["metadata"]["name"] in names
        labels = [*obj["metadata"].get("labels", {})]
        if obj["kind"] == "Deployment":
            labels += [*obj["spec"]["template"]["metadata"]["labels"]]
        assert not [label for label in labels if label.startswith("cdk8s.io/")]


@pytest.mark.parametrize("name", ["todo-backend", "todo-frontend"])
def test_pod_runs_as_uid_and_gid_1001_under_the_restricted_profile(
    default_stack: Manifests, name: str
) -> None:
    spec = pod_spec(default_stack.get("Deployment", name))
    assert spec["securityContext"] == {
        "runAsUser": 1001,
        "runAsGroup": 1001,
        "runAsNonRoot": True,
        "fsGroup": 1001,
        "fsGroupChangePolicy": "OnRootMismatch",
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert only_container(default_stack.get("Deployment", name))["securityContext"] == {
        "runAsUser": 1001,
        "runAsGroup": 1001,
        "runAsNonRoot": True,
        "privileged": False,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }


@pytest.mark.parametrize("name", ["todo-backend", "todo-frontend"])
def test_pod_gets_no_service_account_token(default_stack: Manifests, name: str) -> None:
    assert pod_spec(default_stack.get("Deployment", name))["automountServiceAccountToken"] is False


@pytest.mark.parametrize("name", ["todo-backend", "todo-frontend"])
def test_pod_template_carries_the_checksum_of_its_configmap(default_stack: Manifests, name: str) -> None:
    data = default_stack.get("ConfigMap", f"{name}-config")["data"]
    annotations = default_stack.get("Deployment", name)["spec"]["template"]["metadata"]["annotations"]
    assert annotations == {"checksum/config": config_checksum(data)}


def test_a_config_change_changes_the_checksum_and_so_rolls_the_pods(default_stack: Manifests) -> None:
    changed = synth_stack(
        backend=TodoBackendProps(jwt_expire_days=1),
        frontend=TodoFrontendProps(extra_config={"LOG_LEVEL": "debug"}),
    )
    for name in ("todo-backend", "todo-frontend"):
        before = default_stack.get("Deployment", name)["spec"]["template"]["metadata"]
        after = changed.get("Deployment", name)["spec"]["template"]["metadata"]
        assert before["annotations"] != after["annotations"]
