"""The Ingress that routes ``todo.local`` to one workload's paths."""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib._signature import init_signature
from constructs_lib.pod_settings import check_metadata_map
from constructs_lib.routing import DEFAULT_HOST, INGRESS_NGINX_CLASS, Routable

# cert-manager's ingress-shim issues a certificate for the TLS hosts of an Ingress with this annotation.
CLUSTER_ISSUER_ANNOTATION = "cert-manager.io/cluster-issuer"


@dataclass(frozen=True, kw_only=True)
class IngressTls:
    """HTTPS for the Ingress host, from a certificate in a Secret.

    Attributes:
        secret_name: the Secret holding the certificate and key, e.g. ``"todo-tls"``.
        cluster_issuer: a cert-manager ClusterIssuer that creates and renews
            that Secret, e.g. ``"letsencrypt"``; ``None`` (default): the Secret
            is made some other way.
    """

    secret_name: str
    cluster_issuer: str | None = None

    def validate(self, owner: str) -> None:
        check.check_dns_subdomain(owner, "secret_name", self.secret_name)
        if self.cluster_issuer is not None:
            check.check_dns_subdomain(owner, "cluster_issuer", self.cluster_issuer)


def _no_annotations() -> Mapping[str, str]:
    return types.MappingProxyType({})


@dataclass(frozen=True, kw_only=True)
class TodoIngressProps:
    """Props of :class:`TodoIngress`; the defaults are the spec's.

    Attributes:
        host: the host name the rules match, e.g. ``"todo.example.com"``.
        class_name: the IngressClass of the controller serving it.
        tls: ``IngressTls(secret_name=..., cluster_issuer=...)`` for HTTPS on
            ``host``; ``None`` (default): HTTP only, as the spec's Minikube.
        annotations: the controller's settings, e.g.
            ``{"nginx.ingress.kubernetes.io/proxy-body-size": "8m"}``.
        per_workload: ``True`` (default): one Ingress per workload, which
            controllers such as ingress-nginx and Traefik merge by host;
            ``False``: one Ingress, the frontend's, routing both workloads'
            paths, for controllers that serve each Ingress on its own (GCE).
    """

    host: str = DEFAULT_HOST
    class_name: str = INGRESS_NGINX_CLASS
    tls: IngressTls | None = None
    annotations: Mapping[str, str] = field(default_factory=_no_annotations)
    per_workload: bool = True

    def __post_init__(self) -> None:
        owner = type(self).__name__
        check.check_host(owner, "host", self.host)
        check.check_dns_subdomain(owner, "class_name", self.class_name)
        if self.tls is not None:
            check.check_instance(owner, "tls", self.tls, IngressTls)
            self.tls.validate(f"{owner}.tls")
        check_metadata_map(owner, "annotations", self.annotations, labels=False)
        check.check_bool(owner, "per_workload", self.per_workload)
        if self.tls is not None and self.tls.cluster_issuer and CLUSTER_ISSUER_ANNOTATION in self.annotations:
            raise check.fail(owner, "annotations", CLUSTER_ISSUER_ANNOTATION, "is set by tls.cluster_issuer")
        object.__setattr__(self, "annotations", types.MappingProxyType(dict(self.annotations)))

    def all_annotations(self, *, issues_certificate: bool) -> dict[str, str]:
        """The user's annotations, plus cert-manager's issuer with ``tls.cluster_issuer`` where asked."""
        if issues_certificate and self.tls is not None and self.tls.cluster_issuer:
            return {**self.annotations, CLUSTER_ISSUER_ANNOTATION: self.tls.cluster_issuer}
        return dict(self.annotations)


@init_signature
class TodoIngress(Construct):
    """One Ingress, named after its workload, routing the workload's paths to its Service.

    The backend's and the frontend's Ingress are separate objects, one per
    chart, as the Helm charts package them; the controller merges rules for the
    same host. Given ``also``, the one Ingress routes those workloads' paths
    to their Services too. With ingress-nginx (class ``nginx``), it carries the
    target's ``ingress_nginx_annotations`` (the backend's request body limit)
    unless ``props.annotations`` sets them. Paths are portable (``Prefix``/``Exact``): no controller-specific
    rewrite or regex annotations, and ``/api`` reaches the backend unchanged.

    Example:
        ``TodoIngress(chart, "ingress", target=backend, props=TodoIngressProps(host="todo.example.com"))``

    Attributes:
        ingress: the cdk8s-plus Ingress.
        host: the host it routes.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        target: Routable,
        props: TodoIngressProps | None = None,
        issues_certificate: bool = True,
        also: Sequence[Routable] = (),
    ) -> None:
        """Build the Ingress.

        Args:
            target: the Service and paths to route; the Ingress takes its name,
                labels and annotations.
            props: host, class, TLS and annotations; ``None``: the spec's.
            issues_certificate: whether this Ingress carries the cert-manager
                issuer of ``props.tls``. Give it to one Ingress per host: two
                would each ask cert-manager for the same Secret.
            also: more Services and paths the same Ingress routes, e.g. the
                backend's in a stack's one Ingress.
        """
        super().__init__(scope, id)
        props = props if props is not None else TodoIngressProps()
        check.check_bool(type(self).__name__, "issues_certificate", issues_certificate)
        check.check_instance(type(self).__name__, "props", props, TodoIngressProps)
        check.check_instance(type(self).__name__, "target", target, Routable)
        for index, other in enumerate(also):
            check.check_instance(type(self).__name__, f"also[{index}]", other, Routable)
        self.host: str = props.host
        self.ingress: kplus.Ingress = kplus.Ingress(
            self,
            "ingress",
            metadata=cdk8s.ApiObjectMetadata(
                name=target.name,
                labels=dict(target.labels),
                annotations={
                    **(target.ingress_nginx_annotations if props.class_name == INGRESS_NGINX_CLASS else {}),
                    **props.all_annotations(issues_certificate=issues_certificate),
                    **target.route_annotations,
                },
            ),
            class_name=props.class_name,
            tls=[kplus.IngressTls(hosts=[props.host], secret=_tls_secret(self, props.tls.secret_name))]
            if props.tls
            else None,
            rules=[
                kplus.IngressRule(
                    backend=kplus.IngressBackend.from_service(routed.service, port=routed.port),
                    host=props.host,
                    path=route.path,
                    path_type=kplus.HttpIngressPathType.EXACT
                    if route.exact
                    else kplus.HttpIngressPathType.PREFIX,
                )
                for routed in (target, *also)
                for route in routed.route_paths
            ],
        )


def _tls_secret(scope: Construct, name: str) -> kplus.ISecret:
    return kplus.Secret.from_secret_name(scope, "tls-secret", name)
