"""A PodDisruptionBudget: voluntary evictions (node drains, upgrades) take one pod at a time."""

from __future__ import annotations

from collections.abc import Mapping

from cdk8s_plus_27 import k8s
from constructs import Construct

# Below two pods a budget cannot keep anything serving: with one pod,
# maxUnavailable 1 protects nothing, and minAvailable 1 would block every
# node drain forever. So the budget is emitted from two pods on.
MIN_REPLICAS_FOR_BUDGET = 2


def add_disruption_budget(
    scope: Construct,
    *,
    name: str,
    labels: Mapping[str, str],
    selector: Mapping[str, str],
    annotations: Mapping[str, str],
) -> k8s.KubePodDisruptionBudget:
    """At most one of the workload's pods may be evicted at a time."""
    return k8s.KubePodDisruptionBudget(
        scope,
        "disruption-budget",
        metadata=k8s.ObjectMeta(name=name, labels=dict(labels), annotations=dict(annotations)),
        spec=k8s.PodDisruptionBudgetSpec(
            max_unavailable=k8s.IntOrString.from_number(1),
            selector=k8s.LabelSelector(match_labels=dict(selector)),
        ),
    )
