"""The ExternalSecret option: the operator writes the Secret the Deployment reads, before it starts."""

from __future__ import annotations

import pytest

from constructs_lib import SECRET_KEYS, ExternalSecret, TodoBackendProps
from tests.support.synth import synth_stack

REMOTE = {key: f"todo/prod/{key.lower()}" for key in SECRET_KEYS}


def test_the_backend_reads_its_secret_from_an_external_secret_synced_before_it() -> None:
    props = TodoBackendProps(
        secret_name="todo-prod", secret_source=ExternalSecret(store_name="vault", remote_keys=REMOTE)
    )
    stack = synth_stack(backend=props)
    external = stack.get("ExternalSecret", "todo-prod")

    assert external["apiVersion"] == "external-secrets.io/v1"
    assert external["spec"]["target"] == {"name": "todo-prod", "creationPolicy": "Owner"}
    assert external["spec"]["secretStoreRef"] == {"kind": "SecretStore", "name": "vault"}
    assert {item["secretKey"]: item["remoteRef"]["key"] for item in external["spec"]["data"]} == REMOTE
    assert external["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "-1"
    env = stack.get("Deployment", "todo-backend")["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {item["valueFrom"]["secretKeyRef"]["name"] for item in env} == {"todo-prod"}


def test_without_a_secret_source_nothing_creates_the_secret() -> None:
    assert synth_stack().of_kind("ExternalSecret") == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"store_name": "Vault", "remote_keys": REMOTE}, "store_name"),
        ({"store_name": "vault", "store_kind": "Store", "remote_keys": REMOTE}, "store_kind"),
        ({"store_name": "vault", "remote_keys": REMOTE, "refresh_interval": "hourly"}, "refresh_interval"),
        ({"store_name": "vault", "remote_keys": {"DATABASE_URL": "db"}}, "remote_keys"),
        (
            {"store_name": "vault", "remote_keys": {**REMOTE, "DATABASE_URL": "a\nb"}},
            "remote_keys['DATABASE_URL']",
        ),
    ],
)
def test_a_bad_secret_source_raises_value_error_naming_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=rf"\.{__import__('re').escape(field)}: got "):
        TodoBackendProps(secret_source=ExternalSecret(**kwargs))
