"""Each Checkov exception is true of the object it is written on.

Checkov itself proves each exception covers a check that would fail
(test_checkov.py); these tests prove what the reasons say: the pull policy,
the user and the tag they name are the ones in the pod spec, over dist/ and the
production-shaped environments.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from constructs_lib import PullPolicy, TodoBackendProps, TodoFrontendProps
from constructs_lib import policy_exceptions as pe
from testbed.manifests import Manifest, Manifests, only_container, pod_spec
from testbed.paths import DIST, REPO_ROOT, script
from tests.policy.conftest import ENVIRONMENTS
from tests.support.synth import synth_stack

FOLDERS = {"dist": DIST, **ENVIRONMENTS}


def _exceptions(obj: Manifest) -> dict[str, str]:
    """Check id -> reason, from the object's checkov.io/skipN annotations."""
    annotations = obj["metadata"].get("annotations", {})
    skips = [value for key, value in annotations.items() if key.startswith(pe.SKIP_ANNOTATION_PREFIX)]
    return dict(skip.split("=", 1) for skip in skips)


@pytest.mark.parametrize("folder", FOLDERS.values(), ids=FOLDERS)
def test_the_namespace_exception_is_only_on_objects_without_a_namespace(folder: Path) -> None:
    for obj in Manifests.from_dir(folder):
        has_exception = pe.DEFAULT_NAMESPACE.check_id in _exceptions(obj)
        assert has_exception == ("namespace" not in obj["metadata"]), obj["metadata"]


@pytest.mark.parametrize("folder", FOLDERS.values(), ids=FOLDERS)
def test_each_deployments_image_exceptions_name_its_tag_pull_policy_and_user(folder: Path) -> None:
    for deployment in Manifests.from_dir(folder).of_kind("Deployment"):
        found = _exceptions(deployment)
        container = only_container(deployment)
        tag, policy = container["image"].rsplit(":", 1)[1], container["imagePullPolicy"]
        uid = pod_spec(deployment)["securityContext"]["runAsUser"]

        assert (pe.LATEST_TAG.check_id in found) == (tag == "latest")
        local = policy == pe.LOCAL_PULL_POLICY
        assert (
            found[pe.IMAGE_DIGEST["local"].check_id]
            == pe.IMAGE_DIGEST["local" if local else "registry"].reason
        )
        pull_reason = found.get(pe.PULL_POLICY["Never"].check_id)
        assert (pull_reason is None) == (policy == "Always") and policy in (pull_reason or policy)
        uid_reason = found.get(pe.LOW_UID.check_id)
        assert (uid_reason is None) == (uid >= pe.HIGH_UID) and f"UID {uid}" in (uid_reason or f"UID {uid}")


def test_a_pinned_release_pulled_if_not_present_by_another_user_says_so() -> None:
    manifests = synth_stack(
        backend=TodoBackendProps(
            image_tag="1.2.3", image_pull_policy=PullPolicy.IF_NOT_PRESENT, run_as_user=4000
        ),
    )

    backend = _exceptions(manifests.get("Deployment", "todo-backend"))
    assert backend[pe.PULL_POLICY["Never"].check_id] == pe.PULL_POLICY["IfNotPresent"].reason
    assert backend[pe.LOW_UID.check_id] == pe.LOW_UID.reason.format(uid=4000)


def test_checkov_annotations_off_writes_none_anywhere() -> None:
    manifests = synth_stack(
        backend=TodoBackendProps(checkov_annotations=False),
        frontend=TodoFrontendProps(checkov_annotations=False),
    )

    assert [obj["metadata"] for obj in manifests if _exceptions(obj)] == []


def test_the_charts_reasons_are_generated_from_the_librarys() -> None:
    generator = script("chart_policy_exceptions")
    template = REPO_ROOT / "charts" / "todo-common" / "templates" / "_policy_exceptions.tpl"
    assert template.read_text() == generator.render(), f"{template} is stale; run `make docs`"
