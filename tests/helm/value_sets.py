"""The one table mapping construct props to chart values, and the value sets built from it.

:data:`MAPPINGS` says, for every field of ``TodoBackendProps``,
``TodoFrontendProps`` and ``TodoIngressProps``, which chart values carry it
and how. A :class:`ValueSet` names prop overrides once; the props come from
them directly and the Helm values are derived from the props through
:data:`MAPPINGS`, so the two sides cannot drift apart by hand. The README
shows the table as :func:`markdown_table` renders it (a test checks).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from typing import Any, Literal

from constructs_lib import (
    Autoscaling,
    ExternalSecret,
    IngressPath,
    IngressTls,
    NetworkPolicy,
    Probe,
    Resources,
    TaintEffect,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
    Toleration,
    TolerationOperator,
    WorkloadProps,
    ZeroDowntimeRollout,
)

Chart = Literal["todo-backend", "todo-frontend"]
CHARTS: tuple[Chart, ...] = ("todo-backend", "todo-frontend")
# Which props a row reads: a workload's (the chart's own) or the shared Ingress props.
Owner = Literal["workload", "backend", "frontend", "ingress", "http_route"]
# Owners whose props both charts share.
_SHARED: tuple[Owner, ...] = ("ingress", "http_route")


@dataclass(frozen=True)
class PropRow:
    """One prop and the chart values that carry it.

    Attributes:
        owner: ``workload`` (both charts, from each chart's own props),
            ``backend``/``frontend`` (that chart only), ``ingress`` or
            ``http_route`` (both charts, from ``TodoIngressProps`` or
            ``TodoHttpRouteProps``).
        prop: the props field, e.g. ``"replicas"``.
        values: the value paths it sets, as the doc table shows them.
        to_values: the props object -> {dotted value path: value}; ``None``
            values delete a default (Helm's null).
        note: how the value relates to the prop, when it is not a plain copy.
        chart: the other workload's chart, for a prop ``add_todo_charts`` wires
            into it (the peer its NetworkPolicy names); ``None``: the owner's charts.
    """

    owner: Owner
    prop: str
    values: tuple[str, ...]
    to_values: Callable[[Any], dict[str, Any]] | None
    note: str = ""
    chart: Chart | None = None


def _probe(probe: Probe, port: int) -> dict[str, Any]:
    # The whole probe, with null for the handler and timeout it does not use,
    # because Helm merges a probe given in values into the default one.
    http = {"path": probe.http_path, "port": port} if probe.http_path is not None else None
    return {
        "httpGet": http,
        "tcpSocket": None if http else {"port": port},
        "periodSeconds": probe.period_seconds,
        "timeoutSeconds": probe.timeout_seconds,
    }


def _network_policy(policy: NetworkPolicy | None) -> dict[str, Any]:
    if policy is None:
        return {"networkPolicy.enabled": False}
    default_labels = NetworkPolicy().ingress_controller_pod_labels
    return {
        "networkPolicy.enabled": True,
        "networkPolicy.ingressController.namespace": policy.ingress_controller_namespace,
        # Helm merges maps into the defaults: null removes a default label the props leave out.
        "networkPolicy.ingressController.podLabels": {
            **{key: None for key in default_labels},
            **policy.ingress_controller_pod_labels,
        },
    }


def _autoscaling(autoscaling: Autoscaling | None) -> dict[str, Any]:
    if autoscaling is None:
        return {"autoscaling.enabled": False}
    return {
        "autoscaling.enabled": True,
        "autoscaling.minReplicas": autoscaling.min_replicas,
        "autoscaling.maxReplicas": autoscaling.max_replicas,
        "autoscaling.targetCPUUtilizationPercentage": autoscaling.target_cpu_utilization,
    }


def _rollout(rollout: ZeroDowntimeRollout | None) -> dict[str, Any]:
    if rollout is None:
        return {"zeroDowntimeRollout.enabled": False}
    return {
        "zeroDowntimeRollout.enabled": True,
        "zeroDowntimeRollout.preStopSeconds": rollout.pre_stop_seconds,
        "zeroDowntimeRollout.terminationGracePeriodSeconds": rollout.termination_grace_period_seconds,
    }


def _external_secret(source: ExternalSecret | None) -> dict[str, Any]:
    if source is None:
        return {"externalSecret.enabled": False}
    return {
        "externalSecret.enabled": True,
        "externalSecret.storeName": source.store_name,
        "externalSecret.storeKind": source.store_kind.value,
        "externalSecret.remoteKeys": dict(source.remote_keys),
        "externalSecret.refreshInterval": source.refresh_interval,
    }


def _probe_port(name: str, probe: Probe, port: int) -> dict[str, Any]:
    handler = "httpGet" if probe.http_path is not None else "tcpSocket"
    return {f"{name}.{handler}.port": port}


MAPPINGS: tuple[PropRow, ...] = (
    PropRow(
        "workload",
        "name",
        ("nameOverride",),
        lambda p: {"nameOverride": p.name},
        "and install with the release name equal to it",
    ),
    PropRow("workload", "replicas", ("replicaCount",), lambda p: {"replicaCount": p.replicas}),
    PropRow("workload", "image", ("image.repository",), lambda p: {"image.repository": p.image}),
    PropRow("workload", "image_tag", ("image.tag",), lambda p: {"image.tag": p.image_tag}),
    PropRow(
        "workload",
        "image_pull_policy",
        ("image.pullPolicy",),
        lambda p: {"image.pullPolicy": p.image_pull_policy.value},
    ),
    PropRow(
        "workload",
        "port",
        ("service.port", "livenessProbe.*.port", "readinessProbe.*.port"),
        lambda p: {
            "service.port": p.port,
            **_probe_port("livenessProbe", p.liveness, p.port),
            **_probe_port("readinessProbe", p.readiness, p.port),
        },
        "the probes' httpGet/tcpSocket port follows it",
    ),
    PropRow("workload", "service_type", ("service.type",), lambda p: {"service.type": p.service_type.value}),
    PropRow(
        "workload",
        "resources",
        (
            "resources.requests.cpu",
            "resources.requests.memory",
            "resources.limits.cpu",
            "resources.limits.memory",
        ),
        lambda p: {
            "resources.requests.cpu": p.resources.cpu_request,
            "resources.requests.memory": p.resources.memory_request,
            "resources.limits.cpu": p.resources.cpu_limit,
            "resources.limits.memory": p.resources.memory_limit,
        },
        "cpu_request, memory_request, cpu_limit, memory_limit in that order",
    ),
    PropRow(
        "workload",
        "liveness",
        ("livenessProbe",),
        lambda p: {"livenessProbe": _probe(p.liveness, p.port)},
        "http_path -> httpGet.path (else tcpSocket), period_seconds, timeout_seconds",
    ),
    PropRow(
        "workload",
        "readiness",
        ("readinessProbe",),
        lambda p: {"readinessProbe": _probe(p.readiness, p.port)},
        "as liveness",
    ),
    PropRow(
        "workload",
        "ingress_paths",
        ("ingress.paths",),
        lambda p: {
            "ingress.paths": [
                {"path": route.path, "pathType": "Exact" if route.exact else "Prefix"}
                for route in p.ingress_paths
            ]
        },
        "exact=True -> pathType Exact, else Prefix",
    ),
    PropRow(
        "workload",
        "extra_config",
        ("extraConfig",),
        lambda p: {"extraConfig": dict(p.extra_config)},
        "string values; names a typed prop sets are refused",
    ),
    PropRow(
        "workload",
        "app_version",
        ("Chart.yaml appVersion",),
        None,
        "not a value: the chart's appVersion, 1.0.0 like the prop's default",
    ),
    PropRow(
        "workload",
        "run_as_user",
        ("podSecurityContext.runAsUser", "securityContext.runAsUser"),
        lambda p: {
            "podSecurityContext.runAsUser": p.run_as_user,
            "securityContext.runAsUser": p.run_as_user,
        },
    ),
    PropRow(
        "workload",
        "run_as_group",
        ("podSecurityContext.runAsGroup", "podSecurityContext.fsGroup", "securityContext.runAsGroup"),
        lambda p: {
            "podSecurityContext.runAsGroup": p.run_as_group,
            "podSecurityContext.fsGroup": p.run_as_group,
            "securityContext.runAsGroup": p.run_as_group,
        },
    ),
    PropRow(
        "workload",
        "network_policy",
        (
            "networkPolicy.enabled",
            "networkPolicy.ingressController.namespace",
            "networkPolicy.ingressController.podLabels",
        ),
        lambda p: _network_policy(p.network_policy),
        "None -> enabled: false",
    ),
    PropRow(
        "workload",
        "autoscaling",
        (
            "autoscaling.enabled",
            "autoscaling.minReplicas",
            "autoscaling.maxReplicas",
            "autoscaling.targetCPUUtilizationPercentage",
        ),
        lambda p: _autoscaling(p.autoscaling),
        "None -> enabled: false; with it the Deployment has no replicas",
    ),
    PropRow(
        "workload",
        "pod_disruption_budget",
        ("podDisruptionBudget.enabled",),
        lambda p: {"podDisruptionBudget.enabled": p.pod_disruption_budget},
        "rendered from two pods on only",
    ),
    PropRow(
        "workload",
        "spread_pods",
        ("spreadPods",),
        lambda p: {"spreadPods": p.spread_pods},
        "applied from two pods on only",
    ),
    PropRow(
        "workload",
        "zero_downtime_rollout",
        (
            "zeroDowntimeRollout.enabled",
            "zeroDowntimeRollout.preStopSeconds",
            "zeroDowntimeRollout.terminationGracePeriodSeconds",
        ),
        lambda p: _rollout(p.zero_downtime_rollout),
        "None -> enabled: false",
    ),
    PropRow(
        "workload",
        "image_pull_secrets",
        ("imagePullSecrets",),
        lambda p: {"imagePullSecrets": list(p.image_pull_secrets)},
        "a list of Secret names",
    ),
    PropRow(
        "workload",
        "pod_labels",
        ("podLabels",),
        lambda p: {"podLabels": dict(p.pod_labels)},
        "keys the library writes (app.kubernetes.io/, checkov.io/, checksum/, cdk8s.io/) are refused",
    ),
    PropRow(
        "workload",
        "pod_annotations",
        ("podAnnotations",),
        lambda p: {"podAnnotations": dict(p.pod_annotations)},
        "as pod_labels; the chart also refuses control characters in values",
    ),
    PropRow(
        "workload",
        "service_annotations",
        ("service.annotations",),
        lambda p: {"service.annotations": dict(p.service_annotations)},
        "as pod_annotations",
    ),
    PropRow(
        "workload",
        "node_selector",
        ("nodeSelector",),
        lambda p: {"nodeSelector": dict(p.node_selector)},
        "as pod_labels",
    ),
    PropRow(
        "workload",
        "tolerations",
        ("tolerations",),
        lambda p: {"tolerations": [toleration.to_json() for toleration in p.tolerations]},
        "Toleration(key, operator, value, effect, toleration_seconds) -> key, operator, value, effect, tolerationSeconds",
    ),
    PropRow(
        "workload",
        "priority_class_name",
        ("priorityClassName",),
        lambda p: {"priorityClassName": p.priority_class_name or ""},
        "None -> empty",
    ),
    PropRow("backend", "secret_name", ("secretName",), lambda p: {"secretName": p.secret_name}),
    PropRow(
        "backend",
        "jwt_algorithm",
        ("config.jwtAlgorithm",),
        lambda p: {"config.jwtAlgorithm": p.jwt_algorithm},
    ),
    PropRow(
        "backend",
        "jwt_expire_days",
        ("config.jwtExpireDays",),
        lambda p: {"config.jwtExpireDays": p.jwt_expire_days},
    ),
    PropRow(
        "backend",
        "cors_origins",
        ("config.corsOrigins",),
        lambda p: {"config.corsOrigins": list(p.cors_origins)},
        "a list; the ConfigMap gets it comma-separated",
    ),
    PropRow(
        "backend",
        "secret_source",
        (
            "externalSecret.enabled",
            "externalSecret.storeName",
            "externalSecret.storeKind",
            "externalSecret.remoteKeys",
            "externalSecret.refreshInterval",
        ),
        lambda p: _external_secret(p.secret_source),
        "None -> enabled: false; the chart writes the data in the Secret's key order",
    ),
    # add_todo_charts gives each workload the other's name; each chart has a value for it.
    PropRow(
        "frontend",
        "name",
        ("networkPolicy.frontendName",),
        lambda p: {"networkPolicy.frontendName": p.name},
        "in the todo-backend chart: the frontend its NetworkPolicy lets in (TodoBackend's frontend_name)",
        chart="todo-backend",
    ),
    PropRow(
        "backend",
        "name",
        ("networkPolicy.backendName",),
        lambda p: {"networkPolicy.backendName": p.name},
        "in the todo-frontend chart: the backend its NetworkPolicy lets it call (TodoFrontend's backend_name)",
        chart="todo-frontend",
    ),
    PropRow("ingress", "host", ("ingress.host",), lambda p: {"ingress.host": p.host}),
    PropRow("ingress", "class_name", ("ingress.className",), lambda p: {"ingress.className": p.class_name}),
    PropRow(
        "ingress",
        "tls",
        ("ingress.tls.secretName", "ingress.tls.clusterIssuer"),
        lambda p: {
            "ingress.tls.secretName": p.tls.secret_name if p.tls else "",
            "ingress.tls.clusterIssuer": (p.tls.cluster_issuer or "") if p.tls else "",
        },
        "None -> empty; the issuer's annotation only on the frontend's Ingress (issues_certificate)",
    ),
    PropRow(
        "ingress",
        "annotations",
        ("ingress.annotations",),
        lambda p: {"ingress.annotations": dict(p.annotations)},
        "as pod_annotations",
    ),
    PropRow(
        "http_route",
        "gateway_name",
        ("httpRoute.enabled", "httpRoute.gatewayName"),
        lambda p: {"httpRoute.enabled": True, "httpRoute.gatewayName": p.gateway_name},
        "add_todo_charts' http_route: None -> enabled: false; given without ingress, also ingress.enabled: false",
    ),
    PropRow(
        "http_route",
        "gateway_namespace",
        ("httpRoute.gatewayNamespace",),
        lambda p: {"httpRoute.gatewayNamespace": p.gateway_namespace or ""},
        "None -> empty",
    ),
    PropRow(
        "http_route",
        "section_name",
        ("httpRoute.sectionName",),
        lambda p: {"httpRoute.sectionName": p.section_name or ""},
        "None -> empty",
    ),
    PropRow("http_route", "host", ("httpRoute.host",), lambda p: {"httpRoute.host": p.host}),
)

PROPS_CLASSES: Mapping[Owner, type] = {
    "backend": TodoBackendProps,
    "frontend": TodoFrontendProps,
    "ingress": TodoIngressProps,
    "http_route": TodoHttpRouteProps,
    "workload": WorkloadProps,
}
_CHART_OWNER: Mapping[Chart, Owner] = {"todo-backend": "backend", "todo-frontend": "frontend"}


def _set_path(tree: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for key in parents:
        tree = tree.setdefault(key, {})
    if isinstance(value, dict) and isinstance(tree.get(leaf), dict):
        tree[leaf].update(value)
    else:
        tree[leaf] = value


@dataclass(frozen=True)
class ValueSet:
    """Prop overrides for both workloads and the Ingress, and how Helm receives them.

    Attributes:
        id: the test id.
        backend: ``TodoBackendProps`` overrides.
        frontend: ``TodoFrontendProps`` overrides.
        ingress: ``TodoIngressProps`` overrides (both charts).
        http_route: ``TodoHttpRouteProps`` (both charts); empty: no HTTPRoute.
        delivery: ``"file"`` passes the values in a values file; ``"set"`` as
            ``--set``/``--set-string`` flags, the way users type them.
    """

    id: str
    backend: Mapping[str, Any] = field(default_factory=dict)
    frontend: Mapping[str, Any] = field(default_factory=dict)
    ingress: Mapping[str, Any] = field(default_factory=dict)
    http_route: Mapping[str, Any] = field(default_factory=dict)
    delivery: Literal["file", "set"] = "file"

    def backend_props(self) -> TodoBackendProps:
        return TodoBackendProps(**self.backend)

    def frontend_props(self) -> TodoFrontendProps:
        return TodoFrontendProps(**self.frontend)

    def ingress_props(self) -> TodoIngressProps:
        return TodoIngressProps(**self.ingress)

    def http_route_props(self) -> TodoHttpRouteProps | None:
        return TodoHttpRouteProps(**self.http_route) if self.http_route else None

    @property
    def routes_through_ingress(self) -> bool:
        """Whether add_todo_charts emits Ingresses: without an HTTPRoute, or with ingress props given."""
        return not self.http_route or bool(self.ingress)

    @property
    def crds(self) -> tuple[str, ...]:
        """The CRDs (scripts/import_crds.py names) the server needs for this set's objects."""
        needed = {"gateway_api": bool(self.http_route), "external_secrets": "secret_source" in self.backend}
        return tuple(crd for crd, used in needed.items() if used)

    def stack_props(self) -> dict[str, Any]:
        """Keyword arguments of ``add_todo_charts`` for this value set."""
        return {
            "backend": self.backend_props(),
            "frontend": self.frontend_props(),
            "ingress": self.ingress_props() if self.routes_through_ingress else None,
            "http_route": self.http_route_props(),
        }

    def workload_props(self, chart: Chart) -> TodoBackendProps | TodoFrontendProps:
        return self.backend_props() if chart == "todo-backend" else self.frontend_props()

    def release(self, chart: Chart) -> str:
        """The release name: the workload's name, as `helm install <name>` takes it."""
        return self.workload_props(chart).name

    def flat_values(self, chart: Chart) -> dict[str, Any]:
        """{dotted value path: value} for the props this set overrides, via :data:`MAPPINGS`."""
        owner = _CHART_OWNER[chart]
        overrides = {
            "ingress": self.ingress,
            "http_route": self.http_route,
            "backend": self.backend,
            "frontend": self.frontend,
        }
        props = {
            "ingress": self.ingress_props(),
            "http_route": self.http_route_props(),
            "backend": self.backend_props(),
            "frontend": self.frontend_props(),
        }
        flat: dict[str, Any] = {}
        for row in MAPPINGS:
            source = owner if row.owner == "workload" else row.owner
            # A row sets values in the charts of its owner, or in the one chart it names.
            target = row.chart or (chart if source == owner or source in _SHARED else None)
            if target != chart or row.prop not in overrides[source]:
                continue
            if row.to_values is None:
                raise ValueError(f"{self.id}: {row.owner}.{row.prop} has no chart value to set")
            flat.update(row.to_values(props[source]))
        if not self.routes_through_ingress:
            flat["ingress.enabled"] = False
        return flat

    def values(self, chart: Chart) -> dict[str, Any]:
        """The values file content for ``chart``."""
        tree: dict[str, Any] = {}
        for path, value in self.flat_values(chart).items():
            _set_path(tree, path, value)
        return tree

    def set_args(self, chart: Chart) -> list[str]:
        """``--set``/``--set-string`` flags for ``chart`` (scalars only)."""
        args = []
        for path, value in self.flat_values(chart).items():
            if isinstance(value, str):
                args += ["--set-string", f"{path}={value}"]
            elif isinstance(value, bool | int) or value is None:
                rendered = "null" if value is None else str(value).lower()
                args += ["--set", f"{path}={rendered}"]
            else:
                raise ValueError(f"{self.id}: {path}={value!r} cannot be passed with --set here")
        return args


VALUE_SETS: tuple[ValueSet, ...] = (
    ValueSet("three-replicas", backend={"replicas": 3}, frontend={"replicas": 3}, delivery="set"),
    ValueSet(
        "registry-image",
        backend={
            "image": "registry.example.com:5000/team/todo-backend",
            "image_tag": "1.2.3",
            "image_pull_policy": "IfNotPresent",
        },
        frontend={"image_tag": "2.0.0-rc.1", "image_pull_policy": "Always"},
        delivery="set",
    ),
    ValueSet(
        "other-host-and-paths",
        backend={
            "ingress_paths": (
                IngressPath(path="/api"),
                IngressPath(path="/health", exact=True),
                IngressPath(path="/docs", exact=True),
            )
        },
        frontend={"ingress_paths": (IngressPath(path="/"), IngressPath(path="/static"))},
        ingress={"host": "todo.example.com", "class_name": "traefik"},
    ),
    ValueSet(
        "bigger-resources",
        backend={
            "resources": Resources(cpu_request="1", memory_request="1Gi", cpu_limit="2", memory_limit="2Gi")
        },
        frontend={
            "resources": Resources(
                cpu_request="500m", memory_request="512Mi", cpu_limit="1", memory_limit="1Gi"
            )
        },
    ),
    ValueSet(
        # <, > and & are what Go's toJson escapes: the checksums must still agree.
        "other-config",
        backend={
            "jwt_algorithm": "HS512",
            "jwt_expire_days": 30,
            "cors_origins": ("https://todo.example.com", "http://localhost:3000"),
            "extra_config": {"LOG_LEVEL": "debug", "GREETING": "a<b & c>d", "MOTTO": "café <olé> & co"},
        },
        frontend={
            "extra_config": {
                "NODE_OPTIONS": "--max-old-space-size=192",
                "NODE_ENV": "development",
                "SITE_TITLE": "Tom & Jerry's <todo>",
            }
        },
    ),
    ValueSet(
        "probe-timings",
        backend={
            "liveness": Probe(http_path="/health", period_seconds=20, timeout_seconds=3),
            # No timeout: the chart's default timeoutSeconds must go away too.
            "readiness": Probe(http_path="/health", period_seconds=5),
        },
        frontend={
            "liveness": Probe(period_seconds=15, timeout_seconds=2),
            # From a TCP to an HTTP probe: the chart's default tcpSocket must go away.
            "readiness": Probe(http_path="/", period_seconds=5),
        },
    ),
    ValueSet(
        # The backend's image binds 8000 whatever the props say, so only the
        # frontend's port moves; the backend's readiness probe turns TCP, on the
        # port that still follows `port`.
        "frontend-port-backend-tcp-probe",
        backend={"readiness": Probe(period_seconds=10)},
        frontend={"port": 8081},
    ),
    ValueSet(
        # Each workload's NetworkPolicy names the other by its new name.
        "renamed-with-network-policies-scaled-down-node-port",
        backend={
            "name": "todo-api",
            "replicas": 0,
            "secret_name": "todo-api-secrets",
            "service_type": "NodePort",
            "run_as_user": 10001,
            "run_as_group": 10002,
            "network_policy": NetworkPolicy(),
        },
        frontend={
            "name": "todo-web",
            "service_type": "LoadBalancer",
            "run_as_user": 10001,
            "network_policy": NetworkPolicy(),
        },
    ),
    ValueSet(
        "network-policies",
        backend={"network_policy": NetworkPolicy()},
        frontend={
            "network_policy": NetworkPolicy(
                ingress_controller_namespace="traefik",
                ingress_controller_pod_labels={"app.kubernetes.io/name": "traefik", "team": "edge"},
            )
        },
    ),
    ValueSet(
        # The autoscaler's floor of two turns the budget and the spreading on.
        "autoscaled-with-budget-and-spread",
        backend={
            "autoscaling": Autoscaling(min_replicas=2, max_replicas=6, target_cpu_utilization=70),
            "pod_disruption_budget": True,
            "spread_pods": True,
        },
        frontend={"autoscaling": Autoscaling(), "pod_disruption_budget": True},
    ),
    ValueSet(
        "zero-downtime-three-replicas-spread",
        backend={
            "replicas": 3,
            "zero_downtime_rollout": ZeroDowntimeRollout(),
            "spread_pods": True,
            "pod_disruption_budget": True,
        },
        frontend={
            "replicas": 2,
            "zero_downtime_rollout": ZeroDowntimeRollout(
                pre_stop_seconds=10, termination_grace_period_seconds=20
            ),
            "spread_pods": True,
        },
        delivery="set",
    ),
    ValueSet(
        # One pod: the budget and the spreading stay off even when asked for.
        "one-pod-asks-for-budget-and-spread",
        backend={"pod_disruption_budget": True, "spread_pods": True, "image_tag": "1.0.1"},
        frontend={"pod_disruption_budget": True, "spread_pods": True, "image_tag": "1.0.1"},
        delivery="set",
    ),
    ValueSet(
        # An empty key with Exists tolerates every taint; tolerationSeconds only with NoExecute.
        "escape-hatches",
        backend={
            "image_pull_secrets": ("registry-credentials", "mirror.example.com"),
            "pod_labels": {"team": "api", "example.com/tier": "gold"},
            "pod_annotations": {"prometheus.io/scrape": "true", "example.com/note": "a: b, {c} & <d>"},
            "service_annotations": {"service.beta.kubernetes.io/aws-load-balancer-internal": "true"},
            "node_selector": {"kubernetes.io/arch": "amd64"},
            "tolerations": (
                Toleration(key="dedicated", value="todo", effect=TaintEffect.NO_SCHEDULE),
                Toleration(
                    key="node.kubernetes.io/unreachable",
                    operator=TolerationOperator.EXISTS,
                    effect=TaintEffect.NO_EXECUTE,
                    toleration_seconds=0,
                ),
            ),
            "priority_class_name": "todo-high",
        },
        frontend={
            "pod_labels": {"team": "web"},
            "service_annotations": {"example.com/owner": "web"},
            "tolerations": (Toleration(operator=TolerationOperator.EXISTS),),
            "priority_class_name": "todo-high",
        },
    ),
    ValueSet(
        # Both Ingresses serve HTTPS; only the frontend's asks cert-manager for the certificate.
        "https-with-cert-manager-and-annotations",
        ingress={
            "host": "todo.example.com",
            "tls": IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt"),
            "annotations": {"nginx.ingress.kubernetes.io/proxy-body-size": "8m"},
        },
    ),
    ValueSet("https-with-an-existing-secret", ingress={"tls": IngressTls(secret_name="todo-tls")}),
)

# Value sets whose objects need CRDs on the server (ValueSet.crds): kept out of
# VALUE_SETS, which tests/cluster applies to a control plane without them.
CRD_VALUE_SETS: tuple[ValueSet, ...] = (
    ValueSet(
        # Only the HTTPRoute: add_todo_charts then emits no Ingress, and the charts get ingress.enabled: false.
        "http-route-only",
        http_route={
            "gateway_name": "public",
            "gateway_namespace": "gateways",
            "section_name": "https",
            "host": "todo.example.com",
        },
    ),
    ValueSet(
        # Both while moving from the Ingress to the Gateway; Exact paths stay Exact.
        "http-route-beside-ingress",
        backend={"ingress_paths": (IngressPath(path="/api"), IngressPath(path="/health", exact=True))},
        ingress={"class_name": "traefik"},
        http_route={"gateway_name": "shared-gateway"},
    ),
    ValueSet(
        # In the order of the Secret's keys, which is the order the chart writes them in.
        "external-secret-from-a-cluster-store",
        backend={
            "secret_source": ExternalSecret(
                store_name="vault",
                store_kind="ClusterSecretStore",
                remote_keys={
                    "DATABASE_URL": "todo/prod/database-url",
                    "BETTER_AUTH_SECRET": "todo/prod/better-auth-secret",
                    "OPENAI_API_KEY": "todo/prod/openai-api-key",
                },
                refresh_interval="30m",
            )
        },
        # The frontend too, so that the set changes both charts: a private registry.
        frontend={"image_pull_secrets": ("registry-credentials",)},
    ),
)


def props_fields(owner: Owner) -> tuple[str, ...]:
    """The fields of the props class behind ``owner``."""
    return tuple(f.name for f in fields(PROPS_CLASSES[owner]))


def markdown_table() -> str:
    """The props <-> values table the README shows, rendered from :data:`MAPPINGS`."""
    classes = {
        "workload": "TodoBackendProps, TodoFrontendProps",
        "backend": "TodoBackendProps",
        "frontend": "TodoFrontendProps",
        "ingress": "TodoIngressProps",
        "http_route": "TodoHttpRouteProps",
    }
    lines = ["| Props | Field | Chart values | Notes |", "|---|---|---|---|"]
    for row in MAPPINGS:
        values = ", ".join(f"`{path}`" for path in row.values)
        lines.append(f"| {classes[row.owner]} | `{row.prop}` | {values} | {row.note} |")
    return "\n".join(lines)
