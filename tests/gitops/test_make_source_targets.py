"""The Makefile's argocd-repo and minikube-up targets: REPO_URL and REVISION are data, never code.

Each test runs make on a throwaway checkout holding this repo's Makefile,
scripts/ and argocd/, with stand-in minikube and kubectl on PATH.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.gitops.support import (
    REPO_ROOT,
    SECRET_KEYS,
    argocd_manifest_files,
    load_documents,
    make_fixture_checkout,
    sandbox_path,
    write_stubs,
)

FORK = "https://github.com/jane/todo-deploy-kit.git"
SOURCE_TARGETS = ("argocd-repo", "minikube-up", "minikube-up-dry-run")


def hostile_values(marker: Path) -> dict[str, str]:
    """Values that create `marker` if a shell (backticks, $(...)) or make ($(shell ...)) runs them."""
    return {
        "shell-and-make-substitutions": (
            f"{FORK}`touch {marker}`$(touch {marker})$$(touch {marker})$(shell touch {marker})"
        ),
        "substitutions-without-spaces": f"{FORK}`id>{marker}`$(id>{marker})",
    }


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    root = make_fixture_checkout(tmp_path / "repo")
    shutil.copy(REPO_ROOT / "Makefile", root / "Makefile")
    return root


def run_make(checkout: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """make in `checkout`, with an environment of its own (no MAKEFLAGS or REPO_URL inherited)."""
    make = shutil.which("make")
    assert make, "GNU make is needed"
    bin_dir = write_stubs(tmp_path / "bin", failing=False)
    (tmp_path / "tmp").mkdir(exist_ok=True)
    env = {
        "PATH": sandbox_path(tmp_path, bin_dir),
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "STUB_LOG": str(tmp_path / "calls.log"),
        "STUB_SECRET": str(tmp_path / "secret.captured"),
        "LC_ALL": "C",
        **{key: "value" for key in SECRET_KEYS},
    }
    return subprocess.run(
        [make, "--no-print-directory", *args],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def applications(checkout: Path) -> dict[Path, str]:
    return {path: path.read_text() for path in argocd_manifest_files(checkout / "argocd")}


@pytest.mark.parametrize("variable", ["REPO_URL", "REVISION"])
@pytest.mark.parametrize("target", SOURCE_TARGETS)
def test_make_never_pastes_the_source_into_a_shell_line(
    checkout: Path, tmp_path: Path, target: str, variable: str
) -> None:
    marker = tmp_path / "pwned"
    for value in hostile_values(marker).values():
        result = run_make(checkout, tmp_path, "-n", target, f"REPO_URL={FORK}", f"{variable}={value}")

        assert result.returncode == 0, result.stderr
        assert "touch" not in result.stdout and "id>" not in result.stdout, result.stdout
        assert not marker.exists()


@pytest.mark.parametrize("target", SOURCE_TARGETS)
@pytest.mark.parametrize("case", hostile_values(Path("pwned")).keys())
def test_make_refuses_a_hostile_repo_url_without_running_it(
    checkout: Path, tmp_path: Path, target: str, case: str
) -> None:
    marker = tmp_path / "pwned"
    before = applications(checkout)

    result = run_make(checkout, tmp_path, target, f"REPO_URL={hostile_values(marker)[case]}")

    assert result.returncode == 2
    assert "error: --repo-url" in result.stderr
    assert not marker.exists()
    assert not (tmp_path / "calls.log").exists()
    assert applications(checkout) == before


def test_make_argocd_repo_hands_the_url_and_revision_to_the_setter(checkout: Path, tmp_path: Path) -> None:
    result = run_make(checkout, tmp_path, "argocd-repo", f"REPO_URL={FORK}", "REVISION=release-1.2")

    assert result.returncode == 0, result.stderr
    for path in applications(checkout):
        (doc,) = load_documents(path)
        assert (doc["spec"]["source"]["repoURL"], doc["spec"]["source"]["targetRevision"]) == (
            FORK,
            "release-1.2",
        )


def test_make_argocd_repo_without_a_url_is_a_usage_error(checkout: Path, tmp_path: Path) -> None:
    result = run_make(checkout, tmp_path, "argocd-repo")

    assert result.returncode == 2
    assert "usage: make argocd-repo REPO_URL=<git remote>" in result.stderr


def test_make_minikube_up_dry_run_sets_the_source_only_when_given_a_repo_url(
    checkout: Path, tmp_path: Path
) -> None:
    without = run_make(checkout, tmp_path, "minikube-up-dry-run")
    given = run_make(checkout, tmp_path, "minikube-up-dry-run", f"REPO_URL={FORK}")

    assert "set_argocd_source.py" not in without.stdout
    assert given.returncode == 0, given.stderr
    assert f"+ python3 scripts/set_argocd_source.py --repo-url={FORK} --revision=main\n" in given.stdout
