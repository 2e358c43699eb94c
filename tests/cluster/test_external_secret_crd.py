"""The ExternalSecret option against the real External Secrets Operator CRD."""

from __future__ import annotations

import copy
import json

import pytest

from constructs_lib import SECRET_KEYS, ExternalSecret, TodoBackendProps
from tests.support.cluster import Cluster, changed_fields
from tests.support.synth import synth_stack

SOURCE = ExternalSecret(store_name="vault", remote_keys={key: f"todo/{key.lower()}" for key in SECRET_KEYS})


@pytest.fixture(scope="module")
def eso_cluster(cluster: Cluster) -> Cluster:
    cluster.install_crd("external_secrets")
    return cluster


def _external_secret() -> dict:
    return synth_stack(backend=TodoBackendProps(secret_source=SOURCE)).get("ExternalSecret", "todo-secrets")


def test_the_external_secret_is_accepted_by_the_crd_and_reads_back_as_written(eso_cluster: Cluster) -> None:
    written = _external_secret()
    namespace = eso_cluster.namespace("eso")
    eso_cluster.apply([written], namespace)
    live = eso_cluster.get("externalsecret", namespace, "todo-secrets")
    assert changed_fields(written, live) == []


def test_an_external_secret_the_crd_refuses_is_refused(eso_cluster: Cluster) -> None:
    broken = copy.deepcopy(_external_secret())
    broken["spec"]["secretStoreRef"]["kind"] = "VaultStore"
    result = eso_cluster.kubectl(
        "create",
        "--dry-run=server",
        "-n",
        eso_cluster.namespace("eso"),
        "-f",
        "-",
        stdin=json.dumps(broken),
        check=False,
    )
    assert result.returncode != 0
    assert "secretStoreRef.kind" in result.stderr
