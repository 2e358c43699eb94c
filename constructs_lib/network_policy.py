"""NetworkPolicies: each workload's pods deny all traffic but what the app needs.

Per workload, two policies select its pods: ``<name>-default-deny`` allows
nothing in or out, and ``<name>`` allows exactly this (policies add up):

- in: from the ingress controller's pods, and from the workloads of the stack
  that call this one (the frontend calls the backend), to the ``http`` port;
- out: DNS (port 53 to kube-system, where the cluster DNS runs), the workloads
  of the stack this one calls, and the extra ports it needs anywhere (the
  backend: PostgreSQL 5432 and HTTPS 443, for the database and OpenAI).

Peers are found by their selector labels (``app.kubernetes.io/name`` and
``instance``, both the peer workload's name), so a second Todo stack in the
namespace, whose labels differ only there, is not let in; ports are found by
the container port's name, so neither workload needs the other's port number.
"""

from __future__ import annotations

import types
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from cdk8s_plus_27 import k8s
from constructs import Construct

from constructs_lib import _validation as check

PORT_NAME = "http"
NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"
DNS_NAMESPACE = "kube-system"
DNS_PORT = 53


def _default_controller_labels() -> Mapping[str, str]:
    return {"app.kubernetes.io/name": "ingress-nginx"}


@dataclass(frozen=True, kw_only=True)
class NetworkPolicy:
    """Where the ingress controller runs, so its traffic is let in.

    Attributes:
        ingress_controller_namespace: the controller's namespace, e.g.
            ``"ingress-nginx"`` (Minikube's addon and the upstream chart).
        ingress_controller_pod_labels: labels of the controller's pods, e.g.
            ``{"app.kubernetes.io/name": "ingress-nginx"}``.
    """

    ingress_controller_namespace: str = "ingress-nginx"
    ingress_controller_pod_labels: Mapping[str, str] = field(default_factory=_default_controller_labels)

    def __post_init__(self) -> None:
        labels = self.ingress_controller_pod_labels
        if not isinstance(labels, Mapping):
            raise check.fail(
                type(self).__name__, "ingress_controller_pod_labels", labels, "must be a mapping of labels"
            )
        object.__setattr__(self, "ingress_controller_pod_labels", types.MappingProxyType(dict(labels)))

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


@dataclass(frozen=True)
class NetworkAccess:
    """What one workload talks to: the app fixes which, the stack names them.

    Attributes:
        clients: names of the stack's workloads that connect to this one, e.g.
            ``("todo-frontend",)``.
        servers: names of the stack's workloads this one connects to.
        egress_ports: TCP ports this one connects to anywhere.
    """

    clients: tuple[str, ...] = ()
    servers: tuple[str, ...] = ()
    egress_ports: tuple[int, ...] = ()


# A workload that neither calls nor is called by the rest of the stack.
NO_ACCESS = NetworkAccess()


def _http(protocol: str = "TCP") -> k8s.NetworkPolicyPort:
    return k8s.NetworkPolicyPort(port=k8s.IntOrString.from_string(PORT_NAME), protocol=protocol)


def _peer(selector: Mapping[str, str]) -> k8s.NetworkPolicyPeer:
    return k8s.NetworkPolicyPeer(pod_selector=k8s.LabelSelector(match_labels=dict(selector)))


def add_network_policies(
    scope: Construct,
    *,
    policy: NetworkPolicy,
    access: NetworkAccess,
    name: str,
    labels: Mapping[str, str],
    selector: Mapping[str, str],
    selector_of: Callable[[str], Mapping[str, str]],
    annotations: Mapping[str, str],
) -> tuple[k8s.KubeNetworkPolicy, k8s.KubeNetworkPolicy]:
    """The default-deny policy and the allow policy of one workload (L1 objects, written as shown).

    ``selector`` selects this workload's pods; ``selector_of`` gives the
    selector labels of the workload of a given name, for the peers in ``access``.
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
    ingress = [k8s.NetworkPolicyIngressRule(from_=[controller], ports=[_http()])]
    ingress += [
        k8s.NetworkPolicyIngressRule(from_=[_peer(selector_of(client))], ports=[_http()])
        for client in access.clients
    ]
    dns = k8s.NetworkPolicyPeer(
        namespace_selector=k8s.LabelSelector(match_labels={NAMESPACE_NAME_LABEL: DNS_NAMESPACE})
    )
    egress = [
        k8s.NetworkPolicyEgressRule(
            to=[dns],
            ports=[
                k8s.NetworkPolicyPort(port=k8s.IntOrString.from_number(DNS_PORT), protocol=protocol)
                for protocol in ("UDP", "TCP")
            ],
        )
    ]
    egress += [
        k8s.NetworkPolicyEgressRule(to=[_peer(selector_of(server))], ports=[_http()])
        for server in access.servers
    ]
    if access.egress_ports:
        ports = [
            k8s.NetworkPolicyPort(port=k8s.IntOrString.from_number(port), protocol="TCP")
            for port in access.egress_ports
        ]
        egress.append(k8s.NetworkPolicyEgressRule(ports=ports))
    allow = k8s.KubeNetworkPolicy(
        scope,
        "network-policy",
        metadata=metadata(name),
        spec=k8s.NetworkPolicySpec(pod_selector=pods, policy_types=both, ingress=ingress, egress=egress),
    )
    return deny, allow
