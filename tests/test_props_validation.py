"""Bad props fail when the app is built, with a message naming the field, the value and what is allowed."""

from __future__ import annotations

import dataclasses
import re
import typing

import pytest

from constructs_lib import (
    Autoscaling,
    ConfigMapKeyRef,
    IngressPath,
    NetworkPeer,
    NetworkPolicy,
    Probe,
    PullPolicy,
    PullPolicyName,
    Resources,
    SecretKeyRef,
    ServiceType,
    ServiceTypeName,
    StoreKind,
    StoreKindName,
    TaintEffect,
    TaintEffectName,
    TodoBackendProps,
    TodoFrontendProps,
    TodoIngressProps,
    TolerationOperator,
    TolerationOperatorName,
    Volume,
    VolumeMount,
    WorkloadProps,
    WorkloadSettings,
)
from tests.support.synth import synth_stack

SPEC_RESOURCES = {
    "cpu_request": "250m",
    "memory_request": "256Mi",
    "cpu_limit": "500m",
    "memory_limit": "512Mi",
}


def _raises(message: str):  # type: ignore[no-untyped-def]
    return pytest.raises(ValueError, match=re.escape(message))


def test_negative_replicas_are_rejected() -> None:
    with _raises("TodoBackendProps.replicas: got -1; must be an integer between 0 and 2147483647"):
        TodoBackendProps(replicas=-1)


def test_zero_replicas_scale_the_workload_down() -> None:
    assert TodoBackendProps(replicas=0).replicas == 0


def test_boolean_replicas_are_rejected() -> None:
    with _raises("TodoFrontendProps.replicas: got True; must be an integer between 0 and 2147483647"):
        TodoFrontendProps(replicas=True)


@pytest.mark.parametrize("port", [0, 65536, -80])
def test_port_outside_1_to_65535_is_rejected(port: int) -> None:
    with _raises(f"TodoBackendProps.port: got {port}; must be an integer between 1 and 65535"):
        TodoBackendProps(port=port)


def test_memory_limit_below_request_is_rejected() -> None:
    resources = Resources(**{**SPEC_RESOURCES, "memory_limit": "128Mi"})
    with _raises(
        "TodoBackendProps.resources.memory_limit: got '128Mi'; must not be below memory_request ('256Mi')"
    ):
        TodoBackendProps(resources=resources)


def test_cpu_limit_below_request_is_rejected() -> None:
    resources = Resources(**{**SPEC_RESOURCES, "cpu_limit": "100m"})
    with _raises("TodoFrontendProps.resources.cpu_limit: got '100m'; must not be below cpu_request ('250m')"):
        TodoFrontendProps(resources=resources)


@pytest.mark.parametrize("quantity", ["lots", "256MB", "-1", "", "1.5.2"])
def test_malformed_quantities_are_rejected(quantity: str) -> None:
    with _raises(
        f"TodoBackendProps.resources.memory_request: got {quantity!r}; must be a Kubernetes quantity"
    ):
        TodoBackendProps(resources=Resources(**{**SPEC_RESOURCES, "memory_request": quantity}))


@pytest.mark.parametrize(
    ("field", "quantity", "canonical"),
    [("cpu_request", "0.25", "250m"), ("cpu_limit", "1000m", "1"), ("memory_limit", "1024Mi", "1Gi")],
)
def test_quantities_the_api_server_would_rewrite_are_rejected_with_the_canonical_spelling(
    field: str, quantity: str, canonical: str
) -> None:
    with _raises(f"resources.{field}: got {quantity!r}; must be written in canonical form: {canonical!r}"):
        TodoBackendProps(resources=Resources(**{**SPEC_RESOURCES, field: quantity}))


def test_memory_in_decimal_units_is_rejected() -> None:
    with _raises("resources.memory_limit: got '600M'; must use a binary suffix"):
        TodoBackendProps(resources=Resources(**{**SPEC_RESOURCES, "memory_limit": "600M"}))


def test_empty_image_is_rejected() -> None:
    with _raises("TodoBackendProps.image: got ''; must be a non-empty image repository"):
        TodoBackendProps(image="")


def test_image_with_a_tag_in_the_repository_is_rejected() -> None:
    with _raises("TodoFrontendProps.image: got 'todo-frontend:1.0'; must be a non-empty image repository"):
        TodoFrontendProps(image="todo-frontend:1.0")


def test_a_digest_in_the_image_tag_is_pointed_to_image_digest() -> None:
    with pytest.raises(
        ValueError, match=r"image_tag: got '1\.4\.2@sha256:0+'; must be an image tag.*image_digest"
    ):
        TodoBackendProps(image_tag="1.4.2@sha256:" + "0" * 64)


def test_an_image_digest_in_an_unknown_algorithm_or_case_is_rejected() -> None:
    for digest in ("md5:" + "0" * 32, "sha256:" + "A" * 64, "sha256:" + "0" * 63):
        with _raises(
            f"TodoBackendProps.image_digest: got '{digest}'; must be an image digest: sha256, sha384 or sha512"
        ):
            TodoBackendProps(image_digest=digest)


def test_malformed_image_tag_is_rejected() -> None:
    with _raises("TodoBackendProps.image_tag: got 'v1 beta'; must be an image tag"):
        TodoBackendProps(image_tag="v1 beta")


def test_empty_secret_name_is_rejected() -> None:
    with _raises("TodoBackendProps.secret_name: got ''; must be a DNS name"):
        TodoBackendProps(secret_name="")


@pytest.mark.parametrize("host", ["Todo.Local", "todo_local", "http://todo.local", "", "todo..local"])
def test_host_that_is_not_a_dns_name_is_rejected(host: str) -> None:
    with _raises(f"TodoIngressProps.host: got {host!r}; must be a DNS name"):
        TodoIngressProps(host=host)


@pytest.mark.parametrize("path", ["api", "", "/a b"])
def test_ingress_path_not_starting_with_a_slash_is_rejected(path: str) -> None:
    with _raises(
        f"TodoBackendProps.ingress_paths[0].path: got {path!r}; must be an HTTP path starting with '/'"
    ):
        TodoBackendProps(ingress_paths=(IngressPath(path=path),))


def test_probe_path_not_starting_with_a_slash_is_rejected() -> None:
    with _raises("TodoBackendProps.liveness.http_path: got 'health'; must be an HTTP path starting with '/'"):
        TodoBackendProps(liveness=Probe(http_path="health", period_seconds=30, timeout_seconds=5))


def test_unknown_pull_policy_is_rejected() -> None:
    with _raises(
        "TodoBackendProps.image_pull_policy: got 'Sometimes'; must be one of Always, IfNotPresent, Never"
    ):
        TodoBackendProps(image_pull_policy="Sometimes")  # type: ignore[arg-type]


def test_pull_policy_may_be_given_as_its_kubernetes_spelling() -> None:
    props = TodoBackendProps(image_tag="1.2.3", image_pull_policy="IfNotPresent")

    assert props.image_pull_policy is PullPolicy.IF_NOT_PRESENT
    assert props.pull_policy is PullPolicy.IF_NOT_PRESENT


@pytest.mark.parametrize(
    ("image", "pull_policy"),
    [
        # The spec's: built on the node by Minikube, so never pulled.
        ("todo-backend", PullPolicy.NEVER),
        ("registry.example.com/todo-backend", PullPolicy.IF_NOT_PRESENT),
        ("team/todo-backend", PullPolicy.IF_NOT_PRESENT),
        ("localhost:5000/todo-backend", PullPolicy.IF_NOT_PRESENT),
    ],
)
def test_without_a_pull_policy_a_local_image_is_never_pulled_and_a_registry_image_is_pulled_once(
    image: str, pull_policy: PullPolicy
) -> None:
    props = TodoBackendProps(image=image, image_tag="1.2.3")

    assert props.image_pull_policy is None
    assert props.pull_policy is pull_policy


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {
                "image": "registry.example.com/todo-backend",
                "image_tag": "1.2.3",
                "image_pull_policy": "Never",
            },
            "TodoBackendProps.image_pull_policy: got 'Never'; must be IfNotPresent or Always (or left unset) "
            "for an image from a registry",
        ),
        (
            {"image": "registry.example.com/todo-backend"},
            "TodoBackendProps.image_tag: got 'latest'; must be a release tag, or image_digest set, for an "
            "image from a registry",
        ),
        (
            {"image_pull_policy": "IfNotPresent"},
            "TodoBackendProps.image_pull_policy: got 'IfNotPresent'; must be Always or Never with image_tag "
            "'latest' and no image_digest",
        ),
    ],
    ids=["registry-image-never-pulled", "registry-image-at-latest", "latest-kept-if-present"],
)
def test_a_pull_policy_or_tag_that_runs_an_unnamed_build_is_refused(
    changes: dict[str, str], message: str
) -> None:
    with _raises(message):
        TodoBackendProps(**changes)  # type: ignore[arg-type]


def test_a_digest_pins_a_registry_image_at_latest() -> None:
    digest = "sha256:" + "0123456789abcdef" * 4
    props = TodoBackendProps(image="registry.example.com/todo-backend", image_digest=digest)

    assert props.pull_policy is PullPolicy.IF_NOT_PRESENT


@pytest.mark.parametrize(("period", "timeout"), [(10, 10), (5, 30)])
def test_probe_timeout_not_below_its_period_is_rejected(period: int, timeout: int) -> None:
    probe = Probe(http_path="/health", period_seconds=period, timeout_seconds=timeout)
    with _raises(
        f"TodoBackendProps.readiness.timeout_seconds: got {timeout}; must be below period_seconds ({period})"
    ):
        TodoBackendProps(readiness=probe)


def test_probe_period_of_one_second_leaves_no_room_for_the_default_timeout() -> None:
    with _raises("TodoFrontendProps.liveness.timeout_seconds: got 1; must be below period_seconds (1)"):
        TodoFrontendProps(liveness=Probe(period_seconds=1))


def test_unknown_jwt_algorithm_is_rejected() -> None:
    with _raises("TodoBackendProps.jwt_algorithm: got 'none'; must be one of HS256, HS384, HS512"):
        TodoBackendProps(jwt_algorithm="none")


def test_cors_origin_with_a_path_is_rejected() -> None:
    with _raises("TodoBackendProps.cors_origins: got 'http://todo.local/app'; must be a lowercase origin"):
        TodoBackendProps(cors_origins=("http://todo.local/app",))


def test_extra_config_may_not_override_a_typed_prop() -> None:
    with _raises("TodoBackendProps.extra_config: got 'JWT_EXPIRE_DAYS'; is set by jwt_expire_days"):
        TodoBackendProps(extra_config={"JWT_EXPIRE_DAYS": "30"})


def test_extra_config_may_not_carry_a_secret_key() -> None:
    with _raises("TodoBackendProps.extra_config: got 'DATABASE_URL'; is set by secret_name"):
        TodoBackendProps(extra_config={"DATABASE_URL": "postgresql://u:p@db/todo"})


def test_extra_config_names_must_be_environment_variable_names() -> None:
    with _raises("TodoFrontendProps.extra_config: got 'LOG-LEVEL'; keys must be environment variable names"):
        TodoFrontendProps(extra_config={"LOG-LEVEL": "debug"})


def test_name_that_is_not_a_dns_label_is_rejected() -> None:
    with _raises("TodoFrontendProps.name: got 'Todo_Frontend'; must be a DNS label"):
        TodoFrontendProps(name="Todo_Frontend")


def test_root_user_is_rejected() -> None:
    with _raises("TodoBackendProps.run_as_user: got 0; must be an integer between 1 and 2147483647"):
        TodoBackendProps(run_as_user=0)


def test_props_are_frozen() -> None:
    props = TodoBackendProps()
    with pytest.raises(AttributeError):
        props.replicas = 3  # type: ignore[misc]
    with pytest.raises(TypeError):
        props.extra_config["X"] = "1"  # type: ignore[index]


def test_props_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        TodoBackendProps("todo-backend")  # type: ignore[misc]


@pytest.mark.parametrize(
    ("enum_type", "names"),
    [
        (PullPolicy, PullPolicyName),
        (ServiceType, ServiceTypeName),
        (TolerationOperator, TolerationOperatorName),
        (TaintEffect, TaintEffectName),
        (StoreKind, StoreKindName),
    ],
)
def test_each_enum_props_literal_names_exactly_its_values(enum_type: type, names: object) -> None:
    # The props take an enum member or its value; the Literal types the value for type checkers.
    assert set(typing.get_args(names)) == {member.value for member in enum_type}


def test_shared_settings_are_the_workload_props_fields_with_their_types() -> None:
    hints = typing.get_type_hints(WorkloadProps)
    fields = {field.name: hints[field.name] for field in dataclasses.fields(WorkloadProps)}
    settings = typing.get_type_hints(WorkloadSettings)

    assert {name: fields.get(name) for name in settings} == settings
    # What the spec sets per workload stays per workload.
    assert not {"name", "image", "port", "resources", "liveness", "readiness", "ingress_paths"} & set(
        settings
    )


def test_shared_settings_build_both_workloads() -> None:
    shared: WorkloadSettings = {"image_tag": "1.4.2", "replicas": 2, "spread_pods": True}

    for props in (TodoBackendProps(**shared), TodoFrontendProps(**shared)):
        assert (props.image_tag, props.replicas, props.spread_pods) == ("1.4.2", 2, True)


@pytest.mark.parametrize(
    ("policy", "message"),
    [
        (
            lambda: NetworkPolicy(egress_to=(NetworkPeer(cidr="10.20.0.1/16"),)),
            "TodoBackendProps.network_policy.egress_to[0].cidr: got '10.20.0.1/16'; must be an IPv4 or IPv6 "
            "CIDR in canonical form",
        ),
        (
            lambda: NetworkPolicy(dns=(NetworkPeer(cidr="010.0.0.0/8"),)),
            "TodoBackendProps.network_policy.dns[0].cidr: got '010.0.0.0/8'; must be an IPv4 or IPv6 CIDR",
        ),
        (
            lambda: NetworkPolicy(ingress_from=(NetworkPeer(namespace="x", cidr="10.0.0.0/8"),)),
            "TodoBackendProps.network_policy.ingress_from[0].cidr: got '10.0.0.0/8'; must come alone",
        ),
        (
            lambda: NetworkPolicy(ingress_from=(NetworkPeer(),)),
            "TodoBackendProps.network_policy.ingress_from[0].namespace: got None; must be given, or pod_labels "
            "or cidr",
        ),
        (
            lambda: NetworkPolicy(ingress_from=(NetworkPeer(namespace="Gateways"),)),
            "TodoBackendProps.network_policy.ingress_from[0].namespace: got 'Gateways'",
        ),
        (
            lambda: NetworkPolicy(dns=()),
            "TodoBackendProps.network_policy.dns: got (); must name at least one peer",
        ),
        (
            lambda: NetworkPolicy(ingress_from=NetworkPeer(namespace="x")),  # type: ignore[arg-type]
            "NetworkPolicy.ingress_from: got NetworkPeer(",
        ),
    ],
    ids=[
        "host-bits",
        "leading-zero",
        "cidr-with-namespace",
        "empty-peer",
        "bad-namespace",
        "no-dns",
        "not-a-tuple",
    ],
)
def test_a_network_peer_that_names_no_one_or_a_bad_address_is_refused(
    policy: typing.Any, message: str
) -> None:
    with _raises(message):
        TodoBackendProps(network_policy=policy())


def test_the_frontend_calls_nothing_outside_the_stack_to_narrow() -> None:
    with _raises("TodoFrontendProps.network_policy.egress_to: got (NetworkPeer("):
        TodoFrontendProps(network_policy=NetworkPolicy(egress_to=(NetworkPeer(cidr="10.0.0.0/8"),)))


@pytest.mark.parametrize(
    ("extra_env", "message"),
    [
        ({"1X": SecretKeyRef(secret="s", key="k")}, "TodoBackendProps.extra_env: got '1X'; keys must be"),
        (
            {"JWT_ALGORITHM": SecretKeyRef(secret="s", key="k")},
            "got 'JWT_ALGORITHM'; is set by jwt_algorithm",
        ),
        ({"DATABASE_URL": SecretKeyRef(secret="s", key="k")}, "got 'DATABASE_URL'; is set by secret_name"),
        ({"X": "plain"}, "TodoBackendProps.extra_env['X']: got 'plain'; must be a SecretKeyRef(...)"),
        ({"X": SecretKeyRef(secret="S", key="k")}, "TodoBackendProps.extra_env['X'].secret: got 'S'"),
        (
            {"X": ConfigMapKeyRef(config_map="c", key="..k")},
            "extra_env['X'].key: got '..k'; must be a Secret",
        ),
        ({"X": ConfigMapKeyRef(config_map="c", key="k" * 254)}, "extra_env['X'].key: got 'kkkk"),
    ],
    ids=["bad-name", "typed-prop", "secret-key", "plain-value", "bad-secret", "dot-dot-key", "long-key"],
)
def test_an_extra_env_variable_the_container_cannot_take_is_refused(
    extra_env: dict[str, typing.Any], message: str
) -> None:
    with _raises(message):
        TodoBackendProps(extra_env=extra_env)


@pytest.mark.parametrize("field", ["extra_env_config_map", "extra_env_secret"])
@pytest.mark.parametrize("name", ["Settings", "a_b", "", "x" * 254, "a\n"])
def test_an_env_from_object_that_is_no_object_name_is_refused(field: str, name: str) -> None:
    with _raises(f"TodoBackendProps.{field}: got {name!r}; must be"):
        TodoBackendProps(**{field: name})


def test_the_librarys_config_map_comes_last_so_its_settings_win_over_env_from_objects() -> None:
    objects = synth_stack(
        frontend=TodoFrontendProps(extra_env_config_map="team-settings", extra_env_secret="team-keys")
    )
    container = objects.get("Deployment", "todo-frontend")["spec"]["template"]["spec"]["containers"][0]
    assert container["envFrom"] == [
        {"configMapRef": {"name": "team-settings"}},
        {"secretRef": {"name": "team-keys"}},
        {"configMapRef": {"name": "todo-frontend-config"}},
    ]


def test_an_extra_env_name_in_extra_config_too_is_refused() -> None:
    with _raises("TodoFrontendProps.extra_env: got 'REGION'; is in extra_config too"):
        TodoFrontendProps(
            extra_config={"REGION": "eu"}, extra_env={"REGION": ConfigMapKeyRef(config_map="c", key="k")}
        )


def test_a_stabilization_window_past_the_apis_hour_is_refused() -> None:
    with _raises(
        "TodoBackendProps.autoscaling.scale_down_stabilization_seconds: got 3601; must be an integer between 0 and 3600"
    ):
        TodoBackendProps(autoscaling=Autoscaling(scale_down_stabilization_seconds=3601))


CA = Volume(name="ca", config_map="corporate-ca")


@pytest.mark.parametrize(
    ("volumes", "mounts", "message"),
    [
        ((Volume(name="ca"),), (), "extra_volumes[0].name: got 'ca'; must have exactly one source"),
        (
            (Volume(name="ca", config_map="a", secret="b"),),
            (),
            "must have exactly one source: config_map, secret, persistent_volume_claim or "
            "empty_dir_size_limit (got config_map, secret)",
        ),
        ((Volume(name="CA", config_map="a"),), (), "extra_volumes[0].name: got 'CA'; must be a DNS label"),
        ((Volume(name="ca", secret="a\nb"),), (), "extra_volumes[0].secret: got 'a\\nb'; must be a DNS name"),
        (
            (Volume(name="s", empty_dir_size_limit="1024Mi"),),
            (),
            "extra_volumes[0].empty_dir_size_limit: got '1024Mi'; must be written in canonical form: '1Gi'",
        ),
        ((CA, CA), (), "extra_volumes[1].name: got 'ca'; names another volume of the pod"),
        (
            (Volume(name="tmp", config_map="a"),),
            (),
            "got 'tmp'; names another volume of the pod (the library's: tmp)",
        ),
        (
            (CA,),
            (),
            "TodoBackendProps.extra_volumes: got ['ca']; each volume must be mounted by extra_volume_mounts",
        ),
        (
            (CA,),
            (VolumeMount(volume="cb", path="/ca"),),
            "extra_volume_mounts[0].volume: got 'cb'; must name one",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="ca"),),
            "extra_volume_mounts[0].path: got 'ca'; must be an absolute",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/"),),
            "extra_volume_mounts[0].path: got '/'; must be an absolute",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/a/.."),),
            "got '/a/..'; must be an absolute path other than '/'",
        ),
        ((CA,), (VolumeMount(volume="ca", path="/a\n"),), "got '/a\\n'; must be an absolute path"),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/tmp/"),),
            "got '/tmp/'; is mounted already (the library's: /tmp)",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/a"), VolumeMount(volume="ca", path="/a")),
            "extra_volume_mounts[1].path: got '/a'; is mounted already",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/a", sub_path="/x"),),
            "sub_path: got '/x'; must be a relative path",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/a", sub_path="x/../.."),),
            "sub_path: got 'x/../..'; must be",
        ),
        (
            (CA,),
            (VolumeMount(volume="ca", path="/a", read_only="no"),),
            "read_only: got 'no'; must be True or False",
        ),
        (CA, (), "TodoBackendProps.extra_volumes: got Volume(name='ca'"),
    ],
)
def test_a_volume_or_mount_the_pod_cannot_take_is_refused(
    volumes: typing.Any, mounts: typing.Any, message: str
) -> None:
    with _raises(message):
        TodoBackendProps(extra_volumes=volumes, extra_volume_mounts=mounts)


def _node_term(**requirement: typing.Any) -> dict[str, typing.Any]:
    return {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {
                "nodeSelectorTerms": [{"matchExpressions": [{"key": "pool", **requirement}]}]
            }
        }
    }


REQUIRED_NODE = "affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution"


@pytest.mark.parametrize(
    ("affinity", "message"),
    [
        ([], "TodoBackendProps.affinity: got []; must be a mapping"),
        ({"nodeAfinity": {}}, "affinity: got 'nodeAfinity'; is not a field here; allowed: nodeAffinity"),
        ({"podAffinity": {"x": float("nan")}}, "affinity: got {'podAffinity': {'x': nan}}; must be JSON data"),
        ({"podAffinity": {"x": object}}, "must be JSON data"),
        (
            {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}},
            f"{REQUIRED_NODE}.nodeSelectorTerms: got []; must hold at least 1 item(s)",
        ),
        (_node_term(operator="In"), "matchExpressions[0].values: got []; must hold at least 1 item(s) with operator In"),
        (_node_term(operator="Exists", values=["a"]), "values: got ['a']; must hold 0 item(s) with operator Exists"),
        (_node_term(operator="Gt", values=["1", "2"]), "must hold 1 item(s) with operator Gt"),
        (_node_term(operator="Equal"), "operator: got 'Equal'; must be one of"),
        (_node_term(operator="In", values=["a b"]), "values[0]: got 'a b'; must be a Kubernetes label value"),
        (
            {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 101}]}},
            "preferredDuringSchedulingIgnoredDuringExecution[0].weight: got 101; must be an integer between 1 and 100",
        ),
        (
            {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {}}]}},
            "requiredDuringSchedulingIgnoredDuringExecution[0]: got {'labelSelector': {}}; must set topologyKey",
        ),
        (
            {"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "/zone"}]}},
            "topologyKey: got '/zone'; keys must be Kubernetes label keys",
        ),
        (
            {
                "podAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": [
                        {"topologyKey": "zone", "matchLabelKeys": ["pod-template-hash"]}
                    ]
                }
            },
            "got 'matchLabelKeys'; is not a field here",
        ),
    ],
    ids=[
        "not-a-mapping", "typo", "nan", "not-json", "no-terms", "in-without-values", "exists-with-values",
        "gt-two-values", "bad-operator", "bad-value", "weight", "no-topology-key", "empty-prefix", "newer-field",
    ],
)  # fmt: skip
def test_an_affinity_the_api_server_would_refuse_is_refused(affinity: typing.Any, message: str) -> None:
    with _raises(message):
        TodoBackendProps(affinity=affinity)


def test_a_given_affinity_is_the_props_own_copy() -> None:
    affinity = _node_term(operator="Exists")
    props = TodoBackendProps(affinity=affinity)
    affinity["podAffinity"] = {}
    assert set(props.affinity or {}) == {"nodeAffinity"}
