"""The GitHub Actions workflows the project's own host would run: linted by actionlint, built from tools/actionlint."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from testbed.cache import go_tool
from testbed.paths import REPO_ROOT

WORKFLOWS = REPO_ROOT / ".github" / "workflows"


@pytest.mark.slow
def test_the_workflows_pass_actionlint_with_shellcheck_on_their_scripts() -> None:
    assert shutil.which("shellcheck"), (
        "shellcheck is not installed (Debian package `shellcheck`; make test installs it)"
    )
    result = subprocess.run(
        [str(go_tool("actionlint")), "-no-color", *sorted(map(str, WORKFLOWS.glob("*.yml")))],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def _run_steps(name: str) -> list[str]:
    workflow = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    return [step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step]


def test_ci_runs_the_readmes_commands() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    commands = re.findall(r"^(make (?:synth|test))\s", readme, re.M)
    steps = "\n".join(_run_steps("ci.yml"))

    assert commands == ["make synth", "make test"]
    for command in commands:
        assert re.search(rf"^\s*{command}$", steps, re.M), command


def test_a_tag_runs_make_release_and_must_name_the_version() -> None:
    steps = "\n".join(_run_steps("release.yml"))

    assert re.search(r"^make release$", steps, re.M)
    assert 'test "v$(python3 scripts/release.py version)" = "$GITHUB_REF_NAME"' in steps
