"""The production environment's ExternalSecret, turned into the backend's Secret by External Secrets Operator.

The operator runs for real against the node's control plane (scripts/gitops.py);
its ``fake`` provider stands in for the secret manager, which is outside the
cluster and differs per user. What is checked is the part the library writes:
that the ExternalSecret it synthesizes yields a Secret with every key the
backend's pods read, owned by the ExternalSecret, and that a key missing from
the store shows on the ExternalSecret instead of a half-filled Secret.
"""

from __future__ import annotations

import base64
import copy
import json
import time
from typing import Any

import pytest

from testbed.contract import secret_env
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.support.cluster import Cluster, wait_for

PRODUCTION = REPO_ROOT / "environments" / "dist" / "production"


@pytest.fixture(scope="module")
def production() -> Manifests:
    return Manifests.from_dir(PRODUCTION)


def fake_store(name: str, values: dict[str, str]) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": name},
        "spec": {"provider": {"fake": {"data": [{"key": k, "value": v} for k, v in values.items()]}}},
    }


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    found = [c for c in obj.get("status", {}).get("conditions") or [] if c["type"] == kind]
    return found[0] if found else {}


def test_the_operator_makes_the_secret_the_backend_reads_and_reports_a_missing_key(
    gitops: Any, node_cluster: tuple[Cluster, Any], namespace: str, production: Manifests
) -> None:
    cluster, _ = node_cluster
    (external_secret,) = production.of_kind("ExternalSecret")
    external_secret = copy.deepcopy(external_secret)
    external_secret["metadata"]["namespace"] = namespace
    name = external_secret["metadata"]["name"]
    store_ref = external_secret["spec"]["secretStoreRef"]
    assert store_ref["kind"] == "ClusterSecretStore", store_ref
    remote = {item["remoteRef"]["key"]: item["secretKey"] for item in external_secret["spec"]["data"]}
    values = {key: f"value of {key}\nwith a second line" for key in remote}
    missing = sorted(remote)[0]

    try:
        # A store without one of the keys: no Secret, and the ExternalSecret says why.
        partial = {k: v for k, v in values.items() if k != missing}
        cluster.kubectl(
            "apply", "--server-side", "-f", "-", stdin=json.dumps(fake_store(store_ref["name"], partial))
        )
        cluster.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(external_secret))

        def failed() -> dict[str, Any] | None:
            ready = condition(cluster.get("externalsecret", namespace, name), "Ready")
            return ready if ready.get("status") == "False" else None

        ready = wait_for("the ExternalSecret to report the missing key", failed, timeout=30)
        assert ready["reason"] == "SecretSyncedError", ready
        secrets = cluster.get("secrets", namespace)["items"]
        assert name not in {s["metadata"]["name"] for s in secrets}

        # The key added to the store, and a refresh asked for as users do: the whole Secret appears.
        cluster.kubectl(
            "apply", "--server-side", "-f", "-", stdin=json.dumps(fake_store(store_ref["name"], values))
        )
        cluster.kubectl(
            "annotate", "externalsecret", name, "-n", namespace, f"force-sync={time.time()}", "--overwrite"
        )
        wait_for(
            "the ExternalSecret to become Ready",
            lambda: (
                condition(cluster.get("externalsecret", namespace, name), "Ready").get("status") == "True"
            ),
            timeout=30,
        )
    finally:
        cluster.kubectl("delete", "clustersecretstore", store_ref["name"], "--ignore-not-found", check=False)

    secret = cluster.get("secret", namespace, name)
    decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
    assert decoded == {secret_key: values[key] for key, secret_key in remote.items()}
    (owner,) = secret["metadata"]["ownerReferences"]
    assert (owner["kind"], owner["name"]) == ("ExternalSecret", name)
    # Every key the backend's pods take from a Secret is there, under the Secret's name.
    (backend,) = [d for d in production.of_kind("Deployment") if "backend" in d["metadata"]["name"]]
    wanted = secret_env(production, backend["metadata"]["name"]).values()
    assert {secret for secret, _ in wanted} == {name}
    assert {key for _, key in wanted} <= set(decoded)
