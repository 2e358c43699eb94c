"""Every synthesized object is valid, in strict mode, for Kubernetes 1.27.

A schema check, kept beside the real API server of tests/cluster because that
server is v1.37: 1.27 is the oldest release cdk8s-plus-27 targets, and no
1.27 API server is built here.
"""

from __future__ import annotations

import kubernetes_validate
import pytest

from testbed.manifests import Manifests

VERSIONS = ["1.27.0"]


@pytest.mark.parametrize("version", VERSIONS)
def test_dist_objects_validate_strictly(fresh_dist, version: str) -> None:  # type: ignore[no-untyped-def]
    manifests = Manifests.from_dir(fresh_dist)
    assert len(manifests) == 8
    for obj in manifests:
        # strict: unknown fields are errors, not silently dropped by the API server.
        kubernetes_validate.validate(obj, version, strict=True)


def test_validation_catches_an_unknown_field() -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "dataa": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, VERSIONS[0], strict=True)
