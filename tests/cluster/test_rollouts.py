"""Rollouts the controllers make: a config or image change rolls the pods, a re-apply does not."""

from __future__ import annotations

from pathlib import Path

import pytest

from testbed.manifests import Manifests
from tests.cluster.stacks import DEFAULTS, construct_objects, helm_install_args
from tests.helm.value_sets import ValueSet
from tests.support.cluster import Cluster, wait_for
from tests.support.helm import helm_binary
from tests.support.synth import run_main

NEW_CONFIG = ValueSet("new-config", backend={"extra_config": {"LOG_LEVEL": "debug"}})


def _replica_sets(cluster: Cluster, namespace: str, name: str) -> int:
    return len(cluster.get("replicasets", namespace, selector=f"app.kubernetes.io/name={name}")["items"])


def _wait_replica_sets(cluster: Cluster, namespace: str, name: str, count: int) -> None:
    wait_for(f"{count} ReplicaSet(s) of {name}", lambda: _replica_sets(cluster, namespace, name) == count)
    cluster.settle(namespace)
    assert _replica_sets(cluster, namespace, name) == count


def test_a_config_change_makes_a_new_replica_set(cluster: Cluster) -> None:
    namespace = cluster.namespace("roll")
    cluster.apply(construct_objects(DEFAULTS), namespace)
    _wait_replica_sets(cluster, namespace, "todo-backend", 1)

    cluster.apply(construct_objects(NEW_CONFIG), namespace)

    _wait_replica_sets(cluster, namespace, "todo-backend", 2)
    _wait_replica_sets(cluster, namespace, "todo-frontend", 1)


def test_a_new_image_tag_makes_a_new_replica_set(cluster: Cluster, fresh_dist: Path, tmp_path: Path) -> None:
    namespace = cluster.namespace("roll")
    cluster.apply(Manifests.from_dir(fresh_dist).objects, namespace)
    _wait_replica_sets(cluster, namespace, "todo-backend", 1)

    assert run_main(tmp_path, IMAGE_TAG="2026.11.26-3f2c1a9").returncode == 0
    cluster.apply(Manifests.from_dir(tmp_path).objects, namespace)

    for name in ("todo-backend", "todo-frontend"):
        _wait_replica_sets(cluster, namespace, name, 2)


def test_applying_the_same_manifests_twice_makes_no_new_replica_set(
    cluster: Cluster, fresh_dist: Path
) -> None:
    namespace = cluster.namespace("roll")
    objects = Manifests.from_dir(fresh_dist).objects
    cluster.apply(objects, namespace)
    _wait_replica_sets(cluster, namespace, "todo-backend", 1)

    cluster.apply(objects, namespace)

    for name in ("todo-backend", "todo-frontend"):
        _wait_replica_sets(cluster, namespace, name, 1)


@pytest.mark.parametrize("helm_label", ["helm3", "helm4"])
def test_helm_upgrade_with_a_config_change_rolls_the_pods(
    cluster: Cluster, helm_label: str, tmp_path: Path
) -> None:
    helm = helm_binary(helm_label)
    namespace = cluster.namespace("roll")
    cluster.helm(helm.path, *helm_install_args(DEFAULTS, "todo-backend", namespace, tmp_path))
    _wait_replica_sets(cluster, namespace, "todo-backend", 1)

    upgrade = helm_install_args(NEW_CONFIG, "todo-backend", namespace, tmp_path)
    upgrade[0] = "upgrade"
    cluster.helm(helm.path, *upgrade)

    _wait_replica_sets(cluster, namespace, "todo-backend", 2)
