"""The real API server admits every stack into a namespace enforcing Pod Security "restricted"."""

from __future__ import annotations

import copy
from pathlib import Path

import cdk8s
import pytest

from constructs_lib import TodoApp
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.cluster.stacks import (
    ALL_VALUE_SETS,
    CHARTS,
    Objects,
    construct_objects,
    dist_objects,
    helm_install_args,
)
from tests.helm.value_sets import ValueSet
from tests.support.cluster import Cluster, wait_for
from tests.support.docs import run_examples
from tests.support.helm import CHARTS as CHARTS_DIR
from tests.support.helm import helm_binary
from tests.support.synth import synth_charts


def _assert_pods_admitted(cluster: Cluster, namespace: str, objects: Objects) -> None:
    """The ReplicaSet controller creates each Deployment's pods and PodSecurity lets them in."""
    for name in (obj["metadata"]["name"] for obj in objects if obj["kind"] == "Deployment"):

        def created(name: str = name) -> bool:
            # The live count: an autoscaler raises it to its minimum.
            deployment = cluster.get("deployment", namespace, name)
            replicas = deployment["spec"]["replicas"]
            selector = ",".join(f"{k}={v}" for k, v in deployment["spec"]["selector"]["matchLabels"].items())
            pods = cluster.get("pods", namespace, selector=selector)["items"]
            return len(pods) == replicas == deployment.get("status", {}).get("replicas", 0)

        wait_for(f"the pods of {name}", created)
    failed = [event["message"] for event in cluster.events(namespace) if event["reason"] == "FailedCreate"]
    assert failed == []


def test_dist_is_admitted_without_warnings_and_its_pods_are_created(cluster: Cluster) -> None:
    namespace = cluster.namespace("dist")
    result = cluster.apply(dist_objects(), namespace)
    assert "Warning" not in result.stderr, result.stderr
    _assert_pods_admitted(cluster, namespace, dist_objects())


def test_a_pod_without_run_as_non_root_is_refused_by_pod_security(cluster: Cluster) -> None:
    namespace = cluster.namespace("negative")
    objects = copy.deepcopy(dist_objects())
    deployment = next(obj for obj in objects if obj["kind"] == "Deployment")
    pod = deployment["spec"]["template"]["spec"]
    del pod["securityContext"]["runAsNonRoot"]
    for container in pod["containers"]:
        container["securityContext"].pop("runAsNonRoot", None)
    result = cluster.apply([deployment], namespace)
    assert "would violate PodSecurity" in result.stderr
    event = wait_for(
        "a FailedCreate event",
        lambda: [e for e in cluster.events(namespace) if e["reason"] == "FailedCreate"],
    )[0]
    assert 'violates PodSecurity "restricted' in event["message"]
    assert "runAsNonRoot" in event["message"]


@pytest.mark.parametrize("value_set", ALL_VALUE_SETS, ids=lambda value_set: value_set.id)
def test_each_value_set_of_the_constructs_is_admitted(cluster: Cluster, value_set: ValueSet) -> None:
    namespace = cluster.namespace("props")
    objects = construct_objects(value_set)
    result = cluster.apply(objects, namespace)
    assert "Warning" not in result.stderr, result.stderr
    _assert_pods_admitted(cluster, namespace, objects)


@pytest.mark.parametrize("helm_label", ["helm3", "helm4"])
@pytest.mark.parametrize("value_set", ALL_VALUE_SETS, ids=lambda value_set: value_set.id)
def test_each_value_set_of_the_charts_installs_and_is_admitted(
    cluster: Cluster, value_set: ValueSet, helm_label: str, tmp_path: Path
) -> None:
    helm = helm_binary(helm_label)
    namespace = cluster.namespace("helm")
    for chart in CHARTS:
        result = cluster.helm(helm.path, *helm_install_args(value_set, chart, namespace, tmp_path))
        assert "warning" not in result.stderr.lower(), result.stderr
    _assert_pods_admitted(cluster, namespace, construct_objects(value_set))


@pytest.mark.parametrize("page", ["README.md", "docs/constructs.md"])
def test_the_docs_production_examples_are_admitted(cluster: Cluster, page: str, tmp_path: Path) -> None:
    # Each manifest the page's examples write, as a reader would apply it to a
    # cluster with Gateway API and External Secrets installed; the objects go
    # into a namespace of the test's, the rest unchanged.
    cluster.install_crd("gateway_api")
    cluster.install_crd("external_secrets")
    result = run_examples(REPO_ROOT / page, tmp_path)
    assert result.returncode == 0, result.stderr
    manifests = sorted((tmp_path / "dist").glob("*.yaml"))
    assert manifests
    for manifest in manifests:
        namespace = cluster.namespace("docs")
        objects = list(Manifests.from_yaml(manifest.read_text(encoding="utf-8")))
        for obj in objects:
            obj["metadata"]["namespace"] = namespace
        applied = cluster.apply(objects, namespace)
        assert "Warning" not in applied.stderr, f"{manifest.name}: {applied.stderr}"
        _assert_pods_admitted(cluster, namespace, objects)


@pytest.mark.parametrize("release", ["prod", "todo-backend"])
def test_the_todo_chart_installs_under_any_release_name_and_is_admitted(
    cluster: Cluster, release: str
) -> None:
    helm = helm_binary("helm3")
    namespace = cluster.namespace("umbrella")
    on = "networkPolicy.enabled=true"
    args = ["--set", f"todo-backend.{on}", "--set", f"todo-frontend.{on}"]
    result = cluster.helm(helm.path, "install", release, str(CHARTS_DIR / "todo"), "-n", namespace, *args)
    assert "warning" not in result.stderr.lower(), result.stderr
    rendered = cluster.helm(helm.path, "get", "manifest", release, "-n", namespace).stdout
    _assert_pods_admitted(cluster, namespace, list(Manifests.from_yaml(rendered)))


@pytest.mark.parametrize("chart", CHARTS)
def test_the_charts_helm_test_pods_are_admitted(cluster: Cluster, chart: str) -> None:
    helm = helm_binary("helm3")
    rendered = cluster.helm(helm.path, "template", chart, str(CHARTS_DIR / chart)).stdout
    hooks = [
        obj
        for obj in Manifests.from_yaml(rendered)
        if "helm.sh/hook" in obj["metadata"].get("annotations", {})
    ]
    assert {obj["kind"] for obj in hooks} >= {"Pod"}
    served = cluster.dry_run(hooks, cluster.namespace("hooks"))
    assert served.warnings == []


def test_a_namespace_starting_with_a_digit_holds_a_stack(cluster: Cluster) -> None:
    # Namespace names are RFC 1123 labels: the props take what the API server takes.
    namespace = cluster.namespace("1team")
    stack = TodoApp(cdk8s.Testing.app(), "todo", namespace=namespace)
    objects = synth_charts(stack.backend_chart, stack.frontend_chart).objects
    assert {obj["metadata"]["namespace"] for obj in objects} == {namespace}
    cluster.apply(objects, namespace)
    _assert_pods_admitted(cluster, namespace, objects)
