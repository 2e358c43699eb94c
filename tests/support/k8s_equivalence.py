"""When two sets of Kubernetes manifests are the same objects: the normalization and the diff.

Two manifests are *equivalent* when, after the same normalization on both
sides, they are equal value for value:

1. API defaulting: a field one side leaves out is filled in with the value the
   API server gives it (or, for a few booleans the server leaves unset, the
   value its absence means), as listed in :data:`API_DEFAULTS`, each with the
   API reference that documents it. A field present on a side is never changed.
2. Bookkeeping labels are removed from ``metadata.labels`` of every object and
   pod template: :data:`BOOKKEEPING_LABELS` and the ``cdk8s.io/`` prefix. Only
   labels: selectors, annotations and everything else are compared as they are.

Nothing else is ignored. :func:`differences` names the object and the field
path of every difference.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

BOOKKEEPING_LABELS = frozenset({"helm.sh/chart", "app.kubernetes.io/managed-by"})
BOOKKEEPING_LABEL_PREFIXES = ("cdk8s.io/",)

_API = "https://kubernetes.io/docs/reference/kubernetes-api"
_POD = f"{_API}/workload-resources/pod-v1"
_DEPLOYMENT_SPEC = f"{_API}/workload-resources/deployment-v1/#DeploymentSpec"
_SERVICE_SPEC = f"{_API}/service-resources/service-v1/#ServiceSpec"

Predicate = Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class ApiDefault:
    """``path`` (``*`` for each list item) of a ``kind`` defaults to ``value`` when absent.

    Attributes:
        kind: the object kind it applies to.
        path: the field, e.g. ``("spec", "template", "spec", "dnsPolicy")``;
            every step but the last must exist for the default to apply.
        value: the default.
        reference: the API reference documenting it.
        when: a condition on the field's parent object (e.g. the strategy type).
    """

    kind: str
    path: tuple[str, ...]
    value: Any
    reference: str
    when: Predicate | None = None


_POD_TEMPLATE = ("spec", "template", "spec")
_CONTAINER = (*_POD_TEMPLATE, "containers", "*")
_PROBES = ("livenessProbe", "readinessProbe", "startupProbe")


def _probe_defaults() -> Iterable[ApiDefault]:
    probe_ref = f"{_POD}/#Probe"
    for probe in _PROBES:
        at = (*_CONTAINER, probe)
        yield ApiDefault("Deployment", (*at, "failureThreshold"), 3, probe_ref)
        yield ApiDefault("Deployment", (*at, "successThreshold"), 1, probe_ref)
        yield ApiDefault("Deployment", (*at, "timeoutSeconds"), 1, probe_ref)
        yield ApiDefault("Deployment", (*at, "periodSeconds"), 10, probe_ref)
        # HTTPGetAction.scheme: "Defaults to HTTP."
        yield ApiDefault("Deployment", (*at, "httpGet", "scheme"), "HTTP", probe_ref)


API_DEFAULTS: tuple[ApiDefault, ...] = (
    # ConfigMap.immutable: "Defaulted to nil"; anything but true leaves the data mutable.
    ApiDefault(
        "ConfigMap", ("immutable",), False, f"{_API}/config-and-storage-resources/config-map-v1/#ConfigMap"
    ),
    # DeploymentSpec.replicas: "Defaults to 1."
    ApiDefault("Deployment", ("spec", "replicas"), 1, _DEPLOYMENT_SPEC),
    # DeploymentSpec.minReadySeconds: "Defaults to 0".
    ApiDefault("Deployment", ("spec", "minReadySeconds"), 0, _DEPLOYMENT_SPEC),
    # DeploymentSpec.progressDeadlineSeconds: "Defaults to 600s."
    ApiDefault("Deployment", ("spec", "progressDeadlineSeconds"), 600, _DEPLOYMENT_SPEC),
    # DeploymentSpec.revisionHistoryLimit: "Defaults to 10."
    ApiDefault("Deployment", ("spec", "revisionHistoryLimit"), 10, _DEPLOYMENT_SPEC),
    # DeploymentStrategy.type: "Default is RollingUpdate."
    ApiDefault("Deployment", ("spec", "strategy"), {"type": "RollingUpdate"}, _DEPLOYMENT_SPEC),
    # RollingUpdateDeployment.maxSurge / maxUnavailable: "Defaults to 25%", for RollingUpdate only.
    ApiDefault(
        "Deployment",
        ("spec", "strategy", "rollingUpdate"),
        {},
        _DEPLOYMENT_SPEC,
        when=lambda strategy: strategy.get("type") == "RollingUpdate",
    ),
    ApiDefault("Deployment", ("spec", "strategy", "rollingUpdate", "maxSurge"), "25%", _DEPLOYMENT_SPEC),
    ApiDefault(
        "Deployment", ("spec", "strategy", "rollingUpdate", "maxUnavailable"), "25%", _DEPLOYMENT_SPEC
    ),
    # PodSpec.dnsPolicy: "Defaults to 'ClusterFirst'."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "dnsPolicy"), "ClusterFirst", f"{_POD}/#PodSpec"),
    # PodSpec.restartPolicy: "Default to Always."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "restartPolicy"), "Always", f"{_POD}/#PodSpec"),
    # PodSpec.terminationGracePeriodSeconds: "Defaults to 30 seconds."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "terminationGracePeriodSeconds"), 30, f"{_POD}/#PodSpec"),
    # PodSpec.schedulerName: "If not specified, the pod will be dispatched by default scheduler."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "schedulerName"), "default-scheduler", f"{_POD}/#PodSpec"),
    # PodSpec.hostNetwork: "Default to false."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "hostNetwork"), False, f"{_POD}/#PodSpec"),
    # PodSpec.setHostnameAsFQDN: "Default to false."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "setHostnameAsFQDN"), False, f"{_POD}/#PodSpec"),
    # PodSpec.enableServiceLinks: "Optional: Defaults to true."
    ApiDefault("Deployment", (*_POD_TEMPLATE, "enableServiceLinks"), True, f"{_POD}/#PodSpec"),
    # Container.ports.protocol: "Defaults to 'TCP'."
    ApiDefault("Deployment", (*_CONTAINER, "ports", "*", "protocol"), "TCP", f"{_POD}/#Container"),
    # Container.terminationMessagePath: "Defaults to /dev/termination-log."
    ApiDefault(
        "Deployment", (*_CONTAINER, "terminationMessagePath"), "/dev/termination-log", f"{_POD}/#Container"
    ),
    # Container.terminationMessagePolicy: "Defaults to File."
    ApiDefault("Deployment", (*_CONTAINER, "terminationMessagePolicy"), "File", f"{_POD}/#Container"),
    *_probe_defaults(),
    # ServiceSpec.type: "Defaults to ClusterIP."
    ApiDefault("Service", ("spec", "type"), "ClusterIP", _SERVICE_SPEC),
    # ServicePort.protocol: "Default is TCP."
    ApiDefault("Service", ("spec", "ports", "*", "protocol"), "TCP", _SERVICE_SPEC),
    # ServiceSpec.sessionAffinity: "Defaults to None."
    ApiDefault("Service", ("spec", "sessionAffinity"), "None", _SERVICE_SPEC),
)


def _service_target_ports(obj: dict[str, Any]) -> None:
    """ServicePort.targetPort: "If this is not specified, the value of the 'port' field is used."

    A default that depends on a sibling field, so it is not an :class:`ApiDefault`
    entry. Reference: the ServiceSpec ``ports`` entry at ``_SERVICE_SPEC``.
    """
    if obj.get("kind") != "Service":
        return
    for port in obj.get("spec", {}).get("ports", []):
        if isinstance(port, dict) and "targetPort" not in port and "port" in port:
            port["targetPort"] = port["port"]


def _apply(node: Any, path: tuple[str, ...], default: ApiDefault) -> None:
    step, rest = path[0], path[1:]
    if step == "*":
        if isinstance(node, list):
            for item in node:
                _apply(item, rest, default)
        return
    if not isinstance(node, dict):
        return
    if rest:
        if step in node:
            _apply(node[step], rest, default)
        return
    if step not in node and (default.when is None or default.when(node)):
        node[step] = copy.deepcopy(default.value)


def _label_maps(obj: dict[str, Any]) -> Iterable[dict[str, Any]]:
    yield obj.get("metadata", {}).get("labels", {})
    template = obj.get("spec", {}).get("template")
    if isinstance(template, dict):
        yield template.get("metadata", {}).get("labels", {})


def normalize(obj: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` with API defaults filled in and bookkeeping labels removed."""
    result = copy.deepcopy(dict(obj))
    for default in API_DEFAULTS:
        if result.get("kind") == default.kind:
            _apply(result, default.path, default)
    _service_target_ports(result)
    for labels in _label_maps(result):
        for key in list(labels):
            if key in BOOKKEEPING_LABELS or key.startswith(BOOKKEEPING_LABEL_PREFIXES):
                del labels[key]
    return result


def object_key(obj: Mapping[str, Any]) -> tuple[str, str]:
    """(kind, name): how objects are paired across the two sides."""
    return obj["kind"], obj["metadata"]["name"]


def _field_differences(left: Any, right: Any, path: str, names: tuple[str, str]) -> list[str]:
    left_name, right_name = names
    if isinstance(left, dict) and isinstance(right, dict):
        found = []
        for key in sorted(set(left) | set(right)):
            where = f"{path}.{key}" if path else key
            if key not in left:
                found.append(f"{where}: absent in {left_name}, {right_name} has {right[key]!r}")
            elif key not in right:
                found.append(f"{where}: {left_name} has {left[key]!r}, absent in {right_name}")
            else:
                found += _field_differences(left[key], right[key], where, names)
        return found
    if isinstance(left, list) and isinstance(right, list):
        found = []
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found += _field_differences(a, b, f"{path}[{index}]", names)
        if len(left) != len(right):
            found.append(f"{path}: {left_name} has {len(left)} items, {right_name} has {len(right)}")
        return found
    # Types count: "7" and 7 are different manifests.
    if type(left) is not type(right) or left != right:
        return [f"{path}: {left_name} {left!r} != {right_name} {right!r}"]
    return []


def differences(
    left: Iterable[Mapping[str, Any]],
    right: Iterable[Mapping[str, Any]],
    *,
    left_name: str = "left",
    right_name: str = "right",
) -> list[str]:
    """Every difference between two object sets after :func:`normalize`, as readable lines.

    Objects are paired by (kind, name); an object on one side only is a
    difference, and so is every differing field: ``Deployment/todo-backend:
    spec.replicas: left 1 != right 3``.
    """
    left_objects = {object_key(obj): normalize(obj) for obj in left}
    right_objects = {object_key(obj): normalize(obj) for obj in right}
    found = []
    for key in sorted(set(left_objects) | set(right_objects)):
        label = "/".join(key)
        if key not in right_objects:
            found.append(f"{label}: only in {left_name}")
        elif key not in left_objects:
            found.append(f"{label}: only in {right_name}")
        else:
            names = (left_name, right_name)
            for line in _field_differences(left_objects[key], right_objects[key], "", names):
                found.append(f"{label}: {line}")
    return found
