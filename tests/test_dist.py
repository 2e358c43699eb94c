"""The committed dist/ is exactly what a synth writes today (so the synth is deterministic), and holds only manifests."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testbed.manifests import Manifests
from testbed.paths import DIST, REPO_ROOT
from tests.support.synth import app_env, run_main

FIX = "run `make synth` and commit dist/"


def _tree(folder: Path) -> dict[str, str]:
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(folder.iterdir())}


def _assert_same_tree(expected: Path, actual: Path, what: str) -> None:
    want, got = _tree(expected), _tree(actual)
    assert sorted(got) == sorted(want), f"{what}: files differ: {sorted(got)} != {sorted(want)}; {FIX}"
    for name, text in want.items():
        if got[name] != text:
            diff = "".join(
                difflib.unified_diff(
                    got[name].splitlines(keepends=True),
                    text.splitlines(keepends=True),
                    f"{what}/{name}",
                    f"synth/{name}",
                )
            )
            pytest.fail(f"{what}/{name} differs from a fresh synth; {FIX}:\n{diff}")


def test_committed_dist_is_what_main_py_writes(fresh_dist: Path) -> None:
    _assert_same_tree(fresh_dist, DIST, "dist")


def test_a_synth_writes_one_file_per_chart_with_its_four_objects_and_nothing_else(fresh_dist: Path) -> None:
    # fresh_dist is written over a folder holding a stale file: a synth replaces dist/ as a whole.
    assert sorted(path.name for path in fresh_dist.iterdir()) == [
        "todo-backend.k8s.yaml",
        "todo-frontend.k8s.yaml",
    ]
    assert Manifests.from_dir(fresh_dist).kinds_and_names() == {
        (kind, name)
        for name in ("todo-backend", "todo-frontend")
        for kind in ("Deployment", "Service", "Ingress")
    } | {("ConfigMap", "todo-backend-config"), ("ConfigMap", "todo-frontend-config")}


def _cli_synth(work: Path, *args: str, **settings: str) -> subprocess.CompletedProcess[str]:
    """The real ``cdk8s synth`` in ``work``, a copy of the app with its committed dist/."""
    cli = REPO_ROOT / "node_modules" / ".bin" / "cdk8s"
    assert cli.exists(), "cdk8s CLI missing: run `make setup` (npm ci installs cdk8s-cli)"
    if not (work / "main.py").exists():
        work.mkdir(exist_ok=True)
        for name in ("cdk8s.yaml", "main.py"):
            shutil.copy(REPO_ROOT / name, work / name)
        shutil.copytree(DIST, work / "dist")
    # cdk8s.yaml runs `python main.py`: the venv's python, first on PATH as under make.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    env = app_env(**settings, PATH=path, CDK8S_CHECK_UPGRADE="false")
    return subprocess.run(
        [str(cli), "synth", *args], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.slow
def test_cdk8s_cli_synth_writes_the_same_bytes_as_main_py(tmp_path: Path, fresh_dist: Path) -> None:
    work = tmp_path / "repo"
    result = _cli_synth(work)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "end-of-life" not in result.stdout + result.stderr
    _assert_same_tree(fresh_dist, work / "dist", "cdk8s synth")


@pytest.mark.slow
@pytest.mark.parametrize(
    ("args", "settings"),
    [
        pytest.param((), {"IMAGE_TAG": "bad tag"}, id="bad-prop"),
        pytest.param((), {"IMAGE_TAG": "1.0\n"}, id="trailing-newline"),
        pytest.param((), {"JSII_NODE": "/nonexistent/node"}, id="missing-node"),
        pytest.param(("--app", "python -c 'raise SystemExit(3)'"), {}, id="app-exits"),
    ],
)
def test_a_failed_cdk8s_synth_leaves_dist_byte_identical(
    tmp_path: Path, args: tuple[str, ...], settings: dict[str, str]
) -> None:
    work = tmp_path / "repo"
    result = _cli_synth(work, *args, **settings)
    assert result.returncode != 0, result.stdout
    _assert_same_tree(DIST, work / "dist", "dist after a failed synth")
    assert sorted(path.name for path in work.iterdir() if path.name.startswith(".dist")) == []


def test_an_app_that_fails_midway_changes_nothing(tmp_path: Path) -> None:
    import cdk8s

    from constructs_lib import add_todo_charts
    from constructs_lib.publish import synth_into

    outdir = tmp_path / "dist"
    outdir.mkdir()
    (outdir / "kept.k8s.yaml").write_text("kind: Kept\n")

    def build(app: cdk8s.App) -> None:
        add_todo_charts(app)
        raise RuntimeError("the app failed after adding its charts")

    with pytest.raises(RuntimeError, match="failed after adding"):
        synth_into(outdir, build)
    assert [path.name for path in tmp_path.iterdir()] == ["dist"]
    assert [path.name for path in outdir.iterdir()] == ["kept.k8s.yaml"]


@pytest.mark.parametrize("foreign", ["notes.txt", ".DS_Store", "charts/"])
def test_main_py_refuses_a_folder_holding_what_a_synth_did_not_write(tmp_path: Path, foreign: str) -> None:
    outdir = tmp_path / "work"
    outdir.mkdir()
    (outdir / "old.k8s.yaml").write_text("kind: Old\n")
    if foreign.endswith("/"):
        (outdir / foreign).mkdir()
    else:
        (outdir / foreign).write_text("mine\n")
    before = sorted(path.name for path in outdir.iterdir())

    result = run_main(outdir)

    assert result.returncode == 1
    assert f"holds {foreign.rstrip('/')}, which a synth did not write" in result.stderr
    assert sorted(path.name for path in outdir.iterdir()) == before
    assert sorted(path.name for path in tmp_path.iterdir()) == ["work"]
