"""dist/'s images as buildah builds them from the Dockerfiles, unchanged: what the node runs."""

from __future__ import annotations

import json
import tarfile
from pathlib import Path

from testbed.dockerfile import Dockerfile
from testbed.manifests import Manifests
from testbed.node_images import SOURCES, Buildah, dist_image, stand_in


def _config(archive: Path) -> tuple[list[str], dict[str, object]]:
    """An archive's tags and its image config."""
    with tarfile.open(archive) as saved:
        (manifest,) = json.load(saved.extractfile("manifest.json"))  # type: ignore[arg-type]
        config = json.load(saved.extractfile(manifest["Config"]))  # type: ignore[arg-type]
    return manifest["RepoTags"], config["config"]


def test_each_image_has_the_name_in_dist_and_its_dockerfiles_user_port_and_command(
    dist_images: dict[str, Path], dist: Manifests
) -> None:
    assert set(dist_images) == {d["metadata"]["name"] for d in dist.of_kind("Deployment")}
    for deployment, archive in dist_images.items():
        tags, config = _config(archive)
        final = Dockerfile(SOURCES[deployment][0]).final
        assert tags == [dist_image(dist, deployment)]
        assert (config["User"], config["Cmd"], config["WorkingDir"]) == (final.user, final.cmd, final.workdir)
        assert set(config["ExposedPorts"]) == {f"{port}/tcp" for port in final.expose}  # type: ignore[call-overload]


def test_the_base_images_stand_ins_are_kept_for_the_next_build(dist_images: dict[str, Path]) -> None:
    buildah = Buildah()
    for dockerfile, _ in SOURCES.values():
        stages = Dockerfile(dockerfile).stages
        for base in {stage.base for stage in stages} - {stage.name for stage in stages}:
            assert buildah.has(stand_in(base)), base
