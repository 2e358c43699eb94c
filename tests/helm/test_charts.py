"""What the charts are beyond their objects: metadata, helpers, comments, the Secret and the test hook."""

from __future__ import annotations

import base64
import re

import pytest
import yaml

from constructs_lib import SECRET_KEYS, TodoBackend, TodoBackendProps, TodoFrontend, TodoFrontendProps
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.helm.value_sets import CHARTS
from tests.support.helm import CHARTS as CHARTS_DIR
from tests.support.helm import helm_binary
from tests.support.synth import synth_chart

DEFAULT_PROPS = {"todo-backend": TodoBackendProps(), "todo-frontend": TodoFrontendProps()}


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_yaml_names_the_chart_and_the_constructs_app_version(chart):
    meta = yaml.safe_load((CHARTS_DIR / chart / "Chart.yaml").read_text(encoding="utf-8"))

    assert meta["apiVersion"] == "v2"
    assert meta["name"] == chart
    assert meta["type"] == "application"
    assert meta["appVersion"] == DEFAULT_PROPS[chart].app_version
    assert meta["description"]


@pytest.mark.parametrize("chart", CHARTS)
def test_helpers_are_prefixed_with_the_chart_name(chart):
    helpers = (CHARTS_DIR / chart / "templates" / "_helpers.tpl").read_text(encoding="utf-8")
    defined = re.findall(r'define "([^"]+)"', helpers)

    assert {f"{chart}.{name}" for name in ("name", "fullname", "chart", "labels", "selectorLabels")} <= set(
        defined
    )
    assert all(name.startswith(f"{chart}.") for name in defined), defined


# The values.yaml defaults are the props' (test_generated_values.py); the Secret is the chart's own.
def test_backend_holds_and_renders_no_secret_by_default(helm):
    values = yaml.safe_load((CHARTS_DIR / "todo-backend" / "values.yaml").read_text(encoding="utf-8"))
    objects = helm.template("todo-backend", "todo-backend", skip_tests=False)

    assert values["secret"] == {"create": False, "values": {}}
    assert Manifests(objects).of_kind("Secret") == []


def test_backend_renders_the_secret_only_from_values_passed_on_the_command_line(helm):
    given = {key: f"{key.lower()}-value&<x>" for key in SECRET_KEYS}
    flags = [arg for key, value in given.items() for arg in ("--set-string", f"secret.values.{key}={value}")]

    objects = helm.template("todo-backend", "todo-backend", args=["--set", "secret.create=true", *flags])

    (secret,) = Manifests(objects).of_kind("Secret")
    assert secret["metadata"]["name"] == "todo-secrets"
    assert secret["type"] == "Opaque"
    assert {key: base64.b64decode(value).decode() for key, value in secret["data"].items()} == given


def test_backend_secret_creation_without_a_value_fails_naming_the_missing_key(helm):
    result = helm.run(
        "template",
        "todo-backend",
        str(CHARTS_DIR / "todo-backend"),
        "--set",
        "secret.create=true",
        "--set-string",
        "secret.values.DATABASE_URL=postgresql://u:p@db/todo",
        check=False,
    )

    assert result.returncode != 0
    assert "secret.values.BETTER_AUTH_SECRET" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("chart", "command"),
    [
        ("todo-backend", ["wget", "--spider", "-T", "10", "http://todo-backend:8000/health"]),
        ("todo-frontend", ["nc", "-z", "-w", "10", "todo-frontend", "3000"]),
    ],
)
def test_helm_test_hook_checks_that_the_service_answers(chart, command, helm):
    objects = helm.template(chart, chart, skip_tests=False)
    service = Manifests(objects).of_kind("Service")[0]

    (pod,) = Manifests(objects).of_kind("Pod")
    assert pod["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert pod["spec"]["containers"][0]["command"] == command
    assert pod["spec"]["restartPolicy"] == "Never"
    # The Service must not send traffic to the test pod.
    selector = service["spec"]["selector"].items()
    assert not selector <= pod["metadata"]["labels"].items()


@pytest.mark.parametrize("chart", CHARTS)
def test_helm_test_pod_meets_the_restricted_pod_security_standard(chart, helm):
    (pod,) = Manifests(helm.template(chart, chart, skip_tests=False)).of_kind("Pod")
    container = pod["spec"]["containers"][0]

    assert pod["spec"]["securityContext"]["runAsNonRoot"] is True
    assert pod["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    assert container["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    assert pod["spec"]["automountServiceAccountToken"] is False


@pytest.mark.parametrize("chart", CHARTS)
def test_helm_test_pod_runs_where_the_workload_runs_and_pulls_as_it_does(chart, helm):
    placement = {
        "imagePullSecrets": ["registry-credentials"],
        "nodeSelector": {"pool": "web"},
        "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "web", "effect": "NoSchedule"}],
    }
    objects = Manifests(helm.template(chart, chart, values=placement, skip_tests=False))
    (pod,) = objects.of_kind("Pod")
    (deployment,) = objects.of_kind("Deployment")

    for key in placement:
        assert pod["spec"][key] == deployment["spec"]["template"]["spec"][key], key


@pytest.mark.parametrize("chart", CHARTS)
def test_helm_test_pod_labels_stay_label_values_under_the_longest_name(chart, helm):
    (pod,) = Manifests(
        helm.template(chart, chart, values={"nameOverride": "n" * 63}, skip_tests=False)
    ).of_kind("Pod")

    assert max(len(value) for value in pod["metadata"]["labels"].values()) <= 63


@pytest.mark.parametrize("chart", CHARTS)
def test_a_registry_value_gives_the_image_the_constructs_give_the_whole_name(chart, helm):
    props = {"image": "registry.example.com:5000/todo/app", "image_tag": "1.4.2"}
    workload = TodoBackend if chart == "todo-backend" else TodoFrontend
    props_class = TodoBackendProps if chart == "todo-backend" else TodoFrontendProps
    (constructed,) = synth_chart(lambda scope: workload(scope, "w", props=props_class(**props))).of_kind(
        "Deployment"
    )
    values = {"image": {"registry": "registry.example.com:5000", "repository": "todo/app", "tag": "1.4.2"}}
    (rendered,) = Manifests(helm.template(chart, chart, values=values)).of_kind("Deployment")

    def image(deployment):
        container = deployment["spec"]["template"]["spec"]["containers"][0]
        return container["image"], container["imagePullPolicy"]

    assert (
        image(rendered) == image(constructed) == ("registry.example.com:5000/todo/app:1.4.2", "IfNotPresent")
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_the_global_registry_wins_and_serves_the_test_pod_too(chart, helm):
    values = {
        "global": {"imageRegistry": "mirror.example.com"},
        "image": {"registry": "registry.example.com", "repository": "todo/app", "tag": "1.4.2"},
    }
    objects = Manifests(helm.template(chart, chart, values=values, skip_tests=False))

    images = {
        obj["kind"]: obj["spec"].get("template", obj)["spec"]["containers"][0]["image"]
        for obj in objects.objects
        if obj["kind"] in ("Deployment", "Pod")
    }
    assert images == {
        "Deployment": "mirror.example.com/todo/app:1.4.2",
        "Pod": "mirror.example.com/busybox:1.37",
    }


def _install_notes(chart: str, *args: str) -> str:
    """What `helm install` prints from NOTES.txt.

    Only Helm 4 renders it without a cluster (install --dry-run=client); Helm
    3.17's client dry run still asks the API server for its version.
    """
    output = (
        helm_binary("helm4").run("install", "--dry-run=client", chart, str(CHARTS_DIR / chart), *args).stdout
    )
    return output[output.index("NOTES:") :]


def test_backend_install_notes_show_how_to_create_the_secret():
    notes = _install_notes("todo-backend")

    assert "kubectl create secret generic todo-secrets" in notes
    assert all(f"--from-literal={key}=" in notes for key in SECRET_KEYS)
    assert "http://todo.local/api" in notes


def test_backend_install_notes_with_an_external_secret_show_how_to_check_it_synced():
    keys = [f"externalSecret.remoteKeys.{key}=todo/{key.lower()}" for key in SECRET_KEYS]
    notes = _install_notes(
        "todo-backend",
        "--set",
        "externalSecret.enabled=true,externalSecret.storeName=vault",
        "--set",
        ",".join(keys),
    )

    assert "kubectl get externalsecret todo-secrets --namespace default" in notes
    assert "SecretStore vault" in notes
    assert "kubectl create secret" not in notes


@pytest.mark.parametrize(
    ("tag", "pull_policy", "warned"),
    [
        ("latest", "Never", False),
        ("latest", "Always", True),
        ("1.2.3", "Always", False),
    ],
)
@pytest.mark.parametrize("chart", CHARTS)
def test_install_notes_warn_when_latest_is_pulled_at_each_start(chart, tag, pull_policy, warned):
    notes = _install_notes(
        chart, "--set-string", f"image.tag={tag}", "--set", f"image.pullPolicy={pull_policy}"
    )

    assert (f"WARNING: image {chart}:latest with pullPolicy {pull_policy}" in notes) is warned, notes


# What each way in to the Service prints, e.g. the NodePort hint for todo-frontend.
ACCESS_HINTS = {
    "ingress": "The Ingress serves the {what} at http://todo.local/",
    "node-port": "kubectl get service {chart} --namespace default -o jsonpath='{{.spec.ports[0].nodePort}}'",
    "load-balancer": "jsonpath='{{.status.loadBalancer.ingress[0].ip}}{{.status.loadBalancer.ingress[0].hostname}}'",
    "port-forward": "kubectl port-forward service/{chart} {port}:{port} --namespace default",
}


@pytest.mark.parametrize(
    ("args", "hints"),
    [
        ((), {"ingress"}),
        (("--set", "ingress.enabled=false"), {"port-forward"}),
        (("--set", "service.type=NodePort"), {"ingress", "node-port"}),
        (("--set", "service.type=NodePort", "--set", "ingress.enabled=false"), {"node-port"}),
        (("--set", "service.type=LoadBalancer", "--set", "ingress.enabled=false"), {"load-balancer"}),
    ],
    ids=["cluster-ip-with-ingress", "cluster-ip", "node-port-with-ingress", "node-port", "load-balancer"],
)
@pytest.mark.parametrize("chart", CHARTS)
def test_install_notes_show_how_to_reach_the_service_for_its_type(chart, args, hints):
    props = DEFAULT_PROPS[chart]
    what = "API" if chart == "todo-backend" else "app"

    notes = _install_notes(chart, *args)

    shown = {
        name
        for name, hint in ACCESS_HINTS.items()
        if hint.format(chart=chart, what=what, port=props.port) in notes
    }
    assert shown == hints, notes


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_refuses_kubernetes_older_than_1_27(chart, helm):
    refused = helm.run("template", chart, str(CHARTS_DIR / chart), "--kube-version", "1.26.15", check=False)
    helm.run("template", chart, str(CHARTS_DIR / chart), "--kube-version", "1.27.0")

    assert refused.returncode != 0
    assert "incompatible with Kubernetes v1.26.15" in refused.stderr, refused.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_artifact_hub_lists_the_images_the_chart_runs(chart, helm):
    meta = yaml.safe_load((CHARTS_DIR / chart / "Chart.yaml").read_text(encoding="utf-8"))
    listed = {image["image"] for image in yaml.safe_load(meta["annotations"]["artifacthub.io/images"])}

    objects = helm.template(chart, chart, skip_tests=False)

    pods = [obj["spec"]["template"]["spec"] for obj in Manifests(objects).of_kind("Deployment")]
    pods += [obj["spec"] for obj in Manifests(objects).of_kind("Pod")]
    assert listed == {container["image"] for pod in pods for container in pod["containers"]}


@pytest.mark.parametrize("chart", CHARTS)
def test_rendered_objects_including_the_test_hook_are_valid_kubernetes_1_27(chart, helm):
    import kubernetes_validate

    for obj in helm.template(chart, chart, skip_tests=False):
        try:
            kubernetes_validate.validate(obj, "1.27", strict=True)
        except kubernetes_validate.ValidationError as error:
            pytest.fail(f"{obj['kind']}/{obj['metadata']['name']}: {error}")


def test_a_missing_helm_binary_fails_with_the_setup_step_to_run(tmp_path):
    from tests.support.helm import Helm, HelmMissing

    missing = Helm("helm3", REPO_ROOT / ".tools" / "bin" / "no-such-helm", "v3.17.")

    with pytest.raises(HelmMissing, match=r"\.tools/bin/no-such-helm is missing; run `make setup`"):
        missing.check()


@pytest.mark.parametrize("chart", CHARTS)
def test_with_network_policies_the_helm_test_pod_is_let_in_by_a_test_hook_policy(chart, helm):
    import kubernetes_validate

    objects = helm.template(chart, chart, args=["--set", "networkPolicy.enabled=true"], skip_tests=False)
    (pod,) = Manifests(objects).of_kind("Pod")
    deployment = Manifests(objects).of_kind("Deployment")[0]
    hook = next(
        obj
        for obj in Manifests(objects).of_kind("NetworkPolicy")
        if obj["metadata"]["name"].endswith("-test-connection")
    )

    assert hook["metadata"]["annotations"]["helm.sh/hook"] == "test"
    assert hook["spec"]["podSelector"] == deployment["spec"]["selector"]
    ((peer,),) = [rule["from"] for rule in hook["spec"]["ingress"]]
    assert peer["podSelector"]["matchLabels"].items() <= pod["metadata"]["labels"].items()
    kubernetes_validate.validate(hook, "1.27", strict=True)
    # Without NetworkPolicies there is nothing to let the test pod through.
    assert Manifests(helm.template(chart, chart, skip_tests=False)).of_kind("NetworkPolicy") == []


@pytest.mark.parametrize(
    ("backend_path", "path_type"),
    [("/", "Exact"), ("/api", "Exact"), ("/api/", "Prefix")],
    ids=["one-of-the-frontends", "twice-in-the-backends", "with-a-trailing-slash"],
)
def test_the_stacks_one_ingress_refuses_a_path_routed_twice(backend_path, path_type):
    paths = [("/api", "Prefix"), (backend_path, path_type)]
    args = ["--set", "ingress.perWorkload=false"]
    for index, (path, path_type) in enumerate(paths):
        args += [
            "--set",
            f"ingress.backend.paths[{index}].path={path},ingress.backend.paths[{index}].pathType={path_type}",
        ]

    result = helm_binary("helm3").run(
        "template", "todo-frontend", str(CHARTS_DIR / "todo-frontend"), *args, check=False
    )

    assert result.returncode != 0
    assert f'ingress.backend.paths: got "{backend_path}"; is routed by this Ingress already' in result.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_without_checkov_annotations_no_object_carries_checkov_or_null_annotations(chart):
    objects = helm_binary("helm3").template(chart, chart, args=["--set", "checkovAnnotations=false"])

    (config_map,) = [obj for obj in objects if obj["kind"] == "ConfigMap"]
    assert "annotations" not in config_map["metadata"], config_map["metadata"]
    for obj in objects:
        annotations = obj["metadata"].get("annotations", {})
        assert annotations is not None and not any(key.startswith("checkov.io/") for key in annotations), obj


@pytest.mark.parametrize(
    ("values", "body_size"),
    [
        ({}, "64k"),
        ({"ingress": {"className": "traefik"}}, None),
        ({"ingress": {"annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "1m"}}}, "1m"),
    ],
    ids=["ingress-nginx", "other-class", "users-setting"],
)
def test_the_backend_ingress_gives_ingress_nginx_the_apps_body_limit(values, body_size, helm):
    (ingress,) = Manifests(helm.template("todo-backend", "todo-backend", values=values)).of_kind("Ingress")
    assert (
        ingress["metadata"].get("annotations", {}).get("nginx.ingress.kubernetes.io/proxy-body-size")
        == body_size
    )
    (ingress,) = Manifests(helm.template("todo-frontend", "todo-frontend", values=values)).of_kind("Ingress")
    assert body_size == "1m" or "nginx.ingress.kubernetes.io/proxy-body-size" not in ingress["metadata"].get(
        "annotations", {}
    )


@pytest.mark.parametrize(
    ("tag", "version"),
    [("1.4.2", "1.4.2"), ("latest", "1.0.0"), ("_nightly", "1.0.0"), ("v" * 64, "1.0.0")],
    ids=["release-tag", "latest", "not-a-label-value", "longer-than-a-label"],
)
@pytest.mark.parametrize("chart", CHARTS)
def test_the_version_label_is_the_image_tag_in_both_packagings(chart, tag, version, helm):
    workload = TodoBackend if chart == "todo-backend" else TodoFrontend
    props_class = TodoBackendProps if chart == "todo-backend" else TodoFrontendProps
    constructed = synth_chart(lambda scope: workload(scope, "w", props=props_class(image_tag=tag)))
    rendered = Manifests(helm.template(chart, chart, values={"image": {"tag": tag}}))
    for objects in (constructed, rendered):
        (deployment,) = objects.of_kind("Deployment")
        assert deployment["metadata"]["labels"]["app.kubernetes.io/version"] == version
        assert deployment["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/version"] == version
