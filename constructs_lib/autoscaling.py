"""A HorizontalPodAutoscaler (autoscaling/v2) scaling a workload's Deployment on CPU."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cdk8s_plus_27 import k8s
from constructs import Construct

from constructs_lib import _validation as check

# The highest CPU target accepted, in percent of the CPU request.
TARGET_CPU_UTILIZATION_MAX = 1000
# The longest stabilization window the API accepts (one hour).
STABILIZATION_WINDOW_MAX = 3600


@dataclass(frozen=True, kw_only=True)
class Autoscaling:
    """Scale the Deployment between two bounds on average CPU utilization.

    With it, the Deployment carries no ``replicas``: the autoscaler owns that
    field, and a GitOps tool must leave it alone (docs/gitops.md, "Autoscaling under Argo CD",
    gives the Argo CD ``ignoreDifferences`` entry).

    Attributes:
        min_replicas: the fewest pods, e.g. ``2``.
        max_replicas: the most pods, e.g. ``5``; at least ``min_replicas``.
        target_cpu_utilization: average CPU use, in percent of the CPU
            request, that the autoscaler keeps the pods at, e.g. ``80``.
        scale_down_stabilization_seconds: how long the autoscaler looks back
            before it removes pods (it takes the highest count it wanted),
            e.g. ``600`` for a bursty load; ``None`` (default): the API's 300.
        scale_up_stabilization_seconds: the same before it adds pods;
            ``None`` (default): the API's 0, at once.
    """

    min_replicas: int = 2
    max_replicas: int = 5
    target_cpu_utilization: int = 80
    scale_down_stabilization_seconds: int | None = None
    scale_up_stabilization_seconds: int | None = None

    def validate(self, owner: str) -> None:
        check.check_int(owner, "min_replicas", self.min_replicas, minimum=1)
        check.check_int(owner, "max_replicas", self.max_replicas, minimum=1)
        if self.max_replicas < self.min_replicas:
            raise check.fail(
                owner,
                "max_replicas",
                self.max_replicas,
                f"must be at least min_replicas ({self.min_replicas})",
            )
        check.check_int(
            owner,
            "target_cpu_utilization",
            self.target_cpu_utilization,
            minimum=1,
            maximum=TARGET_CPU_UTILIZATION_MAX,
        )
        for name in ("scale_down_stabilization_seconds", "scale_up_stabilization_seconds"):
            if getattr(self, name) is not None:
                check.check_int(owner, name, getattr(self, name), minimum=0, maximum=STABILIZATION_WINDOW_MAX)


def add_autoscaler(
    scope: Construct,
    *,
    autoscaling: Autoscaling,
    name: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> k8s.KubeHorizontalPodAutoscalerV2:
    """The L1 object: cdk8s-plus's HorizontalPodAutoscaler adds default scaling behaviour of its own."""
    return k8s.KubeHorizontalPodAutoscalerV2(
        scope,
        "autoscaler",
        metadata=k8s.ObjectMeta(name=name, labels=dict(labels), annotations=dict(annotations)),
        spec=k8s.HorizontalPodAutoscalerSpecV2(
            scale_target_ref=k8s.CrossVersionObjectReferenceV2(
                api_version="apps/v1", kind="Deployment", name=name
            ),
            min_replicas=autoscaling.min_replicas,
            max_replicas=autoscaling.max_replicas,
            behavior=_behavior(autoscaling),
            metrics=[
                k8s.MetricSpecV2(
                    type="Resource",
                    resource=k8s.ResourceMetricSourceV2(
                        name="cpu",
                        target=k8s.MetricTargetV2(
                            type="Utilization", average_utilization=autoscaling.target_cpu_utilization
                        ),
                    ),
                )
            ],
        ),
    )


def _behavior(autoscaling: Autoscaling) -> k8s.HorizontalPodAutoscalerBehaviorV2 | None:
    """The stabilization windows given; ``None`` leaves the API's scaling behaviour."""
    down, up = autoscaling.scale_down_stabilization_seconds, autoscaling.scale_up_stabilization_seconds
    if down is None and up is None:
        return None
    return k8s.HorizontalPodAutoscalerBehaviorV2(
        scale_down=None if down is None else k8s.HpaScalingRulesV2(stabilization_window_seconds=down),
        scale_up=None if up is None else k8s.HpaScalingRulesV2(stabilization_window_seconds=up),
    )
