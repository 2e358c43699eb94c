"""The env the backend reads is exactly what its Deployment provides, and valid."""

from __future__ import annotations

from app.settings import DEPLOYMENT_ENV, OPTIONAL_ENV, load_settings

from testbed.backend import SECRET, RecordingEnv
from testbed.contract import config_data, secret_env
from testbed.manifests import Manifests


def _provided(dist: Manifests) -> dict[str, str]:
    """The container's env as the kubelet would build it, with test Secret values."""
    secrets = {"DATABASE_URL": "postgresql://u:p@db/todo?sslmode=require",
               "BETTER_AUTH_SECRET": SECRET, "OPENAI_API_KEY": ""}  # fmt: skip
    env = dict(config_data(dist, "todo-backend"))
    env.update({name: secrets[key] for name, (_, key) in secret_env(dist, "todo-backend").items()})
    return env


def test_backend_reads_exactly_the_env_names_the_deployment_provides(
    dist: Manifests,
) -> None:
    env = RecordingEnv(_provided(dist))
    load_settings(env)
    # OPTIONAL_ENV (the OpenAI endpoint and model) have defaults and are
    # deliberately not part of the Deployment; everything else must match.
    assert env.read - set(OPTIONAL_ENV) == set(env) == set(DEPLOYMENT_ENV)
    assert not set(OPTIONAL_ENV) & set(env)


def test_configmap_values_are_accepted_by_the_backend(dist: Manifests) -> None:
    config = config_data(dist, "todo-backend")
    settings = load_settings(_provided(dist))
    assert settings.jwt_algorithm == config["JWT_ALGORITHM"]
    assert settings.jwt_expire_days == int(config["JWT_EXPIRE_DAYS"])
    assert ",".join(settings.cors_origins) == config["CORS_ORIGINS"]


def test_cors_allows_the_ingress_host_the_frontend_is_served_from(
    dist: Manifests,
) -> None:
    settings = load_settings(_provided(dist))
    hosts = {rule["host"] for rule in dist.get("Ingress", "todo-frontend")["spec"]["rules"]}
    assert {f"http://{host}" for host in hosts} <= set(settings.cors_origins)
