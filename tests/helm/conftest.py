"""Fixtures of the Helm chart tests: the two Helm versions, cached renders and construct synths.

Every render and every synth is done once per session and shared: one per
Helm version, value set and chart, one per value set for the constructs.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from testbed.paths import REPO_ROOT
from tests.helm.value_sets import CHARTS, Chart, ValueSet
from tests.support.helm import HELM_VERSIONS, Helm, HelmMissing

Objects = list[dict[str, Any]]


@pytest.fixture(scope="session", params=sorted(HELM_VERSIONS))
def helm(request: pytest.FixtureRequest) -> Helm:
    """Helm 3.17 and Helm 4.1; a missing binary fails the tests, it never skips them."""
    binary = HELM_VERSIONS[request.param]
    try:
        binary.check()
    except HelmMissing as error:
        pytest.fail(str(error), pytrace=False)
    return binary


@pytest.fixture(scope="session")
def dist() -> dict[Chart, Objects]:
    """The committed manifests, per chart: dist/<chart>.k8s.yaml."""
    objects = {}
    for chart in CHARTS:
        path = REPO_ROOT / "dist" / f"{chart}.k8s.yaml"
        objects[chart] = [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]
    return objects


_SYNTHS: dict[str, dict[Chart, Objects]] = {}
_RENDERS: dict[tuple[str, str, Chart], Objects] = {}


@pytest.fixture(scope="session")
def synth() -> Callable[[ValueSet], dict[Chart, Objects]]:
    """The constructs' objects for a value set's props, per chart (synthesized once)."""
    import cdk8s

    from constructs_lib import add_todo_charts

    def run(value_set: ValueSet) -> dict[Chart, Objects]:
        if value_set.id not in _SYNTHS:
            app = cdk8s.Testing.app()
            charts = add_todo_charts(app, **value_set.stack_props())
            _SYNTHS[value_set.id] = {
                name: cdk8s.Testing.synth(chart) for name, chart in zip(CHARTS, charts, strict=True)
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


@pytest.fixture(scope="session")
def charts_dir() -> Path:
    return REPO_ROOT / "charts"
