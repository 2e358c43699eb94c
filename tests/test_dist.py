"""The committed dist/ is exactly what a synth writes today, and holds only manifests."""

from __future__ import annotations

import difflib
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.support.manifests import DIST, REPO_ROOT, Manifests

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


def test_dist_holds_only_one_manifest_file_per_chart() -> None:
    assert sorted(path.name for path in DIST.iterdir()) == [
        "todo-backend.k8s.yaml",
        "todo-frontend.k8s.yaml",
    ]
    for path in DIST.iterdir():
        for document in yaml.safe_load_all(path.read_text(encoding="utf-8")):
            assert {"apiVersion", "kind", "metadata"} <= set(document), path.name


def test_dist_holds_the_four_objects_of_each_chart() -> None:
    assert Manifests.from_dir(DIST).kinds_and_names() == {
        (kind, name)
        for name in ("todo-backend", "todo-frontend")
        for kind in ("Deployment", "Service", "Ingress")
    } | {("ConfigMap", "todo-backend-config"), ("ConfigMap", "todo-frontend-config")}


@pytest.mark.slow
def test_cdk8s_cli_synth_writes_the_same_bytes_as_main_py(tmp_path: Path, fresh_dist: Path) -> None:
    cli = REPO_ROOT / "node_modules" / ".bin" / "cdk8s"
    assert cli.exists(), "cdk8s CLI missing: run `make setup` (npm ci installs cdk8s-cli)"
    # Work on a copy: `cdk8s synth` empties its output folder first.
    work = tmp_path / "repo"
    work.mkdir()
    for name in ("cdk8s.yaml", "main.py"):
        shutil.copy(REPO_ROOT / name, work / name)
    os.symlink(REPO_ROOT / "constructs_lib", work / "constructs_lib")
    # cdk8s.yaml runs `python main.py`: the venv's python, first on PATH as under make.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ["PATH"]])
    env = {**os.environ, "PATH": path, "CDK8S_CHECK_UPGRADE": "false"}
    result = subprocess.run(
        [str(cli), "synth"], cwd=work, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "end-of-life" not in result.stdout + result.stderr
    _assert_same_tree(fresh_dist, work / "dist", "cdk8s synth")


def test_a_second_synth_is_byte_identical(fresh_dist: Path, tmp_path: Path) -> None:
    from tests.support.synth import run_main

    assert run_main(tmp_path).returncode == 0
    _assert_same_tree(fresh_dist, tmp_path, "second synth")
