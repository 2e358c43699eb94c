"""The policy gate's inputs, built once per session: dist/, Helm renders of every value set, the Dockerfiles.

Checkov runs once per target, the targets in parallel (it is the slow
part); the tests then read the one report. Its counts per target are printed at the end
of every run.
"""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from testbed.paths import DIST, REPO_ROOT
from tests.helm.value_sets import CHARTS, VALUE_SETS, ValueSet
from tests.support.checkov import CheckovMissing, Report, run_checkov_per_target, write_manifests
from tests.support.helm import HELM_VERSIONS, HelmMissing

DOCKERFILES = {
    "docker-backend": REPO_ROOT / "docker" / "backend" / "Dockerfile",
    "docker-frontend": REPO_ROOT / "docker" / "frontend" / "Dockerfile",
}
# Checkov fails a render without exception annotations by design: those sets are not policy targets.
HELM_VALUE_SETS = (
    ValueSet("defaults"),
    *(value_set for value_set in VALUE_SETS if value_set.checkov_annotations),
)
# The production-shaped configs: registry images, pinned tags, namespaces.
ENVIRONMENTS = {path.name: path for path in sorted((REPO_ROOT / "environments" / "dist").iterdir())}

_COUNTS: dict[str, Counter[str]] = {}


@pytest.fixture(scope="session")
def policy_targets(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder per target: ``dist``, ``environment-<name>``, ``helm-<value set>`` (both charts, test
    hooks included), ``docker-*``."""
    root = tmp_path_factory.mktemp("policy-targets")
    shutil.copytree(DIST, root / "dist")
    for name, folder in ENVIRONMENTS.items():
        shutil.copytree(folder, root / f"environment-{name}")
    helm = HELM_VERSIONS["helm3"]
    try:
        helm.check()
    except HelmMissing as error:
        pytest.fail(str(error), pytrace=False)
    for value_set in HELM_VALUE_SETS:
        for chart in CHARTS:
            objects = helm.template(
                value_set.release(chart), chart, values=value_set.values(chart), skip_tests=False
            )
            write_manifests(root / f"helm-{value_set.id}" / f"{chart}.yaml", objects)
    for target, dockerfile in DOCKERFILES.items():
        (root / target).mkdir()
        shutil.copy(dockerfile, root / target / "Dockerfile")
    return root


@pytest.fixture(scope="session")
def checkov_report(policy_targets: Path) -> Report:
    try:
        report = run_checkov_per_target(policy_targets)
    except CheckovMissing as error:
        pytest.fail(str(error), pytrace=False)
    _COUNTS.update(report.counts_by_target())
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not _COUNTS:
        return
    terminalreporter.section("Checkov")
    for target, counts in sorted(_COUNTS.items()):
        terminalreporter.line(
            # Not "N passed, N failed": CI reads lines of that shape as a test runner's verdict.
            f"{target:<40} checks passed {counts['passed']:>4}  failed {counts['failed']:>3}  "
            f"skipped {counts['skipped']:>3}"
        )
