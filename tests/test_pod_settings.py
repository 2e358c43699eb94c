"""The escape hatches: pull secrets, placement and metadata, each where Kubernetes reads it, none in selectors."""

from __future__ import annotations

import pytest

from constructs_lib import TodoBackendProps, TodoFrontendProps, Toleration
from testbed.manifests import pod_spec
from tests.support.synth import synth_stack

HATCHES = TodoFrontendProps(
    image_pull_secrets=("registry-credentials",),
    pod_labels={"team": "web"},
    pod_annotations={"prometheus.io/scrape": "true"},
    service_annotations={"service.beta.kubernetes.io/aws-load-balancer-type": "nlb"},
    node_selector={"kubernetes.io/arch": "amd64"},
    tolerations=(
        Toleration(key="dedicated", value="web", effect="NoSchedule"),
        Toleration(operator="Exists", effect="NoExecute", toleration_seconds=30),
    ),
    priority_class_name="high",
)


def test_each_escape_hatch_lands_where_kubernetes_reads_it() -> None:
    stack = synth_stack(frontend=HATCHES)
    deployment = stack.get("Deployment", "todo-frontend")
    pod = pod_spec(deployment)

    assert pod["imagePullSecrets"] == [{"name": "registry-credentials"}]
    assert pod["nodeSelector"] == {"kubernetes.io/arch": "amd64"}
    assert pod["tolerations"] == [
        {"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"},
        {"operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30},
    ]
    assert pod["priorityClassName"] == "high"
    template = deployment["spec"]["template"]["metadata"]
    assert template["labels"]["team"] == "web"
    assert template["annotations"]["prometheus.io/scrape"] == "true"
    assert "checksum/config" in template["annotations"]
    assert "team" not in deployment["spec"]["selector"]["matchLabels"]
    service = stack.get("Service", "todo-frontend")
    assert service["metadata"]["annotations"]["service.beta.kubernetes.io/aws-load-balancer-type"] == "nlb"
    assert "team" not in service["spec"]["selector"]


def test_unset_escape_hatches_write_nothing() -> None:
    pod = pod_spec(synth_stack().get("Deployment", "todo-backend"))
    assert not {"imagePullSecrets", "nodeSelector", "tolerations", "priorityClassName"} & set(pod)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"image_pull_secrets": ("Registry",)}, "image_pull_secrets[0]"),
        ({"image_pull_secrets": "regcred"}, "image_pull_secrets"),
        ({"pod_labels": {"app.kubernetes.io/name": "x"}}, "pod_labels"),
        ({"pod_labels": {"team": "a b"}}, "pod_labels['team']"),
        ({"pod_annotations": {"checksum/config": "x"}}, "pod_annotations"),
        ({"pod_annotations": {"a": "x" * (256 * 1024)}}, "pod_annotations"),
        ({"service_annotations": {"checkov.io/skip1": "CKV_K8S_21=x"}}, "service_annotations"),
        ({"node_selector": {"bad key": "x"}}, "node_selector"),
        ({"tolerations": (Toleration(),)}, "tolerations[0].key"),
        ({"tolerations": (Toleration(key="k", operator="Exists", value="v"),)}, "tolerations[0].value"),
        ({"tolerations": (Toleration(key="k", toleration_seconds=5),)}, "tolerations[0].toleration_seconds"),
        ({"tolerations": ("dedicated",)}, "tolerations[0]"),
        ({"priority_class_name": "High"}, "priority_class_name"),
    ],
)
def test_a_bad_escape_hatch_raises_value_error_naming_it(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=rf"^TodoBackendProps\.{__import__('re').escape(field)}: got "):
        TodoBackendProps(**kwargs)
