"""Nothing in dist/, the Helm renders or the constructs' output keeps Argo CD OutOfSync forever.

The hazards are tests/support/sync_hazards.py; the bad objects below prove
each one is caught.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helm.value_sets import VALUE_SETS
from tests.support.manifests import DIST, Manifests
from tests.support.sync_hazards import hazards
from tests.support.synth import synth_stack


def _report(objects) -> list[str]:
    return [
        f"{obj['kind']}/{obj['metadata']['name']}: {problem}" for obj in objects for problem in hazards(obj)
    ]


def test_dist_has_no_sync_hazard() -> None:
    manifests = Manifests.from_dir(DIST)

    assert len(manifests) == 8
    assert _report(manifests) == []


def test_helm_renders_of_every_value_set_have_no_sync_hazard(policy_targets: Path) -> None:
    folders = sorted(policy_targets.glob("helm-*"))
    assert len(folders) == len(VALUE_SETS) + 1
    for folder in folders:
        assert _report(Manifests.from_dir(folder)) == [], folder.name


@pytest.mark.parametrize("value_set", VALUE_SETS, ids=lambda value_set: value_set.id)
def test_constructs_output_for_every_value_set_has_no_sync_hazard(value_set) -> None:
    manifests = synth_stack(**value_set.stack_props())

    assert _report(manifests) == []


def _backend_deployment() -> dict[str, Any]:
    documents = yaml.safe_load_all((DIST / "todo-backend.k8s.yaml").read_text(encoding="utf-8"))
    return copy.deepcopy(next(obj for obj in documents if obj["kind"] == "Deployment"))


def _container(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]["containers"][0]


def _memory_limit_in_mi(d):
    _container(d)["resources"]["limits"]["memory"] = "1024Mi"


def _fractional_cpu(d):
    _container(d)["resources"]["requests"]["cpu"] = "0.5"


def _numeric_cpu(d):
    _container(d)["resources"]["limits"]["cpu"] = 1


def _size_limit_in_ki(d):
    d["spec"]["template"]["spec"]["volumes"][0]["emptyDir"]["sizeLimit"] = "65536Ki"


def _empty_list(d):
    _container(d)["args"] = []


def _empty_map(d):
    d["spec"]["template"]["spec"]["nodeSelector"] = {}


def _null(d):
    _container(d)["command"] = None


def _numeric_label(d):
    d["metadata"]["labels"]["app.kubernetes.io/version"] = 1


def _boolean_annotation(d):
    d["spec"]["template"]["metadata"]["annotations"]["sidecar.istio.io/inject"] = False


def _number_as_string_port(d):
    _container(d)["livenessProbe"]["httpGet"]["port"] = "8000"


def _numeric_env_value(d):
    _container(d)["env"].append({"name": "WORKERS", "value": 2})


def _duplicate_env(d):
    _container(d)["env"].append(copy.deepcopy(_container(d)["env"][0]))


BAD = {
    "memory-in-mi": (_memory_limit_in_mi, "canonical form: '1Gi'"),
    "fractional-cpu": (_fractional_cpu, "canonical form: '500m'"),
    "numeric-cpu": (_numeric_cpu, "must be a string"),
    "size-limit-in-ki": (_size_limit_in_ki, "canonical form: '64Mi'"),
    "empty-list": (_empty_list, "args: an empty list"),
    "empty-map": (_empty_map, "nodeSelector: an empty dict"),
    "null": (_null, "command: null"),
    "numeric-label": (_numeric_label, "app.kubernetes.io/version: 1 is not a string"),
    "boolean-annotation": (_boolean_annotation, "inject: False is not a string"),
    "number-as-string-port": (_number_as_string_port, "'8000' is a number written as a string"),
    "numeric-env-value": (_numeric_env_value, "value: 2 is not a string"),
    "duplicate-env": (_duplicate_env, "name DATABASE_URL listed twice"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_hazard_is_caught_and_named(case: str) -> None:
    mutate, expected = BAD[case]
    deployment = _backend_deployment()
    assert hazards(deployment) == []

    mutate(deployment)

    found = hazards(deployment)
    assert any(expected in problem for problem in found), found


def test_empty_dir_and_selectors_that_mean_everything_are_kept_by_the_server() -> None:
    deployment = _backend_deployment()
    deployment["spec"]["template"]["spec"]["volumes"][0]["emptyDir"] = {}
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "all"},
        "spec": {"podSelector": {}, "ingress": [{"from": [{"namespaceSelector": {}}]}]},
    }

    assert hazards(deployment) == []
    assert hazards(policy) == []
