"""Environment variables read from other objects: a Secret's or a ConfigMap's keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from constructs_lib import _validation as check


@dataclass(frozen=True, kw_only=True)
class SecretKeyRef:
    """One key of a Secret, read into an environment variable.

    Attributes:
        secret: the Secret's name, e.g. ``"smtp-credentials"``.
        key: the key in it, e.g. ``"password"``.
        optional: ``True`` starts the pod without it when the Secret or key
            is missing; ``False`` (default) holds the pod until both exist.

    Example:
        ``SecretKeyRef(secret="smtp-credentials", key="password")``
    """

    secret: str
    key: str
    optional: bool = False

    def validate(self, owner: str) -> None:
        check.check_dns_subdomain(owner, "secret", self.secret)
        check.check_config_key(owner, "key", self.key)
        check.check_bool(owner, "optional", self.optional)

    def to_json(self) -> dict[str, Any]:
        """The EnvVarSource, as the charts' values hold it too."""
        ref: dict[str, Any] = {"name": self.secret, "key": self.key}
        if self.optional:
            ref["optional"] = True
        return {"secretKeyRef": ref}


@dataclass(frozen=True, kw_only=True)
class ConfigMapKeyRef:
    """One key of a ConfigMap the stack does not own, read into an environment variable.

    Attributes:
        config_map: the ConfigMap's name, e.g. ``"cluster-info"``.
        key: the key in it, e.g. ``"region"``.
        optional: as :class:`SecretKeyRef`'s.

    Example:
        ``ConfigMapKeyRef(config_map="cluster-info", key="region")``
    """

    config_map: str
    key: str
    optional: bool = False

    def validate(self, owner: str) -> None:
        check.check_dns_subdomain(owner, "config_map", self.config_map)
        check.check_config_key(owner, "key", self.key)
        check.check_bool(owner, "optional", self.optional)

    def to_json(self) -> dict[str, Any]:
        ref: dict[str, Any] = {"name": self.config_map, "key": self.key}
        if self.optional:
            ref["optional"] = True
        return {"configMapKeyRef": ref}


EnvRef = SecretKeyRef | ConfigMapKeyRef
