"""Run Checkov (installed by `make setup` into .tools/checkov) and read its JSON report.

Checkov runs offline (``--skip-download``) with no skip list of its own: the
only exceptions are the ``checkov.io/skipN`` annotations on the objects and the
``#checkov:skip=`` comments in the Dockerfiles.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from testbed.paths import REPO_ROOT

CHECKOV = REPO_ROOT / ".tools" / "checkov" / "bin" / "checkov"
REQUIREMENTS = REPO_ROOT / "requirements" / "checkov.txt"
SETUP_HINT = (
    f"{CHECKOV.relative_to(REPO_ROOT)} is missing; run `make setup`, which installs "
    f"{REQUIREMENTS.relative_to(REPO_ROOT)} into the virtualenv .tools/checkov"
)


class CheckovMissing(RuntimeError):
    """Checkov is not where `make setup` installs it."""


@dataclass(frozen=True)
class Finding:
    """One check on one resource: its id, the resource, the file and, if skipped, the reason."""

    check_id: str
    resource: str
    file: str
    reason: str | None = None


@dataclass
class Report:
    """Checkov's results, all frameworks together."""

    passed: list[Finding] = field(default_factory=list)
    failed: list[Finding] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    resources: int = 0

    def counts_by_target(self) -> dict[str, Counter[str]]:
        """{first folder of the file path: Counter(passed=, failed=, skipped=)}."""
        counts: dict[str, Counter[str]] = {}
        for outcome in ("passed", "failed", "skipped"):
            for finding in getattr(self, outcome):
                target = finding.file.lstrip("/").split("/", 1)[0]
                counts.setdefault(target, Counter(passed=0, failed=0, skipped=0))[outcome] += 1
        return counts


def _finding(check: dict[str, Any]) -> Finding:
    return Finding(
        check_id=check["check_id"],
        resource=check["resource"],
        file=check["file_path"],
        reason=check.get("check_result", {}).get("suppress_comment"),
    )


def run_checkov(directory: Path, frameworks: Sequence[str] = ("kubernetes", "dockerfile")) -> Report:
    """Checkov over every file under ``directory``, passed checks included."""
    if not CHECKOV.is_file():
        raise CheckovMissing(SETUP_HINT)
    result = subprocess.run(
        [
            str(CHECKOV),
            "--directory",
            str(directory),
            "--framework",
            *frameworks,
            "--output",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=directory,
    )
    # Exit code 1 means failed checks; anything else that is not 0 is Checkov failing.
    if result.returncode not in (0, 1):
        raise AssertionError(f"checkov exited {result.returncode}:\n{result.stderr}")
    output = json.loads(result.stdout)
    reports = output if isinstance(output, list) else [output]
    report = Report()
    for framework_report in reports:
        if "results" not in framework_report:
            # A framework with nothing to scan reports only a summary.
            continue
        results = framework_report["results"]
        report.passed += [_finding(check) for check in results.get("passed_checks", [])]
        report.failed += [_finding(check) for check in results.get("failed_checks", [])]
        report.skipped += [_finding(check) for check in results.get("skipped_checks", [])]
        report.resources += framework_report["summary"]["resource_count"]
    return report


def write_manifests(path: Path, objects: Iterable[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump_all(list(objects), sort_keys=False), encoding="utf-8")


def run_checkov_per_target(root: Path) -> Report:
    """Checkov over each folder under ``root`` on its own, in parallel, as one report.

    Separate runs, because Checkov's graph checks (CKV2_K8S_6: a pod without a
    NetworkPolicy) match objects across every file of a run: one target's
    NetworkPolicies would count for another target's pods. File paths in the
    report start with the target's folder name.
    """
    folders = sorted(path for path in root.iterdir() if path.is_dir())
    with ThreadPoolExecutor(max_workers=8) as pool:
        reports = list(pool.map(run_checkov, folders))
    merged = Report()
    for folder, report in zip(folders, reports, strict=True):
        for outcome in ("passed", "failed", "skipped"):
            getattr(merged, outcome).extend(
                dataclasses.replace(finding, file=f"/{folder.name}/{finding.file.lstrip('/')}")
                for finding in getattr(report, outcome)
            )
        merged.resources += report.resources
    return merged
