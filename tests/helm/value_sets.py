"""Value sets: prop overrides for both workloads and the routes, and the Helm values they become.

A :class:`ValueSet` names prop overrides once; the props come from them
directly and the Helm values are derived from the props through the library's
mapping (:func:`scripts.chart_mapping.chart_values`), so the two sides cannot
drift apart by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from constructs_lib import (
    Autoscaling,
    ConfigMapKeyRef,
    ExternalSecret,
    IngressPath,
    IngressTls,
    NetworkPeer,
    NetworkPolicy,
    Probe,
    Resources,
    SecretKeyRef,
    ServiceAccount,
    TaintEffect,
    TodoBackendProps,
    TodoFrontendProps,
    TodoHttpRouteProps,
    TodoIngressProps,
    Toleration,
    TolerationOperator,
    Volume,
    VolumeMount,
    ZeroDowntimeRollout,
)
from scripts.chart_mapping import CHARTS, NOT_VALUES, Chart, chart_values, values_tree

__all__ = ["CHARTS", "CRD_VALUE_SETS", "VALUE_SETS", "Chart", "ValueSet"]


@dataclass(frozen=True)
class ValueSet:
    """Prop overrides for both workloads and the Ingress, and how Helm receives them.

    Attributes:
        id: the test id.
        backend: ``TodoBackendProps`` overrides.
        frontend: ``TodoFrontendProps`` overrides.
        ingress: ``TodoIngressProps`` overrides (both charts).
        http_route: ``TodoHttpRouteProps`` (both charts); empty: no HTTPRoute.
        stack: ``TodoApp``'s ``labels`` and ``annotations``, which both charts
            take as commonLabels and commonAnnotations.
        delivery: ``"file"`` passes the values in a values file; ``"set"`` as
            ``--set``/``--set-string`` flags, the way users type them.
    """

    id: str
    backend: Mapping[str, Any] = field(default_factory=dict)
    frontend: Mapping[str, Any] = field(default_factory=dict)
    ingress: Mapping[str, Any] = field(default_factory=dict)
    http_route: Mapping[str, Any] = field(default_factory=dict)
    stack: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
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
    def checkov_annotations(self) -> bool:
        """Whether both workloads write their Checkov exceptions, so that Checkov can pass the render."""
        return all(props.get("checkov_annotations", True) for props in (self.backend, self.frontend))

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
            **self.stack,
        }

    def workload_props(self, chart: Chart) -> TodoBackendProps | TodoFrontendProps:
        return self.backend_props() if chart == "todo-backend" else self.frontend_props()

    def release(self, chart: Chart) -> str:
        """The release name: the workload's name, as `helm install <name>` takes it."""
        return self.workload_props(chart).name

    def flat_values(self, chart: Chart) -> dict[str, Any]:
        """{dotted value path: value} for the props this set overrides."""
        props = {
            "ingress": self.ingress_props(),
            "http_route": self.http_route_props(),
            "backend": self.backend_props(),
            "frontend": self.frontend_props(),
        }
        given = {
            "ingress": self.ingress,
            "http_route": self.http_route,
            "backend": self.backend,
            "frontend": self.frontend,
            "workload": {**self.backend, **self.frontend},
        }
        for (owner, prop), (carrier, _) in NOT_VALUES.items():
            if prop in given[owner]:
                raise ValueError(f"{self.id}: {owner}.{prop} has no chart value (it is the {carrier})")
        flat = chart_values(chart, props, given)
        if not self.routes_through_ingress:
            flat["ingress.enabled"] = False
        for arg, path in (("labels", "commonLabels"), ("annotations", "commonAnnotations")):
            if arg in self.stack:
                flat[path] = dict(self.stack[arg])
        return flat

    def values(self, chart: Chart) -> dict[str, Any]:
        """The values file content for ``chart``."""
        return values_tree(self.flat_values(chart))

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
        # A wildcard Ingress host (IsWildcardDNS1123Subdomain) with the origins given.
        "other-config-wildcard-host",
        ingress={"host": "*.todo.example.com"},
        backend={
            "jwt_algorithm": "HS512",
            "jwt_expire_days": 30,
            "cors_origins": ("https://todo.example.com", "http://localhost:3000"),
            "extra_config": {"LOG_LEVEL": "debug", "GREETING": "a<b & c>d", "MOTTO": "café <olé> & co"},
        },
        # The frontend reads a whole Secret too: that alone needs the extra-secret exception.
        frontend={
            "extra_env_secret": "frontend-keys",
            "extra_config": {
                "NODE_OPTIONS": "--max-old-space-size=192",
                "TZ": "Europe/Paris",
                "SITE_TITLE": "Tom & Jerry's <todo>",
            },
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
        # A slower scale-down for a bursty load; the frontend scales up only after a minute of need.
        "autoscaling-stabilization-windows",
        backend={
            "autoscaling": Autoscaling(min_replicas=2, max_replicas=8, scale_down_stabilization_seconds=600)
        },
        frontend={
            "autoscaling": Autoscaling(scale_up_stabilization_seconds=60, scale_down_stabilization_seconds=0)
        },
    ),
    ValueSet(
        # Settings read from other objects' keys, and whole objects: the frontend's Secret key gets
        # its own exception. A team's labels on every object and pod (the frontend's pod label wins),
        # its annotations on every object beside the library's.
        "extra-env-from-keys-and-objects-common-metadata",
        backend={
            "extra_env": {
                "SMTP_PASSWORD": SecretKeyRef(secret="smtp-credentials", key="password"),
                "REGION": ConfigMapKeyRef(config_map="cluster-info", key="region", optional=True),
            },
            "extra_env_config_map": "todo-settings",
            "extra_env_secret": "todo-api-keys",
        },
        frontend={
            "extra_env": {"ANALYTICS_KEY": SecretKeyRef(secret="analytics", key="key.txt", optional=True)},
            "extra_env_config_map": "frontend-settings",
            "pod_labels": {"team": "web-frontend"},
        },
        stack={
            "labels": {"team": "web", "cost-center": "4711"},
            "annotations": {"owner": "team-web@example.com", "example.com/runbook": "https://x.example/todo"},
        },
    ),
    ValueSet(
        # A team's own files and scratch space in the pod, and pods kept to a node pool:
        # the given affinity replaces the spread's anti-affinity, and the zone spread stays.
        "extra-volumes-and-affinity",
        backend={
            "replicas": 2,
            "spread_pods": True,
            "extra_volumes": (
                Volume(name="corporate-ca", config_map="corporate-ca"),
                Volume(name="smtp-tls", secret="smtp-tls"),
                Volume(name="uploads", persistent_volume_claim="todo-uploads"),
            ),
            "extra_volume_mounts": (
                VolumeMount(volume="corporate-ca", path="/etc/ssl/corporate", sub_path="ca.crt"),
                VolumeMount(volume="smtp-tls", path="/etc/smtp"),
                VolumeMount(volume="uploads", path="/var/lib/todo/uploads", read_only=False),
            ),
            "affinity": {
                "nodeAffinity": {
                    "requiredDuringSchedulingIgnoredDuringExecution": {
                        "nodeSelectorTerms": [
                            {"matchExpressions": [{"key": "pool", "operator": "In", "values": ["web"]}]}
                        ]
                    }
                },
                "podAntiAffinity": {
                    "preferredDuringSchedulingIgnoredDuringExecution": [
                        {
                            "weight": 50,
                            "podAffinityTerm": {
                                "topologyKey": "kubernetes.io/hostname",
                                "labelSelector": {
                                    "matchExpressions": [
                                        {"key": "app.kubernetes.io/component", "operator": "Exists"}
                                    ]
                                },
                            },
                        }
                    ]
                },
            },
        },
        frontend={
            "extra_volumes": (Volume(name="scratch", empty_dir_size_limit="1Gi"),),
            "extra_volume_mounts": (VolumeMount(volume="scratch", path="/app/scratch", read_only=False),),
        },
    ),
    ValueSet(
        # No CPU limit (the exception says so), and node disk reserved and capped.
        "no-cpu-limit-with-ephemeral-storage",
        backend={
            "resources": Resources(
                cpu_request="250m",
                memory_request="256Mi",
                cpu_limit=None,
                memory_limit="512Mi",
                ephemeral_storage_request="1Gi",
                ephemeral_storage_limit="2Gi",
            )
        },
        frontend={
            "resources": Resources(
                cpu_request="150m",
                memory_request="128Mi",
                cpu_limit="300m",
                memory_limit="256Mi",
                ephemeral_storage_limit="512Mi",
            )
        },
    ),
    ValueSet(
        # Workload identity: the backend's own ServiceAccount, annotated; the frontend runs as one
        # that exists (every namespace's default).
        "service-accounts",
        backend={
            "service_account": ServiceAccount(
                annotations={"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/todo-backend"}
            )
        },
        frontend={"service_account": ServiceAccount(create=False, name="default")},
    ),
    ValueSet(
        "named-service-account",
        backend={"service_account": ServiceAccount(name="todo-api-identity")},
        frontend={"service_account": ServiceAccount()},
    ),
    ValueSet(
        # A slow start held off by startup probes; liveness tolerating more failures, later.
        "startup-probes-and-thresholds",
        backend={
            "startup": Probe(http_path="/health", period_seconds=5, failure_threshold=30),
            "liveness": Probe(
                http_path="/health",
                period_seconds=30,
                timeout_seconds=5,
                failure_threshold=5,
                initial_delay_seconds=10,
            ),
        },
        frontend={"startup": Probe(period_seconds=2, failure_threshold=60, initial_delay_seconds=1)},
    ),
    ValueSet(
        # More peers in, DNS at NodeLocal DNS's address, the backend's outside calls narrowed.
        "network-policy-peers",
        backend={
            "network_policy": NetworkPolicy(
                ingress_from=(
                    NetworkPeer(namespace="envoy-gateway-system"),
                    NetworkPeer(pod_labels={"app": "monitoring"}),
                ),
                dns=(NetworkPeer(cidr="169.254.20.10/32"), NetworkPeer(namespace="kube-system")),
                egress_to=(NetworkPeer(cidr="10.20.0.0/16"), NetworkPeer(cidr="fd00:10::/64")),
            )
        },
        frontend={
            "network_policy": NetworkPolicy(
                ingress_from=(
                    NetworkPeer(namespace="traefik", pod_labels={"app.kubernetes.io/name": "traefik"}),
                ),
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
            # An empty label value is a value too (IsValidLabelValue).
            "pod_labels": {"team": "api", "example.com/tier": "gold", "example.com/canary": ""},
            # Annotation keys are checked lowercased (ValidateAnnotations): capitals in the prefix are fine.
            "pod_annotations": {
                "prometheus.io/scrape": "true",
                "example.com/note": "a: b, {c} & <d>",
                "Example.COM/Owner": "web",
            },
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
    ValueSet(
        # For controllers that serve each Ingress on its own: the frontend's routes the renamed backend too.
        "one-ingress-for-the-stack",
        backend={
            "name": "api",
            "ingress_paths": (IngressPath(path="/api"), IngressPath(path="/docs", exact=True)),
        },
        ingress={
            "per_workload": False,
            "tls": IngressTls(secret_name="todo-tls", cluster_issuer="letsencrypt"),
        },
    ),
    ValueSet(
        # A registry release: no latest-tag exception, and the pull policy's reason names IfNotPresent.
        "registry-release",
        backend={
            "image": "registry.example.com/todo-backend",
            "image_tag": "1.2.3",
            "image_pull_policy": "IfNotPresent",
        },
        frontend={
            "image_tag": "1.2.3",
            "image_pull_policy": "Always",
            "run_as_user": 2000,
            "run_as_group": 2000,
        },
        delivery="set",
    ),
    ValueSet(
        # Images pinned by digest: no image exception, whatever the tag and pull policy.
        "pinned-by-digest",
        backend={
            "image": "registry.example.com/team/todo-backend",
            "image_tag": "1.2.3",
            "image_digest": "sha256:" + "0123456789abcdef" * 4,
            "image_pull_policy": "IfNotPresent",
        },
        frontend={"image_digest": "sha512:" + "fedcba9876543210" * 8, "image_pull_policy": "Always"},
        delivery="set",
    ),
    ValueSet(
        # The local image pulled at each start: the pull policy exception goes.
        "local-image-always-pulled-without-checkov-annotations-on-the-frontend",
        backend={"image_pull_policy": "Always"},
        frontend={"checkov_annotations": False},
    ),
)

# Value sets whose objects need CRDs on the server (ValueSet.crds): kept out of
# VALUE_SETS, which tests/cluster applies to a control plane without them.
CRD_VALUE_SETS: tuple[ValueSet, ...] = (
    ValueSet(
        # Only the HTTPRoute: add_todo_charts then emits no Ingress, and the charts get ingress.enabled: false.
        # A wildcard host (Gateway API's Hostname allows one) serves many origins: they are given.
        "http-route-only-wildcard-host",
        backend={"cors_origins": ("https://eu.todo.example.com", "https://us.todo.example.com")},
        http_route={
            "gateway_name": "public",
            "gateway_namespace": "gateways",
            "section_name": "https",
            "host": "*.todo.example.com",
        },
    ),
    ValueSet(
        # The Gateway's namespace is let in through the policies, and in the stack's own
        # namespace its pods by their gateway-name label.
        "http-route-with-network-policies",
        backend={"network_policy": NetworkPolicy(ingress_from=(NetworkPeer(namespace="monitoring"),))},
        frontend={"network_policy": NetworkPolicy()},
        http_route={"gateway_name": "public", "gateway_namespace": "gateways"},
    ),
    ValueSet(
        "http-route-in-the-stacks-namespace-with-network-policies",
        backend={"network_policy": NetworkPolicy()},
        frontend={"network_policy": NetworkPolicy()},
        http_route={"gateway_name": "public"},
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
