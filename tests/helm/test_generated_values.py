"""Each chart's values.yaml and values.schema.json are generated from the props, and agree with them."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any

import pytest
import yaml

from constructs_lib import ServiceType, TodoBackendProps, TodoFrontendProps, TodoIngressProps, WorkloadProps
from scripts.chart_mapping import (
    CHARTS,
    PROPS_CLASSES,
    TEMPLATE_RULES,
    VALUES,
    ChartValue,
    chart_values,
    with_implicit_values,
)
from scripts.chart_schema import DEFINITIONS
from scripts.chart_values import generated_files
from testbed.paths import REPO_ROOT


@pytest.mark.parametrize("path", sorted(generated_files()), ids=lambda path: str(path.relative_to(REPO_ROOT)))
def test_the_chart_file_is_what_scripts_chart_values_writes(path):
    expected = generated_files()[path]

    assert path.read_text(encoding="utf-8") == expected, (
        f"{path.relative_to(REPO_ROOT)} is stale; run `make docs`"
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_the_default_props_become_the_default_values(chart):
    # What add_todo_charts passes for the spec's stack: every value the props carry.
    props = {
        "backend": TodoBackendProps(),
        "frontend": TodoFrontendProps(),
        "ingress": TodoIngressProps(),
        "http_route": None,
    }
    defaults = _flatten(_load_values(chart))

    converted = _flatten_values(chart_values(chart, props))

    differing = {
        path: (value, defaults.get(path))
        for path, value in converted.items()
        if path != "nameOverride" and defaults.get(path) != value
    }
    assert not differing, f"props value vs values.yaml default: {differing}"


def _bound_cases() -> list[tuple[ChartValue, str, int]]:
    cases = []
    for entry in VALUES:
        if not isinstance(entry, ChartValue) or entry.prop is None or entry.to_value is not None:
            continue
        schema = entry.schema
        if "$ref" in schema:
            schema = DEFINITIONS[schema["$ref"].rsplit("/", 1)[1]]
        if schema.get("type") != "integer" or "minimum" not in schema:
            continue
        cases.append((entry, "below", schema["minimum"] - 1))
        if "maximum" in schema:
            cases.append((entry, "above", schema["maximum"] + 1))
    return cases


@pytest.mark.parametrize(
    ("entry", "side", "value"),
    _bound_cases(),
    ids=[f"{entry.path}-{side}" for entry, side, _ in _bound_cases()],
)
def test_the_props_refuse_what_the_schema_bounds_refuse(entry, side, value):
    with pytest.raises(ValueError, match=rf"\.{entry.prop.split('.')[-1]}: got {value}"):
        _props_at(entry, "backend", value)


def _props_at(entry: Any, workload: str, value: int) -> Any:
    """The props of ``entry``'s owner (``workload``'s for a shared value) with its prop at ``value``."""
    owner = workload if entry.owner == "workload" else entry.owner
    props_class = {"backend": TodoBackendProps, "frontend": TodoFrontendProps}[owner]
    *options, name = entry.prop.split(".")
    return props_class(**_nested(props_class, options, name, value))


def _nested(props_class: type, options: list[str], name: str, value: int) -> dict[str, Any]:
    """Keyword arguments setting ``options...name`` to ``value``, an option taking its defaults."""
    if not options:
        return {name: value}
    (option,) = options
    hint = typing.get_type_hints(props_class)[option]
    (option_class,) = [arg for arg in typing.get_args(hint) if arg is not types.NoneType]
    return {option: option_class(**{name: value})}


def _load_values(chart: str) -> dict[str, Any]:
    return yaml.safe_load((REPO_ROOT / "charts" / chart / "values.yaml").read_text(encoding="utf-8"))


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        flat[prefix + key] = value
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}."))
    return flat


def _flatten_values(flat: dict[str, Any]) -> dict[str, Any]:
    """Converted values with Helm's nulls dropped, as a values.yaml default leaves them out."""
    return {
        path: {key: item for key, item in value.items() if item is not None}
        if isinstance(value, dict)
        else value
        for path, value in flat.items()
    }


@dataclasses.dataclass(frozen=True, kw_only=True)
class _FrontendWithANewProp(TodoFrontendProps):
    """A workload that gained props.

    Attributes:
        fast_start: ``True`` to skip the warm-up.
        ingress_mode: how it is reached.
    """

    fast_start: bool = False
    ingress_mode: ServiceType = ServiceType.CLUSTER_IP


@dataclasses.dataclass(frozen=True, kw_only=True)
class _WorkloadWithANewProp(WorkloadProps):
    """Props every Todo workload has, and one more.

    Attributes:
        fast_start: ``True`` to skip the warm-up.
    """

    fast_start: bool = False


def test_a_new_bool_or_enum_prop_becomes_a_chart_value_by_itself():
    classes = {**PROPS_CLASSES, "workload": _WorkloadWithANewProp, "frontend": _FrontendWithANewProp}

    entries = with_implicit_values(VALUES, classes)

    added = {entry.path: entry for entry in entries if entry not in VALUES}
    assert set(added) == {"fastStart", "ingressMode"}
    assert added["fastStart"].schema == {"type": "boolean"}
    assert (added["fastStart"].owner, added["fastStart"].prop) == ("workload", "fast_start")
    assert added["ingressMode"].schema == {
        "type": "string",
        "enum": ["ClusterIP", "NodePort", "LoadBalancer"],
    }
    assert added["ingressMode"].charts == ("todo-frontend",)


def test_a_new_prop_of_another_type_needs_a_chart_value():
    @dataclasses.dataclass(frozen=True, kw_only=True)
    class WithATimeout(WorkloadProps):
        timeout_seconds: int = 5

    with pytest.raises(TypeError, match=r"WithATimeout\.timeout_seconds .* needs a ChartValue"):
        with_implicit_values(VALUES, {**PROPS_CLASSES, "workload": WithATimeout})


# Bounds the props accept only together with other values: the rule that relates them.
_RELATED = {
    ("autoscaling.minReplicas", "maximum"): "max-replicas-not-below-min",
    ("autoscaling.maxReplicas", "minimum"): "max-replicas-not-below-min",
    ("zeroDowntimeRollout.preStopSeconds", "maximum"): "grace-period-outlasts-shutdown",
    ("zeroDowntimeRollout.terminationGracePeriodSeconds", "minimum"): "grace-period-outlasts-shutdown",
}


def _edge_cases() -> list[tuple[ChartValue, str, int]]:
    cases = []
    for entry, side, value in _bound_cases():
        bound = "minimum" if side == "below" else "maximum"
        if (entry.path, bound) not in _RELATED:
            cases.append((entry, bound, value + 1 if side == "below" else value - 1))
    return cases


@pytest.mark.parametrize(
    ("entry", "bound", "value"),
    _edge_cases(),
    ids=[f"{entry.path}-{bound}" for entry, bound, _ in _edge_cases()],
)
def test_the_props_accept_what_the_schema_bounds_accept(entry, bound, value):
    # The frontend: any port is its own, where the backend's image binds 8000 only.
    _props_at(entry, "frontend", value)


def test_the_related_bounds_name_template_rules():
    assert set(_RELATED.values()) <= {rule.id for rule in TEMPLATE_RULES}
