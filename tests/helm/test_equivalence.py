"""The charts render exactly what the constructs emit, on Helm 3 and Helm 4.

Default values against the committed dist/, and every value set in
value_sets.py against the constructs synthesized with the matching props.
"Exactly" is tests/support/k8s_equivalence.py: API defaults filled in on both
sides and bookkeeping labels dropped, nothing else.
"""

from __future__ import annotations

import pytest

from tests.helm.value_sets import CHARTS, VALUE_SETS, ValueSet
from tests.support.k8s_equivalence import differences

DEFAULTS = ValueSet("defaults")


def _report(found: list[str], title: str) -> str:
    return title + ":\n  " + "\n  ".join(found)


@pytest.mark.parametrize("chart", CHARTS)
def test_default_values_render_the_objects_in_dist(chart, dist, render, helm):
    found = differences(dist[chart], render(DEFAULTS, chart), left_name="dist", right_name=helm.label)

    assert not found, _report(found, f"dist/{chart}.k8s.yaml and {helm.label} template differ")


@pytest.mark.parametrize("value_set", VALUE_SETS, ids=lambda value_set: value_set.id)
@pytest.mark.parametrize("chart", CHARTS)
def test_values_render_what_the_constructs_emit_for_the_matching_props(chart, value_set, synth, render, helm):
    found = differences(
        synth(value_set)[chart],
        render(value_set, chart),
        left_name="constructs",
        right_name=helm.label,
    )

    assert not found, _report(
        found, f"{value_set.id}: constructs and {helm.label} template of {chart} differ"
    )


@pytest.mark.parametrize("value_set", VALUE_SETS, ids=lambda value_set: value_set.id)
@pytest.mark.parametrize("chart", CHARTS)
def test_each_value_set_changes_what_the_chart_renders(chart, value_set, dist, synth):
    # A value set equal to the defaults would prove nothing about its values.
    assert differences(dist[chart], synth(value_set)[chart]), (
        f"{value_set.id} renders {chart} as dist/ does; it tests none of its values"
    )


def test_dist_is_what_the_constructs_emit_with_default_props(dist, synth):
    # The default comparison above stands in for the constructs only while dist/ is fresh.
    found = []
    for chart in CHARTS:
        found += differences(dist[chart], synth(DEFAULTS)[chart], left_name="dist", right_name="constructs")

    assert not found, _report(found, "dist/ is stale; run make synth")
