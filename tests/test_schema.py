"""Every synthesized object is valid, in strict mode, for Kubernetes 1.27.

A schema check, kept beside the real API server of tests/cluster because that
server is v1.37: 1.27 is the oldest release cdk8s-plus-27 targets, and no
1.27 API server is built here.
"""

from __future__ import annotations

import kubernetes_validate
import pytest

from testbed.manifests import Manifests
from testbed.paths import DIST, REPO_ROOT

OLDEST = "1.27.0"
# The environments' objects of kinds a CRD defines (HTTPRoute, ExternalSecret) are
# validated by those CRDs on the control plane (tests/cluster/test_environments_apply.py).
CRD_GROUPS = {"gateway.networking.k8s.io", "external-secrets.io"}
OUTPUTS = {"dist": DIST, **{p.name: p for p in sorted((REPO_ROOT / "environments" / "dist").iterdir())}}


@pytest.mark.parametrize("folder", OUTPUTS.values(), ids=OUTPUTS)
def test_the_synthesized_objects_validate_strictly(folder) -> None:
    objects = [obj for obj in Manifests.from_dir(folder) if obj["apiVersion"].split("/")[0] not in CRD_GROUPS]
    assert len(objects) >= 8, objects
    for obj in objects:
        # strict: unknown fields are errors, not silently dropped by the API server.
        kubernetes_validate.validate(obj, OLDEST, strict=True)


def test_validation_catches_an_unknown_field() -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "dataa": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, OLDEST, strict=True)
