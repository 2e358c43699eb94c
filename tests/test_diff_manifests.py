"""`make diff`: a reviewer reads what a change does per object, without key order or checksum noise."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from constructs_lib import TodoBackendProps
from testbed.paths import REPO_ROOT
from tests.support.synth import synth_stack


def _script() -> Any:
    spec = importlib.util.spec_from_file_location(
        "diff_manifests", REPO_ROOT / "scripts" / "diff_manifests.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["diff_manifests"] = module
    spec.loader.exec_module(module)
    return module


def _write(out: Path, backend: TodoBackendProps) -> Path:
    (out / "dist").mkdir(parents=True)
    objects = synth_stack(backend=backend).objects
    # Key order differs on purpose: it must not show up.
    shuffled = [dict(reversed(list(obj.items()))) for obj in objects]
    (out / "dist" / "all.k8s.yaml").write_text(yaml.safe_dump_all(shuffled, sort_keys=False))
    return out


def test_a_replica_count_an_env_var_and_an_added_object_read_as_such(tmp_path: Path) -> None:
    diff = _script()
    base = _write(tmp_path / "base", TodoBackendProps())
    head = _write(
        tmp_path / "head",
        TodoBackendProps(replicas=3, extra_config={"LOG_LEVEL": "debug"}, pod_disruption_budget=True),
    )

    lines = list(diff.report(diff.load(base), diff.load(head)))

    assert lines == [
        "dist:",
        "  + PodDisruptionBudget/todo-backend",
        "  ~ ConfigMap/todo-backend-config",
        "      ['data']['LOG_LEVEL']: added 'debug'",
        "  ~ Deployment/todo-backend",
        "      ['spec']['replicas']: 1 -> 3",
    ]


def test_no_change_reports_nothing(tmp_path: Path) -> None:
    diff = _script()
    base = _write(tmp_path / "base", TodoBackendProps())
    head = _write(tmp_path / "head", TodoBackendProps())
    assert list(diff.report(diff.load(base), diff.load(head))) == []


@pytest.mark.parametrize("base", ["--lock", "nonexistent", "HEAD:README.md"])
def test_a_base_that_is_no_commit_is_refused_before_any_worktree_exists(
    base: str, capsys: pytest.CaptureFixture[str]
) -> None:
    def worktrees() -> str:
        return subprocess.run(
            ["git", "worktree", "list"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
        ).stdout

    before = worktrees()

    assert _script().main([f"--base={base}"]) == 2
    assert f"--base: got {base!r}; must name a commit" in capsys.readouterr().err
    assert worktrees() == before
