"""What a workload's Deployment in dist/ gives its container: ports, env, mounts."""

from __future__ import annotations

from typing import Any

from tests.support.manifests import DIST, Manifests, only_container


def load_dist(app: str) -> Manifests:
    path = DIST / f"todo-{app}.k8s.yaml"
    assert path.exists(), f"{path} is missing: synthesize dist/ first"
    return Manifests.from_yaml(path.read_text(encoding="utf-8"))


def container(dist: Manifests, name: str) -> dict[str, Any]:
    """The single container of Deployment ``name``."""
    return only_container(dist.get("Deployment", name))


def config_data(dist: Manifests, name: str) -> dict[str, str]:
    """Data of every ConfigMap the container takes whole through envFrom."""
    data: dict[str, str] = {}
    for source in container(dist, name).get("envFrom", []):
        data.update(dist.get("ConfigMap", source["configMapRef"]["name"])["data"])
    return data


def secret_env(dist: Manifests, name: str) -> dict[str, tuple[str, str]]:
    """Env names the container takes from Secrets: name -> (secret, key)."""
    return {
        env["name"]: (ref["name"], ref["key"])
        for env in container(dist, name).get("env", [])
        if (ref := env.get("valueFrom", {}).get("secretKeyRef"))
    }
