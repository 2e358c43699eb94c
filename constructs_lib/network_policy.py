"""NetworkPolicies: each workload's pods deny all traffic but what the app needs.

Per workload, two policies select its pods: ``<name>-default-deny`` allows
nothing in or out, and ``<name>`` allows exactly this (policies add up):

- in: from the ingress controller's pods, the Gateway's (when the stack routes
  through an HTTPRoute), any other ``ingress_from`` peer, and the workloads of
  the stack that call this one (the frontend calls the backend), to the
  ``http`` port;
- out: DNS (port 53 to ``dns``: kube-system, where the cluster DNS runs, by
  default), the workloads of the stack this one calls, and the ports it needs
  outside (the backend: PostgreSQL 5432 and HTTPS 443, for the database and
  OpenAI) to ``egress_to``, or anywhere.

The stack's workloads are found by their ``app.kubernetes.io/instance``
label, the workload's name (a Helm release's name), so a second Todo stack in
the namespace is not let in; ports are found by the container port's name,
so neither workload needs the other's port number.
"""

from __future__ import annotations

import ipaddress
import types
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from cdk8s_plus_27 import k8s
from constructs import Construct

from constructs_lib import _validation as check

PORT_NAME = "http"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS_NAMESPACE = "kube-system"
DNS_PORT = 53
# The label Gateway API implementations put on the pods they run for a Gateway (GEP-1762).
GATEWAY_NAME_LABEL = "gateway.networking.k8s.io/gateway-name"
# The label the stack's workloads are told apart by: the workload's name, a Helm release's name.
INSTANCE_LABEL = "app.kubernetes.io/instance"
COMPONENT_LABEL = "app.kubernetes.io/component"


@dataclass(frozen=True, kw_only=True)
class NetworkPeer:
    """Pods, by namespace and labels, or addresses, by CIDR, that a NetworkPolicy rule names.

    Attributes:
        namespace: pods in the namespace of this name, e.g. ``"gateways"``;
            ``None`` (default): in the policy's own namespace.
        pod_labels: of those, only pods with these labels, e.g.
            ``{"app.kubernetes.io/name": "envoy"}``; empty (default): every pod
            of ``namespace``.
        cidr: addresses outside the pod network instead, e.g. ``"10.20.0.0/16"``
            or NodeLocal DNS's ``"169.254.20.10/32"``; ``None`` (default): pods.
            Written in canonical form (no host bits set), and never with
            ``namespace`` or ``pod_labels``.

    Example:
        ``NetworkPeer(namespace="envoy-gateway-system")``, ``NetworkPeer(cidr="10.20.0.0/16")``
    """

    namespace: str | None = None
    pod_labels: Mapping[str, str] = field(default_factory=dict)
    cidr: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.pod_labels, Mapping):
            raise check.fail(
                type(self).__name__, "pod_labels", self.pod_labels, "must be a mapping of labels"
            )
        object.__setattr__(self, "pod_labels", types.MappingProxyType(dict(self.pod_labels)))

    def validate(self, owner: str) -> None:
        if self.cidr is not None:
            if self.namespace is not None or self.pod_labels:
                raise check.fail(
                    owner,
                    "cidr",
                    self.cidr,
                    "must come alone: a peer is pods (namespace, pod_labels) or addresses",
                )
            check_cidr(owner, "cidr", self.cidr)
            return
        if self.namespace is None and not self.pod_labels:
            raise check.fail(
                owner,
                "namespace",
                None,
                "must be given, or pod_labels or cidr: a peer with none of them names no one in particular",
            )
        if self.namespace is not None:
            check.check_namespace(owner, "namespace", self.namespace)
        for key, value in self.pod_labels.items():
            check.check_label_key(owner, "pod_labels", key)
            check.check_label_value(owner, f"pod_labels[{key!r}]", value)

    def to_json(self) -> dict[str, Any]:
        """The peer as a NetworkPolicyPeer (and as the charts' values hold it, without selectors)."""
        if self.cidr is not None:
            return {"ipBlock": {"cidr": self.cidr}}
        peer: dict[str, Any] = {}
        if self.namespace is not None:
            peer["namespaceSelector"] = {"matchLabels": {NAMESPACE_NAME_LABEL: self.namespace}}
        if self.pod_labels:
            peer["podSelector"] = {"matchLabels": dict(self.pod_labels)}
        return peer

    def to_value(self) -> dict[str, Any]:
        """The peer as the charts' values write it: only what is set."""
        value: dict[str, Any] = {}
        if self.namespace is not None:
            value["namespace"] = self.namespace
        if self.pod_labels:
            value["podLabels"] = dict(self.pod_labels)
        if self.cidr is not None:
            value["cidr"] = self.cidr
        return value


CIDR_RULE = (
    "must be an IPv4 or IPv6 CIDR in canonical form, e.g. '10.20.0.0/16': the network's first address "
    "(no host bits set) and a prefix length"
)


def check_cidr(owner: str, field: str, value: Any) -> None:
    """A CIDR as Kubernetes' strict IP validation accepts it: canonical, no leading zeros."""
    try:
        network = ipaddress.ip_network(value, strict=True) if isinstance(value, str) else None
    except ValueError:
        network = None
    if network is None or str(network) != value:
        raise check.fail(owner, field, value, CIDR_RULE)


def _default_dns() -> tuple[NetworkPeer, ...]:
    return (NetworkPeer(namespace=DNS_NAMESPACE),)


def _default_controller_labels() -> Mapping[str, str]:
    return {"app.kubernetes.io/name": "ingress-nginx"}


@dataclass(frozen=True, kw_only=True)
class NetworkPolicy:
    """Who may connect to the pods, and where the pods may connect, beyond the stack itself.

    Attributes:
        ingress_controller_namespace: the ingress controller's namespace, e.g.
            ``"ingress-nginx"`` (Minikube's addon and the upstream chart).
        ingress_controller_pod_labels: labels of the controller's pods, e.g.
            ``{"app.kubernetes.io/name": "ingress-nginx"}``.
        ingress_from: more peers let in to the ``http`` port, e.g. a second
            controller while migrating, or a Gateway's proxies that run outside
            the Gateway's namespace (Envoy Gateway's ``envoy-gateway-system``):
            ``(NetworkPeer(namespace="envoy-gateway-system"),)``. A stack with
            an HTTPRoute lets its Gateway in without this: every pod of the
            Gateway's namespace, or, for a Gateway in the stack's own
            namespace, its pods labelled ``gateway.networking.k8s.io/gateway-name``.
        dns: where DNS queries (port 53) may go; default: every pod of
            kube-system. ``(NetworkPeer(cidr="169.254.20.10/32"),)`` for NodeLocal DNS.
        egress_to: where the connections the app makes outside the stack may
            go (the backend's PostgreSQL and HTTPS), e.g. the database's
            ``(NetworkPeer(cidr="10.20.0.0/16"),)``; empty (default): anywhere.
    """

    ingress_controller_namespace: str = "ingress-nginx"
    ingress_controller_pod_labels: Mapping[str, str] = field(default_factory=_default_controller_labels)
    ingress_from: tuple[NetworkPeer, ...] = ()
    dns: tuple[NetworkPeer, ...] = field(default_factory=_default_dns)
    egress_to: tuple[NetworkPeer, ...] = ()

    def __post_init__(self) -> None:
        labels = self.ingress_controller_pod_labels
        if not isinstance(labels, Mapping):
            raise check.fail(
                type(self).__name__, "ingress_controller_pod_labels", labels, "must be a mapping of labels"
            )
        object.__setattr__(self, "ingress_controller_pod_labels", types.MappingProxyType(dict(labels)))
        for name in ("ingress_from", "dns", "egress_to"):
            value = getattr(self, name)
            if isinstance(value, str) or not isinstance(value, tuple | list):
                raise check.fail(type(self).__name__, name, value, "must be a tuple of NetworkPeer(...)")
            object.__setattr__(self, name, tuple(value))

    def validate(self, owner: str) -> None:
        check.check_namespace(owner, "ingress_controller_namespace", self.ingress_controller_namespace)
        labels = self.ingress_controller_pod_labels
        if not labels:
            raise check.fail(
                owner, "ingress_controller_pod_labels", dict(labels), "must hold at least one label"
            )
        for key, value in labels.items():
            check.check_label_key(owner, "ingress_controller_pod_labels", key)
            check.check_label_value(owner, f"ingress_controller_pod_labels[{key!r}]", value)
        for name in ("ingress_from", "dns", "egress_to"):
            for index, peer in enumerate(getattr(self, name)):
                check.check_instance(owner, f"{name}[{index}]", peer, NetworkPeer)
                peer.validate(f"{owner}.{name}[{index}]")
        if not self.dns:
            raise check.fail(owner, "dns", (), "must name at least one peer: the pods resolve names")


class StackPeer(NamedTuple):
    """A workload of the same stack: its name (its pods' instance label) and its component label.

    Both select its pods: charts installed together (``charts/todo``) share
    one instance label, the release's name.
    """

    name: str
    component: str


@dataclass(frozen=True)
class NetworkAccess:
    """What one workload talks to: the app fixes which, the stack names them.

    Attributes:
        clients: the stack's workloads that connect to this one, e.g.
            ``(StackPeer("todo-frontend", "frontend"),)``.
        servers: the stack's workloads this one connects to.
        egress_ports: TCP ports this one connects to outside the stack.
    """

    clients: tuple[StackPeer, ...] = ()
    servers: tuple[StackPeer, ...] = ()
    egress_ports: tuple[int, ...] = ()


# A workload that neither calls nor is called by the rest of the stack.
NO_ACCESS = NetworkAccess()


def _http(protocol: str = "TCP") -> k8s.NetworkPolicyPort:
    return k8s.NetworkPolicyPort(port=k8s.IntOrString.from_string(PORT_NAME), protocol=protocol)


def _peer(selector: Mapping[str, str]) -> k8s.NetworkPolicyPeer:
    return k8s.NetworkPolicyPeer(pod_selector=k8s.LabelSelector(match_labels=dict(selector)))


def _network_peer(peer: NetworkPeer) -> k8s.NetworkPolicyPeer:
    if peer.cidr is not None:
        return k8s.NetworkPolicyPeer(ip_block=k8s.IpBlock(cidr=peer.cidr))
    namespace = (
        None
        if peer.namespace is None
        else k8s.LabelSelector(match_labels={NAMESPACE_NAME_LABEL: peer.namespace})
    )
    pods = k8s.LabelSelector(match_labels=dict(peer.pod_labels)) if peer.pod_labels else None
    return k8s.NetworkPolicyPeer(namespace_selector=namespace, pod_selector=pods)


def gateway_peer(gateway_name: str, gateway_namespace: str | None) -> NetworkPeer:
    """The pods of a Gateway: all of its namespace, or in the stack's own, those labelled with its name."""
    if gateway_namespace is not None:
        return NetworkPeer(namespace=gateway_namespace)
    return NetworkPeer(pod_labels={GATEWAY_NAME_LABEL: gateway_name})


def peer_selector(peer: StackPeer) -> dict[str, str]:
    """The labels that select the pods of the stack's workload ``peer``: its instance (a release's name) and component."""
    return {INSTANCE_LABEL: peer.name, COMPONENT_LABEL: peer.component}


def add_network_policies(
    scope: Construct,
    *,
    policy: NetworkPolicy,
    access: NetworkAccess,
    name: str,
    labels: Mapping[str, str],
    selector: Mapping[str, str],
    annotations: Mapping[str, str],
) -> tuple[k8s.KubeNetworkPolicy, k8s.KubeNetworkPolicy]:
    """The default-deny policy and the allow policy of one workload (L1 objects, written as shown).

    ``selector`` selects this workload's pods; the stack's workloads in
    ``access`` are found by :func:`peer_selector`.
    """
    pods = k8s.LabelSelector(match_labels=dict(selector))
    both = ["Ingress", "Egress"]

    def metadata(object_name: str) -> k8s.ObjectMeta:
        return k8s.ObjectMeta(name=object_name, labels=dict(labels), annotations=dict(annotations))

    deny = k8s.KubeNetworkPolicy(
        scope,
        "default-deny",
        metadata=metadata(f"{name}-default-deny"),
        spec=k8s.NetworkPolicySpec(pod_selector=pods, policy_types=both),
    )
    controller = k8s.NetworkPolicyPeer(
        namespace_selector=k8s.LabelSelector(
            match_labels={NAMESPACE_NAME_LABEL: policy.ingress_controller_namespace}
        ),
        pod_selector=k8s.LabelSelector(match_labels=dict(policy.ingress_controller_pod_labels)),
    )
    routers = [controller, *(_network_peer(peer) for peer in policy.ingress_from)]
    ingress = [k8s.NetworkPolicyIngressRule(from_=routers, ports=[_http()])]
    ingress += [
        k8s.NetworkPolicyIngressRule(from_=[_peer(peer_selector(client))], ports=[_http()])
        for client in access.clients
    ]
    egress = [
        k8s.NetworkPolicyEgressRule(
            to=[_network_peer(peer) for peer in policy.dns],
            ports=[
                k8s.NetworkPolicyPort(port=k8s.IntOrString.from_number(DNS_PORT), protocol=protocol)
                for protocol in ("UDP", "TCP")
            ],
        )
    ]
    egress += [
        k8s.NetworkPolicyEgressRule(to=[_peer(peer_selector(server))], ports=[_http()])
        for server in access.servers
    ]
    if access.egress_ports:
        ports = [
            k8s.NetworkPolicyPort(port=k8s.IntOrString.from_number(port), protocol="TCP")
            for port in access.egress_ports
        ]
        outside = [_network_peer(peer) for peer in policy.egress_to] or None
        egress.append(k8s.NetworkPolicyEgressRule(to=outside, ports=ports))
    allow = k8s.KubeNetworkPolicy(
        scope,
        "network-policy",
        metadata=metadata(name),
        spec=k8s.NetworkPolicySpec(pod_selector=pods, policy_types=both, ingress=ingress, egress=egress),
    )
    return deny, allow
