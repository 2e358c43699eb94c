"""Each environment applies on the real control plane, admitted under PSS restricted without a warning.

That Argo CD syncs it with no drift is decided by Argo CD itself (tests/node/test_application_set.py).
"""

from __future__ import annotations

import json

import pytest

from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.support.cluster import RESTRICTED, Cluster


@pytest.mark.parametrize("env", ["staging", "production"])
def test_each_environment_is_admitted_without_a_warning(cluster: Cluster, env: str) -> None:
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
