"""An External Secrets Operator ``ExternalSecret`` (``external-secrets.io/v1``) that creates the backend's Secret.

Without it, ``todo-secrets`` is the one object not in git: users create it with
``kubectl create secret generic``. With it, the operator reads each key from a
store (Vault, a cloud secret manager, ...) and writes the Secret the
Deployment already reads. Typed from the ESO CRD by ``cdk8s import``
(scripts/import_crds.py).
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from cdk8s import ApiObjectMetadata
from constructs import Construct

from constructs_lib import _validation as check

if TYPE_CHECKING:
    from constructs_lib._imports.external_secrets.io.external_secrets import (
        ExternalSecret as ExternalSecretObject,
    )

# Argo CD applies lower waves first and waits for them to be healthy: the
# Secret must exist before the Deployment's pods start, or they fail with
# CreateContainerConfigError until the operator catches up. Deployments are in wave 0.
SYNC_WAVE_ANNOTATION = "argocd.argoproj.io/sync-wave"
SYNC_WAVE = "-1"


class StoreKind(enum.StrEnum):
    """Where the store is defined: in the namespace, or for the whole cluster."""

    SECRET_STORE = "SecretStore"
    CLUSTER_SECRET_STORE = "ClusterSecretStore"


# StoreKind's values, which ExternalSecret takes as well, typed: store_kind="ClusterSecretStore".
StoreKindName = Literal["SecretStore", "ClusterSecretStore"]


@dataclass(frozen=True, kw_only=True)
class ExternalSecret:
    """Create the backend's Secret from a secret store through the External Secrets Operator.

    Attributes:
        store_name: the SecretStore or ClusterSecretStore to read from, e.g. ``"vault"``.
        store_kind: ``SecretStore`` (default) or ``ClusterSecretStore``.
        remote_keys: the store's key for each Secret key, e.g.
            ``{"DATABASE_URL": "todo/prod/database-url", ...}``; every key the
            backend reads must be given.
        refresh_interval: how often the operator reads the store again, a Go
            duration such as ``"1h"`` (default) or ``"0"`` (once).

    Example:
        ``ExternalSecret(store_name="vault", remote_keys={key: f"todo/{key}" for key in SECRET_KEYS})``
    """

    store_name: str
    store_kind: StoreKind | StoreKindName = StoreKind.SECRET_STORE
    remote_keys: Mapping[str, str] = field(default_factory=dict)
    refresh_interval: str = "1h"

    def __post_init__(self) -> None:
        owner = type(self).__name__
        if not isinstance(self.remote_keys, Mapping):
            raise check.fail(
                owner, "remote_keys", self.remote_keys, "must be a mapping of Secret keys to store keys"
            )
        object.__setattr__(self, "remote_keys", types.MappingProxyType(dict(self.remote_keys)))
        try:
            object.__setattr__(self, "store_kind", StoreKind(self.store_kind))
        except ValueError:
            check.check_choice(owner, "store_kind", self.store_kind, tuple(kind.value for kind in StoreKind))
        check.check_dns_subdomain(owner, "store_name", self.store_name)
        check.check_go_duration(owner, "refresh_interval", self.refresh_interval)

    def validate(self, owner: str, *, secret_keys: Sequence[str]) -> None:
        """Every key the workload reads has a store key, and nothing else is given."""
        missing = [key for key in secret_keys if key not in self.remote_keys]
        extra = [key for key in self.remote_keys if key not in secret_keys]
        if missing or extra:
            raise check.fail(
                owner,
                "remote_keys",
                dict(self.remote_keys),
                f"must give exactly the keys {', '.join(secret_keys)}",
            )
        for key, remote in self.remote_keys.items():
            if not isinstance(remote, str) or not remote or not remote.isprintable():
                raise check.fail(
                    owner, f"remote_keys[{key!r}]", remote, "must be a non-empty printable store key"
                )


def add_external_secret(
    scope: Construct,
    *,
    source: ExternalSecret,
    secret_name: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> ExternalSecretObject:
    """The ExternalSecret that writes ``secret_name``, which the operator then owns."""
    # The External Secrets bindings load here, not with the library: most apps never use them.
    from constructs_lib._imports.external_secrets.io.external_secrets import (
        ExternalSecret as ExternalSecretObject,
    )
    from constructs_lib._imports.external_secrets.io.external_secrets import (
        ExternalSecretSpec,
        ExternalSecretSpecData,
        ExternalSecretSpecDataRemoteRef,
        ExternalSecretSpecSecretStoreRef,
        ExternalSecretSpecSecretStoreRefKind,
        ExternalSecretSpecTarget,
        ExternalSecretSpecTargetCreationPolicy,
    )

    return ExternalSecretObject(
        scope,
        "external-secret",
        metadata=ApiObjectMetadata(
            name=secret_name,
            labels=dict(labels),
            annotations={**annotations, SYNC_WAVE_ANNOTATION: SYNC_WAVE},
        ),
        spec=ExternalSecretSpec(
            secret_store_ref=ExternalSecretSpecSecretStoreRef(
                kind=ExternalSecretSpecSecretStoreRefKind[StoreKind(source.store_kind).name],
                name=source.store_name,
            ),
            refresh_interval=source.refresh_interval,
            target=ExternalSecretSpecTarget(
                name=secret_name, creation_policy=ExternalSecretSpecTargetCreationPolicy.OWNER
            ),
            data=[
                ExternalSecretSpecData(secret_key=key, remote_ref=ExternalSecretSpecDataRemoteRef(key=remote))
                for key, remote in source.remote_keys.items()
            ],
        ),
    )
