"""The GitOps loop, run by the real controllers: Argo CD syncs dist/ from git onto the node.

Argo CD's repo-server and application controller run out of cluster against
the node's control plane (scripts/gitops.py, the code behind ``make
gitops-up``); the kubelet runs the pods and Traefik, the ingress controller,
publishes the Ingresses' address (scripts/ingress.py). The Application is the
repository's own argocd/dist/todo.yaml, pointed at a git repository holding
this work tree's dist/ (a ``file://`` URL, as Argo CD's own end-to-end tests
use) and at a namespace of the test's own. Argo CD decides when it is synced
and healthy: its health checks wait for the Deployments' pods to be ready and
for the Ingresses' published address.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from testbed.manifests import Manifests, only_container
from testbed.node_images import dist_image, normalized
from testbed.node_stack import secret_name
from testbed.paths import DIST, REPO_ROOT
from testbed.postgres import PostgresServer
from tests.node.argocd import GitRepo, ingress_script, traefik, wait_until_synced_and_healthy
from tests.node.conftest import backend_secret_values
from tests.support.cluster import Cluster, changed_fields, wait_for
from tests.support.helm import CHARTS, helm_binary
from tests.support.synth import run_main

APPLICATION = REPO_ROOT / "argocd" / "dist" / "todo.yaml"
HELM_APPLICATIONS = sorted((REPO_ROOT / "argocd" / "helm").glob("*.yaml"))
# The release a commit rolls out (docs/gitops.md, "Roll out a new image").
RELEASE = "2026.12.08-3f2c1a9"


@pytest.fixture
def ingress(node_cluster: tuple[Cluster, Any], namespace: str, tmp_path: Path) -> Iterator[Any]:
    """Traefik serving the test namespace's Ingresses only."""
    with traefik(node_cluster[0], tmp_path / "ingress", namespace) as running:
        yield running


@pytest.fixture
def target(
    node_cluster: tuple[Cluster, Any],
    namespace: str,
    dist: Manifests,
    dist_images: dict[str, Path],
    node_postgres: PostgresServer,
) -> str:
    """The test's namespace, ready for the app: its images on the node, and the Secret the user creates
    by hand (docs/getting-started.md), pointing at a database of its own."""
    cluster, node = node_cluster
    values = backend_secret_values(node, node_postgres)
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {"name": secret_name(dist)},
        "stringData": values,
    }
    cluster.kubectl("create", "-n", namespace, "-f", "-", stdin=json.dumps(secret))
    return namespace


def apply_application(
    cluster: Cluster, path: Path, repo: GitRepo, namespace: str
) -> tuple[str, dict[str, Any]]:
    """The repository's Application at ``path``, pointed at ``repo`` and ``namespace``: its name and source."""
    application = yaml.safe_load(path.read_text())
    name = f"{application['metadata']['name']}-{namespace}"
    application["metadata"]["name"] = name
    application["spec"]["source"].update(repoURL=repo.url, targetRevision="main")
    application["spec"]["destination"]["namespace"] = namespace
    cluster.kubectl("apply", "--server-side", "-f", "-", stdin=json.dumps(application))
    return name, application["spec"]["source"]


def test_argo_cd_syncs_dist_from_git_onto_the_node_heals_drift_and_prunes(
    gitops: Any,
    ingress: Any,
    node_cluster: tuple[Cluster, Any],
    target: str,
    dist: Manifests,
    ingress_host: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    cluster, node = node_cluster
    namespace = target
    took: dict[str, float] = {}
    repo = GitRepo(tmp_path / "repo")
    shutil.copytree(DIST, repo.path / "dist")
    repo.commit("dist/ as synthesized")
    name, _ = apply_application(cluster, APPLICATION, repo, namespace)
    started = time.monotonic()
    try:
        status = wait_until_synced_and_healthy(cluster, gitops, name, repo.git("rev-parse", "HEAD").strip())
        took["synced and healthy"] = time.monotonic() - started
        synced = {(r["kind"], r["name"]) for r in status["resources"]}
        assert synced == dist.kinds_and_names()
        # Healthy means the kubelet ran the pods and they passed their readiness probes.
        for deployment in dist.of_kind("Deployment"):
            live = cluster.get("deployment", namespace, deployment["metadata"]["name"])
            assert live["status"].get("readyReplicas") == live["spec"]["replicas"], live["status"]
        # And the ingress controller published its address: the app answers there.
        for ingress_object in dist.of_kind("Ingress"):
            live = cluster.get("ingress", namespace, ingress_object["metadata"]["name"])
            assert live["status"]["loadBalancer"]["ingress"] == [{"ip": ingress_script.ADDRESS}]

        # Traefik follows the EndpointSlices on its own schedule: the routes serve once it has caught up.
        # (Not /health: Traefik ties its Exact route with the frontend's "/", docs/routing.md.)
        def answers() -> bool:
            api = httpx.get(f"{ingress.base_url}/api/tasks", headers={"Host": ingress_host}, timeout=10)
            page = httpx.get(f"{ingress.base_url}/", headers={"Host": ingress_host}, timeout=10)
            return api.status_code == 401 and "detail" in api.json() and page.status_code == 200

        wait_for("the backend and the frontend to answer through the ingress controller", answers, timeout=30)

        # selfHeal: hand-made changes to what git holds are reverted: the replicas, a config value, a
        # deleted Service. (A field git does not set is no drift to Argo CD: its diff merges git onto live.)
        frontend = next(d for d in dist.of_kind("Deployment") if "frontend" in d["metadata"]["name"])
        frontend_name, replicas = frontend["metadata"]["name"], frontend["spec"].get("replicas", 1)
        (config,) = [c for c in dist.of_kind("ConfigMap") if "frontend" in c["metadata"]["name"]]
        key, value = sorted(config["data"].items())[0]
        cluster.kubectl("scale", f"deployment/{frontend_name}", "-n", namespace, f"--replicas={replicas + 2}")
        patch = json.dumps({"data": {key: "changed by hand"}})
        cluster.kubectl("patch", "configmap", config["metadata"]["name"], "-n", namespace, "-p", patch)
        cluster.kubectl("delete", "service", frontend_name, "-n", namespace)
        started = time.monotonic()

        def healed() -> bool:
            live = cluster.get("deployment", namespace, frontend_name)
            data = cluster.get("configmap", namespace, config["metadata"]["name"])["data"]
            services = {s["metadata"]["name"] for s in cluster.get("services", namespace)["items"]}
            return live["spec"]["replicas"] == replicas and data[key] == value and frontend_name in services

        wait_for("Argo CD to revert the hand-made changes", healed, timeout=60)
        took["drift reverted"] = time.monotonic() - started
        wait_until_synced_and_healthy(cluster, gitops, name, repo.git("rev-parse", "HEAD").strip())

        # A release: dist/ synthesized with IMAGE_TAG (its images on the node, as CI would push them),
        # committed with one more object and a file outside the Application's include.
        for deployment in dist.of_kind("Deployment"):
            released = f"{only_container(deployment)['image'].rsplit(':', 1)[0]}:{RELEASE}"
            tag = node.ctr("images", "tag", "--force", dist_image(dist, deployment["metadata"]["name"]))
            subprocess.run([*tag, normalized(released)], check=True, capture_output=True)
        synth = run_main(repo.path / "dist", IMAGE_TAG=RELEASE)
        assert synth.returncode == 0, synth.stderr
        # The object is large: 900 KiB, as an extra_config may be (a ConfigMap holds 1 MiB). Client-side
        # apply would copy it into an annotation capped at 256 KiB; the Application applies server-side.
        extra = {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "todo-extra"},
            "data": {"BIG": "x" * 900 * 1024},
        }
        (repo.path / "dist" / "extra.k8s.yaml").write_text(yaml.safe_dump(extra))
        (repo.path / "dist" / "notes.yaml").write_text(
            yaml.safe_dump({**extra, "metadata": {"name": "notes"}, "data": {}})
        )
        repo.commit(f"release {RELEASE}; one more object, and a file that is not cdk8s output")
        started = time.monotonic()
        wait_until_synced_and_healthy(cluster, gitops, name, repo.git("rev-parse", "HEAD").strip())
        configmaps = {c["metadata"]["name"]: c for c in cluster.get("configmaps", namespace)["items"]}
        assert configmaps["todo-extra"]["data"] == extra["data"] and "notes" not in configmaps
        # Healthy means rolled out: each Deployment's one live ReplicaSet runs the release, its pods ready.
        for deployment in dist.of_kind("Deployment"):
            selector = ",".join(f"{k}={v}" for k, v in deployment["spec"]["selector"]["matchLabels"].items())
            live_sets = [
                r
                for r in cluster.get("replicasets", namespace, selector=selector)["items"]
                if r["spec"]["replicas"]
            ]
            assert len(live_sets) == 1, [r["metadata"]["name"] for r in live_sets]
            assert only_container(live_sets[0])["image"].endswith(f":{RELEASE}")
            assert live_sets[0]["status"].get("readyReplicas") == live_sets[0]["spec"]["replicas"]
        took["a release rolled out, with a 900 KiB object"] = time.monotonic() - started

        # Its removal: pruned (prune: true), after the rest is healthy (PruneLast).
        (repo.path / "dist" / "extra.k8s.yaml").unlink()
        repo.commit("the object removed")
        started = time.monotonic()
        wait_until_synced_and_healthy(cluster, gitops, name, repo.git("rev-parse", "HEAD").strip())
        wait_for(
            "the removed object to be pruned",
            lambda: (
                "todo-extra"
                not in {c["metadata"]["name"] for c in cluster.get("configmaps", namespace)["items"]}
            ),
            timeout=60,
        )
        took["a removed object pruned"] = time.monotonic() - started
        with capsys.disabled():
            print("\nArgo CD: " + ", ".join(f"{what} in {seconds:.1f} s" for what, seconds in took.items()))
    finally:
        # The finalizer: deleting the Application deletes what it deployed.
        cluster.kubectl("delete", "application", name, "-n", "argocd", "--timeout=120s", check=False)


def test_argo_cd_renders_the_helm_charts_and_their_library_chart_as_helm_template_does(
    gitops: Any, ingress: Any, node_cluster: tuple[Cluster, Any], target: str, tmp_path: Path
) -> None:
    """argocd/helm/: the repo-server builds each chart's todo-common dependency from git and renders it."""
    cluster, _ = node_cluster
    namespace = target
    helm = helm_binary("helm3")
    repo = GitRepo(tmp_path / "repo")
    # As git holds them: without the packaged library charts/*/charts/ (ignored), which Argo CD builds.
    shutil.copytree(
        CHARTS, repo.path / "charts", ignore=lambda d, _: ["charts"] if Path(d).parent == CHARTS else []
    )
    repo.commit("the charts")
    applied: list[tuple[str, dict[str, Any]]] = []
    try:
        for path in HELM_APPLICATIONS:
            applied.append(apply_application(cluster, path, repo, namespace))
        revision = repo.git("rev-parse", "HEAD").strip()
        for name, source in applied:
            status = wait_until_synced_and_healthy(cluster, gitops, name, revision)
            chart = Path(source["path"]).name
            rendered = helm.template(source["helm"]["releaseName"], chart, args=["--namespace", namespace])
            assert {(r["kind"], r["name"]) for r in status["resources"]} == {
                (o["kind"], o["metadata"]["name"]) for o in rendered
            }
            # Every field Helm renders is what Argo CD applied.
            for obj in rendered:
                live = cluster.get(obj["kind"].lower(), namespace, obj["metadata"]["name"])
                assert changed_fields(obj, live) == [], f"{chart}: {obj['kind']}/{obj['metadata']['name']}"
    finally:
        for name, _ in applied:
            cluster.kubectl("delete", "application", name, "-n", "argocd", "--timeout=120s", check=False)
