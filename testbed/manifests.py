"""Reading Kubernetes manifests and finding objects in them by kind and name."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import yaml

Manifest = dict[str, Any]


class Manifests:
    """A set of Kubernetes objects, looked up by (kind, name), never by position."""

    def __init__(self, objects: Iterable[Manifest]) -> None:
        self.objects = [obj for obj in objects if obj]

    @classmethod
    def from_yaml(cls, text: str) -> Manifests:
        return cls(yaml.safe_load_all(text))

    @classmethod
    def from_file(cls, path: Path) -> Manifests:
        return cls.from_yaml(path.read_text(encoding="utf-8"))

    @classmethod
    def from_dir(cls, folder: Path) -> Manifests:
        """Every object of the folder's ``*.yaml`` files, in file name order."""
        return cls(obj for path in sorted(folder.glob("*.yaml")) for obj in cls.from_file(path))

    def __iter__(self) -> Iterator[Manifest]:
        return iter(self.objects)

    def __len__(self) -> int:
        return len(self.objects)

    def kinds_and_names(self) -> set[tuple[str, str]]:
        return {(obj["kind"], obj["metadata"]["name"]) for obj in self.objects}

    def get(self, kind: str, name: str) -> Manifest:
        found = [obj for obj in self.objects if obj["kind"] == kind and obj["metadata"]["name"] == name]
        assert len(found) == 1, (
            f"expected one {kind}/{name}, found {len(found)} in {sorted(self.kinds_and_names())}"
        )
        return found[0]

    def of_kind(self, kind: str) -> list[Manifest]:
        return [obj for obj in self.objects if obj["kind"] == kind]


def pod_spec(deployment: Manifest) -> Manifest:
    return deployment["spec"]["template"]["spec"]


def only_container(deployment: Manifest) -> Manifest:
    containers = pod_spec(deployment)["containers"]
    assert len(containers) == 1, f"expected one container, found {len(containers)}"
    return containers[0]
