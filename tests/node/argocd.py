"""Argo CD's side of the node tier: a git repository it reads, and waiting on what it reports."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from testbed.paths import script
from tests.node.conftest import gitops_script
from tests.support.cluster import Cluster, wait_for

ingress_script = script("ingress")
SYNC_TIMEOUT = 240.0


class GitRepo:
    """A git repository on disk that Argo CD reads through a ``file://`` URL."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir()
        self.git("init", "--quiet", "--initial-branch=main")

    def git(self, *args: str) -> str:
        identity = ["-c", "user.name=todo-tests", "-c", "user.email=todo-tests@example.com"]
        return subprocess.run(
            ["git", *identity, *args], cwd=self.path, check=True, capture_output=True, text=True
        ).stdout

    def commit(self, message: str) -> None:
        self.git("add", "--all")
        self.git("commit", "--quiet", "--message", message)

    @property
    def url(self) -> str:
        return f"file://{self.path}"


@contextmanager
def traefik(
    cluster: Cluster, state_dir: Path, namespace: str = "", *, ingresses: bool = True
) -> Iterator[Any]:
    """Traefik serving ``namespace``'s Ingresses and Gateways (every namespace's when empty) while the block
    runs; only its Gateways with ``ingresses=False``."""
    try:
        running = ingress_script.up(cluster.plane, state_dir, namespace=namespace, ingresses=ingresses)
    except gitops_script.MissingBinary as error:
        pytest.fail(str(error), pytrace=False)
    try:
        yield running
    finally:
        ingress_script.down(running.state_dir)


def application_status(cluster: Cluster, name: str) -> dict[str, Any]:
    status: dict[str, Any] = cluster.get("application", "argocd", name).get("status", {})
    return status


def wait_until_synced_and_healthy(cluster: Cluster, gitops: Any, name: str, revision: str) -> dict[str, Any]:
    """The Application's status once Argo CD reports ``revision`` synced and every resource healthy."""

    def done() -> dict[str, Any] | None:
        status = application_status(cluster, name)
        sync, health = status.get("sync", {}), status.get("health", {})
        operation = status.get("operationState", {})
        if (
            sync.get("status") == "Synced"
            and sync.get("revision") == revision
            and health.get("status") == "Healthy"
            and operation.get("phase") == "Succeeded"
        ):
            return status
        return None

    try:
        result: dict[str, Any] = wait_for(f"Argo CD to sync {revision[:8]}", done, timeout=SYNC_TIMEOUT)
    except pytest.fail.Exception:
        status = application_status(cluster, name)
        operation = status.get("operationState", {})
        summary = {
            "sync": status.get("sync"),
            "health": status.get("health"),
            "operation": {key: operation.get(key) for key in ("phase", "message")},
            "resources not synced and healthy": [
                r for r in status.get("resources", [])
                if r.get("status") != "Synced" or r.get("health", {}).get("status", "Healthy") != "Healthy"
            ],
        }  # fmt: skip
        controller = gitops.log("argocd-application-controller")[-3000:]
        pytest.fail(f"{json.dumps(summary, indent=1)[-6000:]}\napplication controller log:\n{controller}")
    return result
