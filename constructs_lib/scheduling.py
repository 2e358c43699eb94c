"""Spreading a workload's pods over nodes and zones, softly, so one failure takes only part of it."""

from __future__ import annotations

import json
import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from constructs_lib import _validation as check

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


# --- The affinity a team gives instead (WorkloadProps.affinity) ---------------------------------
#
# Kubernetes' Affinity, as a tree of shapes: the props check walks it, and the charts'
# values schema is generated from it, so both refuse what the API server would.


@dataclass(frozen=True)
class Leaf:
    """A scalar: ``kind`` names it for the charts' schema, ``check`` refuses bad values."""

    kind: str
    check: Callable[[str, str, Any], None]


@dataclass(frozen=True)
class ListOf:
    item: Shape
    min_items: int = 0
    max_items: int | None = None


@dataclass(frozen=True)
class LabelMap:
    """Label keys to label values (``matchLabels``)."""


@dataclass(frozen=True)
class ObjectOf:
    """An object with these fields, some required.

    ``counts``: (operator field, values field, operator -> (fewest, most) values), the rule
    every selector requirement has: ``In`` needs values, ``Exists`` takes none.
    """

    fields: Mapping[str, Shape]
    required: tuple[str, ...] = ()
    counts: tuple[str, str, Mapping[str, tuple[int, int | None]]] | None = None


Shape = Leaf | ListOf | LabelMap | ObjectOf


def _check_weight(owner: str, field: str, value: Any) -> None:
    check.check_int(owner, field, value, minimum=1, maximum=100)


def _choice(*allowed: str) -> Leaf:
    return Leaf(
        "|".join(allowed), lambda owner, field, value: check.check_choice(owner, field, value, allowed)
    )


def _label_key(owner: str, field: str, value: Any) -> None:
    check.check_label_key(owner, field, value)


LABEL_KEY = Leaf("labelKey", _label_key)
LABEL_VALUE = Leaf("labelValue", check.check_label_value)
WEIGHT = Leaf("weight", _check_weight)
_SET_OPERATORS: Mapping[str, tuple[int, int | None]] = types.MappingProxyType(
    {"In": (1, None), "NotIn": (1, None), "Exists": (0, 0), "DoesNotExist": (0, 0)}
)
_NODE_OPERATORS: Mapping[str, tuple[int, int | None]] = types.MappingProxyType(
    {**_SET_OPERATORS, "Gt": (1, 1), "Lt": (1, 1)}
)


def _requirement(operators: Mapping[str, tuple[int, int | None]]) -> ObjectOf:
    return ObjectOf(
        {"key": LABEL_KEY, "operator": _choice(*operators), "values": ListOf(LABEL_VALUE)},
        required=("key", "operator"),
        counts=("operator", "values", operators),
    )


LABEL_SELECTOR = ObjectOf(
    {"matchLabels": LabelMap(), "matchExpressions": ListOf(_requirement(_SET_OPERATORS))}
)
# Not matchLabelKeys or mismatchLabelKeys (Kubernetes 1.29 on): the cdk8s-plus-27
# Deployment drops fields newer than its API; TodoChart.add_patches can add them.
_POD_AFFINITY_TERM = ObjectOf(
    {
        "labelSelector": LABEL_SELECTOR,
        "namespaceSelector": LABEL_SELECTOR,
        "namespaces": ListOf(Leaf("namespace", check.check_namespace)),
        "topologyKey": LABEL_KEY,
    },
    required=("topologyKey",),
)
_POD_AFFINITY = ObjectOf(
    {
        "requiredDuringSchedulingIgnoredDuringExecution": ListOf(_POD_AFFINITY_TERM),
        "preferredDuringSchedulingIgnoredDuringExecution": ListOf(
            ObjectOf(
                {"weight": WEIGHT, "podAffinityTerm": _POD_AFFINITY_TERM},
                required=("weight", "podAffinityTerm"),
            )
        ),
    }
)
# A node's fields: only its name can be selected, by one value.
_FIELD_REQUIREMENT = ObjectOf(
    {
        "key": _choice("metadata.name"),
        "operator": _choice("In", "NotIn"),
        "values": ListOf(Leaf("dnsSubdomain", check.check_dns_subdomain)),
    },
    required=("key", "operator", "values"),
    counts=("operator", "values", {"In": (1, 1), "NotIn": (1, 1)}),
)
_NODE_SELECTOR_TERM = ObjectOf(
    {"matchExpressions": ListOf(_requirement(_NODE_OPERATORS)), "matchFields": ListOf(_FIELD_REQUIREMENT)}
)
AFFINITY = ObjectOf(
    {
        "nodeAffinity": ObjectOf(
            {
                "requiredDuringSchedulingIgnoredDuringExecution": ObjectOf(
                    {"nodeSelectorTerms": ListOf(_NODE_SELECTOR_TERM, min_items=1)},
                    required=("nodeSelectorTerms",),
                ),
                "preferredDuringSchedulingIgnoredDuringExecution": ListOf(
                    ObjectOf(
                        {"weight": WEIGHT, "preference": _NODE_SELECTOR_TERM},
                        required=("weight", "preference"),
                    )
                ),
            }
        ),
        "podAffinity": _POD_AFFINITY,
        "podAntiAffinity": _POD_AFFINITY,
    }
)


def check_affinity(owner: str, field: str, value: Any) -> None:
    """Refuse an affinity the API server would, naming the field by its path in the affinity."""
    _check_shape(owner, field, value, AFFINITY)


def _check_shape(owner: str, field: str, value: Any, shape: Shape) -> None:
    if isinstance(shape, Leaf):
        shape.check(owner, field, value)
    elif isinstance(shape, LabelMap):
        if not isinstance(value, Mapping):
            raise check.fail(owner, field, value, "must be a mapping of label keys to label values")
        for key, item in value.items():
            check.check_label_key(owner, field, key)
            check.check_label_value(owner, f"{field}.{key}", item)
    elif isinstance(shape, ListOf):
        if isinstance(value, str) or not isinstance(value, list | tuple):
            raise check.fail(owner, field, value, "must be a list")
        _check_count(owner, field, value, shape.min_items, shape.max_items)
        for index, item in enumerate(value):
            _check_shape(owner, f"{field}[{index}]", item, shape.item)
    else:
        if not isinstance(value, Mapping):
            raise check.fail(
                owner, field, value, f"must be a mapping with keys among {', '.join(shape.fields)}"
            )
        for key, item in value.items():
            if key not in shape.fields:
                raise check.fail(
                    owner, field, key, f"is not a field here; allowed: {', '.join(shape.fields)}"
                )
            _check_shape(owner, f"{field}.{key}", item, shape.fields[key])
        for key in shape.required:
            if key not in value:
                raise check.fail(owner, field, dict(value), f"must set {key}")
        if shape.counts is not None:
            operator, values, counts = shape.counts
            fewest, most = counts[value[operator]]
            _check_count(owner, f"{field}.{values}", value.get(values, []), fewest, most, value[operator])


def _check_count(
    owner: str, field: str, value: Any, fewest: int, most: int | None, operator: str | None = None
) -> None:
    if fewest <= len(value) and (most is None or len(value) <= most):
        return
    count = f"{fewest}" if fewest == most else f"at least {fewest}" if most is None else f"{fewest} to {most}"
    reason = f" with operator {operator}" if operator else ""
    raise check.fail(owner, field, value, f"must hold {count} item(s){reason}")


def frozen_json(owner: str, field: str, value: Any) -> dict[str, Any]:
    """A deep copy of a JSON-like mapping, or an error naming ``field`` if it is not one."""
    try:
        copied: dict[str, Any] = json.loads(json.dumps(value, allow_nan=False, default=_plain))
    except (TypeError, ValueError) as error:
        raise check.fail(
            owner, field, value, f"must be JSON data (mappings, lists, strings, numbers): {error}"
        ) from None
    if not isinstance(copied, dict):
        raise check.fail(owner, field, value, "must be a mapping")
    return copied


def _plain(value: Any) -> Any:
    """A read-only mapping (the props' own copy) as the dict JSON writes."""
    if isinstance(value, Mapping):
        return dict(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
