"""What a workload's Deployment in dist/ gives its container: ports, env, mounts."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from testbed.manifests import Manifests, only_container


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


def container_env(dist: Manifests, name: str, secrets: Mapping[str, str]) -> dict[str, str]:
    """The env the kubelet gives the container, on top of the image's ENV.

    ConfigMaps taken whole through envFrom first, then ``env`` entries, which
    win: plain values as written, Secret keys from ``secrets`` (key -> value,
    standing in for the Secret the user creates).
    """
    env = config_data(dist, name)
    for entry in container(dist, name).get("env", []):
        if "value" in entry:
            env[entry["name"]] = entry["value"]
        elif ref := entry.get("valueFrom", {}).get("secretKeyRef"):
            assert ref["key"] in secrets, f"no test value for Secret key {ref['key']!r} of {ref['name']}"
            env[entry["name"]] = secrets[ref["key"]]
        else:
            raise AssertionError(f"unsupported env source in Deployment {name}: {entry}")
    return env
