"""Property-based tests over the props: what is accepted synthesizes clean manifests, what is not fails by name.

Every accepted combination of props (the spec's fields and the production
options) synthesizes objects that are valid Kubernetes 1.27 (strict), meet
the Pod Security Standards "restricted" profile, hold no Argo CD sync hazard
and no Secret. Every props object with one bad field raises ``ValueError``
whose message starts with the owner and the field. A few accepted examples
also go through Checkov, which is too slow for hundreds.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from constructs_lib import (
    Autoscaling,
    IngressPath,
    NetworkPolicy,
    Probe,
    Resources,
    TodoBackendProps,
    TodoFrontendProps,
    TodoIngressProps,
    ZeroDowntimeRollout,
)
from constructs_lib.backend import GUNICORN_GRACEFUL_TIMEOUT
from tests.support.checkov import CheckovMissing, run_checkov_per_target, write_manifests
from tests.support.cluster import Cluster, changed_fields
from tests.support.synth import synth_stack

# A few dozen examples: each is one dry run against the real API server.
FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
REJECTIONS = settings(max_examples=300, deadline=None)

# --- accepted values ----------------------------------------------------------------

dns_labels = st.from_regex(r"\A[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,8})?\Z")
image_tags = st.from_regex(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,20}\Z")
images = st.from_regex(
    r"\A([a-z0-9]+\.example\.com(:[0-9]{2,5})?/)?[a-z0-9]+([._-][a-z0-9]+){0,2}(/[a-z0-9]+){0,2}\Z"
)
env_names = st.from_regex(r"\A[A-Z_][A-Z0-9_]{0,15}\Z")


@st.composite
def image_pull_policies(draw: st.DrawFn, image: str, tag: str) -> str | None:
    """A pull policy that fits the image: a registry's is pulled, latest is never kept IfNotPresent.

    Never (the default for a local image) is left to the examples: beside a
    registry image in the other workload, a stack refuses it.
    """
    choices: list[str | None] = ["Always"]
    if tag != "latest":
        choices.append("IfNotPresent")
    if "/" in image:
        choices.append(None)
    return draw(st.sampled_from(choices))


env_values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@st.composite
def resources(draw: st.DrawFn) -> Resources:
    cpu_request = draw(st.integers(1, 4000))
    cpu_limit = draw(st.integers(cpu_request, 8000))
    memory_request = draw(st.integers(16, 4096))
    memory_limit = draw(st.integers(memory_request, 8192))

    def cpu(millis: int) -> str:
        return f"{millis // 1000}" if millis % 1000 == 0 else f"{millis}m"

    def memory(mebibytes: int) -> str:
        return f"{mebibytes // 1024}Gi" if mebibytes % 1024 == 0 else f"{mebibytes}Mi"

    return Resources(
        cpu_request=cpu(cpu_request),
        memory_request=memory(memory_request),
        cpu_limit=cpu(cpu_limit),
        memory_limit=memory(memory_limit),
    )


@st.composite
def probes(draw: st.DrawFn) -> Probe:
    period = draw(st.integers(2, 120))
    timeout = draw(st.none() | st.integers(1, period - 1))
    path = draw(st.none() | st.from_regex(r"\A/[a-z0-9/_.-]{0,20}\Z"))
    return Probe(period_seconds=period, timeout_seconds=timeout, http_path=path)


def ingress_paths(first_letters: str) -> st.SearchStrategy[list[IngressPath]]:
    """Paths starting with one of ``first_letters``, so two workloads' paths never collide."""
    return st.lists(
        st.builds(
            IngressPath, path=st.from_regex(rf"\A/[{first_letters}][a-z0-9_-]{{0,12}}\Z"), exact=st.booleans()
        ),
        min_size=1,
        max_size=4,
        unique_by=lambda route: route.path,
    )


network_policies = st.none() | st.builds(
    NetworkPolicy,
    ingress_controller_namespace=dns_labels,
    ingress_controller_pod_labels=st.dictionaries(
        st.sampled_from(["app", "app.kubernetes.io/name", "team"]), dns_labels, min_size=1, max_size=2
    ),
)


@st.composite
def autoscalings(draw: st.DrawFn) -> Autoscaling | None:
    if draw(st.booleans()):
        return None
    low = draw(st.integers(1, 5))
    return Autoscaling(
        min_replicas=low,
        max_replicas=draw(st.integers(low, 10)),
        target_cpu_utilization=draw(st.integers(1, 200)),
    )


@st.composite
def rollouts(draw: st.DrawFn, shutdown: int) -> ZeroDowntimeRollout | None:
    if draw(st.booleans()):
        return None
    pause = draw(st.integers(1, 30))
    return ZeroDowntimeRollout(
        pre_stop_seconds=pause, termination_grace_period_seconds=draw(st.integers(pause + shutdown + 1, 300))
    )


def _workload(reserved: set[str], shutdown: int, path_letters: str) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "replicas": st.integers(0, 6),
        "port": st.integers(1, 65535),
        "service_type": st.sampled_from(["ClusterIP", "NodePort", "LoadBalancer"]),
        "resources": resources(),
        "liveness": probes(),
        "readiness": probes(),
        "ingress_paths": ingress_paths(path_letters),
        "extra_config": st.dictionaries(
            env_names.filter(lambda name: name not in reserved), env_values, max_size=3
        ),
        "run_as_user": st.integers(1, 70000),
        "run_as_group": st.integers(1, 70000),
        "network_policy": network_policies,
        "autoscaling": autoscalings(),
        "pod_disruption_budget": st.booleans(),
        "spread_pods": st.booleans(),
        "zero_downtime_rollout": rollouts(shutdown),
    }


def _with_image(build: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """``build`` (a props class) with an image, a tag and a pull policy that fit together."""
    return st.tuples(images, image_tags).flatmap(
        lambda drawn: image_pull_policies(drawn[0], drawn[1]).flatmap(
            lambda policy: build(
                image=st.just(drawn[0]), image_tag=st.just(drawn[1]), image_pull_policy=st.just(policy)
            )
        )
    )


backend_props = _with_image(
    lambda **image: st.builds(
        TodoBackendProps,
        **image,
        **{
            **_workload(set(TodoBackendProps().reserved_config()), GUNICORN_GRACEFUL_TIMEOUT, "a-m"),
            # The image's gunicorn binds one port.
            "port": st.just(8000),
        },
        secret_name=dns_labels,
        jwt_algorithm=st.sampled_from(["HS256", "HS384", "HS512"]),
        jwt_expire_days=st.integers(1, 365),
        cors_origins=st.lists(
            st.from_regex(r"\Ahttps?://[a-z]{1,10}\.example(:[1-9][0-9]{1,3})?\Z").filter(
                lambda origin: not origin.endswith((":80", ":443"))
            ),
            min_size=1,
            max_size=3,
        ),
    )
)
frontend_props = _with_image(
    lambda **image: st.builds(
        TodoFrontendProps, **image, **_workload(set(TodoFrontendProps().reserved_config()), 0, "n-z")
    )
)
ingress_props = st.builds(TodoIngressProps, host=st.from_regex(r"\A[a-z0-9]{1,10}(\.[a-z0-9]{1,10}){0,2}\Z"))


# The boundary classes of the bad-input rules, each just inside what the props accept.
_EDGE_BACKEND = TodoBackendProps(
    replicas=2**31 - 1,
    run_as_user=2**31 - 1,
    run_as_group=2**31 - 1,
    liveness=Probe(http_path="/health", period_seconds=2**31 - 1, timeout_seconds=2**31 - 2),
    ingress_paths=(IngressPath(path="/api/v1.0/x..y"), IngressPath(path="/health", exact=True)),
    extra_config={"K" * 253: "v", "BIG": "x" * (1024 * 1024 - 200)},
    jwt_expire_days=365,
    cors_origins=("https://todo.example.com:65535",),
    app_version="a" * 63,
    autoscaling=Autoscaling(min_replicas=1, max_replicas=2**31 - 1, target_cpu_utilization=1000),
)
_EDGE_FRONTEND = TodoFrontendProps(replicas=0, port=65535, ingress_paths=(IngressPath(path="/"),))
_EDGE_INGRESS = TodoIngressProps(host=".".join(["a" * 63] * 3) + "." + "b" * 61)


@FAST
@example(backend=_EDGE_BACKEND, frontend=_EDGE_FRONTEND, ingress=_EDGE_INGRESS)
@example(backend=TodoBackendProps(), frontend=TodoFrontendProps(), ingress=TodoIngressProps())
@given(backend=backend_props, frontend=frontend_props, ingress=ingress_props)
def test_every_accepted_combination_is_accepted_by_the_api_server_as_written(
    backend: TodoBackendProps, frontend: TodoFrontendProps, ingress: TodoIngressProps, cluster: Cluster
) -> None:
    manifests = synth_stack(backend=backend, frontend=frontend, ingress=ingress)

    served = cluster.dry_run(manifests.objects, _namespace(cluster))
    # Admitted under PSS "restricted" (pod templates warn), and stored as written.
    assert served.warnings == []
    for written, stored in zip(manifests.objects, served.objects, strict=True):
        assert changed_fields(written, stored) == [], f"{written['kind']}/{written['metadata']['name']}"
    kinds = [obj["kind"] for obj in manifests]
    assert "Secret" not in kinds
    for props in (backend, frontend):
        assert ("replicas" in manifests.get("Deployment", props.name)["spec"]) is (props.autoscaling is None)
    expected_budgets = sum(p.pod_disruption_budget and p.min_replicas >= 2 for p in (backend, frontend))
    assert kinds.count("PodDisruptionBudget") == expected_budgets
    assert kinds.count("NetworkPolicy") == 2 * sum(p.network_policy is not None for p in (backend, frontend))


_NAMESPACES: dict[int, str] = {}


def _namespace(cluster: Cluster) -> str:
    """One restricted namespace for all examples: a dry run persists nothing in it."""
    if id(cluster) not in _NAMESPACES:
        _NAMESPACES[id(cluster)] = cluster.namespace("props")
    return _NAMESPACES[id(cluster)]


@pytest.mark.slow
@settings(max_examples=3, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backend=backend_props, frontend=frontend_props)
def test_a_few_accepted_combinations_pass_checkov(
    backend: TodoBackendProps, frontend: TodoFrontendProps
) -> None:
    manifests = synth_stack(backend=backend, frontend=frontend)
    with tempfile.TemporaryDirectory() as tmp:
        write_manifests(Path(tmp) / "stack" / "stack.yaml", manifests.objects)
        try:
            report = run_checkov_per_target(Path(tmp))
        except CheckovMissing as error:
            pytest.fail(str(error), pytrace=False)

    assert report.passed
    assert report.failed == []


# --- rejected values -------------------------------------------------------------------

# (field, strategy of values it refuses): each example breaks exactly that field.
BAD_WORKLOAD_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    "name": st.from_regex(r"\A([A-Z][a-z]*|[0-9][a-z]*|[a-z]+_[a-z]+|[a-z]+-)\Z"),
    "replicas": st.integers(max_value=-1) | st.booleans() | st.floats(allow_nan=False),
    "image": st.sampled_from(["", "Todo", "todo:1.0", "todo//x", "-todo"]),
    "image_tag": st.from_regex(r"\A([.-][a-z0-9]*|[a-z]+ [a-z]+|[a-z]*[/:@][a-z]*)\Z"),
    "image_pull_policy": st.text(max_size=10).filter(
        lambda value: value not in ("Always", "IfNotPresent", "Never")
    ),
    "port": st.integers(max_value=0) | st.integers(min_value=65536),
    "service_type": st.sampled_from(["External", "clusterip", ""]),
    "ingress_paths": st.just(()) | st.just((IngressPath(path="api"),)),
    "extra_config": st.dictionaries(st.from_regex(r"\A[0-9-][A-Z]*\Z"), st.just("x"), min_size=1, max_size=2),
    "app_version": st.sampled_from(["", "-1", "1.0 beta", "x" * 64]),
    "run_as_user": st.integers(max_value=0) | st.booleans(),
    "run_as_group": st.integers(max_value=0),
    "network_policy": st.sampled_from([True, "on", NetworkPolicy(ingress_controller_namespace="Bad_NS")]),
    "autoscaling": st.sampled_from(
        [True, 3, Autoscaling(min_replicas=0), Autoscaling(min_replicas=4, max_replicas=3)]
    ),
    "pod_disruption_budget": st.sampled_from([1, "yes", None]),
    "spread_pods": st.sampled_from([0, "no", None]),
    "zero_downtime_rollout": st.sampled_from(
        [
            True,
            ZeroDowntimeRollout(pre_stop_seconds=0),
            ZeroDowntimeRollout(termination_grace_period_seconds=0),
        ]
    ),
}
BAD_BACKEND_FIELDS: dict[str, st.SearchStrategy[Any]] = {
    **BAD_WORKLOAD_FIELDS,
    "secret_name": st.sampled_from(["", "Todo", "todo_secrets"]),
    "jwt_algorithm": st.sampled_from(["none", "RS256", "hs256"]),
    "jwt_expire_days": st.integers(max_value=0),
    "cors_origins": st.just(()) | st.just(("todo.local",)) | st.just(("http://todo.local/path",)),
}


@REJECTIONS
@given(data=st.data())
def test_every_props_object_with_a_bad_field_raises_value_error_naming_it(data: st.DataObject) -> None:
    props_class = data.draw(st.sampled_from([TodoBackendProps, TodoFrontendProps]))
    table = BAD_BACKEND_FIELDS if props_class is TodoBackendProps else BAD_WORKLOAD_FIELDS
    field = data.draw(st.sampled_from(sorted(table)))
    value = data.draw(table[field])

    with pytest.raises(ValueError) as error:
        props_class(**{field: value})

    assert str(error.value).startswith(f"{props_class.__name__}.{field}"), str(error.value)


@settings(max_examples=50, deadline=None)
@given(host=st.from_regex(r"\A([A-Z][a-z]*|[a-z]+_[a-z]+|-[a-z]+|[a-z]+\.)\Z"))
def test_a_bad_ingress_host_raises_value_error_naming_it(host: str) -> None:
    with pytest.raises(ValueError, match=r"^TodoIngressProps\.host: got "):
        TodoIngressProps(host=host)


# --- near the rules' edges, judged by the API server ----------------------------------

# Labels at the edges of a host's rules: 63 and 64 characters, '-' at either end, capitals,
# '_', the wildcard, and IPv4 octets with leading zeros (ParseIPSloppy reads them as an IP).
_EDGE_LABELS = st.sampled_from(
    [
        "a",
        "z9",
        "a-b",
        "-a",
        "a-",
        "A",
        "a_b",
        "*",
        "**",
        "0",
        "010",
        "255",
        "256",
        "0300",
        "a" * 63,
        "a" * 64,
    ]
)
_edge_hosts = st.one_of(
    st.lists(_EDGE_LABELS, min_size=1, max_size=5).map(".".join),
    # About 253 characters, where the length limit lies.
    st.tuples(st.integers(min_value=250, max_value=256), st.lists(_EDGE_LABELS, max_size=2)).map(
        lambda drawn: _padded(drawn[0], drawn[1])
    ),
)


def _padded(length: int, labels: list[str]) -> str:
    head = ".".join(labels)
    filler = ".".join(["b" * 63] * 4)
    host = (head + "." if head else "") + filler
    return host[:length].rstrip(".") if len(host) > length else host


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(host="*.todo.example.com")
@example(host="010.0.0.1")
@example(host="*.010.0.0.1")
@given(host=_edge_hosts)
def test_an_ingress_host_near_the_rules_edges_is_accepted_exactly_when_the_api_server_accepts_it(
    host: str, cluster: Cluster
) -> None:
    try:
        TodoIngressProps(host=host)
        ours = True
    except ValueError as error:
        assert str(error).startswith("TodoIngressProps.host: got "), error
        ours = False
    ingress = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {"name": "edge"},
        "spec": {
            "rules": [
                {
                    "host": host,
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": "todo", "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ]
        },
    }
    served = cluster.kubectl(
        "create",
        "--dry-run=server",
        "-n",
        _namespace(cluster),
        "-f",
        "-",
        stdin=json.dumps(ingress),
        check=False,
    )
    assert ours == (served.returncode == 0), f"{host!r}: ours {ours}, the API server's {served.stderr}"
