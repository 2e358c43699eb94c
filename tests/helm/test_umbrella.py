"""charts/todo: both charts as one release, wired to each other under any release name."""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
import yaml

from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT

ON = {"networkPolicy": {"enabled": True}}


def _key(obj: dict) -> tuple[str, str]:
    return obj["kind"], obj["metadata"]["name"]


# Helm's longest release name is 53 characters; "todo-backend" holds a chart's name.
@pytest.mark.parametrize("release", ["prod", "todo-backend", "r" * 53])
def test_the_todo_chart_renders_what_the_two_charts_render_under_its_release_name(helm, release):
    together = helm.template(
        release, "todo", values={"todo-backend": ON, "todo-frontend": ON}, skip_tests=False
    )
    backend = helm.template(
        release,
        "todo-backend",
        values={"networkPolicy": {"enabled": True, "frontendName": ""}},
        skip_tests=False,
    )
    frontend = helm.template(
        release,
        "todo-frontend",
        values={"networkPolicy": {"enabled": True, "backendName": ""}},
        skip_tests=False,
    )
    assert sorted(together, key=_key) == sorted(backend + frontend, key=_key)
    assert len({_key(obj) for obj in together}) == len(together), "two objects share a kind and name"


def test_each_workloads_policy_names_the_other_by_release_and_component(helm):
    rendered = Manifests(helm.template("prod", "todo", values={"todo-backend": ON, "todo-frontend": ON}))
    peers = {}
    for policy in rendered.of_kind("NetworkPolicy"):
        rules = policy["spec"].get("ingress", []) + policy["spec"].get("egress", [])
        for rule in rules:
            for peer in rule.get("from", []) + rule.get("to", []):
                labels = peer.get("podSelector", {}).get("matchLabels", {})
                if "app.kubernetes.io/component" in labels:
                    peers[policy["metadata"]["name"]] = labels
    assert peers == {
        "prod-todo-backend": {
            "app.kubernetes.io/instance": "prod",
            "app.kubernetes.io/component": "frontend",
        },
        "prod-todo-frontend": {
            "app.kubernetes.io/instance": "prod",
            "app.kubernetes.io/component": "backend",
        },
    }


def test_global_image_registry_reaches_both_charts(helm):
    tagged = {"image": {"tag": "1.4.2"}}
    values = {
        "global": {"imageRegistry": "mirror.example.com"},
        "todo-backend": tagged,
        "todo-frontend": tagged,
    }
    rendered = Manifests(helm.template("prod", "todo", values=values))
    images = sorted(
        d["spec"]["template"]["spec"]["containers"][0]["image"] for d in rendered.of_kind("Deployment")
    )
    assert images == ["mirror.example.com/todo-backend:1.4.2", "mirror.example.com/todo-frontend:1.4.2"]


def test_the_docs_values_file_installs_the_app_under_its_release_name(helm):
    page = (REPO_ROOT / "docs" / "helm.md").read_text(encoding="utf-8")
    block = re.search(r"```yaml\n# prod-values.yaml\n(.*?)```", page, re.S)
    assert block, "docs/helm.md lost its prod-values.yaml example"
    rendered = Manifests(helm.template("prod", "todo", values=yaml.safe_load(block.group(1))))
    deployments = {d["metadata"]["name"]: d for d in rendered.of_kind("Deployment")}
    assert sorted(deployments) == ["prod-todo-backend", "prod-todo-frontend"]
    assert deployments["prod-todo-backend"]["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "registry.example.com/todo-backend:1.4.2"
    )
    assert len(rendered.of_kind("NetworkPolicy")) == 4


def test_a_checkout_needs_one_dependency_build(helm, tmp_path):
    # Argo CD's repo-server runs `helm dependency build` on the chart it syncs,
    # in a checkout without any chart's charts/ (they are not committed).
    tracked = subprocess.run(
        ["git", "ls-files", "-z", "charts"], cwd=REPO_ROOT, capture_output=True, text=True, check=True
    ).stdout.split("\0")
    for name in filter(None, tracked):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO_ROOT / name, tmp_path / name)
    helm.run("dependency", "build", "--skip-refresh", str(tmp_path / "charts" / "todo"))
    checkout = Manifests.from_yaml(helm.run("template", "prod", str(tmp_path / "charts" / "todo")).stdout)
    assert checkout.objects == Manifests(helm.template("prod", "todo", skip_tests=False)).objects
