"""The comparison itself: it ignores only what DESIGN.md allows, and reports where objects differ.

Also the props <-> values table: it covers every prop, and the README shows it as it is.
"""

from __future__ import annotations

import copy

import pytest

from tests.helm.value_sets import MAPPINGS, VALUE_SETS, markdown_table, props_fields
from tests.support.helm import ROOT
from tests.support.k8s_equivalence import API_DEFAULTS, differences, normalize


@pytest.fixture(scope="module")
def backend(dist):
    return dist["todo-backend"]


def _deployment(objects):
    return next(obj for obj in objects if obj["kind"] == "Deployment")


def test_a_changed_checksum_is_reported_with_object_and_field(backend):
    changed = copy.deepcopy(backend)
    _deployment(changed)["spec"]["template"]["metadata"]["annotations"]["checksum/config"] = "0" * 64

    found = differences(backend, changed, left_name="dist", right_name="helm")

    assert len(found) == 1
    assert found[0].startswith(
        "Deployment/todo-backend: spec.template.metadata.annotations.checksum/config: "
    )


def test_an_object_on_one_side_only_is_reported(backend):
    found = differences(backend, backend[:-1], left_name="dist", right_name="helm")

    assert found == ["Ingress/todo-backend: only in dist"]


def test_a_string_and_a_number_are_different_values(backend):
    changed = copy.deepcopy(backend)
    config_map = next(obj for obj in changed if obj["kind"] == "ConfigMap")
    config_map["data"]["JWT_EXPIRE_DAYS"] = 7

    assert differences(backend, changed) == [
        "ConfigMap/todo-backend-config: data.JWT_EXPIRE_DAYS: left '7' != right 7"
    ]


def test_bookkeeping_labels_are_ignored_in_labels_but_not_in_selectors(backend):
    relabelled = copy.deepcopy(backend)
    deployment = _deployment(relabelled)
    for labels in (deployment["metadata"]["labels"], deployment["spec"]["template"]["metadata"]["labels"]):
        labels["app.kubernetes.io/managed-by"] = "Helm"
        labels["helm.sh/chart"] = "todo-backend-0.1.0"
        labels["cdk8s.io/metadata.addr"] = "x"
    assert differences(backend, relabelled) == []

    deployment["spec"]["selector"]["matchLabels"]["helm.sh/chart"] = "todo-backend-0.1.0"
    assert differences(backend, relabelled) == [
        "Deployment/todo-backend: spec.selector.matchLabels.helm.sh/chart: "
        "absent in left, right has 'todo-backend-0.1.0'"
    ]


def test_other_labels_are_compared(backend):
    changed = copy.deepcopy(backend)
    _deployment(changed)["metadata"]["labels"]["app.kubernetes.io/part-of"] = "other"

    assert differences(backend, changed) == [
        "Deployment/todo-backend: metadata.labels.app.kubernetes.io/part-of: left 'todo' != right 'other'"
    ]


def test_an_absent_field_equals_its_api_default_but_not_another_value(backend):
    trimmed = copy.deepcopy(backend)
    probe = _deployment(trimmed)["spec"]["template"]["spec"]["containers"][0]["livenessProbe"]
    del probe["failureThreshold"], probe["httpGet"]["scheme"]
    assert differences(backend, trimmed) == []

    probe["failureThreshold"] = 5
    assert differences(backend, trimmed) == [
        "Deployment/todo-backend: spec.template.spec.containers[0].livenessProbe.failureThreshold: "
        "left 3 != right 5"
    ]


def test_normalization_never_changes_a_field_that_is_present(backend):
    deployment = _deployment(backend)
    normalized = normalize(deployment)

    def leaves(node, path=()):
        if isinstance(node, dict):
            for key, value in node.items():
                yield from leaves(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from leaves(value, (*path, index))
        else:
            yield path, node

    normalized_leaves = dict(leaves(normalized))
    for path, value in leaves(deployment):
        if "labels" not in path:
            assert normalized_leaves[path] == value, path


def test_every_api_default_cites_the_kubernetes_api_reference():
    for default in API_DEFAULTS:
        assert default.reference.startswith("https://kubernetes.io/docs/reference/kubernetes-api/"), default


@pytest.mark.parametrize("owner", ["backend", "frontend", "ingress"])
def test_the_mapping_table_covers_every_prop_once(owner):
    rows = [row.prop for row in MAPPINGS if row.owner in (owner, "workload" if owner != "ingress" else owner)]

    assert sorted(rows) == sorted(props_fields(owner))


def test_value_sets_are_at_least_five_and_named_uniquely():
    ids = [value_set.id for value_set in VALUE_SETS]

    assert len(ids) >= 5
    assert len(set(ids)) == len(ids)


def test_docs_show_the_mapping_table_as_the_code_defines_it():
    doc = (ROOT / "README.md").read_text(encoding="utf-8")

    assert markdown_table() in doc, (
        "README.md's props and values table is stale; paste markdown_table() from tests/helm/value_sets.py"
    )
