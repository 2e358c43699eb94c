"""No drift: what the API server stores reads back as written, so Argo CD reports Synced.

For every value set of the constructs and the charts. dist/ and the environments are synced by Argo CD
itself on the node (tests/node/test_argocd.py, test_application_set.py), whose own diff decides.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from testbed.manifests import Manifests
from tests.cluster.stacks import (
    ALL_VALUE_SETS,
    CHARTS,
    construct_objects,
    helm_install_args,
)
from tests.helm.value_sets import ValueSet
from tests.support.cluster import Cluster, as_list
from tests.support.helm import helm_binary


@pytest.mark.parametrize("value_set", ALL_VALUE_SETS, ids=lambda value_set: value_set.id)
def test_each_value_set_of_the_constructs_reads_back_unchanged(cluster: Cluster, value_set: ValueSet) -> None:
    namespace = cluster.namespace("drift")
    objects = construct_objects(value_set)
    cluster.apply(objects, namespace)
    cluster.assert_no_drift(namespace, objects)


@pytest.mark.parametrize("helm_label", ["helm3", "helm4"])
@pytest.mark.parametrize("value_set", ALL_VALUE_SETS, ids=lambda value_set: value_set.id)
def test_each_helm_release_reads_back_unchanged(
    cluster: Cluster, value_set: ValueSet, helm_label: str, tmp_path: Path
) -> None:
    helm = helm_binary(helm_label)
    namespace = cluster.namespace("drift")
    for chart in CHARTS:
        cluster.helm(helm.path, *helm_install_args(value_set, chart, namespace, tmp_path))
        manifest = cluster.helm(
            helm.path, "get", "manifest", value_set.release(chart), "-n", namespace
        ).stdout
        # What Helm writes beside the chart's own manifest: its ownership annotations.
        applied = Manifests.from_yaml(manifest).objects
        for obj in applied:
            obj["metadata"].setdefault("annotations", {}).update(
                {
                    "meta.helm.sh/release-name": value_set.release(chart),
                    "meta.helm.sh/release-namespace": namespace,
                }
            )
        cluster.assert_no_drift(namespace, applied, field_manager="helm")


def test_a_config_map_near_its_limit_syncs_only_server_side(cluster: Cluster) -> None:
    # 900 KiB of extra_config, which both packagings accept (a ConfigMap holds 1 MiB):
    # client-side apply copies the object into an annotation the API server caps at
    # 256 KiB, so the Argo CD Applications sync with ServerSideApply=true.
    stack = construct_objects(ValueSet("large-config", backend={"extra_config": {"BIG": "x" * 900 * 1024}}))
    (config_map,) = [obj for obj in stack if obj["kind"] == "ConfigMap" and "BIG" in obj["data"]]
    namespace = cluster.namespace("large")

    client_side = cluster.kubectl(
        "apply", "-n", namespace, "-f", "-", stdin=as_list([config_map]), check=False
    )
    assert client_side.returncode != 0
    assert "metadata.annotations: Too long: may not be more than 262144 bytes" in client_side.stderr

    # Server-side it applies; Argo CD syncs one (tests/node/test_argocd.py).
    cluster.apply([config_map], namespace)
    live = cluster.get("configmap", namespace, config_map["metadata"]["name"])
    assert live["data"] == config_map["data"]
