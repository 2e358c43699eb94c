"""Staging and production from one app: committed, fresh, and synced by one ApplicationSet."""

from __future__ import annotations

import dataclasses
import filecmp
import importlib.util
import re
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.gitops.support import validate_with_argo_cd_schema

ENVIRONMENTS_DIR = REPO_ROOT / "environments"
FIX = "run `make synth` and commit environments/"


def _app() -> Any:
    spec = importlib.util.spec_from_file_location("environments_app", ENVIRONMENTS_DIR / "app.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["environments_app"] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("environments")
    _app().main(out / "dist", out / "applicationset.yaml")
    return out


def test_the_committed_environments_are_what_the_app_writes(fresh: Path) -> None:
    comparison = filecmp.dircmp(fresh / "dist", ENVIRONMENTS_DIR / "dist")
    assert comparison.subdirs.keys() == {"staging", "production"}
    for name, sub in comparison.subdirs.items():
        assert sub.left_only == sub.right_only == sub.diff_files == [], f"environments/dist/{name}; {FIX}"
    assert (fresh / "applicationset.yaml").read_text() == (
        ENVIRONMENTS_DIR / "applicationset.yaml"
    ).read_text(), FIX


def test_the_application_set_has_one_application_per_environment_folder() -> None:
    document = yaml.safe_load((ENVIRONMENTS_DIR / "applicationset.yaml").read_text())
    elements = document["spec"]["generators"][0]["list"]["elements"]
    assert sorted(element["env"] for element in elements) == sorted(
        p.name for p in (ENVIRONMENTS_DIR / "dist").iterdir()
    )
    for element in elements:
        objects = Manifests.from_dir(ENVIRONMENTS_DIR / "dist" / element["env"])
        assert {obj["metadata"]["namespace"] for obj in objects} == {element["namespace"]}


def test_the_application_set_follows_the_dist_application_source() -> None:
    source = yaml.safe_load((REPO_ROOT / "argocd" / "dist" / "todo.yaml").read_text())["spec"]["source"]
    template = yaml.safe_load((ENVIRONMENTS_DIR / "applicationset.yaml").read_text())["spec"]["template"]
    assert template["spec"]["source"]["repoURL"] == source["repoURL"]
    assert template["spec"]["source"]["targetRevision"] == source["targetRevision"]


def test_the_application_set_validates_against_argo_cds_schema() -> None:
    result = validate_with_argo_cd_schema([ENVIRONMENTS_DIR / "applicationset.yaml"])
    assert result.returncode == 0, result
    assert [(r["kind"], r["errors"]) for r in result.results] == [("ApplicationSet", [])]


@pytest.mark.parametrize("env", ["staging", "production"])
def test_each_environment_is_production_shaped(env: str) -> None:
    objects = Manifests.from_dir(ENVIRONMENTS_DIR / "dist" / env)
    kinds = {obj["kind"] for obj in objects}
    assert kinds >= {"Deployment", "HTTPRoute", "Ingress", "ExternalSecret", "HorizontalPodAutoscaler"}
    assert kinds >= {"PodDisruptionBudget", "NetworkPolicy"}
    for obj in objects:
        assert "CKV_K8S_21" not in str(obj["metadata"].get("annotations", {})), obj["kind"]
    for deployment in objects.of_kind("Deployment"):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"].startswith("registry.example.com/") and not container["image"].endswith(
            ":latest"
        )


def _synth(out: Path, environments: Any = None) -> None:
    app = _app()
    app.main(
        out / "dist", out / "applicationset.yaml", app.ENVIRONMENTS if environments is None else environments
    )


def _state(out: Path) -> dict[str, bytes]:
    return {
        path.relative_to(out).as_posix(): path.read_bytes()
        for path in sorted(out.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def synthesized(tmp_path: Path) -> Path:
    _synth(tmp_path)
    return tmp_path


def test_a_desktops_hidden_file_in_the_output_is_left_alone(synthesized: Path) -> None:
    (synthesized / "dist" / ".DS_Store").write_bytes(b"\0\1")
    _synth(synthesized)
    assert (synthesized / "dist" / ".DS_Store").read_bytes() == b"\0\1"


def test_a_removed_environment_takes_its_folder_with_it(synthesized: Path) -> None:
    app = _app()
    _synth(synthesized, app.ENVIRONMENTS[:1])
    assert sorted(path.name for path in (synthesized / "dist").iterdir()) == [app.ENVIRONMENTS[0].name]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("duplicate", "ENVIRONMENTS[2].name: got 'staging'; ENVIRONMENTS[0] has it too"),
        ("none", "ENVIRONMENTS: got none; list at least one"),
        ("long-name", "ENVIRONMENTS[2].name: got 'eeeeeeeeee"),
        ("foreign-folder", "notes is not an environment's folder of manifests"),
        ("foreign-file", "README.md is not an environment's folder of manifests"),
        ("bad-props", "image_tag"),
    ],
)
def test_bad_environments_change_neither_the_folders_nor_the_application_set(
    synthesized: Path, change: str, message: str
) -> None:
    app = _app()
    environments = app.ENVIRONMENTS
    if change == "duplicate":
        environments = (*environments, environments[0])
    elif change == "none":
        environments = ()
    elif change == "long-name":
        environments = (*environments, app.Environment(**{**_fields(environments[0]), "name": "e" * 59}))
    elif change == "foreign-folder":
        (synthesized / "dist" / "notes").mkdir()
        (synthesized / "dist" / "notes" / "todo.txt").write_text("mine\n")
    elif change == "foreign-file":
        (synthesized / "dist" / "README.md").write_text("mine\n")
    else:
        environments = (
            *environments,
            app.Environment(**{**_fields(environments[0]), "name": "qa", "image_tag": "a b"}),
        )
    before = _state(synthesized)

    with pytest.raises((SystemExit, ValueError), match=re.escape(message)):
        _synth(synthesized, environments)

    assert _state(synthesized) == before
    assert sorted(path.name for path in (synthesized / "dist").iterdir() if path.name.startswith(".")) == []


def _fields(env: Any) -> dict[str, Any]:
    return {field.name: getattr(env, field.name) for field in dataclasses.fields(env)}
