"""TodoChart.add_patches: the escape hatch, applied after the library and never lost."""

from __future__ import annotations

import cdk8s
import pytest

from constructs_lib import TodoApp, TodoBackend, TodoChart
from testbed.manifests import Manifests, only_container, pod_spec

HOST_ALIASES = [{"ip": "10.0.0.5", "hostnames": ["legacy.internal"]}]


def _synth(chart: cdk8s.Chart) -> Manifests:
    return Manifests(cdk8s.Testing.synth(chart))


def test_patches_reach_the_manifest_as_written_after_the_librarys_own() -> None:
    stack = TodoApp(cdk8s.Testing.app(), "todo")
    chart = stack.backend_chart
    assert isinstance(chart, TodoChart)
    chart.add_patches(
        stack.backend.deployment,
        # A field cdk8s-plus does not model, and a quantity as a plain string: both survive.
        cdk8s.JsonPatch.add("/spec/template/spec/hostAliases", HOST_ALIASES),
        cdk8s.JsonPatch.replace("/spec/template/spec/containers/0/resources/limits/cpu", "1"),
        # The library's own setting, overridden on purpose.
        cdk8s.JsonPatch.replace("/spec/template/spec/automountServiceAccountToken", True),
    )
    chart.add_patches(stack.backend.service, cdk8s.JsonPatch.add("/spec/sessionAffinity", "ClientIP"))

    manifests = _synth(chart)
    deployment = manifests.get("Deployment", "todo-backend")
    assert pod_spec(deployment)["hostAliases"] == HOST_ALIASES
    assert only_container(deployment)["resources"]["limits"] == {"cpu": "1", "memory": "512Mi"}
    assert pod_spec(deployment)["automountServiceAccountToken"] is True
    assert manifests.get("Service", "todo-backend")["spec"]["sessionAffinity"] == "ClientIP"
    # The other objects are untouched.
    assert "hostAliases" not in pod_spec(_synth(stack.frontend_chart).get("Deployment", "todo-frontend"))


def test_patches_are_kept_when_the_app_writes_its_files(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = cdk8s.App(outdir=str(tmp_path))
    chart = TodoChart(app, "todo", disable_resource_name_hashes=True)
    backend = TodoBackend(chart, "backend")
    chart.add_patches(backend.config_map, cdk8s.JsonPatch.add("/data/FEATURE_FLAG", "on"))
    app.synth()

    written = Manifests.from_file(tmp_path / "todo.k8s.yaml").get("ConfigMap", "todo-backend-config")
    assert written["data"]["FEATURE_FLAG"] == "on"


def test_an_object_of_another_chart_is_refused() -> None:
    stack = TodoApp(cdk8s.Testing.app(), "todo")
    with pytest.raises(
        ValueError, match=r"^TodoChart\.obj: got '.*'; must be an object of the chart 'todo-backend'"
    ):
        stack.backend_chart.add_patches(stack.frontend.deployment, cdk8s.JsonPatch.add("/x", 1))
