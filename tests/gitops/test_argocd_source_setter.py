"""scripts/set_argocd_source.py: one repo URL and revision for every Application."""

from __future__ import annotations

import copy
import difflib
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gitops.support import (
    ARGOCD_DIR,
    SETTER,
    argocd_manifest_files,
    load_documents,
    validate_with_argo_cd_schema,
)

FORK = "https://github.com/jane/todo-cloud-native.git"


@pytest.fixture
def argocd_copy(tmp_path: Path) -> Path:
    dest = tmp_path / "argocd"
    shutil.copytree(ARGOCD_DIR, dest)
    return dest


def run_setter(directory: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SETTER), "--dir", str(directory), *args],
        capture_output=True,
        text=True,
        check=False,
    )


def snapshot(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in argocd_manifest_files(directory)}


def without_source_pointer(doc: dict[str, Any]) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    del doc["spec"]["source"]["repoURL"]
    del doc["spec"]["source"]["targetRevision"]
    return doc


def test_setter_changes_only_repo_url_and_revision_of_every_application(
    argocd_copy: Path,
) -> None:
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, "--repo-url", FORK, "--revision", "release-1.2")

    assert proc.returncode == 0, proc.stderr
    after = snapshot(argocd_copy)
    assert before.keys() == after.keys() and len(after) == 3
    for name in before:
        changed = [
            line
            for line in difflib.ndiff(before[name].splitlines(), after[name].splitlines())
            if line[:2] in ("- ", "+ ")
        ]
        assert sorted(line.split(":")[0].strip("-+ ") for line in changed) == [
            "repoURL",
            "repoURL",
            "targetRevision",
            "targetRevision",
        ], name
    for path in argocd_manifest_files(argocd_copy):
        (doc,) = load_documents(path)
        assert doc["spec"]["source"]["repoURL"] == FORK
        assert doc["spec"]["source"]["targetRevision"] == "release-1.2"
        (original,) = load_documents(ARGOCD_DIR / path.relative_to(argocd_copy))
        assert without_source_pointer(doc) == without_source_pointer(original)


def test_setter_is_idempotent(argocd_copy: Path) -> None:
    run_setter(argocd_copy, "--repo-url", FORK, "--revision", "main")
    first = snapshot(argocd_copy)
    mtimes = {p: p.stat().st_mtime_ns for p in argocd_manifest_files(argocd_copy)}

    proc = run_setter(argocd_copy, "--repo-url", FORK, "--revision", "main")

    assert proc.returncode == 0
    assert snapshot(argocd_copy) == first
    assert {p: p.stat().st_mtime_ns for p in mtimes} == mtimes
    assert "updated" not in proc.stdout


def test_setter_with_only_a_revision_keeps_the_repo_url(argocd_copy: Path) -> None:
    run_setter(argocd_copy, "--repo-url", FORK)

    proc = run_setter(argocd_copy, "--revision", "v1.0.0")

    assert proc.returncode == 0, proc.stderr
    for path in argocd_manifest_files(argocd_copy):
        (doc,) = load_documents(path)
        assert doc["spec"]["source"]["repoURL"] == FORK
        assert doc["spec"]["source"]["targetRevision"] == "v1.0.0"


@pytest.mark.parametrize("url", ["git@github.com:jane/todo.git", "ssh://git@example.com/jane/todo.git"])
def test_setter_accepts_ssh_remotes(argocd_copy: Path, url: str) -> None:
    assert run_setter(argocd_copy, "--repo-url", url).returncode == 0
    for path in argocd_manifest_files(argocd_copy):
        assert load_documents(path)[0]["spec"]["source"]["repoURL"] == url


@pytest.mark.parametrize(
    "args",
    [
        ("--repo-url", ""),
        ("--repo-url", "github.com/jane/todo"),
        ("--repo-url", "https://github.com/jane/todo.git # evil"),
        ("--repo-url", 'https://github.com/jane/"todo'),
        ("--revision", ""),
        ("--revision", "main branch"),
        ("--revision", "-main"),
        ("--revision", "main..evil"),
        ("--revision", "main\nkind: Secret"),
        ("--revision", "main\n"),
        ("--repo-url", FORK + "\n"),
    ],
    ids=repr,
)
def test_setter_rejects_bad_values_and_leaves_files_untouched(
    argocd_copy: Path, args: tuple[str, str]
) -> None:
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, *args)

    assert proc.returncode == 2
    assert args[0] in proc.stderr
    assert snapshot(argocd_copy) == before


def test_setter_refuses_an_application_it_cannot_rewrite_safely(argocd_copy: Path) -> None:
    extra = argocd_copy / "helm" / "multi.yaml"
    extra.write_text(
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: multi\n"
        "spec:\n  sources:\n    - repoURL: https://a.example/x.git\n      targetRevision: main\n"
        "    - repoURL: https://b.example/y.git\n      targetRevision: main\n"
    )
    before = snapshot(argocd_copy)

    proc = run_setter(argocd_copy, "--repo-url", FORK)

    assert proc.returncode == 2
    assert "multi.yaml" in proc.stderr and "exactly one `repoURL:`" in proc.stderr
    assert snapshot(argocd_copy) == before


def test_setter_without_arguments_shows_the_current_source(argocd_copy: Path) -> None:
    proc = run_setter(argocd_copy)

    assert proc.returncode == 0
    assert proc.stdout.count("repoURL=") == 3
    assert "targetRevision=main" in proc.stdout


def test_setter_without_arguments_fails_when_applications_disagree(argocd_copy: Path) -> None:
    subprocess.run(
        [sys.executable, str(SETTER), "--dir", str(argocd_copy / "helm"), "--revision", "dev"],
        check=True,
        capture_output=True,
    )

    proc = run_setter(argocd_copy)

    assert proc.returncode == 1
    assert "disagree" in proc.stderr


def test_rewritten_applications_still_validate_against_argo_cd_schema(argocd_copy: Path) -> None:
    run_setter(argocd_copy, "--repo-url", "git@github.com:jane/todo.git", "--revision", "a1b2c3d")

    validation = validate_with_argo_cd_schema(argocd_manifest_files(argocd_copy))

    assert validation.returncode == 0, validation.results
