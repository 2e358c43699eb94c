"""The charts render exactly what the constructs emit, on Helm 3 and Helm 4, as the API server decides.

Default values against the committed dist/, and every value set in
value_sets.py against the constructs synthesized with the matching props.
Both sides go through a real API server's dry run, which fills in its own
defaults; the objects it returns must be equal once the server's bookkeeping
(uid, resourceVersion, timestamps, managedFields, generation, allocated
cluster IPs) and the packaging labels are dropped. Nothing else is ignored.
"""

from __future__ import annotations

import difflib
import json
from typing import Any

import pytest

from tests.helm.value_sets import CHARTS, CRD_VALUE_SETS, VALUE_SETS, ValueSet
from tests.support.cluster import Cluster, strip_server_fields

DEFAULTS = ValueSet("defaults")
EQUIVALENCE_SETS = (*VALUE_SETS, *CRD_VALUE_SETS)
# Who packaged the object: the only labels the two packagings may disagree on.
PACKAGING_LABELS = ("helm.sh/chart", "app.kubernetes.io/managed-by")
Objects = list[dict[str, Any]]


def _served(cluster: Cluster, namespace: str, objects: Objects) -> dict[str, str]:
    """{kind/name: the object as the server would store it}, as sorted JSON for readable diffs."""
    return {
        f"{obj['kind']}/{obj['metadata']['name']}": json.dumps(
            strip_server_fields(obj, PACKAGING_LABELS), indent=1, sort_keys=True, ensure_ascii=False
        )
        for obj in cluster.dry_run(objects, namespace).objects
    }


def _assert_same(cluster: Cluster, left: Objects, right: Objects, left_name: str, right_name: str) -> None:
    namespace = cluster.namespace("eq")
    want, got = _served(cluster, namespace, left), _served(cluster, namespace, right)
    assert sorted(got) == sorted(want), f"{left_name} and {right_name} hold different objects"
    for key, text in want.items():
        if got[key] != text:
            diff = "\n".join(
                difflib.unified_diff(
                    text.splitlines(), got[key].splitlines(), left_name, right_name, lineterm=""
                )
            )
            pytest.fail(f"{key} differs once served:\n{diff}")


@pytest.mark.parametrize("chart", CHARTS)
def test_default_values_render_the_objects_in_dist(chart, dist_by_chart, render, helm, cluster):
    _assert_same(cluster, dist_by_chart[chart], render(DEFAULTS, chart), "dist", helm.label)


@pytest.mark.parametrize("value_set", EQUIVALENCE_SETS, ids=lambda value_set: value_set.id)
@pytest.mark.parametrize("chart", CHARTS)
def test_values_render_what_the_constructs_emit_for_the_matching_props(
    chart, value_set, synth, render, helm, cluster
):
    for crd in value_set.crds:
        cluster.install_crd(crd)
    _assert_same(cluster, synth(value_set)[chart], render(value_set, chart), "constructs", helm.label)


@pytest.mark.parametrize("value_set", EQUIVALENCE_SETS, ids=lambda value_set: value_set.id)
@pytest.mark.parametrize("chart", CHARTS)
def test_each_value_set_changes_what_the_chart_renders(chart, value_set, dist_by_chart, synth):
    # A value set equal to the defaults would prove nothing about its values.
    assert synth(value_set)[chart] != dist_by_chart[chart], f"{value_set.id} renders {chart} as dist/ does"
