"""Fixtures of the Helm chart tests: the two Helm versions, cached renders and construct synths.

Every render and every synth is done once per session and shared: one per
Helm version, value set and chart, one per value set for the constructs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cdk8s
import pytest

from constructs_lib import TodoApp
from testbed.manifests import Manifests
from testbed.paths import DIST
from tests.helm.value_sets import CHARTS, Chart, ValueSet
from tests.support.helm import HELM_VERSIONS, Helm, helm_binary
from tests.support.synth import synth_charts

Objects = list[dict[str, Any]]


@pytest.fixture(scope="session", params=sorted(HELM_VERSIONS))
def helm(request: pytest.FixtureRequest) -> Helm:
    """Helm 3.17 and Helm 4.1; a missing binary fails the tests, it never skips them."""
    return helm_binary(request.param)


@pytest.fixture(scope="session")
def dist_by_chart() -> dict[Chart, Objects]:
    """The committed manifests, per chart: dist/<chart>.k8s.yaml."""
    return {chart: Manifests.from_file(DIST / f"{chart}.k8s.yaml").objects for chart in CHARTS}


_SYNTHS: dict[str, dict[Chart, Objects]] = {}
_RENDERS: dict[tuple[str, str, Chart], Objects] = {}


@pytest.fixture(scope="session")
def synth() -> Callable[[ValueSet], dict[Chart, Objects]]:
    """The constructs' objects for a value set's props, per chart (synthesized once)."""

    def run(value_set: ValueSet) -> dict[Chart, Objects]:
        if value_set.id not in _SYNTHS:
            stack = TodoApp(cdk8s.Testing.app(), "todo", **value_set.stack_props())
            charts = (stack.backend_chart, stack.frontend_chart)
            _SYNTHS[value_set.id] = {
                name: synth_charts(chart).objects for name, chart in zip(CHARTS, charts, strict=True)
            }
        return _SYNTHS[value_set.id]

    return run


@pytest.fixture(scope="session")
def render(helm: Helm) -> Callable[[ValueSet, Chart], Objects]:
    """``helm template`` of a chart with a value set's values (rendered once per Helm version)."""

    def run(value_set: ValueSet, chart: Chart) -> Objects:
        key = (helm.label, value_set.id, chart)
        if key not in _RENDERS:
            release = value_set.release(chart)
            if value_set.delivery == "set":
                _RENDERS[key] = helm.template(release, chart, args=value_set.set_args(chart))
            else:
                _RENDERS[key] = helm.template(release, chart, values=value_set.values(chart))
        return _RENDERS[key]

    return run
