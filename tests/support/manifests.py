"""Kept for the modules that still import the manifest helpers from here; new code imports testbed."""

from testbed.manifests import Manifest, Manifests, only_container, pod_spec
from testbed.paths import DIST, REPO_ROOT

__all__ = ["DIST", "REPO_ROOT", "Manifest", "Manifests", "only_container", "pod_spec"]
