"""IMAGE_TAG at synth time: how a rebuilt image reaches running pods under GitOps."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from constructs_lib import policy_exceptions
from testbed.manifests import Manifests
from tests.support.synth import run_main


def _leaves(value: Any, path: str = "") -> dict[str, Any]:
    """Flatten an object into {json-path: scalar}, so differences are named by field."""
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _leaves(item, f"{path}/{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _leaves(item, f"{path}/{i}").items()}
    return {path: value}


# The version label follows the image tag on every object of the workload.
VERSION_LABEL = "/labels/app.kubernetes.io/version"


def _changed_fields(before: Manifests, after: Manifests) -> dict[tuple[str, str], set[str]]:
    """The fields each object changed, but for the version label, which every object carries."""
    assert before.kinds_and_names() == after.kinds_and_names()
    changed = {}
    for kind, name in before.kinds_and_names():
        old, new = _leaves(before.get(kind, name)), _leaves(after.get(kind, name))
        fields = {path for path in old.keys() | new.keys() if old.get(path) != new.get(path)}
        fields = {path for path in fields if not path.endswith(VERSION_LABEL)}
        if fields:
            changed[(kind, name)] = fields
    return changed


def test_a_release_tag_changes_the_images_and_drops_the_latest_tag_exception(
    fresh_dist: Path, tmp_path: Path
) -> None:
    result = run_main(tmp_path, IMAGE_TAG="2026.11.26-3f2c1a9")
    assert result.returncode == 0, result.stderr
    before, after = Manifests.from_dir(fresh_dist), Manifests.from_dir(tmp_path)

    image = "/spec/template/spec/containers/0/image"
    for name, fields in _changed_fields(before, after).items():
        assert name in {("Deployment", "todo-backend"), ("Deployment", "todo-frontend")}
        assert {path for path in fields if not path.startswith("/metadata/annotations/checkov.io/skip")} == {
            image
        }
    for name in ("todo-backend", "todo-frontend"):
        deployment = after.get("Deployment", name)
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == f"{name}:2026.11.26-3f2c1a9"
        assert container["imagePullPolicy"] == "Never"
        assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == "2026.11.26-3f2c1a9"
        assert deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == (
            "2026.11.26-3f2c1a9"
        )
        skipped = [value.split("=")[0] for value in deployment["metadata"]["annotations"].values()]
        assert policy_exceptions.LATEST_TAG.check_id not in skipped


def test_from_one_release_tag_to_the_next_only_the_images_and_version_labels_change(tmp_path: Path) -> None:
    for tag in ("1.2.3", "1.2.4"):
        result = run_main(tmp_path / tag, IMAGE_TAG=tag)
        assert result.returncode == 0, result.stderr
    before, after = Manifests.from_dir(tmp_path / "1.2.3"), Manifests.from_dir(tmp_path / "1.2.4")

    image = "/spec/template/spec/containers/0/image"
    assert _changed_fields(before, after) == {
        ("Deployment", "todo-backend"): {image},
        ("Deployment", "todo-frontend"): {image},
    }


def test_without_image_tag_the_images_are_the_specs_latest(fresh_dist: Path) -> None:
    manifests = Manifests.from_dir(fresh_dist)
    for name in ("todo-backend", "todo-frontend"):
        container = manifests.get("Deployment", name)["spec"]["template"]["spec"]["containers"][0]
        assert container["image"] == f"{name}:latest"


def test_an_invalid_image_tag_stops_the_synth_naming_the_variable(tmp_path: Path) -> None:
    result = run_main(tmp_path / "out", IMAGE_TAG="not a tag")
    assert result.returncode != 0
    assert "IMAGE_TAG: TodoBackendProps.image_tag: got 'not a tag'; must be an image tag" in result.stderr
    assert not (tmp_path / "out").exists(), "nothing is written when the input is bad"
