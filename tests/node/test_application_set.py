"""Staging and production as the ApplicationSet makes them, synced by Argo CD onto the node.

The repository's environments/applicationset.yaml runs unchanged in the real
ApplicationSet controller, pointed at a git repository holding this work tree's
environments/dist/. Each generated Application syncs its folder in its sync
waves: the ExternalSecret first (wave -1), which External Secrets Operator turns
into the backend's Secret from a ``fake`` ClusterSecretStore (the user's secret
manager), then the rest once that is healthy. Argo CD reports the Application
Healthy only when every resource is: the pods ready with the Secret's values,
the autoscalers reading CPU from metrics-server, the Ingresses' address
published by Traefik.

One environment at a time: together their pods request more CPU than the
node's two cores, so the generator's list is given one element per step. The
template, which is what the repository ships, is applied as it is; deleting
the ApplicationSet then deletes the Application and what it deployed.
"""

from __future__ import annotations

import base64
import copy
import json
import shutil
import subprocess
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from testbed.manifests import Manifests, only_container
from testbed.node_images import dist_image, normalized
from testbed.paths import REPO_ROOT
from testbed.postgres import PostgresServer
from tests.node.argocd import GitRepo, ingress_script, traefik, wait_until_synced_and_healthy
from tests.node.conftest import backend_secret_values, is_ready
from tests.support.cluster import Cluster, wait_for

APPLICATION_SET = REPO_ROOT / "environments" / "applicationset.yaml"
ENVIRONMENTS = REPO_ROOT / "environments" / "dist"


def created(obj: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(obj["metadata"]["creationTimestamp"].replace("Z", "+00:00"))


def listed(cluster: Cluster, application: str, *, present: bool = True) -> Callable[[], bool]:
    """Whether the Application exists (or, with ``present=False``, is gone)."""

    def probe() -> bool:
        names = cluster.kubectl("get", "applications", "-n", "argocd", "-o", "name").stdout.split()
        return (f"application.argoproj.io/{application}" in names) == present

    return probe


def one_environment(
    application_set: dict[str, Any], element: dict[str, Any], repo: GitRepo
) -> dict[str, Any]:
    """The repository's ApplicationSet reading ``repo``, generating the Application of ``element`` only."""
    narrowed = copy.deepcopy(application_set)
    (generator,) = narrowed["spec"]["generators"]
    generator["list"]["elements"] = [element]
    narrowed["spec"]["template"]["spec"]["source"].update(repoURL=repo.url, targetRevision="main")
    return narrowed


def manifests_of(element: dict[str, Any]) -> Manifests:
    return Manifests.from_dir(ENVIRONMENTS / element["env"])


def public_gateway(manifests: Manifests, port: int) -> dict[str, Any]:
    """The Gateway the HTTPRoutes name, of Traefik's class, admitting routes from every namespace."""
    parents = {
        (p["namespace"], p["name"]) for r in manifests.of_kind("HTTPRoute") for p in r["spec"]["parentRefs"]
    }
    ((namespace, name),) = parents
    return {
        "apiVersion": "gateway.networking.k8s.io/v1",
        "kind": "Gateway",
        "metadata": {"name": name, "namespace": namespace},
        "spec": {
            "gatewayClassName": ingress_script.GATEWAY_CLASS["metadata"]["name"],
            "listeners": [
                {
                    "name": "web",
                    "protocol": "HTTP",
                    "port": port,
                    "allowedRoutes": {"namespaces": {"from": "All"}},
                }
            ],
        },
    }


def fake_store(manifests: Manifests, values: dict[str, str]) -> dict[str, Any]:
    """The ClusterSecretStore the ExternalSecret names, holding ``values`` under its remote keys."""
    (external_secret,) = manifests.of_kind("ExternalSecret")
    data = [
        {"key": item["remoteRef"]["key"], "value": values[item["secretKey"]]}
        for item in external_secret["spec"]["data"]
    ]
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ClusterSecretStore",
        "metadata": {"name": external_secret["spec"]["secretStoreRef"]["name"]},
        "spec": {"provider": {"fake": {"data": data}}},
    }


def test_the_application_set_syncs_staging_and_production_in_waves_with_their_external_secrets(
    gitops: Any,
    metrics_api: Path,
    node_cluster: tuple[Cluster, Any],
    dist: Manifests,
    dist_images: dict[str, Path],
    node_postgres: PostgresServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster, node = node_cluster
    application_set = yaml.safe_load(APPLICATION_SET.read_text())
    (generator,) = application_set["spec"]["generators"]
    elements = generator["list"]["elements"]
    assert sorted(e["env"] for e in elements) == sorted(p.name for p in ENVIRONMENTS.iterdir())
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(ENVIRONMENTS, repo.path / "environments" / "dist")
    repo.commit("environments/dist/ as synthesized")
    revision = repo.git("rev-parse", "HEAD").strip()
    report: list[str] = []
    with traefik(cluster, tmp_path / "ingress") as ingress:
        # The cluster admin's Gateway the environments' HTTPRoutes attach to, on Traefik's entry point.
        gateway = public_gateway(manifests_of(elements[0]), ingress.port)
        cluster.kubectl("create", "namespace", gateway["metadata"]["namespace"], check=False)
        cluster.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(gateway))
        for element in elements:
            manifests = manifests_of(element)
            namespace = element["namespace"]
            # The environment's images are dist/'s, built from the same Dockerfiles, under its registry's names.
            for deployment in manifests.of_kind("Deployment"):
                name = deployment["metadata"]["name"]
                wanted = normalized(only_container(deployment)["image"])
                tag = node.ctr("images", "tag", "--force", dist_image(dist, name), wanted)
                subprocess.run(tag, check=True, capture_output=True)
            values = backend_secret_values(node, node_postgres)
            store = fake_store(manifests, values)
            cluster.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(store))
            applied = one_environment(application_set, element, repo)
            cluster.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(applied))
            application = f"todo-{element['env']}"
            started = time.monotonic()
            try:
                wait_for(
                    f"the ApplicationSet controller to generate {application}", listed(cluster, application)
                )
                status = wait_until_synced_and_healthy(cluster, gitops, application, revision)
                took = time.monotonic() - started
                live = cluster.get("application", "argocd", application)
                # What the template says, for this element.
                assert live["spec"]["source"]["path"] == f"environments/dist/{element['env']}"
                assert live["spec"]["destination"]["namespace"] == namespace
                assert {(r["kind"], r["name"]) for r in status["resources"]} == manifests.kinds_and_names()

                # Wave -1 first: the operator's Secret existed before Argo CD created the Deployments,
                # and it holds what the store does; every pod is ready with it.
                (external_secret,) = manifests.of_kind("ExternalSecret")
                secret = cluster.get("secret", namespace, external_secret["spec"]["target"]["name"])
                decoded = {k: base64.b64decode(v).decode() for k, v in secret["data"].items()}
                assert decoded == values
                for deployment in manifests.of_kind("Deployment"):
                    live_deployment = cluster.get("deployment", namespace, deployment["metadata"]["name"])
                    assert created(live_deployment) > created(secret), "the Deployment came before wave -1"
                    labels = ",".join(
                        f"{k}={v}" for k, v in deployment["spec"]["selector"]["matchLabels"].items()
                    )
                    pods = cluster.get("pods", namespace, selector=labels)["items"]
                    assert pods and all(is_ready(pod) for pod in pods), [p["status"] for p in pods]

                # The autoscalers read the pods' CPU and hold the environment's floor.
                for autoscaler in manifests.of_kind("HorizontalPodAutoscaler"):
                    name = autoscaler["metadata"]["name"]
                    live_autoscaler = cluster.get("hpa", namespace, name)
                    assert live_autoscaler["status"]["currentReplicas"] >= autoscaler["spec"]["minReplicas"]
                    conditions = {c["type"]: c["status"] for c in live_autoscaler["status"]["conditions"]}
                    assert conditions.get("ScalingActive") == "True", live_autoscaler["status"]
                # Traefik accepted the HTTPRoutes (Argo CD's health waited for that): the API answers there.
                host = manifests.of_kind("HTTPRoute")[0]["spec"]["hostnames"][0]
                wait_for(
                    f"the backend to answer through the Gateway for {host}",
                    lambda host=host: (
                        httpx.get(
                            f"{ingress.base_url}/api/tasks", headers={"Host": host}, timeout=10
                        ).status_code
                        == 401
                    ),
                    timeout=30,
                )
                sync, health = status["sync"]["status"], status["health"]["status"]
                report.append(f"{application}: {sync} and {health} in {took:.1f} s")
            finally:
                # The controller gives the Applications it generates Argo CD's deletion finalizer: deleting
                # the ApplicationSet deletes them and what they deployed. The pods go at once.
                cluster.kubectl(
                    "delete", "applicationset", applied["metadata"]["name"], "-n", "argocd", "--wait=false"
                )
                cluster.kubectl(
                    "delete", "pods", "--all", "-n", namespace, "--force", "--grace-period=0", check=False
                )
                wait_for(
                    f"{application} to be deleted", listed(cluster, application, present=False), timeout=120
                )
                cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
                cluster.kubectl("delete", "clustersecretstore", store["metadata"]["name"], check=False)
    with capsys.disabled():
        print("\nApplicationSet: " + "; ".join(report))
