"""The README's GitOps section: the runbook steps it shows are the script's own."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from tests.gitops.support import (
    GITOPS_DOC,
    PLACEHOLDER_REPO_URL,
    RUNBOOK,
    SECRET_KEYS,
    make_fixture_checkout,
    run_runbook,
    sandbox_path,
    write_stubs,
)

DOC = GITOPS_DOC.read_text()
MARKER = "<!-- runbook-dry-run:"


def documented_dry_run() -> tuple[list[str], list[str]]:
    """The invocation and the `==>`/`+` lines of the documented dry run."""
    block = DOC.split(MARKER, 1)[1].split("```console\n", 1)[1].split("```", 1)[0]
    first, *lines = block.splitlines()
    assert first.startswith("$ scripts/minikube-up.sh "), first
    return shlex.split(first[2:])[1:], lines


def test_documented_runbook_steps_are_exactly_what_the_dry_run_prints(tmp_path: Path) -> None:
    args, documented = documented_dry_run()
    checkout = make_fixture_checkout(tmp_path / "repo")
    env = {
        "PATH": sandbox_path(tmp_path, write_stubs(tmp_path / "bin", failing=True)),
        **{key: "value" for key in SECRET_KEYS},
    }

    result = run_runbook(*args, root=checkout, env=env, tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    printed = [
        line.replace(str(tmp_path / "tmp"), "/tmp")
        for line in result.stdout.splitlines()
        if line.startswith(("+ ", "==> "))
    ]
    assert documented == printed


def test_docs_name_the_placeholder_repository_the_script_refuses() -> None:
    script_placeholder = re.search(r'PLACEHOLDER_REPO_URL="([^"]+)"', RUNBOOK.read_text())
    assert script_placeholder and script_placeholder.group(1) == PLACEHOLDER_REPO_URL
    assert f"`{PLACEHOLDER_REPO_URL}`" in DOC
    assert "revision `main`" in DOC
    assert "make argocd-repo REPO_URL=" in DOC


def test_docs_say_to_apply_one_packaging_never_both() -> None:
    assert "never both" in DOC
    assert "`argocd/dist/`" in DOC and "`argocd/helm/`" in DOC


def test_docs_troubleshoot_the_known_failures() -> None:
    for symptom in (
        "ErrImageNeverPull",
        "CreateContainerConfigError",
        "The Ingress does not answer",
        "The Application is stuck `OutOfSync`",
    ):
        headings = re.findall(r"^\*\*(.+?)\*\*", DOC, flags=re.M)
        assert any(symptom in h for h in headings), symptom
    for remedy in ("minikube addons list", "/etc/hosts", "minikube tunnel", "127.0.0.1 todo.local"):
        assert remedy in DOC, remedy
