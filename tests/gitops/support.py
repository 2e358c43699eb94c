"""Shared helpers for the GitOps tests: Argo CD manifests, the schema validator, the runbook."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from testbed.paths import DIST, NODE, REPO_ROOT

ARGOCD_DIR = REPO_ROOT / "argocd"
DIST_DIR = DIST
DIST_APPLICATION = ARGOCD_DIR / "dist" / "todo.yaml"
HELM_APPLICATIONS = {
    "todo-backend": ARGOCD_DIR / "helm" / "todo-backend.yaml",
    "todo-frontend": ARGOCD_DIR / "helm" / "todo-frontend.yaml",
}
RUNBOOK = REPO_ROOT / "scripts" / "minikube-up.sh"
SETTER = REPO_ROOT / "scripts" / "set_argocd_source.py"
VALIDATOR = Path(__file__).resolve().parent / "validate_argocd.mjs"

PLACEHOLDER_REPO_URL = "https://github.com/example-org/todo-deploy-kit.git"
SECRET_KEYS = ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY")


def argocd_manifest_files(directory: Path = ARGOCD_DIR) -> list[Path]:
    return sorted(p for p in directory.rglob("*") if p.suffix in (".yaml", ".yml"))


def load_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc is not None]


def load_application(path: Path) -> dict[str, Any]:
    (doc,) = load_documents(path)
    assert doc["kind"] == "Application", path
    return doc


def all_applications() -> dict[str, dict[str, Any]]:
    apps = [load_application(p) for p in [DIST_APPLICATION, *HELM_APPLICATIONS.values()]]
    return {app["metadata"]["name"]: app for app in apps}


@dataclass(frozen=True)
class Validation:
    returncode: int
    results: list[dict[str, Any]]
    stderr: str


def validate_with_argo_cd_schema(files: list[Path]) -> Validation:
    """Run every document through @kubernetes-models/argo-cd's validate()."""
    assert NODE.exists(), f"{NODE} missing: run `npm ci` (make setup)"
    proc = subprocess.run(
        [str(NODE), str(VALIDATOR), *map(str, files)],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        check=False,
    )
    results = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
    return Validation(proc.returncode, results, proc.stderr)


# --- runbook ---------------------------------------------------------------

FAILING_STUB = """#!/bin/sh
# Must never run during a dry run: record the call and fail.
printf '%s\\n' "$(basename "$0") $*" >> "$STUB_LOG"
exit 97
"""

MINIKUBE_STUB = """#!/bin/sh
printf '%s\\n' "minikube $*" >> "$STUB_LOG"
case "$*" in
  *" ip") echo 192.168.49.2 ;;
  *"image build"*)
    for last in "$@"; do :; done
    if [ -f "$last/Dockerfile" ]; then
      printf '%s\\n' "  staged Dockerfile: $(head -n 1 "$last/Dockerfile")" >> "$STUB_LOG"
    fi ;;
esac
exit 0
"""

KUBECTL_STUB = """#!/bin/sh
printf '%s\\n' "kubectl $*" >> "$STUB_LOG"
case "$*" in
  *"create secret generic"*)
    for arg in "$@"; do
      case $arg in
        --from-file=*)
          kv=${arg#--from-file=}
          printf '%s=' "${kv%%=*}" >> "$STUB_SECRET"
          cat "${kv#*=}" >> "$STUB_SECRET"
          printf '\\n' >> "$STUB_SECRET" ;;
      esac
    done
    echo "kind: Secret" ;;
  *"create namespace"*) echo "kind: Namespace" ;;
  *"apply -f -") printf '%s\\n' "  stdin: $(head -n 1)" >> "$STUB_LOG" ;;
  *"-o name") printf '%s' "${STUB_OTHER_APPS:-}" ;;
  *jsonpath*) printf 'Synced Healthy' ;;
esac
exit 0
"""


HELM_STUB = """#!/bin/sh
printf '%s\\n' "helm $*" >> "$STUB_LOG"
exit 0
"""


def write_stubs(bin_dir: Path, *, failing: bool) -> Path:
    """minikube, kubectl and helm stand-ins that log each call to $STUB_LOG."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    for name, body in (("minikube", MINIKUBE_STUB), ("kubectl", KUBECTL_STUB), ("helm", HELM_STUB)):
        path = bin_dir / name
        path.write_text(FAILING_STUB if failing else body)
        path.chmod(0o755)
    return bin_dir


# What the runbook and the stubs call besides minikube and kubectl.
RUNBOOK_TOOLS = (
    "bash", "basename", "cat", "cp", "dirname", "git", "head", "mkdir", "mktemp", "rm", "sleep",
)  # fmt: skip


def sandbox_path(tmp_path: Path, *extra_dirs: Path) -> str:
    """A PATH with `extra_dirs` first, then only RUNBOOK_TOOLS and python3.

    The system PATH may hold a real kubectl (this machine has one), so tests
    never inherit it: minikube and kubectl exist only if a test puts stubs there.
    """
    system_bin = tmp_path / "system-bin"
    if not system_bin.exists():
        system_bin.mkdir()
        for tool in RUNBOOK_TOOLS:
            found = shutil.which(tool)
            assert found, f"{tool} is needed by the runbook tests"
            (system_bin / tool).symlink_to(found)
        (system_bin / "python3").symlink_to(os.path.realpath(sys.executable))
    path = os.pathsep.join([*map(str, extra_dirs), str(system_bin)])
    for tool in ("minikube", "kubectl"):
        found = shutil.which(tool, path=path)
        assert found is None or Path(found).parent in extra_dirs, found
    return path


@dataclass(frozen=True)
class RunbookResult:
    returncode: int
    stdout: str
    stderr: str
    calls: list[str]

    @property
    def commands(self) -> list[str]:
        """The commands the runbook printed, in order, without the `+ ` prefix."""
        return [line[2:] for line in self.stdout.splitlines() if line.startswith("+ ")]


def run_runbook(
    *args: str,
    root: Path = REPO_ROOT,
    env: dict[str, str],
    tmp_path: Path,
) -> RunbookResult:
    log = tmp_path / "calls.log"
    full_env = {
        "HOME": str(tmp_path),
        "TMPDIR": str(tmp_path / "tmp"),
        "STUB_LOG": str(log),
        "STUB_SECRET": str(tmp_path / "secret.captured"),
        "LC_ALL": "C",
        **env,
    }
    (tmp_path / "tmp").mkdir(exist_ok=True)
    bash = shutil.which("bash", path=env["PATH"])
    assert bash, "bash must be on the PATH given to the runbook"
    proc = subprocess.run(
        [bash, str(root / "scripts" / "minikube-up.sh"), *args],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=tmp_path,
        check=False,
        timeout=120,
    )
    calls = log.read_text().splitlines() if log.exists() else []
    return RunbookResult(proc.returncode, proc.stdout, proc.stderr, calls)


def make_fixture_checkout(dest: Path) -> Path:
    """A minimal git checkout holding what the runbook reads, for tests that edit files."""
    dest.mkdir(parents=True)
    for rel in ("scripts", "argocd"):
        shutil.copytree(REPO_ROOT / rel, dest / rel)
    for name in ("backend", "frontend"):
        (dest / "docker" / name).mkdir(parents=True)
        (dest / "docker" / name / "Dockerfile").write_text(f"# {name} Dockerfile\nFROM scratch\n")
        (dest / name).mkdir()
        (dest / name / "app.txt").write_text(f"{name} source\n")
    (dest / ".gitignore").write_text(".env\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid"]
    subprocess.run([*git, "init", "-q"], cwd=dest, check=True)
    subprocess.run([*git, "add", "."], cwd=dest, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "fixture"], cwd=dest, check=True)
    return dest
