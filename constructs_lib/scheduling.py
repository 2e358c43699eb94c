"""Spreading a workload's pods over nodes and zones, softly, so one failure takes only part of it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# One pod cannot be spread; from two on, these keep replicas apart when the
# cluster allows and still schedule them when it does not (Minikube's one node).
MIN_REPLICAS_TO_SPREAD = 2
HOSTNAME_KEY = "kubernetes.io/hostname"
ZONE_KEY = "topology.kubernetes.io/zone"
# The label the Deployment controller gives each revision's pods: counting only the
# new revision's pods keeps a rollout from skewing the spread by the old ones.
REVISION_LABEL = "pod-template-hash"


def anti_affinity(selector: Mapping[str, str]) -> dict[str, Any]:
    """Prefer nodes that run none of the workload's pods (soft: ``preferred...``)."""
    return {
        "podAntiAffinity": {
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {
                    "weight": 100,
                    "podAffinityTerm": {
                        "topologyKey": HOSTNAME_KEY,
                        "labelSelector": {"matchLabels": dict(selector)},
                    },
                }
            ]
        }
    }


def topology_spread(selector: Mapping[str, str]) -> list[dict[str, Any]]:
    """Even out each revision's pods over zones, at most one apart, but schedule anyway when that cannot be met."""
    return [
        {
            "maxSkew": 1,
            "topologyKey": ZONE_KEY,
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": dict(selector)},
            "matchLabelKeys": [REVISION_LABEL],
        }
    ]
