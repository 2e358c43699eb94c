"""A ServiceAccount: the identity the pods run as, for a cloud's workload identity."""

from __future__ import annotations

import types
from collections.abc import Mapping
from dataclasses import dataclass, field

from cdk8s_plus_27 import k8s
from constructs import Construct

from constructs_lib import _validation as check
from constructs_lib.pod_settings import check_metadata_map


@dataclass(frozen=True, kw_only=True)
class ServiceAccount:
    """The ServiceAccount the pods run as. Its API token is never mounted: the apps call no Kubernetes API.

    Workload identity (EKS, GKE, AKS) reads the annotations, and its webhook or
    metadata server gives the pods their cloud credentials without that token.

    Attributes:
        create: ``True`` (default) emits the ServiceAccount; ``False`` runs the
            pods as one that exists already, named by ``name``.
        name: its name; ``None`` (default): the workload's name.
        annotations: on the ServiceAccount (only with ``create``), e.g.
            ``{"eks.amazonaws.com/role-arn": "arn:aws:iam::111122223333:role/todo"}``.

    Example:
        ``ServiceAccount(annotations={"iam.gke.io/gcp-service-account": "todo@project.iam.gserviceaccount.com"})``
    """

    create: bool = True
    name: str | None = None
    annotations: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not isinstance(self.annotations, Mapping):
            raise check.fail(type(self).__name__, "annotations", self.annotations, "must be a mapping")
        object.__setattr__(self, "annotations", types.MappingProxyType(dict(self.annotations)))

    def validate(self, owner: str) -> None:
        check.check_bool(owner, "create", self.create)
        if self.name is not None:
            check.check_dns_subdomain(owner, "name", self.name)
        elif not self.create:
            raise check.fail(
                owner, "name", None, "must name the existing ServiceAccount when create is False"
            )
        check_metadata_map(owner, "annotations", self.annotations, labels=False)
        if self.annotations and not self.create:
            raise check.fail(
                owner,
                "annotations",
                dict(self.annotations),
                "must be empty when create is False: nothing carries them",
            )

    def name_for(self, workload: str) -> str:
        """The ServiceAccount's name for the workload named ``workload``."""
        return self.name if self.name is not None else workload


def add_service_account(
    scope: Construct,
    *,
    name: str,
    labels: Mapping[str, str],
    annotations: Mapping[str, str],
) -> k8s.KubeServiceAccount:
    """The ServiceAccount, its token never mounted by default into any pod."""
    return k8s.KubeServiceAccount(
        scope,
        "service-account",
        metadata=k8s.ObjectMeta(name=name, labels=dict(labels), annotations=dict(annotations) or None),
        automount_service_account_token=False,
    )
