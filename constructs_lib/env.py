"""Environment variables read from other objects: a Secret's or a ConfigMap's keys."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from constructs_lib import _validation as check


@dataclass(frozen=True, kw_only=True)
class _KeyRef:
    """A key of a named object; subclasses name the object's kind and field."""

    key: str
    optional: bool = False

    # The EnvVarSource field, and the props field holding the object's name.
    SOURCE: ClassVar[str]
    OBJECT_FIELD: ClassVar[str]

    @property
    def object_name(self) -> str:
        name: str = getattr(self, self.OBJECT_FIELD)
        return name

    def validate(self, owner: str) -> None:
        check.check_dns_subdomain(owner, self.OBJECT_FIELD, self.object_name)
        check.check_config_key(owner, "key", self.key)
        check.check_bool(owner, "optional", self.optional)

    def to_json(self) -> dict[str, Any]:
        """The EnvVarSource, as the charts' values hold it too: ``optional`` only when set."""
        ref: dict[str, Any] = {"name": self.object_name, "key": self.key}
        if self.optional:
            ref["optional"] = True
        return {self.SOURCE: ref}


@dataclass(frozen=True, kw_only=True)
class SecretKeyRef(_KeyRef):
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

    SOURCE: ClassVar[str] = "secretKeyRef"
    OBJECT_FIELD: ClassVar[str] = "secret"


@dataclass(frozen=True, kw_only=True)
class ConfigMapKeyRef(_KeyRef):
    """One key of a ConfigMap the stack does not own, read into an environment variable.

    Attributes:
        config_map: the ConfigMap's name, e.g. ``"cluster-info"``.
        key: the key in it, e.g. ``"region"``.
        optional: as :class:`SecretKeyRef`'s.

    Example:
        ``ConfigMapKeyRef(config_map="cluster-info", key="region")``
    """

    config_map: str

    SOURCE: ClassVar[str] = "configMapKeyRef"
    OBJECT_FIELD: ClassVar[str] = "config_map"


EnvRef = SecretKeyRef | ConfigMapKeyRef
