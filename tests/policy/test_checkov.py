"""The policy gate: Checkov finds nothing over dist/, the environments, the Helm renders and the Dockerfiles.

Exceptions exist only as annotations on the objects (``checkov.io/skipN``) and
comments in the Dockerfiles (``#checkov:skip=``), each with its reason, and
each only where its check would otherwise fail: removing them brings back
exactly the failures they cover, no more and no fewer.
"""

from __future__ import annotations

import copy
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from constructs_lib import policy_exceptions
from testbed.paths import DIST
from tests.policy.conftest import DOCKERFILES, ENVIRONMENTS, HELM_VALUE_SETS
from tests.support.checkov import CheckovMissing, Report, run_checkov_per_target, write_manifests

TARGETS = [
    "dist",
    *(f"environment-{name}" for name in ENVIRONMENTS),
    *(f"helm-{value_set.id}" for value_set in HELM_VALUE_SETS),
    *DOCKERFILES,
]


def _checkov(directory: Path) -> Report:
    try:
        return run_checkov_per_target(directory)
    except CheckovMissing as error:
        pytest.fail(str(error), pytrace=False)


def _describe(findings) -> str:
    return "\n  ".join(f"{f.check_id} on {f.resource} ({f.file})" for f in findings)


def test_checkov_finds_no_failed_check(checkov_report: Report) -> None:
    assert not checkov_report.failed, "Checkov failed checks:\n  " + _describe(checkov_report.failed)


@pytest.mark.parametrize("target", TARGETS)
def test_checkov_scanned_every_target(checkov_report: Report, target: str) -> None:
    # A target Checkov could not parse would pass with nothing checked.
    counts = checkov_report.counts_by_target()
    assert target in counts, f"Checkov checked nothing in {target}: {sorted(counts)}"
    assert counts[target]["passed"] >= 20, counts[target]


def test_every_exception_states_its_reason(checkov_report: Report) -> None:
    assert checkov_report.skipped, "no exception was found at all; is Checkov reading the annotations?"
    for finding in checkov_report.skipped:
        assert finding.reason and finding.reason != "No comment provided", finding
        assert len(finding.reason.split()) >= 5, (
            f"{finding.check_id} on {finding.resource}: {finding.reason!r}"
        )


def _without_exceptions(obj: dict[str, Any]) -> dict[str, Any]:
    bare = copy.deepcopy(obj)
    annotations = bare["metadata"].get("annotations") or {}
    for key in [key for key in annotations if key.startswith(policy_exceptions.SKIP_ANNOTATION_PREFIX)]:
        del annotations[key]
    return bare


def _keys(findings) -> set[tuple[str, str, str]]:
    # Checkov names a skipped Dockerfile check after the file, a failed one after
    # the instruction: compare Dockerfile findings by file only.
    return {(f.check_id, f.file, "" if f.file.endswith("Dockerfile") else f.resource) for f in findings}


def test_each_exception_covers_a_check_that_would_fail_without_it(
    checkov_report: Report, policy_targets: Path, tmp_path: Path
) -> None:
    # The same targets with every annotation and skip comment removed: what
    # fails then must be exactly what the exceptions skip, so none is
    # unjustified and none hides more than its own check.
    for folder in sorted(policy_targets.iterdir()):
        for path in folder.iterdir():
            target = tmp_path / folder.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            if path.name == "Dockerfile":
                kept = [
                    line for line in path.read_text().splitlines() if not line.startswith("#checkov:skip=")
                ]
                target.write_text("\n".join(kept) + "\n")
            else:
                write_manifests(target, map(_without_exceptions, yaml.safe_load_all(path.read_text())))

    bare = _checkov(tmp_path)

    assert _keys(bare.failed) == _keys(checkov_report.skipped)


def test_checkov_fails_a_deployment_that_may_escalate_and_write_its_root_filesystem(tmp_path: Path) -> None:
    # The gate can fail: a known-bad object is caught.
    (deployment,) = [
        obj
        for obj in yaml.safe_load_all((DIST / "todo-backend.k8s.yaml").read_text())
        if obj["kind"] == "Deployment"
    ]
    pod = deployment["spec"]["template"]["spec"]
    pod["containers"][0]["securityContext"].update(
        readOnlyRootFilesystem=False, allowPrivilegeEscalation=True
    )
    write_manifests(tmp_path / "bad" / "bad.yaml", [deployment])

    report = _checkov(tmp_path)

    assert {"CKV_K8S_20", "CKV_K8S_22"} <= {f.check_id for f in report.failed}


def _workload_exceptions(**changed: Any) -> tuple[policy_exceptions.PolicyException, ...]:
    """The exceptions of a registry release run as a high UID in a namespace, with ``changed``."""
    settings: dict[str, Any] = {
        "namespaced": True,
        "image_tag": "1.2.3",
        "image_digested": False,
        "pull_policy": "Always",
        "run_as_user": 10001,
        "cpu_limited": True,
        "reads_secret_env": False,
        "network_policy": True,
    }
    return policy_exceptions.workload_exceptions(**{**settings, **changed})


def test_exception_annotations_are_numbered_in_the_order_checkov_reads_them() -> None:
    exceptions = _workload_exceptions(
        namespaced=False,
        image_tag="latest",
        pull_policy="Never",
        run_as_user=1001,
        cpu_limited=False,
        reads_secret_env=True,
        network_policy=False,
    )

    annotations = policy_exceptions.skip_annotations(exceptions)

    assert list(annotations) == [f"checkov.io/skip{n}" for n in range(1, len(exceptions) + 1)]
    # Checkov splits the value at "=" into exactly two parts.
    assert all(value.count("=") == 1 for value in annotations.values())


def test_a_registry_release_run_as_a_high_uid_needs_only_the_digest_exception() -> None:
    assert _workload_exceptions() == (policy_exceptions.IMAGE_DIGEST["registry"],)


def test_an_image_pinned_by_digest_needs_no_image_exception() -> None:
    assert _workload_exceptions(image_tag="latest", image_digested=True, pull_policy="IfNotPresent") == ()


def test_dockerfile_exceptions_are_inline_comments_with_reasons() -> None:
    for dockerfile in DOCKERFILES.values():
        skips = [line for line in dockerfile.read_text().splitlines() if line.startswith("#checkov:skip=")]
        assert skips, dockerfile
        for line in skips:
            check_id, _, reason = line.removeprefix("#checkov:skip=").partition(":")
            assert check_id.startswith("CKV") and len(reason.split()) >= 5, line


def test_checkov_is_installed_from_the_pinned_requirements() -> None:
    from tests.support.checkov import CHECKOV, REQUIREMENTS

    pins = [line for line in REQUIREMENTS.read_text().splitlines() if line and not line.startswith("#")]
    assert any(line.startswith("checkov==") for line in pins)
    assert all("==" in line for line in pins), [line for line in pins if "==" not in line]
    if not CHECKOV.is_file():
        pytest.fail(
            f"{CHECKOV} is missing; run `make test` (it installs Checkov into .tools/checkov)", pytrace=False
        )
    assert shutil.which(str(CHECKOV))
