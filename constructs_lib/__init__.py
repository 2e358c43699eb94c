"""cdk8s constructs for the two-tier Todo app.

Import the constructs and their props from here; every prop defaults to the
value in the Phase IV spec, so ``TodoBackend(chart, "backend")`` is the spec's
backend.
"""

# The version of the library and of the charts (Chart.yaml's `version`), released together.
__version__ = "0.1.0"

from constructs_lib.autoscaling import Autoscaling
from constructs_lib.backend import SECRET_KEYS, TodoBackend, TodoBackendProps
from constructs_lib.chart import TodoChart
from constructs_lib.checksum import CONFIG_CHECKSUM_ANNOTATION, canonical_config_json, config_checksum
from constructs_lib.env import ConfigMapKeyRef, SecretKeyRef
from constructs_lib.external_secret import ExternalSecret, StoreKind, StoreKindName
from constructs_lib.frontend import TodoFrontend, TodoFrontendProps
from constructs_lib.http_route import TodoHttpRoute, TodoHttpRouteProps
from constructs_lib.ingress import IngressTls, TodoIngress, TodoIngressProps
from constructs_lib.network_policy import NetworkPeer, NetworkPolicy
from constructs_lib.pod_settings import (
    TaintEffect,
    TaintEffectName,
    Toleration,
    TolerationOperator,
    TolerationOperatorName,
)
from constructs_lib.rollout import ZeroDowntimeRollout
from constructs_lib.routing import Routable
from constructs_lib.service_account import ServiceAccount
from constructs_lib.stack import TodoApp, add_todo_charts
from constructs_lib.volume import Volume, VolumeMount
from constructs_lib.workload import (
    IngressPath,
    Probe,
    PullPolicy,
    PullPolicyName,
    Resources,
    ServiceType,
    ServiceTypeName,
    Workload,
    WorkloadProps,
    WorkloadSettings,
)

__all__ = [
    "CONFIG_CHECKSUM_ANNOTATION",
    "SECRET_KEYS",
    "Autoscaling",
    "ConfigMapKeyRef",
    "ExternalSecret",
    "IngressPath",
    "IngressTls",
    "NetworkPeer",
    "NetworkPolicy",
    "Probe",
    "PullPolicy",
    "PullPolicyName",
    "Resources",
    "Routable",
    "SecretKeyRef",
    "ServiceAccount",
    "ServiceType",
    "ServiceTypeName",
    "StoreKind",
    "StoreKindName",
    "TaintEffect",
    "TaintEffectName",
    "TodoApp",
    "TodoBackend",
    "TodoBackendProps",
    "TodoChart",
    "TodoFrontend",
    "TodoFrontendProps",
    "TodoHttpRoute",
    "TodoHttpRouteProps",
    "TodoIngress",
    "TodoIngressProps",
    "Toleration",
    "TolerationOperator",
    "TolerationOperatorName",
    "Volume",
    "VolumeMount",
    "Workload",
    "WorkloadProps",
    "WorkloadSettings",
    "ZeroDowntimeRollout",
    "add_todo_charts",
    "canonical_config_json",
    "config_checksum",
]
