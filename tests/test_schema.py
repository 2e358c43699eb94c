"""Every synthesized object is valid, in strict mode, for Kubernetes 1.27.

A schema check, kept beside the real API server of tests/cluster because that
server is v1.37: 1.27 is the oldest release cdk8s-plus-27 targets, and no
1.27 API server is built here.
"""

from __future__ import annotations

import kubernetes_validate
import pytest

from testbed.manifests import Manifests
from testbed.paths import DIST

OLDEST = "1.27.0"


def test_dist_objects_validate_strictly() -> None:
    for obj in Manifests.from_dir(DIST):
        # strict: unknown fields are errors, not silently dropped by the API server.
        kubernetes_validate.validate(obj, OLDEST, strict=True)


def test_validation_catches_an_unknown_field() -> None:
    bad = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"}, "dataa": {}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(bad, OLDEST, strict=True)
