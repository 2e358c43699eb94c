"""Volumes a team adds to a workload's pod: a ConfigMap, a Secret, a claim or scratch space, and where each is mounted."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from constructs_lib import _validation as check

# The sources a Volume may name, as Kubernetes' Volume writes them (the charts' keys too).
SOURCES = ("configMap", "secret", "persistentVolumeClaim", "emptyDir")
# Absolute, without '..' steps or control characters: the runtime resolves anything else
# against the image's root, which is rarely what was meant.
_MOUNT_PATH = re.compile(r"/(?!.*(?:^|/)\.\.(?:/|$))[^\x00-\x1f\x7f]+")
_SUB_PATH = re.compile(r"(?!/)(?!.*(?:^|/)\.\.(?:/|$))[^\x00-\x1f\x7f]+")
MOUNT_PATH_ALLOWED = "must be an absolute path other than '/', without '..' steps or control characters"
SUB_PATH_ALLOWED = "must be a relative path without '..' steps or control characters"


@dataclass(frozen=True, kw_only=True)
class Volume:
    """A volume of the pod, from exactly one source.

    Attributes:
        name: its name in the pod (a DNS label), which mounts refer to, e.g. ``"ca-bundle"``.
        config_map: a ConfigMap's name: each key becomes a file.
        secret: a Secret's name: each key becomes a file.
        persistent_volume_claim: a PersistentVolumeClaim's name.
        empty_dir_size_limit: scratch space that lives as long as the pod, at most
            this much, e.g. ``"256Mi"`` (a canonical quantity).

    Example:
        ``Volume(name="ca-bundle", config_map="corporate-ca")``
    """

    name: str
    config_map: str | None = None
    secret: str | None = None
    persistent_volume_claim: str | None = None
    empty_dir_size_limit: str | None = None

    def _sources(self) -> dict[str, str]:
        given = {
            "config_map": self.config_map,
            "secret": self.secret,
            "persistent_volume_claim": self.persistent_volume_claim,
            "empty_dir_size_limit": self.empty_dir_size_limit,
        }
        return {field: value for field, value in given.items() if value is not None}

    def validate(self, owner: str) -> None:
        check.check_dns_label(owner, "name", self.name)
        sources = self._sources()
        if len(sources) != 1:
            raise check.fail(
                owner,
                "name",
                self.name,
                "must have exactly one source: config_map, secret, persistent_volume_claim or "
                f"empty_dir_size_limit (got {', '.join(sources) or 'none'})",
            )
        ((field, value),) = sources.items()
        if field == "empty_dir_size_limit":
            check.parse_quantity(owner, field, value)
        else:
            check.check_dns_subdomain(owner, field, value)

    def to_json(self) -> dict[str, Any]:
        """The pod's Volume, as the charts' ``extraVolumes`` holds it too."""
        if self.config_map is not None:
            return {"name": self.name, "configMap": {"name": self.config_map}}
        if self.secret is not None:
            return {"name": self.name, "secret": {"secretName": self.secret}}
        if self.persistent_volume_claim is not None:
            # Read-only or not is the mount's to say.
            return {"name": self.name, "persistentVolumeClaim": {"claimName": self.persistent_volume_claim}}
        return {"name": self.name, "emptyDir": {"sizeLimit": self.empty_dir_size_limit}}


@dataclass(frozen=True, kw_only=True)
class VolumeMount:
    """Where the container sees one of ``extra_volumes``.

    Attributes:
        volume: the :class:`Volume`'s ``name``.
        path: the absolute path in the container, e.g. ``"/etc/ssl/corporate"``.
        sub_path: one file or folder of the volume to mount there instead of all
            of it, e.g. ``"ca.crt"``; ``None`` (default): the whole volume.
        read_only: ``True`` (default); ``False`` lets the container write, as
            scratch space or a claim needs.

    Example:
        ``VolumeMount(volume="ca-bundle", path="/etc/ssl/corporate")``
    """

    volume: str
    path: str
    sub_path: str | None = None
    read_only: bool = True

    def validate(self, owner: str) -> None:
        check.check_dns_label(owner, "volume", self.volume)
        if not isinstance(self.path, str) or self.path == "/" or not _MOUNT_PATH.fullmatch(self.path):
            raise check.fail(owner, "path", self.path, MOUNT_PATH_ALLOWED)
        if self.sub_path is not None and (
            not isinstance(self.sub_path, str) or not _SUB_PATH.fullmatch(self.sub_path)
        ):
            raise check.fail(owner, "sub_path", self.sub_path, SUB_PATH_ALLOWED)
        check.check_bool(owner, "read_only", self.read_only)

    def to_json(self) -> dict[str, Any]:
        """The container's VolumeMount, as the charts' ``extraVolumeMounts`` holds it too."""
        mount: dict[str, Any] = {"name": self.volume, "mountPath": self.path}
        # False is the API's default, and the server drops it (omitempty): never written.
        if self.read_only:
            mount["readOnly"] = True
        if self.sub_path is not None:
            mount["subPath"] = self.sub_path
        return mount


def check_volumes(
    owner: str,
    volumes: tuple[Volume, ...],
    mounts: tuple[VolumeMount, ...],
    *,
    library_paths: dict[str, str],
) -> None:
    """Each volume is named once and mounted, each mount names a volume, and no two share a path.

    ``library_paths`` maps the mount paths the library writes to their volume names.
    """
    names: set[str] = set()
    for index, volume in enumerate(volumes):
        field = f"extra_volumes[{index}]"
        check.check_instance(owner, field, volume, Volume)
        volume.validate(f"{owner}.{field}")
        if volume.name in names or volume.name in library_paths.values():
            raise check.fail(
                owner,
                f"{field}.name",
                volume.name,
                "names another volume of the pod"
                f" (the library's: {', '.join(sorted(library_paths.values()))}); choose another name",
            )
        names.add(volume.name)
    paths = set(library_paths)
    for index, mount in enumerate(mounts):
        field = f"extra_volume_mounts[{index}]"
        check.check_instance(owner, field, mount, VolumeMount)
        mount.validate(f"{owner}.{field}")
        if mount.volume not in names:
            raise check.fail(owner, f"{field}.volume", mount.volume, "must name one of extra_volumes")
        if mount.path.rstrip("/") in paths:
            raise check.fail(
                owner,
                f"{field}.path",
                mount.path,
                f"is mounted already (the library's: {', '.join(sorted(library_paths))}); "
                "mount each path once",
            )
        paths.add(mount.path.rstrip("/"))
    unmounted = names - {mount.volume for mount in mounts}
    if unmounted:
        raise check.fail(
            owner, "extra_volumes", sorted(unmounted), "each volume must be mounted by extra_volume_mounts"
        )
