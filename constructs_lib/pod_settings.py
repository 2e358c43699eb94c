"""The escape hatches real clusters need on every workload: pull secrets, placement, metadata.

Each is a typed prop of :class:`~constructs_lib.workload.WorkloadProps`,
checked with the rules the API server applies (cited on each check), and none
may overwrite what the library writes itself: the selector and recommended
labels, the config checksum and the Checkov annotations.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import cdk8s

from constructs_lib import _validation as check

# ValidateAnnotationsSize: all annotations of one object together.
ANNOTATIONS_MAX_BYTES = 256 * 1024
# More than the library writes on any one object (its Checkov reasons are the longest); a test
# keeps it honest.
LIBRARY_ANNOTATIONS_BOUND = 32 * 1024
ANNOTATIONS_WITH_LIBRARY_ALLOWED = (
    f"must total at most {ANNOTATIONS_MAX_BYTES} bytes with the library's own annotations on the object"
)
# Annotation and label keys the library writes: a user's value would be overwritten, or overwrite it.
RESERVED_KEY_PREFIXES = ("app.kubernetes.io/", "checkov.io/", "checksum/", "cdk8s.io/")
# Labels the charts write besides those (Helm's convention); refused in user labels in both packagings.
RESERVED_LABEL_KEYS = ("helm.sh/chart",)
# Annotations that turn an object into a hook: Helm and Argo CD (which honours Helm's too) then
# run it around a sync instead of managing it, and delete it by their hook policy.
HOOK_ANNOTATION_KEYS = ("helm.sh/hook", "argocd.argoproj.io/hook")
HOOK_ANNOTATION_ALLOWED = (
    "would make the object a hook, which Helm and Argo CD run around a sync instead of managing; "
    "add hooks with a Helm post-renderer or TodoChart.add_patches"
)


class TolerationOperator(enum.StrEnum):
    """How a toleration matches a taint's value."""

    EQUAL = "Equal"
    EXISTS = "Exists"


class TaintEffect(enum.StrEnum):
    """Which taints a toleration tolerates; ``ANY`` matches every effect."""

    ANY = ""
    NO_SCHEDULE = "NoSchedule"
    PREFER_NO_SCHEDULE = "PreferNoSchedule"
    NO_EXECUTE = "NoExecute"


# The enums' values, which Toleration takes as well, typed: operator="Exists".
TolerationOperatorName = Literal["Equal", "Exists"]
TaintEffectName = Literal["", "NoSchedule", "PreferNoSchedule", "NoExecute"]


@dataclass(frozen=True, kw_only=True)
class Toleration:
    """Let the pods onto nodes with a matching taint.

    Attributes:
        key: the taint's key, e.g. ``"dedicated"``; ``""`` with ``EXISTS`` matches every taint.
        operator: ``EQUAL`` (default) compares ``value``; ``EXISTS`` matches any value.
        value: the taint's value with ``EQUAL``, e.g. ``"web"``.
        effect: the taint effect it tolerates; ``ANY`` (default) tolerates all.
        toleration_seconds: with ``NO_EXECUTE``, how long the pods stay after
            the taint appears; ``None`` (default): for ever.
    """

    key: str = ""
    operator: TolerationOperator | TolerationOperatorName = TolerationOperator.EQUAL
    value: str = ""
    effect: TaintEffect | TaintEffectName = TaintEffect.ANY
    toleration_seconds: int | None = None

    def __post_init__(self) -> None:
        for name, enum_type in (("operator", TolerationOperator), ("effect", TaintEffect)):
            try:
                object.__setattr__(self, name, enum_type(getattr(self, name)))
            except ValueError:
                allowed = tuple(member.value for member in enum_type)
                check.check_choice(type(self).__name__, name, getattr(self, name), allowed)

    def validate(self, owner: str) -> None:
        """validateTolerations in pkg/apis/core/validation."""
        if self.key:
            check.check_label_key(owner, "key", self.key)
        elif self.operator is not TolerationOperator.EXISTS:
            raise check.fail(owner, "key", self.key, "may be empty only with operator EXISTS")
        if self.operator is TolerationOperator.EXISTS and self.value:
            raise check.fail(owner, "value", self.value, "must be empty with operator EXISTS")
        if self.value:
            check.check_label_value(owner, "value", self.value)
        if self.toleration_seconds is not None:
            if self.effect is not TaintEffect.NO_EXECUTE:
                raise check.fail(
                    owner, "toleration_seconds", self.toleration_seconds, "is allowed only with NO_EXECUTE"
                )
            check.check_int(
                owner, "toleration_seconds", self.toleration_seconds, minimum=0, maximum=2**63 - 1
            )

    def to_json(self) -> dict[str, Any]:
        toleration: dict[str, Any] = {"operator": str(self.operator)}
        for field, value in (("key", self.key), ("value", self.value), ("effect", str(self.effect))):
            if value:
                toleration[field] = value
        if self.toleration_seconds is not None:
            toleration["tolerationSeconds"] = self.toleration_seconds
        return toleration


def check_metadata_map(owner: str, field: str, value: Any, *, labels: bool) -> None:
    """User labels or annotations: Kubernetes' key (and, for labels, value) rules, no reserved key."""
    if not isinstance(value, Mapping):
        raise check.fail(owner, field, value, "must be a mapping of keys to strings")
    for key, item in value.items():
        check.check_label_key(owner, field, key, annotation=not labels)
        if key.startswith(RESERVED_KEY_PREFIXES):
            raise check.fail(
                owner,
                field,
                key,
                f"is written by the library; keys may not start with {', '.join(RESERVED_KEY_PREFIXES)}",
            )
        if labels and key in RESERVED_LABEL_KEYS:
            raise check.fail(owner, field, key, "is a label the chart writes; choose another key")
        if not labels and key in HOOK_ANNOTATION_KEYS:
            raise check.fail(owner, field, key, HOOK_ANNOTATION_ALLOWED)
        if labels:
            check.check_label_value(owner, f"{field}[{key!r}]", item)
        elif not isinstance(item, str):
            raise check.fail(owner, f"{field}[{key!r}]", item, "values must be strings")
        else:
            check.check_encodable(owner, f"{field}[{key!r}]", item)
    if not labels and sum(len(k) + len(v.encode()) for k, v in value.items()) > ANNOTATIONS_MAX_BYTES:
        raise check.fail(
            owner, field, f"<{len(value)} annotations>", f"must total at most {ANNOTATIONS_MAX_BYTES} bytes"
        )


def annotations_size(annotations: Mapping[str, str]) -> int:
    """Bytes of keys and values, as the API server's ValidateAnnotationsSize counts them."""
    return sum(len(key.encode()) + len(str(value).encode()) for key, value in annotations.items())


def check_annotations_with_library(
    owner: str, field: str, annotations: Mapping[str, str], library: Mapping[str, str]
) -> None:
    """The user's ``annotations`` fit beside the ``library``'s on one object (or pod template)."""
    together = {**library, **annotations}
    size = annotations_size(together)
    if size > ANNOTATIONS_MAX_BYTES:
        raise check.fail(
            owner, field, f"<{len(together)} annotations of {size} bytes>", ANNOTATIONS_WITH_LIBRARY_ALLOWED
        )


def pod_spec_patches(
    *,
    image_pull_secrets: tuple[str, ...],
    node_selector: Mapping[str, str],
    tolerations: tuple[Toleration, ...],
    priority_class_name: str | None,
) -> list[cdk8s.JsonPatch]:
    """JSON patches adding what is set, and nothing (not even an empty list) for what is not."""
    spec = "/spec/template/spec"
    patches = []
    if image_pull_secrets:
        patches.append(
            cdk8s.JsonPatch.add(f"{spec}/imagePullSecrets", [{"name": name} for name in image_pull_secrets])
        )
    if node_selector:
        patches.append(cdk8s.JsonPatch.add(f"{spec}/nodeSelector", dict(node_selector)))
    if tolerations:
        patches.append(cdk8s.JsonPatch.add(f"{spec}/tolerations", [t.to_json() for t in tolerations]))
    if priority_class_name:
        patches.append(cdk8s.JsonPatch.add(f"{spec}/priorityClassName", priority_class_name))
    return patches
