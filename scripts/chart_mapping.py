"""The Helm packaging of the props: which chart value carries which prop, and how.

:data:`VALUES` declares every value of the ``todo-backend`` and
``todo-frontend`` charts, in the order ``values.yaml`` lists them. A value
that mirrors a prop names it (``prop``, a field path in the props class of its
``owner``) and says how the props become the value (``to_value``); its
default and its ``# --`` comment then come from the props class (its field
defaults and its docstring's ``Attributes:`` section). Values with no props
counterpart (``secret.create``, ``fullnameOverride``) carry their own default
and comment. Every value carries its JSON Schema, built
(:mod:`scripts.chart_schema`) from the patterns and limits of
``constructs_lib._validation`` that the props checks use.

From this table ``scripts/chart_values.py`` (``make docs``) writes each chart's
``values.yaml`` and ``values.schema.json``, the tests turn props into Helm
values (:func:`chart_values`), and the README shows the props-to-values table
(:func:`prop_rows`). A prop of type ``bool`` or a string enum needs no entry
here: it becomes a value of the camel-cased name, top-level for a workload's
props, under ``ingress.``/``httpRoute.`` for the routes' (:func:`with_implicit_values`).

:data:`TEMPLATE_RULES` lists the rules JSON Schema cannot state (they relate
two values, or need arithmetic); each chart's templates ``fail`` on them with
the message the constructs raise.
"""

from __future__ import annotations

import dataclasses
import enum
import inspect
import re
import types
import typing
from collections.abc import Callable, Collection, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from constructs_lib import _validation as check
from constructs_lib.autoscaling import STABILIZATION_WINDOW_MAX, TARGET_CPU_UTILIZATION_MAX
from constructs_lib.backend import (
    IMAGE_PORT,
    JWT_ALGORITHMS,
    JWT_EXPIRE_DAYS_MAX,
    SECRET_KEYS,
    TodoBackendProps,
)
from constructs_lib.external_secret import StoreKind
from constructs_lib.frontend import TodoFrontendProps
from constructs_lib.http_route import TodoHttpRouteProps
from constructs_lib.ingress import TodoIngressProps
from constructs_lib.network_policy import NetworkPolicy
from constructs_lib.pod_settings import (
    RESERVED_KEY_PREFIXES,
)
from constructs_lib.workload import PullPolicy, ServiceType, WorkloadProps, volume_name
from scripts.chart_schema import (
    BOOLEAN,
    DEFINITIONS,
    FREE_TEXT,
    LABEL_KEY,
    PATH_RULE,
    RESERVED_PREFIXES,
    SECCOMP_PROFILE,
    Schema,
    anchored,
    integer,
    one_of,
    optional_pattern,
    ref,
)

__all__ = [
    "CHARTS",
    "CHART_OWNER",
    "NOT_VALUES",
    "OMIT",
    "PROPS_CLASSES",
    "TEMPLATE_RULES",
    "UNSET",
    "VALUES",
    "Chart",
    "ChartValue",
    "DocumentedValue",
    "Owner",
    "PropRow",
    "TemplateRule",
    "ValueGroup",
    "as_json",
    "attribute_docs",
    "chart_entries",
    "chart_values",
    "documented_values",
    "markdown_table",
    "prop_rows",
    "values_schema",
    "values_tree",
    "with_implicit_values",
]

Chart = Literal["todo-backend", "todo-frontend"]
CHARTS: tuple[Chart, ...] = ("todo-backend", "todo-frontend")
# Whose props a value reads: the chart's own workload's ("workload": TodoBackendProps
# in todo-backend, TodoFrontendProps in todo-frontend), one workload's, or the routes'.
Owner = Literal["workload", "backend", "frontend", "ingress", "http_route"]
PROPS_CLASSES: Mapping[Owner, type] = types.MappingProxyType(
    {
        "workload": WorkloadProps,
        "backend": TodoBackendProps,
        "frontend": TodoFrontendProps,
        "ingress": TodoIngressProps,
        "http_route": TodoHttpRouteProps,
    }
)
CHART_OWNER: Mapping[Chart, Owner] = types.MappingProxyType(
    {"todo-backend": "backend", "todo-frontend": "frontend"}
)


class _Marker(enum.Enum):
    OMIT = "omit"
    UNSET = "unset"


# A to_value result: the props leave this value at the chart's default (an option that is off).
OMIT: Final = _Marker.OMIT
# A ChartValue's default: none of its own (a prop's default, or no line in values.yaml).
UNSET: Final = _Marker.UNSET


def _charts_of(owner: Owner, charts: tuple[Chart, ...]) -> tuple[Chart, ...]:
    if charts:
        return charts
    return tuple(
        chart for chart in CHARTS if owner not in ("backend", "frontend") or CHART_OWNER[chart] == owner
    )


@dataclass(frozen=True, kw_only=True)
class ChartValue:
    """One chart value, the prop it mirrors (if any) and its schema.

    Attributes:
        path: the dotted value path, e.g. ``"image.pullPolicy"``.
        schema: its JSON Schema.
        prop: the field path in the owner's props, e.g. ``"resources.cpu_request"``;
            ``None``: a chart-only value.
        owner: whose props ``prop`` is in.
        to_value: the owner's props -> the value, or :data:`OMIT`; ``None``: the
            prop's value as JSON (an enum's value, a list, a dict), omitted when
            the path passes an option that is ``None``.
        reads: other top-level fields ``to_value`` reads, e.g. a probe's port.
        doc: the ``# --`` comment of a chart-only value, else text added after the prop's.
        chart_docs: text added to the comment in one chart only.
        parts: comments of the keys inside a map value, by dotted sub-path.
        default: the ``values.yaml`` default, when it is not the props' default;
            chart-only values without one are in the schema only.
        chart_defaults: a default per chart, for a chart-only value that differs.
        charts: the charts that have the value; empty: the owner's (both for
            the shared props, the one workload's for its own).
        required: whether the schema requires the key.
        note: how the value relates to the prop, for the README's table.
    """

    path: str
    schema: Schema
    prop: str | None = None
    owner: Owner = "workload"
    to_value: Callable[[Any], Any] | None = None
    reads: tuple[str, ...] = ()
    doc: str = ""
    chart_docs: Mapping[Chart, str] = field(default_factory=dict)
    parts: Mapping[str, str] = field(default_factory=dict)
    default: Any = UNSET
    chart_defaults: Mapping[Chart, Any] = field(default_factory=dict)
    charts: tuple[Chart, ...] = ()
    required: bool = True
    note: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "charts", _charts_of(self.owner, self.charts))


@dataclass(frozen=True, kw_only=True)
class ValueGroup:
    """A map of values (``image``, ``resources.requests``), with its comment and schema.

    Attributes:
        path: the dotted path of the map.
        doc: its ``# --`` comment; empty: none (helm-docs lists only its leaves).
        prop: the prop whose docstring text starts the comment, if any.
        owner: whose props ``prop`` is in.
        closed: whether the schema refuses keys not declared in :data:`VALUES`.
        description: the schema's description of the map.
        charts: the charts that have the map; empty: as :class:`ChartValue`'s.
        required: whether the schema requires the key.
    """

    path: str
    doc: str = ""
    prop: str | None = None
    owner: Owner = "workload"
    closed: bool = True
    description: str = ""
    charts: tuple[Chart, ...] = ()
    required: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "charts", _charts_of(self.owner, self.charts))


@dataclass(frozen=True, kw_only=True)
class TemplateRule:
    """A rule JSON Schema cannot state (it relates two values, or needs arithmetic).

    The charts' templates ``fail`` on it with ``<value path>: got <value>;
    <what is allowed>``, as the props checks raise ``<Props>.<field>: got
    <value>; <what is allowed>``; the two "what is allowed" texts are the same
    once ``names`` turns the chart's spellings into the props'.

    Attributes:
        id: a short name.
        rule: what is refused, in words.
        values: the value paths it applies to (``[]`` for each list item).
        props: the props fields it mirrors, ``Class.field``; empty: the charts' own rule.
        names: the chart's spellings in its message -> the props' spellings.
        charts: the charts whose templates check it.
    """

    id: str
    rule: str
    values: tuple[str, ...]
    props: tuple[str, ...] = ()
    names: Mapping[str, str] = field(default_factory=dict)
    charts: tuple[Chart, ...] = CHARTS


# --- Props docstrings and field types ---------------------------------------------------

_SECTION = re.compile(r"^Attributes\b.*:$")
_ATTRIBUTE = re.compile(r"^ {4}(\w+): (.*)$")


def attribute_docs(cls: type) -> dict[str, str]:
    """``name: text`` of the ``Attributes:`` sections of ``cls`` and its bases (subclasses win)."""
    found: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        lines = inspect.cleandoc(klass.__dict__.get("__doc__") or "").splitlines()
        current, in_section = None, False
        for line in lines:
            if _SECTION.match(line):
                in_section, current = True, None
                continue
            match = _ATTRIBUTE.match(line) if in_section else None
            if match:
                current = match[1]
                found[current] = match[2].strip()
            elif in_section and current and line.startswith(" " * 8) and line.strip():
                found[current] += " " + line.strip()
            elif in_section and line and not line.startswith(" "):
                in_section, current = False, None
    return {name: text.replace("``", "`") for name, text in found.items()}


def _field_class(cls: type, name: str) -> type | None:
    """The dataclass a field holds (``X`` of ``X | None``), if any."""
    hint = typing.get_type_hints(cls)[name]
    candidates = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    for candidate in candidates:
        if isinstance(candidate, type) and dataclasses.is_dataclass(candidate):
            return candidate
    return None


def _owner_class(owner: Owner, chart: Chart) -> type:
    return PROPS_CLASSES[CHART_OWNER[chart] if owner == "workload" else owner]


def prop_doc(cls: type, path: str) -> str:
    """The docstring text of the field at ``path`` (e.g. ``"resources.cpu_request"``) of ``cls``."""
    *parents, name = path.split(".")
    for parent in parents:
        nested = _field_class(cls, parent)
        if nested is None:
            raise TypeError(f"{cls.__name__}.{parent} is not a props class")
        cls = nested
    docs = attribute_docs(cls)
    if name not in docs:
        raise ValueError(f"{cls.__name__}'s docstring has no Attributes entry for {name}")
    return docs[name]


# --- Converters: props -> values ---------------------------------------------------------


def _probe(probe_field: str) -> Callable[[Any], Any]:
    def to_value(props: Any) -> Any:
        # The whole probe, with null for the handler and settings it does not use,
        # because Helm merges a probe given in values into the default one.
        probe, port = getattr(props, probe_field), props.port
        if probe is None:
            return OMIT
        http = {"path": probe.http_path, "port": port} if probe.http_path is not None else None
        return {
            "httpGet": http,
            "tcpSocket": None if http else {"port": port},
            "periodSeconds": probe.period_seconds,
            "timeoutSeconds": probe.timeout_seconds,
            "failureThreshold": probe.failure_threshold,
            "initialDelaySeconds": probe.initial_delay_seconds,
        }

    return to_value


def _controller_labels(props: Any) -> Any:
    if props.network_policy is None:
        return OMIT
    # Helm merges maps into the defaults: null removes a default label the props leave out.
    default_labels = NetworkPolicy().ingress_controller_pod_labels
    return {**dict.fromkeys(default_labels), **props.network_policy.ingress_controller_pod_labels}


def _peers(field_name: str) -> Callable[[Any], Any]:
    def to_value(props: Any) -> Any:
        if props.network_policy is None:
            return OMIT
        return [peer.to_value() for peer in getattr(props.network_policy, field_name)]

    return to_value


def _remote_key(key: str) -> Callable[[Any], Any]:
    return lambda props: OMIT if props.secret_source is None else props.secret_source.remote_keys[key]


def _writable_paths(workload: type[TodoBackendProps] | type[TodoFrontendProps]) -> list[dict[str, str]]:
    return [
        {"name": volume_name(path), "mountPath": path, "sizeLimit": size}
        for path, size in workload.WRITABLE_PATHS.items()
    ]


def _is_set(option: str) -> Callable[[Any], bool]:
    return lambda props: getattr(props, option) is not None


def _given(path: str) -> Callable[[Any], Any]:
    """The prop at ``path``, or :data:`OMIT` (the key left out) when it, or an option on the way, is ``None``."""

    def to_value(props: Any) -> Any:
        value = _read(props, path.split("."))
        return OMIT if value is None else value

    return to_value


def _or_empty(path: str) -> Callable[[Any], Any]:
    return lambda props: _read(props, path.split("."), none_is_empty=True)


# A registry as the image reference grammar recognises one before the first '/': a host with
# a '.' or a port, or localhost (a bare word would be read as a Docker Hub name).
REGISTRY: Schema = {
    "type": "string",
    "pattern": r"^((localhost|\[[0-9a-fA-F:]+\]|[a-zA-Z0-9-]+(\.[a-zA-Z0-9-]+)+)(:[0-9]{1,5})?|[a-zA-Z0-9-]+:[0-9]{1,5})?$",
}
_PORT_DOC = "Must be service.port (or http, its name): the port the app listens on."
_PROBE_PARTS = {
    "httpGet.path": "The path the kubelet GETs, e.g. `/health`; any status from 200 to 399 passes.",
    "httpGet.port": _PORT_DOC,
    "tcpSocket.port": _PORT_DOC,
    "periodSeconds": "How often the kubelet probes, in seconds.",
    "timeoutSeconds": "How long one probe may take, in seconds; below periodSeconds. Absent: the API's 1.",
    "failureThreshold": "Failures in a row before the kubelet acts. Absent: the API's 3.",
    "initialDelaySeconds": "Seconds after the start before the first probe. Absent: the API's 0.",
}
_RESERVED_KEYS_NOTE = f"keys the library writes ({', '.join(RESERVED_KEY_PREFIXES)}) are refused"

# One Ingress path as both ingress.paths and the frontend chart's ingress.backend.paths hold it.
_INGRESS_PATH: Schema = {
    "type": "object",
    "additionalProperties": False,
    "required": ["path", "pathType"],
    "properties": {
        "path": ref("ingressPath"),
        "pathType": {"type": "string", "enum": ["Prefix", "Exact", "ImplementationSpecific"]},
    },
}


def _ingress_paths(props: Any) -> list[dict[str, str]]:
    return [
        {"path": route.path, "pathType": "Exact" if route.exact else "Prefix"}
        for route in props.ingress_paths
    ]


# --- The values, in values.yaml order ----------------------------------------------------

_DECLARED: tuple[ChartValue | ValueGroup, ...] = (
    ChartValue(
        path="nameOverride",
        schema=optional_pattern(check.DNS_LABEL, description="Empty (the chart name) or a DNS label."),
        prop="name",
        to_value=lambda props: props.name,
        default="",
        doc="Replaces the chart's name in the object names (`<release>-<nameOverride>` unless the release name contains it) and in the `app.kubernetes.io/name` label. Empty: the chart's name.",
        note="and install with the release name equal to it",
    ),
    ChartValue(
        path="fullnameOverride",
        schema=optional_pattern(check.DNS_LABEL),
        doc="Overrides the object names outright (Deployment, Service, Ingress; the ConfigMap is "
        "`<fullname>-config`). Empty: the release name when it contains the chart's name (or "
        "nameOverride), else `<release>-<name>`.",
        default="",
    ),
    ChartValue(
        path="commonLabels",
        doc="More labels on every object and on the pods, e.g. `{team: web}`; never in selectors "
        "(TodoApp's labels). Keys under "
        f"{RESERVED_PREFIXES} are refused; podLabels win on the pods.",
        schema=ref("labelMap"),
        default={},
    ),
    ChartValue(
        path="commonAnnotations",
        doc="More annotations on every object, not the pods (podAnnotations), e.g. "
        "`{owner: team-web@example.com}` (TodoApp's annotations); an object's own annotation of the "
        "same key wins. Each object's annotations, the chart's and these, total at most 256 KiB.",
        schema=ref("annotationMap"),
        default={},
    ),
    ChartValue(
        path="replicaCount",
        doc="How many pods run; `0` scales the workload down. Ignored with autoscaling.enabled.",
        schema=integer(0),
        prop="replicas",
    ),
    ValueGroup(
        path="global", closed=False, description="Values the charts of one release share (Helm's global)."
    ),
    ChartValue(
        path="global.imageRegistry",
        schema=REGISTRY,
        doc="The registry every image of the release is pulled from, e.g. `registry.example.com:5000`; "
        "it wins over image.registry (Bitnami's convention). Empty: image.registry.",
        default="",
    ),
    ValueGroup(path="image"),
    ChartValue(
        path="image.registry",
        schema=REGISTRY,
        doc="The registry host (and port) put before image.repository, e.g. `registry.example.com`; "
        "a registry image is pulled IfNotPresent and needs a release tag or a digest. Empty: the "
        "repository as written.",
        default="",
    ),
    ChartValue(
        path="image.repository",
        doc="The image without tag or digest, e.g. `registry.example.com/todo/backend`. A name without `/` is a local image (Minikube builds it on the node).",
        schema=ref("imageRepository"),
        prop="image",
    ),
    ChartValue(
        path="image.tag",
        schema=ref("imageTag"),
        prop="image_tag",
        doc="The image tag, e.g. `1.4.2`. Pass number-like tags with `--set-string` (1.10 is not 1.1). `latest` from a registry needs image.digest.",
    ),
    ChartValue(
        path="image.digest",
        schema=optional_pattern(
            check.IMAGE_DIGEST,
            description="Empty, or an image digest: sha256, sha384 or sha512, ':', and the hash in lowercase hex.",
        ),
        prop="image_digest",
        to_value=_or_empty("image_digest"),
        doc="Pins one build, e.g. `sha256:<64 hex digits>`: the image becomes `repository:tag@digest`, pulled by digest. Empty: pulled by tag.",
        note="None -> empty",
    ),
    ChartValue(
        path="image.pullPolicy",
        schema=one_of(("", *(str(policy) for policy in PullPolicy))),
        prop="image_pull_policy",
        to_value=_or_empty("image_pull_policy"),
        doc="When the kubelet pulls the image. Empty: `Never` for a local image, `IfNotPresent` for one from a registry. Refused: `Never` with a registry image, and `IfNotPresent` with `latest` and no digest.",
        note="None -> empty",
    ),
    ValueGroup(path="service"),
    ChartValue(
        path="service.type",
        doc="How the Service is reachable.",
        schema=one_of(ServiceType),
        prop="service_type",
    ),
    ChartValue(
        path="service.annotations",
        schema=ref("annotationMap"),
        prop="service_annotations",
        doc="Annotations on the Service, e.g. for a cloud load balancer. Keys under "
        f"{RESERVED_PREFIXES} are the chart's and refused.",
        note="as pod_annotations",
    ),
    ChartValue(
        path="service.port",
        doc="The port the container listens on and the Service exposes.",
        schema=ref("port"),
        prop="port",
        chart_docs={
            "todo-backend": "Only 8000: the image's CMD binds gunicorn to 0.0.0.0:8000, so the chart "
            "refuses any other port.",
            "todo-frontend": "The ConfigMap's PORT follows it. Set the probes' tcpSocket.port to it as "
            "well: the chart refuses probes on any other port.",
        },
        note="the probes' httpGet/tcpSocket port follows it",
    ),
    ValueGroup(
        path="resources",
        prop="resources",
        doc="CPU and memory requests and limits, spelled as the API server writes them back (`500m`, `1`, `256Mi`, `1Gi`; never `1000m` or `1024Mi`) so GitOps tools see no drift; limits are at least the requests.",
    ),
    # Open: the container's resources are passed as given, so other resources may be added.
    ValueGroup(path="resources.requests", closed=False),
    ChartValue(
        path="resources.requests.cpu",
        doc="CPU the scheduler reserves, e.g. `250m`.",
        schema=ref("cpu"),
        prop="resources.cpu_request",
        note="cpu_request, memory_request, cpu_limit, memory_limit in that order",
    ),
    ChartValue(
        path="resources.requests.memory",
        doc="Memory the scheduler reserves, e.g. `256Mi`.",
        schema=ref("memory"),
        prop="resources.memory_request",
    ),
    ChartValue(
        path="resources.requests.ephemeral-storage",
        schema=ref("memory"),
        prop="resources.ephemeral_storage_request",
        to_value=_given("resources.ephemeral_storage_request"),
        doc="Node disk reserved for the writable paths and logs, e.g. `1Gi`. Absent: none reserved.",
        required=False,
        note="None -> absent",
    ),
    ValueGroup(path="resources.limits", closed=False),
    ChartValue(
        path="resources.limits.cpu",
        schema={"anyOf": [{"type": "null"}, ref("cpu")]},
        prop="resources.cpu_limit",
        doc="CPU the container is throttled at, e.g. `500m`. `null`: no CPU limit, so the pods may use idle CPU beyond their request.",
        required=False,
        note="None -> null",
    ),
    ChartValue(
        path="resources.limits.ephemeral-storage",
        schema=ref("memory"),
        prop="resources.ephemeral_storage_limit",
        to_value=_given("resources.ephemeral_storage_limit"),
        doc="Node disk above which the pod is evicted, e.g. `2Gi`. Absent: the emptyDir size limits only.",
        required=False,
        note="None -> absent",
    ),
    ChartValue(
        path="resources.limits.memory",
        doc="Memory above which the container is OOM-killed, e.g. `512Mi`.",
        schema=ref("memory"),
        prop="resources.memory_limit",
    ),
    ChartValue(
        path="livenessProbe",
        schema=ref("probe"),
        prop="liveness",
        to_value=_probe("liveness"),
        reads=("port",),
        doc="The probe that restarts a stuck container. Any handler works (httpGet, tcpSocket, exec, grpc); to replace the default one, set it to null as well, e.g. `--set livenessProbe.httpGet=null`.",
        parts=_PROBE_PARTS,
        note="http_path -> httpGet.path (else tcpSocket), period_seconds, timeout_seconds",
    ),
    ChartValue(
        path="readinessProbe",
        schema=ref("probe"),
        prop="readiness",
        to_value=_probe("readiness"),
        reads=("port",),
        doc="The probe that takes a pod out of the Service until it answers. As livenessProbe.",
        parts=_PROBE_PARTS,
        note="as liveness",
    ),
    ChartValue(
        path="startupProbe",
        schema={"anyOf": [{"type": "null"}, {"type": "object", "maxProperties": 0}, ref("probe")]},
        prop="startup",
        to_value=_probe("startup"),
        reads=("port",),
        doc="A probe that holds liveness and readiness off until it first succeeds, for a slow start. "
        "Empty (default): none. Otherwise as livenessProbe, e.g. `{httpGet: {path: /health, port: http}, "
        "periodSeconds: 5, failureThreshold: 30}` (up to 150 s).",
        default={},
        required=False,
        note="None -> empty; as liveness",
    ),
    ChartValue(
        path="secretName",
        doc="The Secret holding `DATABASE_URL`, `BETTER_AUTH_SECRET` and `OPENAI_API_KEY`: created with `kubectl create secret generic`, by secret.create, or by externalSecret.",
        schema=ref("dnsSubdomain"),
        prop="secret_name",
        owner="backend",
    ),
    ValueGroup(path="secret", charts=("todo-backend",)),
    ChartValue(
        path="secret.create",
        schema=BOOLEAN,
        doc="Render the Secret secretName from secret.values. Off: the Secret is created outside Helm "
        "and never stored in a release.",
        default=False,
        charts=("todo-backend",),
    ),
    ChartValue(
        path="secret.values",
        schema={
            "type": "object",
            "additionalProperties": False,
            "properties": {key: {"type": "string", "minLength": 1} for key in SECRET_KEYS},
            "description": "Plain-text Secret values; control characters are refused by the template, "
            "which does not print them.",
        },
        doc="The Secret's plain-text values, used only with create=true. Never write them in a file: "
        'pass each on the command line, e.g. `--set-string secret.values.DATABASE_URL="$DATABASE_URL"`.',
        default={},
        charts=("todo-backend",),
        required=False,
    ),
    ValueGroup(path="externalSecret", charts=("todo-backend",)),
    ChartValue(
        path="externalSecret.enabled",
        schema=BOOLEAN,
        prop="secret_source",
        owner="backend",
        to_value=_is_set("secret_source"),
        doc="Render an ExternalSecret (external-secrets.io/v1; the operator must be installed) that writes secretName from a secret store, synced a wave (-1) before the Deployment. Not with secret.create.",
        note="None -> enabled: false; the chart writes the data in the Secret's key order",
    ),
    ChartValue(
        path="externalSecret.storeName",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="The store's name, a lowercase DNS subdomain; the template requires it with enabled.",
        ),
        prop="secret_source.store_name",
        owner="backend",
        default="",
        doc="The SecretStore or ClusterSecretStore to read from, e.g. `vault`. Required with enabled.",
    ),
    ChartValue(
        path="externalSecret.storeKind",
        doc="The kind of the store.",
        schema=one_of(StoreKind),
        prop="secret_source.store_kind",
        owner="backend",
    ),
    ValueGroup(
        path="externalSecret.remoteKeys",
        doc="The store's key for each key of the Secret; all three are required with enabled, e.g. `DATABASE_URL: todo/prod/database-url`.",
        prop="secret_source.remote_keys",
        owner="backend",
        charts=("todo-backend",),
        description="The store's key for each Secret key; the template requires all three with enabled.",
    ),
    *(
        ChartValue(
            path=f"externalSecret.remoteKeys.{key}",
            schema=ref("freeText"),
            prop="secret_source.remote_keys",
            owner="backend",
            to_value=_remote_key(key),
            default="",
            doc=f"The store's key for {key}.",
        )
        for key in SECRET_KEYS
    ),
    ChartValue(
        path="externalSecret.refreshInterval",
        doc="How often the operator reads the store again: a Go duration such as `1h` or `15m`, or `0` to read it once.",
        schema={
            "type": "string",
            "pattern": anchored(check.GO_DURATION),
            "description": "A Go duration, e.g. 1h or 1h30m, or 0 (fetch once).",
        },
        prop="secret_source.refresh_interval",
        owner="backend",
    ),
    ValueGroup(
        path="config",
        doc="Non-secret settings, written into the ConfigMap `<fullname>-config`.",
        charts=("todo-backend",),
    ),
    ChartValue(
        path="config.jwtAlgorithm",
        doc="`JWT_ALGORITHM`: the HMAC algorithm signing the tokens.",
        schema=one_of(JWT_ALGORITHMS),
        prop="jwt_algorithm",
        owner="backend",
    ),
    ChartValue(
        path="config.jwtExpireDays",
        doc="`JWT_EXPIRE_DAYS`: how many days a token is valid.",
        schema=integer(1, JWT_EXPIRE_DAYS_MAX),
        prop="jwt_expire_days",
        owner="backend",
    ),
    ChartValue(
        path="config.corsOrigins",
        schema={
            "type": "array",
            "items": {
                "type": "string",
                "pattern": anchored(check.ORIGIN),
                "description": "A browser origin in lowercase, as browsers send it: http(s)://host[:port], no path.",
            },
        },
        prop="cors_origins",
        owner="backend",
        to_value=lambda props: as_json(props.cors_origins or ()),
        doc="`CORS_ORIGINS`: the browser origins allowed to call the API, e.g. `[https://todo.example.com]`, written without the scheme's default port. Empty: the origins of this chart's routes, ingress.host (https with ingress.tls.secretName, else http) and httpRoute.host (https), each when enabled.",
        note="a list; the ConfigMap gets it comma-separated; None -> empty (TodoApp derives the same origins)",
    ),
    ChartValue(
        path="extraConfig",
        schema={
            "$comment": "patternProperties rather than propertyNames: Helm 4 reports a bad property name "
            "at the root, without naming extraConfig.",
            "type": "object",
            "description": "More ConfigMap entries: environment variable names of at most "
            f"{check.CONFIG_MAP_KEY_MAX} characters to strings without control characters or "
            "U+2028/U+2029. The template refuses names a typed value sets, and more than 1 MiB of "
            "ConfigMap values.",
            "patternProperties": {anchored(check.ENV_NAME): ref("freeText")},
            "additionalProperties": False,
        },
        prop="extra_config",
        doc="More non-secret environment variables for the ConfigMap, e.g. `{LOG_LEVEL: info}`. Names a value above sets, or the image owns, are refused, and so are control characters (newlines, tabs) and U+2028/U+2029 in values; the ConfigMap's values total at most 1 MiB.",
        chart_docs={
            "todo-frontend": "They override the defaults HOSTNAME=0.0.0.0, NEXT_TELEMETRY_DISABLED=1 and "
            "NODE_ENV=production; NEXT_PUBLIC_* values are baked in at image build time, so setting "
            "them here changes nothing.",
        },
        note="string values; names a typed prop sets are refused",
    ),
    ChartValue(
        path="extraEnvVars",
        schema={"type": "array", "items": ref("envVarFromKey")},
        prop="extra_env",
        to_value=lambda props: [
            {"name": name, "valueFrom": ref.to_json()} for name, ref in props.extra_env.items()
        ],
        doc="Each is `{name, valueFrom: {secretKeyRef: {name, key, optional}}}` or `configMapKeyRef`; plain "
        "values go in extraConfig. A name is listed once, and not among extraConfig's or the chart's own.",
        default=[],
        note="{name: SecretKeyRef(secret, key, optional)} -> [{name, valueFrom: {secretKeyRef: {name, key, "
        "optional}}}]; ConfigMapKeyRef -> configMapKeyRef",
    ),
    ChartValue(
        path="extraEnvVarsCM",
        schema=optional_pattern(check.DNS_SUBDOMAIN, max_length=check.DNS_SUBDOMAIN_MAX),
        prop="extra_env_config_map",
        doc="A ConfigMap whose every key becomes an environment variable (`envFrom`). Its keys are not "
        "checked by the chart: the chart's own ConfigMap comes after it, so the settings the chart writes "
        "win. Empty: none.",
        default="",
        note="a ConfigMap name; None -> empty",
        to_value=lambda props: props.extra_env_config_map or "",
    ),
    ChartValue(
        path="extraEnvVarsSecret",
        schema=optional_pattern(check.DNS_SUBDOMAIN, max_length=check.DNS_SUBDOMAIN_MAX),
        prop="extra_env_secret",
        doc="The same from a Secret. Empty: none.",
        default="",
        note="a Secret name; None -> empty",
        to_value=lambda props: props.extra_env_secret or "",
    ),
    ChartValue(
        path="extraVolumes",
        schema={"type": "array", "items": ref("volume")},
        prop="extra_volumes",
        to_value=lambda props: [volume.to_json() for volume in props.extra_volumes],
        doc="More volumes of the pod, each `{name, <source>}` with one source: `configMap: {name}`, "
        "`secret: {secretName}`, `persistentVolumeClaim: {claimName}` or `emptyDir: {sizeLimit}`. "
        "Each is mounted by an extraVolumeMounts entry, and named apart from writablePaths.",
        default=[],
        note="Volume(name, config_map | secret | persistent_volume_claim | empty_dir_size_limit) -> "
        "{name, configMap: {name}}, {name, secret: {secretName}}, {name, persistentVolumeClaim: "
        "{claimName}}, {name, emptyDir: {sizeLimit}}",
    ),
    ChartValue(
        path="extraVolumeMounts",
        schema={"type": "array", "items": ref("volumeMount")},
        prop="extra_volume_mounts",
        # readOnly always: the chart's default is true, as the props'.
        to_value=lambda props: [
            {**mount.to_json(), "readOnly": mount.read_only} for mount in props.extra_volume_mounts
        ],
        doc="Where the container sees extraVolumes, each `{name, mountPath, subPath, readOnly}`: "
        "read-only unless `readOnly: false`, each mountPath once.",
        default=[],
        note="VolumeMount(volume, path, sub_path, read_only) -> {name, mountPath, subPath, readOnly}",
    ),
    ValueGroup(path="ingress"),
    ChartValue(
        path="ingress.enabled",
        schema=BOOLEAN,
        doc="Route ingress.paths of ingress.host to the Service with an Ingress.",
        default=True,
    ),
    ChartValue(
        path="ingress.className",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="Empty (the cluster's default IngressClass) or an IngressClass name: a lowercase "
            "DNS subdomain.",
        ),
        prop="class_name",
        owner="ingress",
        doc="The IngressClass of the controller serving it. Empty: the cluster's default class.",
    ),
    ChartValue(
        path="ingress.host",
        schema=ref("host"),
        prop="host",
        owner="ingress",
        doc="The host name the rules match, e.g. `todo.example.com`: a lowercase DNS name, not an IP address (Kubernetes refuses IPs as Ingress hosts).",
    ),
    ValueGroup(path="ingress.tls"),
    ChartValue(
        path="ingress.tls.secretName",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="Empty (HTTP only) or the TLS Secret's name: a lowercase DNS subdomain.",
        ),
        prop="tls.secret_name",
        owner="ingress",
        to_value=_or_empty("tls.secret_name"),
        doc="The Secret holding the certificate and key, e.g. `todo-tls`. Empty: HTTP only.",
        note="None -> empty; the issuer's annotation only on the frontend's Ingress (issues_certificate)",
    ),
    ChartValue(
        path="ingress.tls.clusterIssuer",
        doc="A cert-manager ClusterIssuer that creates and renews that Secret, e.g. `letsencrypt`. Empty: the Secret is made some other way.",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="Empty or a cert-manager ClusterIssuer's name: a lowercase DNS subdomain.",
        ),
        prop="tls.cluster_issuer",
        owner="ingress",
        to_value=_or_empty("tls.cluster_issuer"),
        chart_docs={
            "todo-backend": "Only the todo-frontend chart's Ingress asks for the certificate (two would "
            "race for the Secret); here it is only checked.",
        },
    ),
    ChartValue(
        path="ingress.annotations",
        schema=ref("annotationMap"),
        prop="annotations",
        owner="ingress",
        doc="The controller's settings, e.g. `nginx.ingress.kubernetes.io/proxy-body-size: 8m`. Keys under "
        f"{RESERVED_PREFIXES} are refused, and cert-manager.io/cluster-issuer with tls.clusterIssuer.",
        note="as pod_annotations",
    ),
    ChartValue(
        path="ingress.paths",
        schema={
            "type": "array",
            "minItems": 1,
            "items": _INGRESS_PATH,
        },
        prop="ingress_paths",
        to_value=_ingress_paths,
        doc="The paths the Ingress routes to this workload, each `{path, pathType}` with pathType Prefix (whole segments: /api matches /api/tasks, not /apiary) or Exact, each path once.",
        note="exact=True -> pathType Exact, else Prefix",
    ),
    ChartValue(
        path="ingress.perWorkload",
        doc="true: each chart renders its own Ingress, which controllers such as ingress-nginx and Traefik merge by host. false: for controllers that serve each Ingress on its own (GCE), one Ingress, the todo-frontend chart's, routes both charts' paths.",
        schema=BOOLEAN,
        prop="per_workload",
        owner="ingress",
        chart_docs={
            "todo-backend": "false: this chart renders no Ingress; the todo-frontend chart's Ingress routes these paths.",
            "todo-frontend": "false: this chart's Ingress routes ingress.backend's paths as well.",
        },
    ),
    # TodoApp gives the frontend's one Ingress the backend's Service and paths.
    ValueGroup(
        path="ingress.backend",
        doc="The stack's todo-backend, which the one Ingress routes when ingress.perWorkload is false.",
        charts=("todo-frontend",),
    ),
    ChartValue(
        path="ingress.backend.name",
        schema=ref("dnsLabel"),
        prop="name",
        owner="backend",
        doc="Its Service: its release name.",
        charts=("todo-frontend",),
        note="in the todo-frontend chart: the Service the one Ingress routes the backend's paths to",
    ),
    ChartValue(
        path="ingress.backend.port",
        # The backend's image binds this port only (TodoBackendProps.port).
        schema={"type": "integer", "enum": [IMAGE_PORT]},
        prop="port",
        owner="backend",
        doc="Its Service's port.",
        charts=("todo-frontend",),
        note="in the todo-frontend chart: that Service's port",
    ),
    ChartValue(
        path="ingress.backend.paths",
        schema={
            "type": "array",
            "items": _INGRESS_PATH,
        },
        prop="ingress_paths",
        owner="backend",
        to_value=_ingress_paths,
        doc="Its paths, as its chart's ingress.paths; none may be one of this chart's.",
        charts=("todo-frontend",),
        note="in the todo-frontend chart: the backend's paths, as its ingress.paths",
    ),
    ValueGroup(path="httpRoute"),
    ChartValue(
        path="httpRoute.enabled",
        schema=BOOLEAN,
        prop="gateway_name",
        owner="http_route",
        to_value=lambda props: True,
        default=False,
        doc="Render a Gateway API HTTPRoute (gateway.networking.k8s.io/v1; the CRDs must be installed) "
        "sending ingress.paths of httpRoute.host to the Service. It routes beside the Ingress: set "
        "ingress.enabled=false to route through the Gateway alone.",
        note="add_todo_charts' http_route: None -> enabled: false; given without ingress, also "
        "ingress.enabled: false",
    ),
    ChartValue(
        path="httpRoute.gatewayName",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="The Gateway's name, a lowercase DNS subdomain; the template requires it with enabled.",
        ),
        prop="gateway_name",
        owner="http_route",
        default="",
        doc="The Gateway the route attaches to, e.g. `public`. Required with enabled.",
    ),
    ChartValue(
        path="httpRoute.gatewayNamespace",
        doc="The Gateway's namespace. Empty: the release's.",
        schema=optional_pattern(
            check.NAMESPACE,
            description="Empty (the release's namespace) or a namespace name: an RFC 1123 label.",
        ),
        prop="gateway_namespace",
        owner="http_route",
        to_value=_or_empty("gateway_namespace"),
        default="",
        note="None -> empty",
    ),
    ChartValue(
        path="httpRoute.sectionName",
        doc="The Gateway listener to attach to, e.g. `https`. Empty: every listener that admits the route.",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="Empty (every listener) or a listener name: a lowercase DNS subdomain.",
        ),
        prop="section_name",
        owner="http_route",
        to_value=_or_empty("section_name"),
        default="",
        note="None -> empty",
    ),
    ChartValue(
        path="httpRoute.host",
        schema=ref("host"),
        prop="host",
        owner="http_route",
        doc="The host name the route matches, e.g. `todo.example.com`: a lowercase DNS name, not an IP address.",
    ),
    # Both security contexts are passed to the pod spec as given (toYaml): open maps
    # whose known keys are typed.
    ValueGroup(
        path="podSecurityContext",
        doc='Pod security context: Pod Security Standards "restricted" with the image\'s numeric user.',
        closed=False,
        description="Passed to the pod spec as given (toYaml); the keys values.yaml sets are typed here.",
    ),
    ChartValue(
        path="podSecurityContext.runAsNonRoot",
        schema=BOOLEAN,
        doc="Refuse to start a container as root.",
        default=True,
        required=False,
    ),
    ChartValue(
        path="podSecurityContext.runAsUser",
        doc="Numeric UID the pod runs as: the image's user, never 0.",
        schema=ref("uid"),
        prop="run_as_user",
        required=False,
    ),
    ChartValue(
        path="podSecurityContext.runAsGroup",
        doc="Numeric GID the pod runs as: the image's group, never 0.",
        schema=ref("uid"),
        prop="run_as_group",
        required=False,
    ),
    ChartValue(
        path="podSecurityContext.fsGroup",
        schema=ref("uid"),
        prop="run_as_group",
        doc="The image's group, which owns the mounted volumes.",
        required=False,
    ),
    ChartValue(
        path="podSecurityContext.fsGroupChangePolicy",
        schema=one_of(("OnRootMismatch", "Always")),
        doc="Change volume ownership only when it does not match already.",
        default="OnRootMismatch",
        required=False,
    ),
    ChartValue(
        path="podSecurityContext.seccompProfile",
        schema=SECCOMP_PROFILE,
        default={"type": "RuntimeDefault"},
        parts={"type": "The container runtime's default seccomp filter."},
        required=False,
    ),
    ValueGroup(
        path="securityContext",
        doc="Container security context: no privilege, no capabilities, read-only root filesystem "
        "(writablePaths are the exceptions).",
        closed=False,
        description="Passed to the container spec as given (toYaml); the keys values.yaml sets are typed here.",
    ),
    ChartValue(
        path="securityContext.runAsNonRoot",
        schema=BOOLEAN,
        doc="Refuse to start as root.",
        default=True,
        required=False,
    ),
    ChartValue(
        path="securityContext.runAsUser",
        doc="Numeric UID the container runs as: the image's user, never 0.",
        schema=ref("uid"),
        prop="run_as_user",
        required=False,
    ),
    ChartValue(
        path="securityContext.runAsGroup",
        doc="Numeric GID the container runs as: the image's group, never 0.",
        schema=ref("uid"),
        prop="run_as_group",
        required=False,
    ),
    *(
        ChartValue(path=f"securityContext.{key}", schema=BOOLEAN, doc=doc, default=value, required=False)
        for key, value, doc in (
            ("privileged", False, "No privileged mode."),
            ("allowPrivilegeEscalation", False, "No setuid escalation."),
            ("readOnlyRootFilesystem", True, "Writes go to writablePaths only."),
        )
    ),
    ValueGroup(path="securityContext.capabilities", closed=False, required=False),
    ChartValue(
        path="securityContext.capabilities.add",
        schema={"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z_]+$"}},
        required=False,
    ),
    ChartValue(
        path="securityContext.capabilities.drop",
        schema={"type": "array", "items": {"type": "string", "pattern": "^[A-Za-z_]+$"}},
        doc="Drop every Linux capability.",
        default=["ALL"],
        required=False,
    ),
    ChartValue(path="securityContext.seccompProfile", schema=SECCOMP_PROFILE, required=False),
    ChartValue(
        path="writablePaths",
        schema={
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["name", "mountPath", "sizeLimit"],
                "properties": {
                    "name": {"type": "string", "pattern": r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"},
                    "mountPath": {
                        "type": "string",
                        "pattern": anchored(f"/{FREE_TEXT}"),
                        "description": "An absolute path without control characters.",
                    },
                    "sizeLimit": ref("memory"),
                },
            },
        },
        doc="emptyDir volumes for the paths the app writes; the root filesystem is read-only.",
        chart_docs={
            "todo-backend": "gunicorn and Python write temporary files under /tmp.",
            "todo-frontend": "Next.js writes its image and fetch caches under .next/cache; Node uses /tmp.",
        },
        chart_defaults={
            "todo-backend": _writable_paths(TodoBackendProps),
            "todo-frontend": _writable_paths(TodoFrontendProps),
        },
    ),
    ChartValue(
        path="imagePullSecrets",
        doc="Names of the Secrets the kubelet pulls the image with, e.g. `[registry-credentials]`.",
        schema={
            "type": "array",
            "description": "Names of Secrets in the release's namespace the kubelet pulls the image with.",
            "items": ref("dnsSubdomain"),
        },
        prop="image_pull_secrets",
        note="a list of Secret names",
    ),
    ChartValue(
        path="podLabels",
        doc="More labels on the pods, e.g. `{team: web}`; never in selectors. Keys under "
        f"{RESERVED_PREFIXES} are refused.",
        schema=ref("labelMap"),
        prop="pod_labels",
        note=_RESERVED_KEYS_NOTE,
    ),
    ChartValue(
        path="podAnnotations",
        doc='Annotations on the pods, e.g. `{prometheus.io/scrape: "true"}`.',
        schema=ref("annotationMap"),
        prop="pod_annotations",
        note="as pod_labels; the chart also refuses control characters in values",
    ),
    ChartValue(
        path="nodeSelector",
        doc="Node labels the pods must run on, e.g. `{kubernetes.io/arch: amd64}`.",
        schema=ref("labelMap"),
        prop="node_selector",
        note="as pod_labels",
    ),
    ChartValue(
        path="tolerations",
        schema={"type": "array", "items": ref("toleration")},
        prop="tolerations",
        to_value=lambda props: [toleration.to_json() for toleration in props.tolerations],
        doc="Tolerations letting the pods onto tainted nodes, each with key, operator (Equal or Exists), value (none with Exists), effect (NoSchedule, PreferNoSchedule or NoExecute; empty: all) and, with NoExecute only, tolerationSeconds.",
        note="Toleration(key, operator, value, effect, toleration_seconds) -> key, operator, value, "
        "effect, tolerationSeconds",
    ),
    ChartValue(
        path="affinity",
        schema=ref("affinity"),
        prop="affinity",
        to_value=lambda props: dict(props.affinity) if props.affinity else {},
        doc="The pod's affinity, as Kubernetes writes it (nodeAffinity, podAffinity, podAntiAffinity). "
        "Given, it replaces spreadPods' anti-affinity; the zone spread stays.",
        default={},
        note="the same mapping",
    ),
    ChartValue(
        path="priorityClassName",
        doc="The PriorityClass of the pods, e.g. `high`. Empty: the cluster's default.",
        schema=optional_pattern(
            check.DNS_SUBDOMAIN,
            max_length=check.DNS_SUBDOMAIN_MAX,
            description="Empty (the cluster's default) or a PriorityClass name: a lowercase DNS subdomain.",
        ),
        prop="priority_class_name",
        to_value=_or_empty("priority_class_name"),
        note="None -> empty",
    ),
    ValueGroup(
        path="serviceAccount",
        doc="The identity the pods run as, for a cloud's workload identity. Its API token is never mounted.",
        prop="service_account",
    ),
    ChartValue(
        path="serviceAccount.create",
        schema=BOOLEAN,
        prop="service_account.create",
        to_value=lambda props: props.service_account is not None and props.service_account.create,
        doc="true renders a ServiceAccount (its token never mounted) for the pods to run as.",
        default=False,
        note="None -> create: false and no name",
    ),
    ChartValue(
        path="serviceAccount.name",
        schema=optional_pattern(check.DNS_SUBDOMAIN, max_length=check.DNS_SUBDOMAIN_MAX),
        prop="service_account.name",
        to_value=lambda props: (props.service_account and props.service_account.name) or "",
        doc="The ServiceAccount the pods run as. Empty: the fullname with create, else the namespace's default.",
        default="",
        note="None -> empty",
    ),
    ChartValue(
        path="serviceAccount.annotations",
        schema=ref("annotationMap"),
        prop="service_account.annotations",
        to_value=lambda props: dict(props.service_account.annotations) if props.service_account else {},
        doc="On the ServiceAccount, for workload identity, e.g. `eks.amazonaws.com/role-arn`. Only with create.",
        default={},
        note="as pod_annotations",
    ),
    ValueGroup(
        path="networkPolicy",
        doc="NetworkPolicies that deny the pods all traffic but what the app needs: the ingress controller (or the Gateway) in, the other workload's calls, DNS, and for the backend PostgreSQL and HTTPS out.",
        prop="network_policy",
    ),
    ChartValue(
        path="networkPolicy.enabled",
        schema=BOOLEAN,
        prop="network_policy",
        to_value=_is_set("network_policy"),
        doc="true renders `<fullname>-default-deny` and `<fullname>`.",
        note="None -> enabled: false",
    ),
    ValueGroup(path="networkPolicy.ingressController"),
    ChartValue(
        path="networkPolicy.ingressController.namespace",
        doc="The ingress controller's namespace, e.g. `ingress-nginx` (Minikube's addon and the upstream chart).",
        schema=ref("namespace"),
        prop="network_policy.ingress_controller_namespace",
    ),
    ChartValue(
        path="networkPolicy.ingressController.podLabels",
        doc="Labels of the controller's pods.",
        schema={
            "type": "object",
            "minProperties": 1,
            "propertyNames": {"pattern": anchored(LABEL_KEY)},
            "additionalProperties": {"type": "string", "pattern": anchored(check.LABEL_VALUE)},
        },
        prop="network_policy.ingress_controller_pod_labels",
        to_value=_controller_labels,
        default=dict(NetworkPolicy().ingress_controller_pod_labels),
        parts={
            key: "A label of the ingress controller's pods."
            for key in NetworkPolicy().ingress_controller_pod_labels
        },
    ),
    ChartValue(
        path="networkPolicy.ingressFrom",
        schema={"type": "array", "items": ref("networkPeer")},
        prop="network_policy.ingress_from",
        to_value=_peers("ingress_from"),
        doc="More peers let in to the `http` port, each `{namespace, podLabels}` or `{cidr}`: e.g. a second controller while migrating, or a Gateway's proxies outside its namespace (Envoy Gateway's `envoy-gateway-system`). With httpRoute.enabled the Gateway is let in without this.",
        note="NetworkPeer(namespace, pod_labels, cidr) -> namespace, podLabels, cidr; httpRoute.enabled lets "
        "its Gateway in as TodoApp does",
    ),
    ChartValue(
        path="networkPolicy.dns",
        doc="Where DNS queries (port 53) may go, each `{namespace, podLabels}` or `{cidr}`, e.g. `[{cidr: 169.254.20.10/32}]` for NodeLocal DNS.",
        schema={"type": "array", "minItems": 1, "items": ref("networkPeer")},
        prop="network_policy.dns",
        to_value=_peers("dns"),
        default=[peer.to_value() for peer in NetworkPolicy().dns],
        note="as ingressFrom",
    ),
    ChartValue(
        path="networkPolicy.egressTo",
        doc="Where the connections the backend makes outside the release may go (PostgreSQL and HTTPS), each `{namespace, podLabels}` or `{cidr}`, e.g. `[{cidr: 10.20.0.0/16}]`. Empty: anywhere.",
        schema={"type": "array", "items": ref("networkPeer")},
        prop="network_policy.egress_to",
        to_value=_peers("egress_to"),
        charts=("todo-backend",),
        note="as ingressFrom; the backend's only (the frontend calls nothing outside the stack)",
    ),
    # add_todo_charts gives each workload the other's name; each chart has a value for it.
    ChartValue(
        path="networkPolicy.frontendName",
        schema=optional_pattern(
            check.DNS_LABEL,
            description="Empty (this release, as charts/todo installs both) or a release name: an RFC 1123 label.",
        ),
        prop="name",
        owner="frontend",
        doc="This stack's todo-frontend, whose pods alone are let in: its release name, which its pods' "
        "app.kubernetes.io/instance label holds. Empty: this release (the todo chart installs both).",
        charts=("todo-backend",),
        note="in the todo-backend chart: the frontend its NetworkPolicy lets in (TodoBackend's frontend_name)",
    ),
    ChartValue(
        path="networkPolicy.backendName",
        schema=optional_pattern(
            check.DNS_LABEL,
            description="Empty (this release, as charts/todo installs both) or a release name: an RFC 1123 label.",
        ),
        prop="name",
        owner="backend",
        doc="This stack's todo-backend, the only pods the server side may call: its release name, which "
        "its pods' app.kubernetes.io/instance label holds. Empty: this release (the todo chart installs both).",
        charts=("todo-frontend",),
        note="in the todo-frontend chart: the backend its NetworkPolicy lets it call (TodoFrontend's "
        "backend_name)",
    ),
    ValueGroup(
        path="autoscaling",
        doc="A HorizontalPodAutoscaler, which then owns the replica count.",
        prop="autoscaling",
    ),
    ChartValue(
        path="autoscaling.enabled",
        schema=BOOLEAN,
        prop="autoscaling",
        to_value=_is_set("autoscaling"),
        doc="true renders a HorizontalPodAutoscaler and no replicas (replicaCount is ignored).",
        note="None -> enabled: false; with it the Deployment has no replicas",
    ),
    ChartValue(
        path="autoscaling.minReplicas",
        doc="The fewest pods.",
        schema=integer(1),
        prop="autoscaling.min_replicas",
    ),
    ChartValue(
        path="autoscaling.maxReplicas",
        doc="The most pods; at least minReplicas.",
        schema=integer(1),
        prop="autoscaling.max_replicas",
    ),
    ChartValue(
        path="autoscaling.targetCPUUtilizationPercentage",
        doc="The average CPU use, in percent of the CPU request, the autoscaler keeps the pods at.",
        schema=integer(1, TARGET_CPU_UTILIZATION_MAX),
        prop="autoscaling.target_cpu_utilization",
    ),
    *(
        ChartValue(
            path=f"autoscaling.scale{direction}StabilizationSeconds",
            schema=integer(0, STABILIZATION_WINDOW_MAX),
            prop=f"autoscaling.scale_{direction.lower()}_stabilization_seconds",
            to_value=_given(f"autoscaling.scale_{direction.lower()}_stabilization_seconds"),
            doc=doc,
            required=False,
            note="None -> absent",
        )
        for direction, doc in (
            (
                "Down",
                "How long the autoscaler looks back before it removes pods, e.g. `600`. Absent: the API's 300.",
            ),
            ("Up", "The same before it adds pods. Absent: the API's 0, at once."),
        )
    ),
    ValueGroup(path="podDisruptionBudget"),
    ChartValue(
        path="podDisruptionBudget.enabled",
        doc="Render a PodDisruptionBudget that lets node drains evict one pod at a time; rendered only from two pods on (replicaCount, or autoscaling.minReplicas).",
        schema=BOOLEAN,
        prop="pod_disruption_budget",
        note="rendered from two pods on only",
    ),
    ChartValue(
        path="spreadPods",
        doc="Prefer spreading the pods over nodes (soft anti-affinity) and zones (topology spread), from two pods on.",
        schema=BOOLEAN,
        prop="spread_pods",
        note="applied from two pods on only",
    ),
    ChartValue(
        path="checkovAnnotations",
        doc="Write a `checkov.io/skipN` annotation, with its reason, for each Checkov check an object "
        "does not meet; false writes none, for teams that do not run Checkov.",
        schema=BOOLEAN,
        prop="checkov_annotations",
    ),
    ValueGroup(
        path="zeroDowntimeRollout",
        doc="Rollouts that never drop a request: maxUnavailable 0, a preStop pause and a grace period longer than the app's shutdown.",
        prop="zero_downtime_rollout",
    ),
    ChartValue(
        path="zeroDowntimeRollout.enabled",
        schema=BOOLEAN,
        prop="zero_downtime_rollout",
        to_value=_is_set("zero_downtime_rollout"),
        doc="true rolls with maxUnavailable 0, a preStop pause and a longer grace period.",
        note="None -> enabled: false",
    ),
    ChartValue(
        path="zeroDowntimeRollout.preStopSeconds",
        doc="How long a stopping pod keeps serving before SIGTERM.",
        schema=integer(1),
        prop="zero_downtime_rollout.pre_stop_seconds",
    ),
    ChartValue(
        path="zeroDowntimeRollout.terminationGracePeriodSeconds",
        doc="The time from the stop to SIGKILL, preStop included; it must exceed preStopSeconds plus the app's graceful shutdown.",
        schema=integer(1),
        prop="zero_downtime_rollout.termination_grace_period_seconds",
    ),
    ValueGroup(path="tests", doc="The pod `helm test` starts to check that the Service answers."),
    ValueGroup(path="tests.image"),
    ChartValue(
        path="tests.image.repository",
        schema=ref("imageRepository"),
        doc="An image with wget and nc (busybox).",
        default="busybox",
    ),
    ChartValue(path="tests.image.tag", schema=ref("imageTag"), doc="Its tag.", default="1.37"),
    ChartValue(
        path="tests.image.pullPolicy",
        schema=ref("pullPolicy"),
        doc="When the kubelet pulls it.",
        default=PullPolicy.IF_NOT_PRESENT.value,
    ),
    ChartValue(
        path="global",
        schema={"type": "object", "description": "Helm's global values; unused."},
        required=False,
    ),
    ChartValue(
        path="todo-common",
        schema={
            "type": "object",
            "description": "Helm's values of the todo-common library chart (charts/todo-common), which "
            "reads none; Helm adds the key for every dependency.",
        },
        required=False,
    ),
)

# Props that no chart value carries: (what carries them instead, why).
NOT_VALUES: Mapping[tuple[Owner, str], tuple[str, str]] = types.MappingProxyType(
    {
        ("workload", "app_version"): (
            "Chart.yaml appVersion",
            "not a value: the chart's appVersion, 1.0.0 like the prop's default",
        )
    }
)

TEMPLATE_RULES: Final[tuple[TemplateRule, ...]] = (
    TemplateRule(
        id="probe-timeout-below-period",
        rule="a probe's timeout (1 s when unset) is below its period",
        values=("livenessProbe.timeoutSeconds", "readinessProbe.timeoutSeconds"),
        props=("Probe.timeout_seconds",),
        names={"periodSeconds": "period_seconds"},
    ),
    TemplateRule(
        id="limits-not-below-requests",
        rule="a resource limit is at least its request",
        values=("resources.limits.cpu", "resources.limits.memory"),
        props=("Resources.cpu_limit", "Resources.memory_limit"),
        names={"resources.requests.cpu": "cpu_request", "resources.requests.memory": "memory_request"},
    ),
    TemplateRule(
        id="canonical-quantities",
        rule="quantities are spelled as the API server writes them back ('1', not '1000m')",
        values=(
            "resources.requests.cpu",
            "resources.requests.memory",
            "resources.limits.cpu",
            "resources.limits.memory",
            "writablePaths[].sizeLimit",
            "extraVolumes[].emptyDir.sizeLimit",
        ),
        props=(
            "Resources.cpu_request",
            "Resources.memory_request",
            "Resources.cpu_limit",
            "Resources.memory_limit",
        ),
    ),
    TemplateRule(
        id="max-replicas-not-below-min",
        rule="the autoscaler's maximum is at least its minimum",
        values=("autoscaling.maxReplicas",),
        props=("Autoscaling.max_replicas",),
        names={"autoscaling.minReplicas": "min_replicas"},
    ),
    TemplateRule(
        id="grace-period-outlasts-shutdown",
        rule="a zero-downtime rollout's grace period exceeds the preStop pause plus the app's graceful "
        "shutdown (the backend's gunicorn graceful_timeout)",
        values=("zeroDowntimeRollout.terminationGracePeriodSeconds",),
        props=("ZeroDowntimeRollout.termination_grace_period_seconds",),
        names={"preStopSeconds": "pre_stop_seconds"},
    ),
    TemplateRule(
        id="config-names-of-typed-values",
        rule="extraConfig does not set a name a typed value sets",
        values=("extraConfig",),
        props=("WorkloadProps.extra_config",),
        names={
            "service.port": "port",
            "config.jwtAlgorithm": "jwt_algorithm",
            "config.jwtExpireDays": "jwt_expire_days",
            "config.corsOrigins": "cors_origins",
            "secretName": "secret_name",
        },
    ),
    TemplateRule(
        id="annotations-with-library-size",
        rule="one object's annotations, the library's own and the user's together, total at most 256 KiB "
        "(ValidateAnnotationsSize); so do its pod template's",
        values=("commonAnnotations", "podAnnotations"),
        props=("TodoApp.annotations", "WorkloadProps.pod_annotations"),
    ),
    TemplateRule(
        id="tls-secret-apart-from-settings",
        rule="the Ingress's certificate Secret is not the backend's Secret when cert-manager or the "
        "External Secrets Operator writes either",
        values=("ingress.tls.secretName",),
        props=("TodoApp.ingress.tls.secret_name",),
        names={"secretName": "secret_name"},
        charts=("todo-backend",),
    ),
    TemplateRule(
        id="wildcard-host-origins",
        rule="a wildcard route host serves many origins: the backend's CORS origins are given, not derived",
        values=("ingress.host", "httpRoute.host"),
        props=("TodoApp.ingress.host", "TodoApp.http_route.host"),
        names={"config.corsOrigins": "backend.cors_origins"},
        charts=("todo-backend",),
    ),
    TemplateRule(
        id="image-path-length",
        rule=f"an image's path after its registry has at most {check.IMAGE_PATH_MAX} characters",
        values=("image.repository",),
        props=("WorkloadProps.image",),
    ),
    TemplateRule(
        id="image-source",
        rule="an image from a registry is pulled (not Never) and pinned (a release tag or a digest); "
        "latest is never kept with IfNotPresent",
        values=("image.pullPolicy", "image.tag"),
        props=("WorkloadProps.image_pull_policy", "WorkloadProps.image_tag"),
        names={"image.tag": "image_tag", "image.digest": "image_digest"},
    ),
    TemplateRule(
        id="origin-default-port",
        rule="an origin leaves out its scheme's default port, as browsers send it",
        values=("config.corsOrigins",),
        props=("TodoBackendProps.cors_origins",),
        charts=("todo-backend",),
    ),
    TemplateRule(
        id="cidr-canonical",
        rule="a network peer's CIDR has no host bits set",
        values=(
            "networkPolicy.ingressFrom[].cidr",
            "networkPolicy.dns[].cidr",
            "networkPolicy.egressTo[].cidr",
        ),
        props=("NetworkPeer.cidr",),
    ),
    TemplateRule(
        id="service-account-annotations-need-create",
        rule="serviceAccount.annotations are given only with serviceAccount.create",
        values=("serviceAccount.annotations",),
        props=("ServiceAccount.annotations",),
    ),
    TemplateRule(
        id="env-names",
        rule="extraEnvVars names are listed once and set nothing a typed value, the library or "
        "extraConfig sets",
        values=("extraEnvVars[].name",),
        props=("WorkloadProps.extra_env",),
        names={"service.port": "port", "extraConfig": "extra_config", "config.jwtAlgorithm": "jwt_algorithm"},
    ),
    TemplateRule(
        id="extra-volumes",
        rule="extraVolumes are named apart from each other and writablePaths, each is mounted, and "
        "extraVolumeMounts name one of them, each at its own path: absolute, not '/', without '..' "
        "steps; a subPath is relative, without '..' steps",
        values=(
            "extraVolumes",
            "extraVolumeMounts[].name",
            "extraVolumeMounts[].mountPath",
            "extraVolumeMounts[].subPath",
        ),
        props=(
            "WorkloadProps.extra_volumes",
            "VolumeMount.volume",
            "VolumeMount.path",
            "VolumeMount.sub_path",
        ),
        names={"extraVolumeMounts": "extra_volume_mounts", "extraVolumes": "extra_volumes"},
    ),
    TemplateRule(
        id="config-names-the-library-owns",
        rule="extraConfig does not set a name the app's image or runtime settings own ("
        + ", ".join(sorted({*TodoBackendProps.OWNED_CONFIG, *TodoFrontendProps.OWNED_CONFIG}))
        + ")",
        values=("extraConfig",),
        props=("WorkloadProps.extra_config",),
    ),
    TemplateRule(
        id="config-map-size",
        rule="the ConfigMap's values total at most 1 MiB",
        values=("extraConfig",),
        props=("WorkloadProps.extra_config",),
    ),
    TemplateRule(
        id="ingress-paths",
        rule=f"{PATH_RULE}; each path is listed once",
        values=("ingress.paths[].path",),
        props=("IngressPath.path", "WorkloadProps.ingress_paths"),
    ),
    TemplateRule(
        id="gateway-paths",
        rule="with httpRoute.enabled, ingress.paths are at most 64, each of at most 1024 characters a "
        "Gateway API path allows (no '#')",
        values=("ingress.paths[].path", "ingress.paths"),
        props=("Routable.route_paths",),
    ),
    TemplateRule(
        id="go-duration",
        rule="externalSecret.refreshInterval fits Go's duration (at most 2562047h)",
        values=("externalSecret.refreshInterval",),
        props=("ExternalSecret.refresh_interval",),
        charts=("todo-backend",),
    ),
    TemplateRule(
        id="host-not-an-ip-address",
        rule="a host is a DNS name, not an IP address",
        values=("ingress.host", "httpRoute.host"),
        props=("TodoIngressProps.host", "TodoHttpRouteProps.host"),
    ),
    TemplateRule(
        id="reserved-metadata-keys",
        rule="user labels and annotations use no key prefix the library writes, labels no key "
        "the chart writes (helm.sh/chart), and annotations no hook key (helm.sh/hook, argocd.argoproj.io/hook)",
        values=(
            "podLabels",
            "podAnnotations",
            "nodeSelector",
            "service.annotations",
            "ingress.annotations",
            "commonLabels",
            "commonAnnotations",
            "serviceAccount.annotations",
        ),
        props=(
            "TodoApp.labels",
            "TodoApp.annotations",
            "ServiceAccount.annotations",
            "WorkloadProps.pod_labels",
            "WorkloadProps.pod_annotations",
            "WorkloadProps.node_selector",
            "WorkloadProps.service_annotations",
            "TodoIngressProps.annotations",
        ),
    ),
    TemplateRule(
        id="annotations-size",
        rule="an object's user annotations total at most 256 KiB",
        values=("podAnnotations", "service.annotations", "ingress.annotations"),
        props=(
            "WorkloadProps.pod_annotations",
            "WorkloadProps.service_annotations",
            "TodoIngressProps.annotations",
        ),
    ),
    TemplateRule(
        id="cluster-issuer-annotation",
        rule="ingress.annotations leaves cert-manager.io/cluster-issuer to tls.clusterIssuer",
        values=("ingress.annotations",),
        props=("TodoIngressProps.annotations",),
        names={"ingress.tls.clusterIssuer": "tls.cluster_issuer"},
    ),
    TemplateRule(
        id="tolerations",
        rule="a toleration's key is empty only with Exists, its value is empty with Exists, and "
        "tolerationSeconds comes only with effect NoExecute",
        values=("tolerations[].key", "tolerations[].value", "tolerations[].tolerationSeconds"),
        props=("Toleration.key", "Toleration.value", "Toleration.toleration_seconds"),
        names={"effect NoExecute": "NO_EXECUTE", "Exists": "EXISTS"},
    ),
    # The charts' own: values the constructs do not have, or set themselves.
    TemplateRule(
        id="probe-on-the-service-port",
        rule="a probe's port is service.port (or http, its name)",
        values=("livenessProbe", "readinessProbe"),
    ),
    TemplateRule(
        id="probe-thresholds",
        rule="liveness and startup probes succeed once (successThreshold 1); a readiness probe sets no "
        "terminationGracePeriodSeconds",
        values=("livenessProbe.successThreshold", "startupProbe.successThreshold", "readinessProbe"),
    ),
    TemplateRule(
        id="one-probe-handler", rule="a probe has one handler", values=("livenessProbe", "readinessProbe")
    ),
    TemplateRule(
        id="fullname-dns-label",
        rule="the release name (or fullnameOverride) is a DNS label",
        values=("fullnameOverride",),
    ),
    TemplateRule(id="app-version-label-value", rule="Chart.yaml's appVersion is a label value", values=()),
    TemplateRule(
        id="backend-port",
        rule="the backend's service.port is 8000, the port its image binds",
        values=("service.port",),
        props=("TodoBackendProps.port",),
        charts=("todo-backend",),
    ),
    TemplateRule(
        id="one-secret-source",
        rule="secret.create and externalSecret.enabled are not both on; with externalSecret.enabled, "
        "storeName and every remoteKeys entry are given",
        values=("secret.create", "externalSecret.storeName", "externalSecret.remoteKeys"),
        charts=("todo-backend",),
    ),
    TemplateRule(
        id="cluster-issuer-needs-a-secret",
        rule="tls.clusterIssuer comes with tls.secretName",
        values=("ingress.tls.clusterIssuer",),
    ),
    TemplateRule(
        id="http-route",
        rule="with httpRoute.enabled, gatewayName is given and every ingress.paths pathType is Exact or Prefix",
        values=("httpRoute.gatewayName", "ingress.paths[].pathType"),
    ),
    TemplateRule(
        id="control-characters",
        rule="annotation values hold no control character (Helm 3's schema check lets U+0085 through)",
        values=("podAnnotations", "service.annotations", "ingress.annotations"),
    ),
    TemplateRule(
        id="secret-control-characters",
        rule="remote keys and Secret values hold no control character (the message does not show a "
        "Secret value)",
        values=("externalSecret.remoteKeys", "secret.values"),
        charts=("todo-backend",),
    ),
)


# --- Reading props ----------------------------------------------------------------------


def _read(props: Any, path: list[str], *, none_is_empty: bool = False) -> Any:
    value = props
    for name in path:
        if value is None:
            return "" if none_is_empty else OMIT
        value = getattr(value, name)
    if value is None and none_is_empty:
        return ""
    return as_json(value)


def as_json(value: Any) -> Any:
    """A props value as Helm values hold it: enums by value, tuples as lists, mappings as dicts."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, Mapping):
        return {key: as_json(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [as_json(item) for item in value]
    return value


def _convert(entry: ChartValue, props: Any) -> Any:
    assert entry.prop is not None
    if entry.to_value is not None:
        return entry.to_value(props)
    return _read(props, entry.prop.split("."))


def _class_default(cls: type, path: list[str]) -> Any:
    """The default of the field at ``path``, through the defaults of the options on the way."""
    for name in path[:-1]:
        nested = _field_class(cls, name)
        if nested is None:
            return UNSET
        cls = nested
    for item in dataclasses.fields(cls):
        if item.name == path[-1]:
            if item.default is not dataclasses.MISSING:
                return as_json(item.default)
            if item.default_factory is not dataclasses.MISSING:
                return as_json(item.default_factory())
    return UNSET


def _default_props(owner_class: type) -> Any:
    try:
        return owner_class()
    except TypeError:  # a required field, e.g. TodoHttpRouteProps.gateway_name
        return None


# --- The table, completed with the props no entry names ---------------------------------


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(word.capitalize() for word in rest)


def _own_fields(owner: Owner, classes: Mapping[Owner, type]) -> list[str]:
    inherited = (
        {f.name for f in dataclasses.fields(classes["workload"])}
        if owner in ("backend", "frontend")
        else set()
    )
    return [f.name for f in dataclasses.fields(classes[owner]) if f.name not in inherited]


def _implicit_schema(cls: type, name: str) -> Schema:
    hint = typing.get_type_hints(cls)[name]
    if hint is bool:
        return BOOLEAN
    if isinstance(hint, type) and issubclass(hint, enum.Enum):
        return one_of(hint)
    raise TypeError(
        f"{cls.__name__}.{name} ({hint}) needs a ChartValue in scripts/chart_mapping.py: "
        "only bool and enum props become chart values by themselves"
    )


# Where a prop no entry names becomes a value: the routes' props under their map.
_IMPLICIT_PREFIX: Mapping[Owner, str] = types.MappingProxyType(
    {"ingress": "ingress.", "http_route": "httpRoute."}
)


def with_implicit_values(
    declared: tuple[ChartValue | ValueGroup, ...], classes: Mapping[Owner, type] = PROPS_CLASSES
) -> tuple[ChartValue | ValueGroup, ...]:
    """``declared``, plus a value for each prop of ``classes`` it leaves out.

    The value is the camel-cased field name (under ``ingress.``/``httpRoute.``
    for the routes' props), placed after the values of the fields before it;
    only ``bool`` and enum props can become values this way.
    """
    entries = list(declared)
    for owner in ("workload", "backend", "frontend", "ingress", "http_route"):
        prefix = _IMPLICIT_PREFIX.get(owner, "")
        seen: set[str] = set()
        for name in _own_fields(owner, classes):
            props_entries = [
                (index, entry)
                for index, entry in enumerate(entries)
                if isinstance(entry, ChartValue) and entry.owner == owner and entry.prop is not None
            ]
            covered = any(entry.prop.split(".")[0] == name for _, entry in props_entries if entry.prop)
            if not covered and (owner, name) not in NOT_VALUES:
                after = max(
                    (
                        index
                        for index, entry in props_entries
                        if entry.prop
                        and entry.prop.split(".")[0] in seen
                        and entry.path.startswith(prefix)
                        and "." not in entry.path[len(prefix) :]
                    ),
                    default=len(entries) - 1,
                )
                # The prop's own words, until an entry gives the value its Helm ones
                # (a test finds Python in values.yaml).
                schema = _implicit_schema(classes[owner], name)
                text = prop_doc(classes[owner], name)
                implicit = ChartValue(
                    path=prefix + _camel(name),
                    schema=schema,
                    prop=name,
                    owner=owner,
                    doc=text[0].upper() + text[1:],
                )
                entries.insert(after + 1, implicit)
            seen.add(name)
    return tuple(entries)


VALUES: Final[tuple[ChartValue | ValueGroup, ...]] = with_implicit_values(_DECLARED)


def chart_entries(chart: Chart) -> Iterator[ChartValue | ValueGroup]:
    """The entries of :data:`VALUES` the chart has."""
    return (entry for entry in VALUES if chart in entry.charts)


# --- Props -> values --------------------------------------------------------------------


def chart_values(
    chart: Chart,
    props: Mapping[Owner, Any],
    given: Mapping[Owner, Collection[str]] | None = None,
) -> dict[str, Any]:
    """{dotted value path: value} that make ``chart`` render what these props build.

    ``props`` holds the props objects by owner (``"backend"``, ``"frontend"``,
    ``"ingress"``, ``"http_route"``); ``given`` limits the result to the values
    of the named top-level fields (the others keep the chart's defaults).
    ``None`` values delete a default (Helm's null).
    """
    flat: dict[str, Any] = {}
    for entry in chart_entries(chart):
        if not isinstance(entry, ChartValue) or entry.prop is None:
            continue
        owner = CHART_OWNER[chart] if entry.owner == "workload" else entry.owner
        source = props.get(owner)
        triggers = {entry.prop.split(".")[0], *entry.reads}
        if source is None or (given is not None and not triggers & set(given.get(owner, ()))):
            continue
        value = _convert(entry, source)
        if value is not OMIT:
            flat[entry.path] = value
    return flat


def values_tree(flat: Mapping[str, Any]) -> dict[str, Any]:
    """{dotted path: value} as nested maps; a map value is merged into one already there."""
    tree: dict[str, Any] = {}
    for path, value in flat.items():
        *parents, leaf = path.split(".")
        node = tree
        for key in parents:
            node = node.setdefault(key, {})
        if isinstance(value, dict) and isinstance(node.get(leaf), dict):
            node[leaf].update(value)
        else:
            node[leaf] = value
    return tree


# --- values.yaml and values.schema.json -------------------------------------------------


@dataclass(frozen=True)
class DocumentedValue:
    """A key of values.yaml: its default (or nested keys) and its ``# --`` comment."""

    value: Any
    doc: str


def _doc(entry: ChartValue | ValueGroup, chart: Chart) -> str:
    parts = []
    if entry.doc:
        parts.append(entry.doc)
    if isinstance(entry, ChartValue) and chart in entry.chart_docs:
        parts.append(entry.chart_docs[chart])
    choices = _choices(entry)
    if len(choices) > 1:
        parts.append(f"One of {', '.join(choices)}")
    elif choices:
        parts.append(f"Only {choices[0]}")
    return " ".join(part if part.endswith(".") else f"{part}." for part in parts)


def _choices(entry: ChartValue | ValueGroup) -> list[str]:
    """The allowed values of an enum value, which the comment lists."""
    if not isinstance(entry, ChartValue):
        return []
    schema = entry.schema
    if "$ref" in schema:
        schema = DEFINITIONS[schema["$ref"].rsplit("/", 1)[1]]
    return [str(choice) if choice != "" else '""' for choice in schema.get("enum", [])]


def _default(entry: ChartValue, chart: Chart) -> Any:
    if chart in entry.chart_defaults:
        return entry.chart_defaults[chart]
    if entry.default is not UNSET:
        return entry.default
    if entry.prop is None:
        return UNSET
    owner_class = _owner_class(entry.owner, chart)
    props = _default_props(owner_class)
    value = _convert(entry, props) if props is not None else OMIT
    if value is OMIT:
        value = _class_default(owner_class, entry.prop.split("."))
    if value is None and not entry.required:
        # An optional key the defaults leave out: in the schema only.
        return UNSET
    if value is UNSET:
        raise ValueError(
            f"{entry.path}: {owner_class.__name__}.{entry.prop} has no default; give the entry one"
        )
    return value


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _without_nulls(item) for key, item in value.items() if item is not None}
    return value


def _documented(value: Any, parts: Mapping[str, str], prefix: str = "") -> Any:
    if not isinstance(value, dict) or not value:
        return value
    return {
        key: DocumentedValue(_documented(item, parts, f"{prefix}{key}."), parts.get(f"{prefix}{key}", ""))
        for key, item in value.items()
    }


def documented_values(chart: Chart) -> dict[str, DocumentedValue]:
    """The chart's values.yaml as nested :class:`DocumentedValue` maps, in file order."""
    root: dict[str, DocumentedValue] = {}
    for entry in chart_entries(chart):
        *parents, leaf = entry.path.split(".")
        node = root
        for key in parents:
            node = node[key].value
        if isinstance(entry, ValueGroup):
            node[leaf] = DocumentedValue({}, _doc(entry, chart))
            continue
        default = _default(entry, chart)
        if default is UNSET:
            continue
        parts = {key: text[0].upper() + text[1:] for key, text in entry.parts.items()}
        node[leaf] = DocumentedValue(_documented(_without_nulls(default), parts), _doc(entry, chart))
    return root


def values_schema(chart: Chart) -> dict[str, Any]:
    """The chart's values.schema.json."""
    root: dict[str, Any] = {"type": "object", "additionalProperties": False, "required": [], "properties": {}}
    for entry in chart_entries(chart):
        *parents, leaf = entry.path.split(".")
        node = root
        for key in parents:
            node = node["properties"][key]
        if isinstance(entry, ValueGroup):
            schema: dict[str, Any] = {"type": "object"}
            if entry.closed:
                schema["additionalProperties"] = False
            schema["required"] = []
            schema["properties"] = {}
            if entry.description:
                schema["description"] = entry.description
        else:
            schema = dict(entry.schema)
        node["properties"][leaf] = schema
        if entry.required:
            node.setdefault("required", []).append(leaf)
    _drop_empty_required(root)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "title": f"Values of the {chart} chart",
        **root,
        "definitions": dict(DEFINITIONS),
    }


def _drop_empty_required(schema: dict[str, Any]) -> None:
    if schema.get("required") == []:
        del schema["required"]
    for child in schema.get("properties", {}).values():
        if isinstance(child, dict):
            _drop_empty_required(child)


# --- The README's table -----------------------------------------------------------------


@dataclass(frozen=True)
class PropRow:
    """One prop and the chart values that carry it, as the README's table shows it."""

    owner: Owner
    prop: str
    values: tuple[str, ...]
    note: str
    chart: Chart | None = None


def prop_rows() -> tuple[PropRow, ...]:
    """The props-to-values table: one row per prop (per chart, for a prop one chart carries from the other workload)."""
    rows: dict[tuple[Owner, str, tuple[Chart, ...]], PropRow] = {}
    for entry in VALUES:
        if not isinstance(entry, ChartValue) or entry.prop is None:
            continue
        prop = entry.prop.split(".")[0]
        key = (entry.owner, prop, entry.charts)
        row = rows.get(key)
        # A workload's prop that the other workload's chart carries (its peer's name, say).
        peers = [
            c
            for c in entry.charts
            if entry.owner in ("backend", "frontend") and CHART_OWNER[c] != entry.owner
        ]
        chart = peers[0] if peers else None
        if row is None:
            rows[key] = PropRow(entry.owner, prop, (entry.path,), entry.note, chart)
        else:
            note = "; ".join(filter(None, (row.note, entry.note)))
            rows[key] = dataclasses.replace(row, values=(*row.values, entry.path), note=note)
    result = list(rows.values())
    for (owner, prop), (carrier, note) in NOT_VALUES.items():
        result.append(PropRow(owner, prop, (carrier,), note))
    return tuple(result)


def markdown_table() -> str:
    """The props <-> values table the README shows."""
    classes = {
        "workload": "TodoBackendProps, TodoFrontendProps",
        "backend": "TodoBackendProps",
        "frontend": "TodoFrontendProps",
        "ingress": "TodoIngressProps",
        "http_route": "TodoHttpRouteProps",
    }
    lines = ["| Props | Field | Chart values | Notes |", "|---|---|---|---|"]
    for row in prop_rows():
        values = ", ".join(f"`{path}`" for path in row.values)
        lines.append(f"| {classes[row.owner]} | `{row.prop}` | {values} | {row.note} |")
    return "\n".join(lines)
