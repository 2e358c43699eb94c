"""Each environment applies on the real control plane: admitted under PSS restricted, no drift."""

from __future__ import annotations

import json

import pytest

from tests.support.cluster import RESTRICTED, Cluster, as_list, changed_fields
from tests.support.manifests import REPO_ROOT, Manifests


@pytest.mark.parametrize("env", ["staging", "production"])
def test_each_environment_is_admitted_and_shows_no_drift(cluster: Cluster, env: str) -> None:
    cluster.install_crd("gateway_api")
    cluster.install_crd("external_secrets")
    objects = Manifests.from_dir(REPO_ROOT / "environments" / "dist" / env).objects
    namespace = f"todo-{env}"
    # What the ApplicationSet's managedNamespaceMetadata asks Argo CD to create.
    cluster.kubectl(
        "apply",
        "-f",
        "-",
        stdin=json.dumps(
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": namespace, "labels": RESTRICTED}}
        ),
    )

    result = cluster.apply(objects, namespace)

    assert "Warning" not in result.stderr, result.stderr
    cluster.settle(namespace)
    diff = cluster.kubectl(
        "diff",
        "--server-side",
        "--field-manager=todo-tests",
        "-n",
        namespace,
        "-f",
        "-",
        stdin=as_list(objects),
        check=False,
    )
    assert (diff.returncode, diff.stdout) == (0, ""), diff.stdout + diff.stderr
    for obj in objects:
        live = cluster.get(obj["kind"].lower(), namespace, obj["metadata"]["name"])
        assert changed_fields(obj, live) == [], f"{obj['kind']}/{obj['metadata']['name']}"
