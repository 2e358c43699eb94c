"""Plumbing shared by the backend and the frontend: props, labels and the hardened workload.

A :class:`Workload` is one ConfigMap, one Deployment and one ClusterIP Service
with stable names, Helm's recommended labels, selectors of name + instance
only, a config checksum on the pod template and a pod that meets the Pod
Security Standards "restricted" profile.
"""

from __future__ import annotations

import enum
import functools
import re
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal, TypedDict

import cdk8s
import cdk8s_plus_27 as kplus
from cdk8s_plus_27 import k8s
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib._signature import init_signature
from constructs_lib.autoscaling import Autoscaling, add_autoscaler
from constructs_lib.checksum import CONFIG_CHECKSUM_ANNOTATION, config_checksum
from constructs_lib.disruption import MIN_REPLICAS_FOR_BUDGET, add_disruption_budget
from constructs_lib.env import ConfigMapKeyRef, EnvRef, SecretKeyRef
from constructs_lib.network_policy import NO_ACCESS, NetworkAccess, NetworkPolicy, add_network_policies
from constructs_lib.pod_settings import (
    Toleration,
    check_annotations_with_library,
    check_metadata_map,
    pod_spec_patches,
)
from constructs_lib.policy_exceptions import object_exceptions, skip_annotations, workload_exceptions
from constructs_lib.rollout import ZeroDowntimeRollout
from constructs_lib.scheduling import (
    MIN_REPLICAS_TO_SPREAD,
    anti_affinity,
    check_affinity,
    frozen_json,
    topology_spread,
)
from constructs_lib.service_account import ServiceAccount, add_service_account
from constructs_lib.volume import Volume, VolumeMount, check_volumes

PART_OF = "todo"
# The spec's names of the stack's two workloads: the defaults of each one's
# props name, and of the name of the peer the other one's NetworkPolicy admits or calls.
BACKEND_NAME = "todo-backend"
FRONTEND_NAME = "todo-frontend"
# Their app.kubernetes.io/component labels, which tell them apart under one instance label.
BACKEND_COMPONENT = "backend"
FRONTEND_COMPONENT = "frontend"
_CPU_SPELLING = re.compile(check.CPU)
_MEMORY_SPELLING = re.compile(check.MEMORY)
_SPELLING_HINT = {
    "cpu": "must be millicores ('250m') or whole cores ('2')",
    "memory": "must use a binary suffix (Ki, Mi, Gi, Ti, Pi), e.g. '256Mi'",
}
MANAGED_BY = "cdk8s"


class PullPolicy(enum.StrEnum):
    """When the kubelet pulls the image."""

    ALWAYS = "Always"
    IF_NOT_PRESENT = "IfNotPresent"
    # Minikube runs images built into its own store; there is no registry to pull from.
    NEVER = "Never"


class ServiceType(enum.StrEnum):
    """How the Service is reachable."""

    CLUSTER_IP = "ClusterIP"
    NODE_PORT = "NodePort"
    LOAD_BALANCER = "LoadBalancer"


# The enums' values, which the props take as well, typed: image_pull_policy="IfNotPresent".
PullPolicyName = Literal["Always", "IfNotPresent", "Never"]
ServiceTypeName = Literal["ClusterIP", "NodePort", "LoadBalancer"]


@dataclass(frozen=True, kw_only=True)
class Resources:
    """CPU and memory requests and limits, as canonical Kubernetes quantities.

    Attributes:
        cpu_request: CPU the scheduler reserves, e.g. ``"250m"``.
        memory_request: memory the scheduler reserves, e.g. ``"256Mi"``.
        cpu_limit: CPU the container is throttled at, e.g. ``"500m"``; ``None``:
            no limit, so the pods may use idle CPU beyond their request (the
            request still reserves their share).
        memory_limit: memory above which the container is OOM-killed, e.g. ``"512Mi"``.
        ephemeral_storage_request: node disk the scheduler reserves for the
            container's writable paths and logs, e.g. ``"1Gi"``; ``None``
            (default): none reserved.
        ephemeral_storage_limit: node disk above which the pod is evicted,
            e.g. ``"2Gi"``; ``None`` (default): the emptyDir size limits only.
    """

    cpu_request: str
    memory_request: str
    cpu_limit: str | None
    memory_limit: str
    ephemeral_storage_request: str | None = None
    ephemeral_storage_limit: str | None = None

    def validate(self, owner: str) -> None:
        for kind, spelling in (("cpu", _CPU_SPELLING), ("memory", _MEMORY_SPELLING)):
            request_field, limit_field = f"{kind}_request", f"{kind}_limit"
            request, limit = getattr(self, request_field), getattr(self, limit_field)
            given = {request_field: request, limit_field: limit}
            if limit is None and kind == "cpu":
                del given[limit_field]
            amounts = {name: check.parse_quantity(owner, name, value) for name, value in given.items()}
            for name, value in given.items():
                if not spelling.fullmatch(value):
                    raise check.fail(owner, name, value, _SPELLING_HINT[kind])
            if limit_field in amounts and amounts[limit_field] < amounts[request_field]:
                raise check.fail(
                    owner, limit_field, limit, f"must not be below {request_field} ({request!r})"
                )
        storage = {
            name: value
            for name in ("ephemeral_storage_request", "ephemeral_storage_limit")
            if (value := getattr(self, name)) is not None
        }
        for name, value in storage.items():
            check.parse_quantity(owner, name, value)
            if not _MEMORY_SPELLING.fullmatch(value):
                raise check.fail(owner, name, value, _SPELLING_HINT["memory"])
        if len(storage) == 2 and check.parse_quantity(
            owner, "ephemeral_storage_limit", self.ephemeral_storage_limit
        ) < check.parse_quantity(owner, "ephemeral_storage_request", self.ephemeral_storage_request):
            raise check.fail(
                owner,
                "ephemeral_storage_limit",
                self.ephemeral_storage_limit,
                f"must not be below ephemeral_storage_request ({self.ephemeral_storage_request!r})",
            )


@dataclass(frozen=True, kw_only=True)
class Probe:
    """A liveness or readiness probe against the container's port.

    Attributes:
        period_seconds: how often the kubelet probes, e.g. ``30``.
        timeout_seconds: how long one probe may take; ``None`` leaves the API
            default (1 s). Must stay below ``period_seconds``.
        http_path: the path of an HTTP GET probe, e.g. ``"/health"``; ``None``
            makes it a TCP connect probe.
        failure_threshold: failures in a row that count (a restart for
            liveness and startup, out of the Service for readiness); ``None``
            leaves the API default (3).
        initial_delay_seconds: how long after the container starts the first
            probe waits; ``None`` leaves the API default (0). A startup probe
            bounds a slow start better: it stops as soon as the app answers.
    """

    period_seconds: int
    timeout_seconds: int | None = None
    http_path: str | None = None
    failure_threshold: int | None = None
    initial_delay_seconds: int | None = None

    # The value the API server uses when timeoutSeconds is left out.
    API_DEFAULT_TIMEOUT_SECONDS: ClassVar[int] = 1

    def validate(self, owner: str) -> None:
        check.check_int(owner, "period_seconds", self.period_seconds, minimum=1)
        if self.timeout_seconds is not None:
            check.check_int(owner, "timeout_seconds", self.timeout_seconds, minimum=1)
        timeout = self.timeout_seconds or self.API_DEFAULT_TIMEOUT_SECONDS
        if timeout >= self.period_seconds:
            raise check.fail(
                owner,
                "timeout_seconds",
                timeout,
                f"must be below period_seconds ({self.period_seconds})",
            )
        if self.http_path is not None:
            check.check_http_path(owner, "http_path", self.http_path)
        if self.failure_threshold is not None:
            check.check_int(owner, "failure_threshold", self.failure_threshold, minimum=1)
        if self.initial_delay_seconds is not None:
            check.check_int(owner, "initial_delay_seconds", self.initial_delay_seconds, minimum=0)

    def to_kplus(self, port: int) -> kplus.Probe:
        return _kplus_probe(self, port)


@dataclass(frozen=True, kw_only=True)
class IngressPath:
    """One HTTP path an Ingress routes to a workload.

    Attributes:
        path: the path, starting with ``/``, e.g. ``"/api"``.
        exact: ``True`` for pathType ``Exact``; ``False`` (default) for ``Prefix``,
            which matches whole path segments (``/api`` matches ``/api/tasks``
            but not ``/apiary``).
    """

    path: str
    exact: bool = False

    def validate(self, owner: str) -> None:
        check.check_ingress_path(owner, "path", self.path)
        check.check_bool(owner, "exact", self.exact)

    @property
    def match_key(self) -> str:
        """What the path matches, for finding a path routed twice: a Prefix path's trailing
        ``/`` changes nothing (``/api/`` matches what ``/api`` does)."""
        return self.path if self.exact else (self.path.rstrip("/") or "/")


@dataclass(frozen=True, kw_only=True)
class WorkloadProps:
    """Props every Todo workload has. Subclasses set the spec's defaults.

    Attributes:
        name: name of the Deployment, Service and Ingress, and the
            ``app.kubernetes.io/name``/``instance`` labels; the ConfigMap is
            ``<name>-config``.
        replicas: number of pods; ``0`` scales the workload down.
        image: image repository without tag, e.g. ``"todo-backend"``.
        image_tag: image tag, e.g. ``"latest"`` or ``"1.0.3"``.
        image_digest: the image's digest, e.g. ``"sha256:<64 hex digits>"``, to
            pin one build: the container's image is then
            ``<image>:<image_tag>@<image_digest>``, which runtimes pull by
            digest; ``None`` (default): by tag.
        image_pull_policy: when the kubelet pulls the image; ``None`` (default):
            ``Never`` for a local image (a name without '/', such as the spec's
            ``todo-backend``, which Minikube builds on the node) and
            ``IfNotPresent`` for an image from a registry. A registry image
            with ``Never``, a registry image at ``latest`` without a digest, and
            ``IfNotPresent`` with ``latest`` are refused: each runs a build the
            manifests do not name, or none.
        port: the port the container listens on and the Service exposes.
        service_type: how the Service is reachable.
        resources: CPU and memory requests and limits.
        liveness: the probe that restarts a stuck container.
        readiness: the probe that takes a pod out of the Service until it answers.
        startup: a probe that holds liveness and readiness off until it first
            succeeds, for a slow start, e.g. ``Probe(http_path="/health",
            period_seconds=5, failure_threshold=30)`` (up to 150 s);
            ``None`` (default): none.
        ingress_paths: the paths the Ingress routes to this workload.
        extra_config: more non-secret environment variables for the ConfigMap,
            e.g. ``{"LOG_LEVEL": "info"}``; names a typed prop sets, or the app's
            image owns (``OWNED_CONFIG``: ``HOSTNAME``, ``GUNICORN_CMD_ARGS``, ...),
            are refused.
        extra_env: more environment variables read from other objects' keys,
            e.g. ``{"SMTP_PASSWORD": SecretKeyRef(secret="smtp", key="password")}``
            or ``ConfigMapKeyRef(config_map=..., key=...)``; the names follow
            ``extra_config``'s rules and may not be among its keys.
        extra_env_config_map: a ConfigMap whose every key becomes an
            environment variable (``envFrom``), e.g. ``"todo-settings"``;
            ``None`` (default): none. Its keys live in the cluster and are
            not checked here: the library's own ConfigMap comes after it, so
            the settings the library writes win, and names the image owns
            (``OWNED_CONFIG``) belong nowhere in it.
        extra_env_secret: the same from a Secret, e.g. ``"todo-api-keys"``;
            ``None`` (default): none.
        extra_volumes: more volumes of the pod, e.g.
            ``(Volume(name="ca-bundle", config_map="corporate-ca"),)``; each
            must be mounted by ``extra_volume_mounts``, and named apart from the
            library's own (``WRITABLE_PATHS``).
        extra_volume_mounts: where the container sees them, e.g.
            ``(VolumeMount(volume="ca-bundle", path="/etc/ssl/corporate"),)``;
            read-only unless ``read_only=False``, each path once.
        affinity: the pod's affinity, as Kubernetes writes it, e.g.
            ``{"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution":
            {"nodeSelectorTerms": [{"matchExpressions": [{"key": "pool",
            "operator": "In", "values": ["web"]}]}]}}}``; it replaces
            ``spread_pods``'s anti-affinity (the zone spread stays). ``None``
            (default): none, or ``spread_pods``'s.
        app_version: the app's version (the charts' appVersion): the
            ``app.kubernetes.io/version`` label when ``image_tag`` is ``latest``
            or cannot be a label value; otherwise the label is the tag.
        run_as_user: numeric UID the container runs as (the image's user).
        run_as_group: numeric GID the container runs as (the image's group).
        network_policy: ``NetworkPolicy(...)`` to deny the pods all traffic but
            what the app needs (ingress controller in, the stack's own calls,
            DNS and the backend's database and HTTPS out); ``None`` (default):
            no NetworkPolicies.
        autoscaling: ``Autoscaling(min_replicas=2, max_replicas=5,
            target_cpu_utilization=80)`` for a HorizontalPodAutoscaler, which
            then owns the replica count (``replicas`` is not written); ``None``
            (default): ``replicas`` pods.
        pod_disruption_budget: ``True`` for a PodDisruptionBudget that lets node
            drains evict one pod at a time; emitted only from two pods on
            (``replicas``, or ``autoscaling.min_replicas``).
        spread_pods: ``True`` to prefer spreading the pods over nodes (soft
            anti-affinity) and zones (topology spread); applied only from two pods on.
        zero_downtime_rollout: ``ZeroDowntimeRollout(pre_stop_seconds=5,
            termination_grace_period_seconds=45)`` for rollouts with
            ``maxUnavailable: 0``, a preStop pause and a grace period longer
            than the app's shutdown; ``None`` (default): the API's rollout defaults.
        image_pull_secrets: Secrets the kubelet pulls the image with, e.g.
            ``("registry-credentials",)``.
        pod_labels: more labels on the pods, e.g. ``{"team": "web"}``; never in selectors.
        pod_annotations: annotations on the pods, e.g. ``{"prometheus.io/scrape": "true"}``.
        service_annotations: annotations on the Service, e.g. for a cloud load balancer.
        node_selector: node labels the pods must run on, e.g. ``{"kubernetes.io/arch": "amd64"}``.
        tolerations: ``Toleration(...)`` each, letting the pods onto tainted nodes.
        priority_class_name: the PriorityClass of the pods, e.g. ``"high"``;
            ``None`` (default): the cluster's default.
        service_account: ``ServiceAccount(annotations=...)`` to run the pods as
            their own ServiceAccount, for a cloud's workload identity; ``None``
            (default): the namespace's ``default``. The API token is never mounted.
        checkov_annotations: ``True`` (default) writes a ``checkov.io/skipN``
            annotation, with its reason, for each Checkov check an object does
            not meet; ``False`` writes none, for teams that do not run Checkov.
    """

    name: str
    replicas: int = 1
    image: str
    image_tag: str = "latest"
    image_digest: str | None = None
    image_pull_policy: PullPolicy | PullPolicyName | None = None
    port: int
    service_type: ServiceType | ServiceTypeName = ServiceType.CLUSTER_IP
    resources: Resources
    liveness: Probe
    readiness: Probe
    startup: Probe | None = None
    ingress_paths: tuple[IngressPath, ...]
    extra_config: Mapping[str, str] = field(default_factory=dict)
    extra_env: Mapping[str, SecretKeyRef | ConfigMapKeyRef] = field(default_factory=dict)
    extra_env_config_map: str | None = None
    extra_env_secret: str | None = None
    extra_volumes: tuple[Volume, ...] = ()
    extra_volume_mounts: tuple[VolumeMount, ...] = ()
    app_version: str = "1.0.0"
    run_as_user: int = 1001
    run_as_group: int = 1001
    network_policy: NetworkPolicy | None = None
    autoscaling: Autoscaling | None = None
    pod_disruption_budget: bool = False
    spread_pods: bool = False
    zero_downtime_rollout: ZeroDowntimeRollout | None = None
    image_pull_secrets: tuple[str, ...] = ()
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    service_annotations: Mapping[str, str] = field(default_factory=dict)
    node_selector: Mapping[str, str] = field(default_factory=dict)
    tolerations: tuple[Toleration, ...] = ()
    affinity: Mapping[str, Any] | None = None
    priority_class_name: str | None = None
    service_account: ServiceAccount | None = None
    checkov_annotations: bool = True

    # How long the app takes to stop gracefully after SIGTERM, in seconds.
    SHUTDOWN_SECONDS: ClassVar[int] = 0
    # Environment names the library owns (not a prop), each with why: extra_config may not set them.
    OWNED_CONFIG: ClassVar[Mapping[str, str]] = types.MappingProxyType({})
    # Mount path -> emptyDir size limit, for what the app writes: the root filesystem is read-only.
    WRITABLE_PATHS: ClassVar[Mapping[str, str]] = types.MappingProxyType({})
    # Annotations for ingress-nginx the app needs on its own Ingress (IngressClass "nginx"),
    # unless the Ingress's annotations set them.
    INGRESS_NGINX_ANNOTATIONS: ClassVar[Mapping[str, str]] = types.MappingProxyType({})

    def __post_init__(self) -> None:
        owner = self._owner
        if not isinstance(self.extra_config, Mapping):
            raise check.fail(
                owner, "extra_config", self.extra_config, "must be a mapping of names to strings"
            )
        if isinstance(self.ingress_paths, str | bytes) or not isinstance(self.ingress_paths, tuple | list):
            raise check.fail(
                owner,
                "ingress_paths",
                self.ingress_paths,
                "must be a tuple of IngressPath(path=..., exact=...)",
            )
        for index, path in enumerate(self.ingress_paths):
            if not isinstance(path, IngressPath):
                raise check.fail(
                    owner, f"ingress_paths[{index}]", path, "must be an IngressPath(path=..., exact=...)"
                )
        # A frozen read-only view, so props stay immutable after validation.
        object.__setattr__(self, "extra_config", types.MappingProxyType(dict(self.extra_config)))
        object.__setattr__(self, "ingress_paths", tuple(self.ingress_paths))
        for name in ("extra_env", "pod_labels", "pod_annotations", "service_annotations", "node_selector"):
            value = getattr(self, name)
            if not isinstance(value, Mapping):
                raise check.fail(owner, name, value, "must be a mapping of keys to strings")
            object.__setattr__(self, name, types.MappingProxyType(dict(value)))
        for name in ("image_pull_secrets", "tolerations", "extra_volumes", "extra_volume_mounts"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, tuple | list):
                raise check.fail(owner, name, value, "must be a tuple")
            object.__setattr__(self, name, tuple(value))
        if self.affinity is not None:
            # A copy the caller cannot change behind the props' back.
            object.__setattr__(
                self, "affinity", types.MappingProxyType(frozen_json(owner, "affinity", self.affinity))
            )
        if self.image_pull_policy is not None:
            self._coerce_enum("image_pull_policy", PullPolicy)
        self._coerce_enum("service_type", ServiceType)
        self.validate()
        check.check_config_map_size(self._owner, "extra_config", self.config_data())

    def _coerce_enum(self, field_name: str, enum_type: type[enum.Enum]) -> None:
        """Accept the enum or its string value ("Never"); reject anything else."""
        value = getattr(self, field_name)
        try:
            object.__setattr__(self, field_name, enum_type(value))
        except ValueError:
            allowed = tuple(str(member.value) for member in enum_type)
            check.check_choice(self._owner, field_name, value, allowed)

    @property
    def _owner(self) -> str:
        return type(self).__name__

    def validate(self) -> None:
        """Raise ``ValueError`` naming the first field whose value is not allowed."""
        owner = self._owner
        check.check_dns_label(owner, "name", self.name)
        check.check_int(owner, "replicas", self.replicas, minimum=0)
        check.check_image_repository(owner, "image", self.image)
        check.check_image_tag(owner, "image_tag", self.image_tag)
        if self.image_digest is not None:
            check.check_image_digest(owner, "image_digest", self.image_digest)
        self._check_image_source()
        check.check_port(owner, "port", self.port)
        check.check_instance(owner, "resources", self.resources, Resources)
        self.resources.validate(f"{owner}.resources")
        for name in ("liveness", "readiness"):
            check.check_instance(owner, name, getattr(self, name), Probe)
            getattr(self, name).validate(f"{owner}.{name}")
        self._check_option("startup", Probe, lambda probe: probe.validate(f"{owner}.startup"))
        if not self.ingress_paths:
            raise check.fail(owner, "ingress_paths", self.ingress_paths, "must list at least one path")
        for index, path in enumerate(self.ingress_paths):
            path.validate(f"{owner}.ingress_paths[{index}]")
        check.check_env_map(
            owner, "extra_config", self.extra_config, reserved=self.reserved_config(), owned=self.OWNED_CONFIG
        )
        for key, ref in self.extra_env.items():
            check.check_env_name(
                owner, "extra_env", key, reserved=self.reserved_config(), owned=self.OWNED_CONFIG
            )
            if key in self.extra_config:
                raise check.fail(owner, "extra_env", key, "is in extra_config too; set it in one of them")
            if not isinstance(ref, SecretKeyRef | ConfigMapKeyRef):
                raise check.fail(
                    owner, f"extra_env[{key!r}]", ref, "must be a SecretKeyRef(...) or a ConfigMapKeyRef(...)"
                )
            ref.validate(f"{owner}.extra_env[{key!r}]")
        for name in ("extra_env_config_map", "extra_env_secret"):
            if (value := getattr(self, name)) is not None:
                check.check_dns_subdomain(owner, name, value)
        check_volumes(
            owner,
            self.extra_volumes,
            self.extra_volume_mounts,
            library_paths={path: volume_name(path) for path in self.WRITABLE_PATHS},
        )
        routed: set[str] = set()
        for route in self.ingress_paths:
            if route.match_key in routed:
                raise check.fail(owner, "ingress_paths", route.path, check.ROUTE_ONCE)
            routed.add(route.match_key)
        check.check_label_value(owner, "app_version", self.app_version)
        if self.app_version == "":
            raise check.fail(
                owner, "app_version", self.app_version, "must name the app's version, e.g. '1.4.2'"
            )
        check.check_int(owner, "run_as_user", self.run_as_user, minimum=1)
        check.check_int(owner, "run_as_group", self.run_as_group, minimum=1)
        self._check_option(
            "network_policy", NetworkPolicy, lambda option: option.validate(f"{owner}.network_policy")
        )
        self._check_option("autoscaling", Autoscaling, lambda option: option.validate(f"{owner}.autoscaling"))
        check.check_bool(owner, "pod_disruption_budget", self.pod_disruption_budget)
        check.check_bool(owner, "spread_pods", self.spread_pods)
        check.check_bool(owner, "checkov_annotations", self.checkov_annotations)
        self._check_option(
            "zero_downtime_rollout",
            ZeroDowntimeRollout,
            lambda option: option.validate(
                f"{owner}.zero_downtime_rollout", shutdown_seconds=self.SHUTDOWN_SECONDS
            ),
        )
        for index, secret in enumerate(self.image_pull_secrets):
            check.check_dns_subdomain(owner, f"image_pull_secrets[{index}]", secret)
        check_metadata_map(owner, "pod_labels", self.pod_labels, labels=True)
        check_metadata_map(owner, "node_selector", self.node_selector, labels=True)
        check_metadata_map(owner, "pod_annotations", self.pod_annotations, labels=False)
        # The pod template carries the config checksum too: a SHA-256 in hex.
        check_annotations_with_library(
            owner, "pod_annotations", self.pod_annotations, {CONFIG_CHECKSUM_ANNOTATION: "0" * 64}
        )
        check_metadata_map(owner, "service_annotations", self.service_annotations, labels=False)
        for index, toleration in enumerate(self.tolerations):
            check.check_instance(owner, f"tolerations[{index}]", toleration, Toleration)
            toleration.validate(f"{owner}.tolerations[{index}]")
        if self.affinity is not None:
            check_affinity(owner, "affinity", self.affinity)
        if self.priority_class_name is not None:
            check.check_dns_subdomain(owner, "priority_class_name", self.priority_class_name)
        self._check_option(
            "service_account", ServiceAccount, lambda option: option.validate(f"{owner}.service_account")
        )

    def _check_image_source(self) -> None:
        """The pull policy and tag fit where the image comes from: the node (Minikube) or a registry."""
        owner = self._owner
        floating = self.image_tag == "latest" and self.image_digest is None
        if not check.is_local_image(self.image):
            if self.image_pull_policy is PullPolicy.NEVER:
                raise check.fail(owner, "image_pull_policy", "Never", check.NEVER_NEEDS_LOCAL_IMAGE)
            if floating:
                raise check.fail(owner, "image_tag", self.image_tag, check.REGISTRY_IMAGE_PINNED)
        if floating and self.image_pull_policy is PullPolicy.IF_NOT_PRESENT:
            raise check.fail(owner, "image_pull_policy", "IfNotPresent", check.LATEST_NOT_KEPT)

    @property
    def pull_policy(self) -> PullPolicy:
        """The Deployment's pull policy: ``image_pull_policy``, else the one for where the image comes from."""
        if self.image_pull_policy is not None:
            return PullPolicy(self.image_pull_policy)
        return PullPolicy.NEVER if check.is_local_image(self.image) else PullPolicy.IF_NOT_PRESENT

    def _check_option(self, field_name: str, option_type: type, validate: Any) -> None:
        """An option is off (``None``) or an instance of its props class, valid in itself."""
        value = getattr(self, field_name)
        if value is None:
            return
        if not isinstance(value, option_type):
            raise check.fail(self._owner, field_name, value, f"must be None or a {option_type.__name__}(...)")
        validate(value)

    @property
    def min_replicas(self) -> int:
        """The fewest pods the workload runs: the autoscaler's floor, else ``replicas``."""
        return self.autoscaling.min_replicas if self.autoscaling else self.replicas

    def reserved_config(self) -> Mapping[str, str]:
        """Environment names a typed prop owns, mapped to that prop's name."""
        return {}

    def config_data(self) -> dict[str, str]:
        """The ConfigMap's data: what the typed props set, then ``extra_config``."""
        return dict(self.extra_config)


class WorkloadSettings(TypedDict, total=False):
    """Props both workloads take, typed, to give them once: ``TodoBackendProps(**shared)``, ``TodoFrontendProps(**shared)``.

    Each key is the :class:`WorkloadProps` field of that name, with its type
    and meaning. The spec's defaults differ per workload for the rest (name,
    image, port, resources, probes, paths), so those are not here.

    Example:
        ``shared: WorkloadSettings = {"image_tag": "1.4.2", "spread_pods": True}``
    """

    replicas: int
    image_tag: str
    image_digest: str | None
    image_pull_policy: PullPolicy | PullPolicyName | None
    app_version: str
    run_as_user: int
    run_as_group: int
    network_policy: NetworkPolicy | None
    autoscaling: Autoscaling | None
    pod_disruption_budget: bool
    spread_pods: bool
    zero_downtime_rollout: ZeroDowntimeRollout | None
    image_pull_secrets: tuple[str, ...]
    pod_labels: Mapping[str, str]
    pod_annotations: Mapping[str, str]
    service_annotations: Mapping[str, str]
    node_selector: Mapping[str, str]
    tolerations: tuple[Toleration, ...]
    priority_class_name: str | None
    service_account: ServiceAccount | None
    checkov_annotations: bool


def version_label(props: WorkloadProps) -> str:
    """The version the pods run: the image tag, unless it is ``latest`` or no label value (then ``app_version``)."""
    tag = props.image_tag
    if tag != "latest" and re.fullmatch(check.LABEL_VALUE, tag):
        return tag
    return props.app_version


def recommended_labels(props: WorkloadProps, component: str) -> dict[str, str]:
    """Helm's recommended labels, the same set the charts emit."""
    return {
        **selector_labels(props),
        "app.kubernetes.io/version": version_label(props),
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": PART_OF,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def selector_labels(props: WorkloadProps) -> dict[str, str]:
    """Name + instance only: selectors are immutable, so nothing that may change goes in."""
    return selector_labels_of(props.name)


def selector_labels_of(name: str) -> dict[str, str]:
    """The selector labels of the workload named ``name``, e.g. a peer in its stack."""
    return {"app.kubernetes.io/name": name, "app.kubernetes.io/instance": name}


@init_signature
class Workload(Construct):
    """ConfigMap + hardened Deployment + ClusterIP Service for one Todo component.

    Attributes:
        config_map: the ConfigMap the container reads with ``envFrom``.
        deployment: the Deployment.
        container: the Deployment's only container.
        service: the Service in front of the pods.
        props: the validated props it was built from.
        component: its ``app.kubernetes.io/component`` label.
        service_name: the Service's name, for Ingresses and clients.
        port: the Service's port.
        config_checksum: the pod-template annotation value; changes when the config does.
        namespace_annotations: the Checkov exception every object without a
            namespace carries; other objects of this workload (its Ingress) reuse it.
        name: the name of its objects (``props.name``), which its routes take too.
        labels: its recommended labels, which its routes carry too.
        route_paths: the paths its routes send to it (``props.ingress_paths``).
        route_annotations: the annotations its routes carry.
        ingress_nginx_annotations: what its own Ingress tells ingress-nginx
            (``props.INGRESS_NGINX_ANNOTATIONS``).
        default_deny_policy: the NetworkPolicy that denies its pods all
            traffic, with ``network_policy``; else ``None``.
        network_policy: the NetworkPolicy that allows what the app needs, with
            ``network_policy``; else ``None``.
        autoscaler: the HorizontalPodAutoscaler, with ``autoscaling``; else ``None``.
        disruption_budget: the PodDisruptionBudget, when ``pod_disruption_budget``
            is on and two pods or more run; else ``None``.
        service_account: the ServiceAccount, with ``service_account`` and its
            ``create``; else ``None``.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: WorkloadProps,
        component: str,
        secret_env: Mapping[str, tuple[str, str]] = types.MappingProxyType({}),
        network_access: NetworkAccess = NO_ACCESS,
    ) -> None:
        """Build the objects.

        Args:
            props: validated workload props.
            component: the ``app.kubernetes.io/component`` label, e.g. ``"backend"``.
            secret_env: environment variable -> (Secret name, key), read with ``secretKeyRef``.
            network_access: which workloads of the stack (by name) call this one and which
                it calls, and the ports it connects to anywhere, for ``network_policy``.
        """
        super().__init__(scope, id)
        self.props: WorkloadProps = props
        self.component: str = component
        labels = recommended_labels(props, component)
        data = props.config_data()
        self.config_checksum: str = config_checksum(data)
        self.name: str = props.name
        self.service_name: str = props.name
        self.port: int = props.port
        self.labels: Mapping[str, str] = types.MappingProxyType(labels)
        self.route_paths: tuple[IngressPath, ...] = props.ingress_paths

        # Checkov exceptions (policy_exceptions.py) each object needs, as it is emitted.
        # A chart with a namespace writes it into every object: no exception needed.
        namespaced = bool(cdk8s.Chart.of(self).namespace)
        annotate = props.checkov_annotations
        self.namespace_annotations: Mapping[str, str] = (
            skip_annotations(object_exceptions(namespaced=namespaced)) if annotate else {}
        )
        self.route_annotations: Mapping[str, str] = self.namespace_annotations
        self.ingress_nginx_annotations: Mapping[str, str] = props.INGRESS_NGINX_ANNOTATIONS
        self.config_map: kplus.ConfigMap = kplus.ConfigMap(
            self,
            "config",
            metadata=cdk8s.ApiObjectMetadata(
                name=f"{props.name}-config", labels=labels, annotations=self.namespace_annotations
            ),
            data=data,
        )
        # cdk8s-plus writes `immutable: false`, which the server keeps but the
        # charts (and most tools) leave out; absent means mutable all the same.
        cdk8s.ApiObject.of(self.config_map).add_json_patch(_remove_patch("/immutable"))
        deployment_annotations = (
            skip_annotations(
                workload_exceptions(
                    namespaced=namespaced,
                    image_tag=props.image_tag,
                    image_digested=props.image_digest is not None,
                    pull_policy=str(props.pull_policy),
                    run_as_user=props.run_as_user,
                    cpu_limited=props.resources.cpu_limit is not None,
                    reads_secret_env=bool(secret_env),
                    reads_extra_secret_env=props.extra_env_secret is not None
                    or any(isinstance(ref, SecretKeyRef) for ref in props.extra_env.values()),
                    network_policy=props.network_policy is not None,
                )
            )
            if annotate
            else {}
        )
        # Before the Deployment: a pod naming a ServiceAccount that does not exist yet is refused.
        self.service_account: k8s.KubeServiceAccount | None = None
        if props.service_account is not None and props.service_account.create:
            self.service_account = add_service_account(
                self,
                name=props.service_account.name_for(props.name),
                labels=labels,
                annotations={**self.namespace_annotations, **props.service_account.annotations},
            )
        self.deployment: kplus.Deployment = self._deployment(props, labels, deployment_annotations)
        self.container: kplus.Container = self._container(props, secret_env)
        self._patch_deployment(props)
        self.service: kplus.Service = self._service(props, labels)
        self._add_options(props, labels, network_access)

    def _add_options(self, props: WorkloadProps, labels: Mapping[str, str], access: NetworkAccess) -> None:
        name, selector, annotations = props.name, selector_labels(props), self.namespace_annotations
        self.default_deny_policy: k8s.KubeNetworkPolicy | None = None
        self.network_policy: k8s.KubeNetworkPolicy | None = None
        self.autoscaler: k8s.KubeHorizontalPodAutoscalerV2 | None = None
        self.disruption_budget: k8s.KubePodDisruptionBudget | None = None
        if props.network_policy is not None:
            self.default_deny_policy, self.network_policy = add_network_policies(
                self,
                policy=props.network_policy,
                access=access,
                name=name,
                labels=labels,
                selector=selector,
                annotations=annotations,
            )
        if props.autoscaling is not None:
            self.autoscaler = add_autoscaler(
                self, autoscaling=props.autoscaling, name=name, labels=labels, annotations=annotations
            )
        if props.pod_disruption_budget and props.min_replicas >= MIN_REPLICAS_FOR_BUDGET:
            self.disruption_budget = add_disruption_budget(
                self, name=name, labels=labels, selector=selector, annotations=annotations
            )

    def _deployment(
        self, props: WorkloadProps, labels: Mapping[str, str], annotations: Mapping[str, str]
    ) -> kplus.Deployment:
        deployment = kplus.Deployment(
            self,
            "deployment",
            metadata=cdk8s.ApiObjectMetadata(
                name=props.name, labels=dict(labels), annotations=dict(annotations)
            ),
            pod_metadata=cdk8s.ApiObjectMetadata(
                labels={**props.pod_labels, **labels},
                annotations={**props.pod_annotations, CONFIG_CHECKSUM_ANNOTATION: self.config_checksum},
            ),
            replicas=props.replicas,
            select=False,
            automount_service_account_token=False,
            **_service_account(self, props),
            **_rollout(props.zero_downtime_rollout),
            security_context=kplus.PodSecurityContextProps(
                ensure_non_root=True,
                user=props.run_as_user,
                group=props.run_as_group,
                fs_group=props.run_as_group,
                fs_group_change_policy=kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
            ),
        )
        deployment.select(kplus.LabelSelector.of(labels=selector_labels(props)))

        return deployment

    def _patch_deployment(self, props: WorkloadProps) -> None:
        """What cdk8s-plus cannot express, as JSON patches (see :func:`_pod_patches`)."""
        patches = [
            *_pod_patches(),
            _resources_patch(props.resources),
            *pod_spec_patches(
                image_pull_secrets=props.image_pull_secrets,
                node_selector=props.node_selector,
                tolerations=props.tolerations,
                priority_class_name=props.priority_class_name,
            ),
        ]
        if props.autoscaling is not None:
            # The autoscaler owns the replica count; writing one would fight it on every sync.
            patches.append(_remove_patch("/spec/replicas"))
        patches += _extra_volume_patches(props)
        if props.affinity is not None:
            patches.append(cdk8s.JsonPatch.add("/spec/template/spec/affinity", dict(props.affinity)))
        if props.spread_pods and props.min_replicas >= MIN_REPLICAS_TO_SPREAD:
            # cdk8s-plus's scheduling API writes required (hard) terms; these are soft.
            selector = selector_labels(props)
            if props.affinity is None:
                patches.append(cdk8s.JsonPatch.add("/spec/template/spec/affinity", anti_affinity(selector)))
            patches.append(
                cdk8s.JsonPatch.add(
                    "/spec/template/spec/topologySpreadConstraints", topology_spread(selector)
                )
            )
        # One call for all patches: each call into jsii is a round trip to Node.
        cdk8s.ApiObject.of(self.deployment).add_json_patch(*patches)

    def _container(
        self,
        props: WorkloadProps,
        secret_env: Mapping[str, tuple[str, str]],
    ) -> kplus.Container:
        secrets = {
            name: kplus.Secret.from_secret_name(self, f"secret-{name}", name)
            for name in dict.fromkeys(secret_name for secret_name, _ in secret_env.values())
        }
        volume_mounts = [
            kplus.VolumeMount(
                path=path,
                volume=kplus.Volume.from_empty_dir(
                    self, f"writable-{index}", volume_name(path), size_limit=_size(size_limit)
                ),
            )
            for index, (path, size_limit) in enumerate(props.WRITABLE_PATHS.items())
        ]
        # `ports` rather than `port_number`: the latter adds an implicit TCP startup probe.
        container = self.deployment.add_container(
            name=props.name,
            image=image_reference(props),
            image_pull_policy=kplus.ImagePullPolicy[props.pull_policy.name],
            ports=[kplus.ContainerPort(number=props.port, name="http", protocol=kplus.Protocol.TCP)],
            liveness=props.liveness.to_kplus(props.port),
            readiness=props.readiness.to_kplus(props.port),
            startup=None if props.startup is None else props.startup.to_kplus(props.port),
            **_pre_stop(props.zero_downtime_rollout),
            # Empty, not omitted: omitted means cdk8s-plus's 1 CPU/512Mi defaults.
            # The quantities are written by the patch below.
            resources=kplus.ContainerResources(),
            security_context=kplus.ContainerSecurityContextProps(
                ensure_non_root=True,
                user=props.run_as_user,
                group=props.run_as_group,
                privileged=False,
                allow_privilege_escalation=False,
                read_only_root_filesystem=True,
            ),
            env_variables={
                **{
                    env_name: kplus.EnvValue.from_secret_value(
                        kplus.SecretValue(secret=secrets[secret_name], key=key)
                    )
                    for env_name, (secret_name, key) in secret_env.items()
                },
                **{env_name: _env_value(self, env_name, ref) for env_name, ref in props.extra_env.items()},
            },
            # The library's ConfigMap last: of keys in several sources, the last one's wins.
            env_from=[*_extra_env_from(self, props), kplus.Env.from_config_map(self.config_map)],
            volume_mounts=volume_mounts,
        )
        return container

    def _service(self, props: WorkloadProps, labels: Mapping[str, str]) -> kplus.Service:
        service = kplus.Service(
            self,
            "service",
            metadata=cdk8s.ApiObjectMetadata(
                name=props.name,
                labels=dict(labels),
                annotations={**props.service_annotations, **self.namespace_annotations},
            ),
            type=kplus.ServiceType[ServiceType(props.service_type).name],
            ports=[
                kplus.ServicePort(
                    name="http", port=props.port, target_port=props.port, protocol=kplus.Protocol.TCP
                )
            ],
        )
        for key, value in selector_labels(props).items():
            service.select_label(key, value)
        # An empty list the API server drops: Argo CD would see a diff forever.
        cdk8s.ApiObject.of(service).add_json_patch(_remove_patch("/spec/externalIPs"))
        return service


def _rollout(rollout: ZeroDowntimeRollout | None) -> dict[str, Any]:
    """Deployment props of a zero-downtime rollout: none when it is off (the API defaults)."""
    if rollout is None:
        return {}
    return {
        "strategy": kplus.DeploymentStrategy.rolling_update(
            max_surge=kplus.PercentOrAbsolute.percent(25), max_unavailable=kplus.PercentOrAbsolute.absolute(0)
        ),
        "termination_grace_period": cdk8s.Duration.seconds(rollout.termination_grace_period_seconds),
    }


def _pre_stop(rollout: ZeroDowntimeRollout | None) -> dict[str, Any]:
    """Container props of a zero-downtime rollout: the preStop pause."""
    if rollout is None:
        return {}
    return {
        "lifecycle": kplus.ContainerLifecycle(pre_stop=kplus.Handler.from_command(rollout.pre_stop_command()))
    }


def image_reference(props: WorkloadProps) -> str:
    """The container's image: ``<image>:<image_tag>``, and ``@<image_digest>`` when pinned."""
    digest = f"@{props.image_digest}" if props.image_digest is not None else ""
    return f"{props.image}:{props.image_tag}{digest}"


def volume_name(path: str) -> str:
    """``/app/.next/cache`` -> ``app-next-cache``: a DNS label derived from the mount path."""
    words = [part.strip(".") for part in path.strip("/").split("/")]
    return "-".join(word for word in words if word) or "root"


# Probes, sizes and patches are immutable values; building each once per
# process saves round trips to jsii's Node process, which dominate synth time.
@functools.cache
def _pod_patches() -> tuple[cdk8s.JsonPatch, ...]:
    return (
        # cdk8s-plus labels every pod with its construct path; it is not ours to
        # select on and would differ from the charts' pods.
        _remove_patch("/spec/template/metadata/labels/cdk8s.io~1metadata.addr"),
        # Zero values the API server drops on write (omitempty), so they would
        # never read back from the live object as written.
        _remove_patch("/spec/minReadySeconds"),
        _remove_patch("/spec/template/spec/hostNetwork"),
        # False by default, and kept by the server when written: the charts leave it out.
        _remove_patch("/spec/template/spec/setHostnameAsFqdn"),
        # cdk8s-plus-27 has no prop for the seccomp profile "restricted" requires.
        cdk8s.JsonPatch.add("/spec/template/spec/securityContext/seccompProfile", {"type": "RuntimeDefault"}),
        # Its Capability enum has no ALL, which "restricted" requires dropping.
        cdk8s.JsonPatch.add(
            "/spec/template/spec/containers/0/securityContext/capabilities", {"drop": ["ALL"]}
        ),
    )


def _service_account(scope: Construct, props: WorkloadProps) -> dict[str, Any]:
    """The Deployment's service_account argument: the pods' own, when the props name one."""
    if props.service_account is None:
        return {}
    name = props.service_account.name_for(props.name)
    return {"service_account": kplus.ServiceAccount.from_service_account_name(scope, "pod-identity", name)}


def _extra_volume_patches(props: WorkloadProps) -> list[cdk8s.JsonPatch]:
    """``extra_volumes`` and their mounts, after the library's own, in the order given."""
    patches = []
    for path, items in (
        ("/spec/template/spec/volumes", [_typed_volume(volume.to_json()) for volume in props.extra_volumes]),
        (
            "/spec/template/spec/containers/0/volumeMounts",
            [mount.to_json() for mount in props.extra_volume_mounts],
        ),
    ):
        if not items:
            continue
        # The library's writable paths make both lists; without them, the patch makes them.
        if props.WRITABLE_PATHS:
            patches += [cdk8s.JsonPatch.add(f"{path}/-", item) for item in items]
        else:
            patches.append(cdk8s.JsonPatch.add(path, items))
    return patches


def _typed_volume(volume: dict[str, Any]) -> dict[str, Any]:
    """A volume as the Deployment's typed props hold it: a size limit is a Quantity, not a string.

    Patches on a cdk8s-plus object run before its props are converted to JSON, and the
    conversion drops a quantity written as a plain string.
    """
    if "emptyDir" in volume:
        return {
            **volume,
            "emptyDir": {"sizeLimit": k8s.Quantity.from_string(volume["emptyDir"]["sizeLimit"])},
        }
    return volume


def _env_value(scope: Construct, env_name: str, ref: EnvRef) -> kplus.EnvValue:
    """An ``extra_env`` variable read from a Secret's or a ConfigMap's key; ``optional`` only when set."""
    optional = {"optional": True} if ref.optional else {}
    if isinstance(ref, SecretKeyRef):
        secret = kplus.Secret.from_secret_name(scope, f"env-secret-{env_name}", ref.secret)
        return kplus.EnvValue.from_secret_value(kplus.SecretValue(secret=secret, key=ref.key), **optional)
    config_map = kplus.ConfigMap.from_config_map_name(scope, f"env-config-{env_name}", ref.config_map)
    return kplus.EnvValue.from_config_map(config_map, ref.key, **optional)


def _extra_env_from(scope: Construct, props: WorkloadProps) -> list[kplus.EnvFrom]:
    """``extra_env_config_map`` and ``extra_env_secret`` as envFrom sources, in that order."""
    sources = []
    if props.extra_env_config_map is not None:
        config_map = kplus.ConfigMap.from_config_map_name(
            scope, "env-from-config", props.extra_env_config_map
        )
        sources.append(kplus.Env.from_config_map(config_map))
    if props.extra_env_secret is not None:
        secret = kplus.Secret.from_secret_name(scope, "env-from-secret", props.extra_env_secret)
        sources.append(kplus.Env.from_secret(secret))
    return sources


@functools.cache
def _remove_patch(path: str) -> cdk8s.JsonPatch:
    return cdk8s.JsonPatch.remove(path)


@functools.cache
def _resources_patch(resources: Resources) -> cdk8s.JsonPatch:
    """The container's resources as validated.

    cdk8s-plus writes memory in Mi (1Gi becomes 1024Mi), which the API server
    rewrites; this keeps the canonical spelling. The patch runs before the
    typed k8s rendering, hence Quantity values.
    """
    quantity = k8s.Quantity.from_string

    def given(**quantities: str | None) -> dict[str, k8s.Quantity]:
        return {
            name.replace("_", "-"): quantity(value) for name, value in quantities.items() if value is not None
        }

    return cdk8s.JsonPatch.add(
        "/spec/template/spec/containers/0/resources",
        {
            "requests": given(
                cpu=resources.cpu_request,
                memory=resources.memory_request,
                ephemeral_storage=resources.ephemeral_storage_request,
            ),
            "limits": given(
                cpu=resources.cpu_limit,
                memory=resources.memory_limit,
                ephemeral_storage=resources.ephemeral_storage_limit,
            ),
        },
    )


@functools.cache
def _kplus_probe(probe: Probe, port: int) -> kplus.Probe:
    timing: dict[str, Any] = {"period_seconds": cdk8s.Duration.seconds(probe.period_seconds)}
    if probe.timeout_seconds is not None:
        timing["timeout_seconds"] = cdk8s.Duration.seconds(probe.timeout_seconds)
    if probe.failure_threshold is not None:
        timing["failure_threshold"] = probe.failure_threshold
    if probe.initial_delay_seconds is not None:
        timing["initial_delay_seconds"] = cdk8s.Duration.seconds(probe.initial_delay_seconds)
    if probe.http_path is None:
        return kplus.Probe.from_tcp_socket(port=port, **timing)
    return kplus.Probe.from_http_get(probe.http_path, port=port, **timing)


@functools.cache
def _size(quantity: str) -> cdk8s.Size:
    """An emptyDir size limit in Mi, the unit cdk8s-plus writes sizes in."""
    if not quantity.endswith("Mi"):
        raise ValueError(f"emptyDir size limit {quantity!r} must be given in Mi")
    return cdk8s.Size.mebibytes(int(quantity[:-2]))
