"""What in a manifest makes Argo CD report an application OutOfSync forever.

Argo CD compares what git holds with what the API server stored. A field the
server stores differently from how git writes it differs on every refresh,
sync or not. :func:`hazards` names each such field:

- quantities not in the server's canonical spelling (``1024Mi`` is stored
  as ``1Gi``, ``0.5`` as ``500m``) or written as numbers instead of strings;
- empty maps and lists, which the server drops (``externalIPs: []``), except
  the ones whose presence means something and which the server keeps
  (:data:`MEANINGFUL_EMPTY`);
- ``null`` values, which the server drops;
- numbers written as strings in int-or-string fields (``port: "8000"``):
  the server keeps the string, but it names a port that does not exist;
- label, annotation, ConfigMap data and env values that are not strings
  (YAML's ``1`` or ``true``), which the server refuses or stringifies;
- duplicate keys in lists the server merges by key (env names, ports,
  volumes, mounts, containers), where the stored object keeps one entry.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from constructs_lib import _validation

# Empty objects whose presence the server keeps because it carries meaning:
# `emptyDir: {}` selects the volume source (EmptyDirVolumeSource has no
# required field), `podSelector: {}` selects every pod of the namespace and
# `namespaceSelector: {}` every namespace (LabelSelector, kept as written).
MEANINGFUL_EMPTY = frozenset({"emptyDir", "podSelector", "namespaceSelector"})
QUANTITY_PARENTS = frozenset({"requests", "limits"})
# Int-or-string fields this project writes (ports and rollout budgets).
INT_OR_STRING = frozenset({"port", "targetPort", "maxSurge", "maxUnavailable", "minAvailable"})
# Lists the API server merges by key (strategic merge patch keys).
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "env": "name",
    "volumes": "name",
    "volumeMounts": "mountPath",
    "ports": "containerPort",
}


def _walk(node: Any, path: str) -> Iterator[tuple[str, str, Any, Any]]:
    """``(path, key, value, parent)`` for every entry of every map and list below ``node``."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield f"{path}.{key}" if path else str(key), str(key), value, node
            yield from _walk(value, f"{path}.{key}" if path else str(key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield f"{path}[{index}]", "", value, node
            yield from _walk(value, f"{path}[{index}]")


def _quantity_problem(path: str, value: Any) -> str | None:
    if not isinstance(value, str):
        return f"{path}: quantity {value!r} must be a string in canonical form"
    try:
        _validation.parse_quantity("quantity", path, value)
    except ValueError as error:
        return f"{path}: {error}"
    return None


def _string_map_problems(obj: dict[str, Any]) -> Iterator[str]:
    maps = [("metadata.labels", obj.get("metadata", {}).get("labels")), ("data", obj.get("data"))]
    maps.append(("metadata.annotations", obj.get("metadata", {}).get("annotations")))
    template = obj.get("spec", {}).get("template") if isinstance(obj.get("spec"), dict) else None
    if isinstance(template, dict):
        maps.append(("spec.template.metadata.labels", template.get("metadata", {}).get("labels")))
        maps.append(("spec.template.metadata.annotations", template.get("metadata", {}).get("annotations")))
    for where, mapping in maps:
        for key, value in (mapping or {}).items():
            if not isinstance(value, str):
                yield f"{where}.{key}: {value!r} is not a string"


def hazards(obj: dict[str, Any]) -> list[str]:
    """Every field of ``obj`` that the API server would store differently, as ``path: problem``."""
    found = list(_string_map_problems(obj))
    for path, key, value, parent in _walk(obj, ""):
        if value is None:
            found.append(f"{path}: null is dropped by the API server")
        elif value in ({}, []) and key not in MEANINGFUL_EMPTY:
            found.append(f"{path}: an empty {type(value).__name__} is dropped by the API server")
        if key in QUANTITY_PARENTS and isinstance(value, dict):
            for name, quantity in value.items():
                problem = _quantity_problem(f"{path}.{name}", quantity)
                if problem:
                    found.append(problem)
        if key == "sizeLimit" and isinstance(parent, dict):
            problem = _quantity_problem(path, value)
            if problem:
                found.append(problem)
        if key in INT_OR_STRING and isinstance(value, str) and value.isdigit():
            found.append(f"{path}: {value!r} is a number written as a string")
        if key == "env" and isinstance(value, list):
            for index, variable in enumerate(value):
                if "value" in variable and not isinstance(variable["value"], str):
                    found.append(f"{path}[{index}].value: {variable['value']!r} is not a string")
        if key in MERGE_KEYS and isinstance(value, list):
            merge_key = MERGE_KEYS[key]
            keys = [item[merge_key] for item in value if isinstance(item, dict) and merge_key in item]
            duplicates = sorted({str(k) for k in keys if keys.count(k) > 1})
            if duplicates:
                found.append(f"{path}: {merge_key} {', '.join(duplicates)} listed twice")
    return found
