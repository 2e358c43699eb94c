"""JSON Schema for the charts' values, from the rules the props checks use.

The patterns and limits come from ``constructs_lib._validation`` (and the
enums and limits of the props modules), so ``values.schema.json`` refuses
what the props refuse; :mod:`scripts.chart_mapping` puts these pieces together
into each chart's schema. :data:`DEFINITIONS` are the schema's shared
``definitions``, which :func:`ref` points at.
"""

from __future__ import annotations

import enum
import types
from collections.abc import Mapping
from typing import Any, Final

from constructs_lib import _validation as check
from constructs_lib.pod_settings import (
    ANNOTATIONS_MAX_BYTES,
    RESERVED_KEY_PREFIXES,
    TaintEffect,
    TolerationOperator,
)
from constructs_lib.scheduling import AFFINITY, LabelMap, Leaf, ListOf, Shape
from constructs_lib.workload import PullPolicy

Schema = Mapping[str, Any]


def anchored(pattern: str) -> str:
    """A pattern the checks ``fullmatch``, as a JSON Schema pattern (which searches)."""
    return f"^({pattern})$" if _has_top_level_alternation(pattern) else f"^{pattern}$"


def _has_top_level_alternation(pattern: str) -> bool:
    depth, escaped = 0, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char in "([":
            depth += 1
        elif char in ")]":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


def ref(name: str) -> Schema:
    """A reference to one of :data:`DEFINITIONS`."""
    return {"$ref": f"#/definitions/{name}"}


def optional_pattern(pattern: str, *, max_length: int | None = None, description: str = "") -> Schema:
    """A string that is empty (the chart's "unset") or matches ``pattern``."""
    schema: dict[str, Any] = {"type": "string"}
    if max_length is not None:
        schema["maxLength"] = max_length
    schema["pattern"] = f"^({pattern})?$"
    if description:
        schema["description"] = description
    return schema


def integer(minimum: int, maximum: int | None = check.INT32_MAX) -> Schema:
    """An integer in ``[minimum, maximum]``; int32 fields by default, as the API's are."""
    schema: dict[str, Any] = {"type": "integer", "minimum": minimum}
    if maximum is not None:
        schema["maximum"] = maximum
    return schema


def one_of(choices: type[enum.Enum] | tuple[str, ...]) -> Schema:
    """A string among ``choices``: an enum's values, or the strings given."""
    values = [str(member.value) for member in choices] if isinstance(choices, type) else list(choices)
    return {"type": "string", "enum": values}


BOOLEAN: Final[Schema] = types.MappingProxyType({"type": "boolean"})
# The reserved key prefixes and the Ingress path rule, as the comments and descriptions word them.
RESERVED_PREFIXES = " and ".join((", ".join(RESERVED_KEY_PREFIXES[:-1]), RESERVED_KEY_PREFIXES[-1]))
PATH_RULE = (
    f"Kubernetes refuses {', '.join(check.INVALID_PATH_SEQUENCES)} and a trailing "
    f"{' or '.join(reversed(check.INVALID_PATH_SUFFIXES))} in them"
)
# A label or annotation key (check_label_key), and text without control characters.
LABEL_KEY = f"({check.DNS_SUBDOMAIN}/)?{check.LABEL_NAME}"
ANNOTATION_KEY = f"({check.ANNOTATION_PREFIX}/)?{check.LABEL_NAME}"
FREE_TEXT = f"[^{check.CONTROL_CHARACTERS}]*"
_PORT_OR_NAME: Schema = {
    "oneOf": [ref("port"), {"type": "string", "enum": ["http"], "description": "The container port's name."}]
}
SECCOMP_PROFILE: Schema = {
    "type": "object",
    "properties": {
        "type": {"type": "string", "enum": ["RuntimeDefault", "Localhost", "Unconfined"]},
        "localhostProfile": {"type": "string", "pattern": r"^[^\s\p{C}]+$"},
    },
}


def _nullable_int(minimum: int, maximum: int | None = check.INT32_MAX) -> Schema:
    return {**integer(minimum, maximum), "type": ["integer", "null"]}


def _handler(name: str) -> Schema:
    return {"required": [name], "properties": {name: {"type": "object"}}}


def shape_schema(shape: Shape) -> Schema:
    """The JSON Schema of a shape the props check walks (constructs_lib.scheduling)."""
    if isinstance(shape, Leaf):
        leaves: dict[str, Schema] = {
            "labelKey": {"type": "string", "pattern": anchored(LABEL_KEY)},
            "labelValue": {"type": "string", "pattern": anchored(check.LABEL_VALUE)},
            "namespace": ref("namespace"),
            "dnsSubdomain": ref("dnsSubdomain"),
            "weight": integer(1, 100),
        }
        return leaves.get(shape.kind) or one_of(tuple(shape.kind.split("|")))
    if isinstance(shape, LabelMap):
        return {
            "type": "object",
            "patternProperties": {
                anchored(LABEL_KEY): shape_schema(Leaf("labelValue", check.check_label_value))
            },
            "additionalProperties": False,
        }
    if isinstance(shape, ListOf):
        schema: dict[str, Any] = {"type": "array", "items": shape_schema(shape.item)}
        if shape.min_items:
            schema["minItems"] = shape.min_items
        if shape.max_items is not None:
            schema["maxItems"] = shape.max_items
        return schema
    schema = {
        "type": "object",
        "additionalProperties": False,
        "properties": {key: shape_schema(field) for key, field in shape.fields.items()},
    }
    if shape.required:
        schema["required"] = list(shape.required)
    if shape.counts is not None:
        operator, values, counts = shape.counts
        schema["allOf"] = [
            {
                "if": {"properties": {operator: {"const": name}}, "required": [operator]},
                "then": {
                    "properties": {
                        values: {"minItems": fewest, **({} if most is None else {"maxItems": most})}
                    },
                    **({"required": [values]} if fewest else {}),
                },
            }
            for name, (fewest, most) in counts.items()
        ]
    return schema


DEFINITIONS: Final[Mapping[str, Schema]] = types.MappingProxyType(
    {
        "port": {**integer(1, check.PORT_MAX), "description": f"A TCP port, 1-{check.PORT_MAX}."},
        "cpu": {
            "type": "string",
            "pattern": anchored(check.CPU),
            "description": "CPU in millicores ('250m') or whole cores ('2'); the template refuses "
            "spellings the API server rewrites ('1000m' is '1').",
        },
        "memory": {
            "type": "string",
            "pattern": anchored(check.MEMORY),
            "description": "Memory with a binary suffix, e.g. '256Mi'; the template refuses spellings "
            "the API server rewrites ('1024Mi' is '1Gi').",
        },
        "probe": {
            "type": "object",
            "description": "A container probe (Kubernetes Probe) with a handler: httpGet, tcpSocket, "
            "exec or grpc. More than one is refused by the template, not here: helm lint merges a "
            "null that switches a default handler off back in.",
            "properties": {
                "httpGet": {
                    "type": ["object", "null"],
                    "properties": {"path": ref("httpPath"), "port": _PORT_OR_NAME},
                    "required": ["port"],
                },
                "tcpSocket": {
                    "type": ["object", "null"],
                    "properties": {"port": _PORT_OR_NAME},
                    "required": ["port"],
                },
                "exec": {"type": ["object", "null"]},
                "grpc": {"type": ["object", "null"], "properties": {"port": ref("port")}},
                "periodSeconds": _nullable_int(1),
                "timeoutSeconds": _nullable_int(1),
                "initialDelaySeconds": _nullable_int(0),
                "failureThreshold": _nullable_int(1),
                "successThreshold": _nullable_int(1),
                "terminationGracePeriodSeconds": _nullable_int(1, None),
            },
            "additionalProperties": False,
            "anyOf": [_handler(name) for name in ("httpGet", "tcpSocket", "exec", "grpc")],
        },
        "dnsLabel": {
            "type": "string",
            "pattern": anchored(check.DNS_LABEL),
            "description": "An RFC 1035 label (what Service names must be): 1-63 lowercase letters, "
            "digits or '-', starting with a letter and ending with a letter or digit.",
        },
        "namespace": {
            "type": "string",
            "pattern": anchored(check.NAMESPACE),
            "description": "A namespace name (an RFC 1123 label): 1-63 lowercase letters, digits or '-', "
            "starting and ending with a letter or digit.",
        },
        "dnsSubdomain": {
            "type": "string",
            "maxLength": check.DNS_SUBDOMAIN_MAX,
            "pattern": anchored(check.DNS_SUBDOMAIN),
            "description": "An RFC 1123 subdomain, lowercase: dot-separated labels of letters, digits "
            f"or '-', at most {check.DNS_SUBDOMAIN_MAX} characters.",
        },
        "host": {
            "type": "string",
            "maxLength": check.DNS_SUBDOMAIN_MAX,
            "pattern": anchored(check.HOST),
            "description": "A DNS name, maybe a wildcard (*.example.com). Kubernetes refuses IP addresses "
            "as Ingress hosts: the template refuses them, since a schema 'not' would fail without saying why.",
        },
        "imageRepository": {
            "type": "string",
            "pattern": anchored(check.IMAGE_REPOSITORY),
            "description": "An image repository without tag, e.g. todo-backend or "
            "registry.example.com:5000/team/todo-backend; the path is lowercase.",
        },
        "imageTag": {
            "type": "string",
            "pattern": anchored(check.IMAGE_TAG),
            "description": "An image tag: 1-128 letters, digits, '_', '.' or '-', not starting with '.' or '-'.",
        },
        "pullPolicy": one_of(PullPolicy),
        "freeText": {
            "type": "string",
            "pattern": anchored(FREE_TEXT),
            "description": "Any text without control characters (newlines, tabs, NUL, DEL, C1) or the "
            "separators U+2028 and U+2029, which YAML 1.1 reads as line breaks.",
        },
        "httpPath": {
            "type": "string",
            "pattern": anchored(check.HTTP_PATH),
            "description": "An HTTP path: starts with '/', no whitespace (any Unicode space or line "
            "separator) and no control or format characters.",
        },
        "ingressPath": {
            "allOf": [ref("httpPath")],
            "description": "An HTTP path. The template refuses what Kubernetes refuses in Exact and "
            f"Prefix paths: {', '.join(repr(s) for s in check.INVALID_PATH_SEQUENCES)}, and a trailing "
            f"{' or '.join(repr(s) for s in reversed(check.INVALID_PATH_SUFFIXES))}.",
        },
        "uid": {
            **integer(1),
            "description": f"A numeric user or group ID other than root's: 1 to {check.INT32_MAX}.",
        },
        "labelMap": {
            "$comment": "patternProperties rather than propertyNames: Helm 4 reports a bad property "
            "name at the root, without naming the value.",
            "type": "object",
            "description": "Labels: keys are qualified names ([DNS subdomain/]name of at most 63 "
            "characters), values 1-63 letters, digits, '-', '_' or '.', alphanumeric at both ends. "
            f"The template refuses keys under {RESERVED_PREFIXES}.",
            "patternProperties": {
                anchored(LABEL_KEY): {"type": "string", "pattern": anchored(check.LABEL_VALUE)}
            },
            "additionalProperties": False,
        },
        "annotationMap": {
            "$comment": "patternProperties rather than propertyNames: Helm 4 reports a bad property "
            "name at the root, without naming the value.",
            "type": "object",
            "description": "Annotations: keys are qualified names ([DNS subdomain/]name of at most 63 "
            "characters; the prefix in any case), values text without control characters. The template refuses keys under "
            f"{RESERVED_PREFIXES}, and more than {ANNOTATIONS_MAX_BYTES} bytes in all.",
            "patternProperties": {anchored(ANNOTATION_KEY): ref("freeText")},
            "additionalProperties": False,
        },
        "networkPeer": {
            "type": "object",
            "description": "Pods, by namespace name and labels, or addresses, by a CIDR in canonical form "
            "(alone): a NetworkPeer.",
            "additionalProperties": False,
            "minProperties": 1,
            "properties": {
                "namespace": ref("namespace"),
                "podLabels": {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": {"pattern": anchored(LABEL_KEY)},
                    "additionalProperties": {"type": "string", "pattern": anchored(check.LABEL_VALUE)},
                },
                "cidr": {"type": "string", "pattern": anchored(check.CIDR)},
            },
            "if": {"required": ["cidr"]},
            "then": {"maxProperties": 1},
        },
        "envVarFromKey": {
            "type": "object",
            "description": "An environment variable read from a Secret's or a ConfigMap's key.",
            "additionalProperties": False,
            "required": ["name", "valueFrom"],
            "properties": {
                "name": {"type": "string", "pattern": anchored(check.ENV_NAME)},
                "valueFrom": {
                    "type": "object",
                    "additionalProperties": False,
                    "minProperties": 1,
                    "maxProperties": 1,
                    "properties": {
                        kind: {
                            "type": "object",
                            "additionalProperties": False,
                            "required": ["name", "key"],
                            "properties": {
                                "name": ref("dnsSubdomain"),
                                "key": {
                                    "type": "string",
                                    "maxLength": check.CONFIG_MAP_KEY_MAX,
                                    "pattern": anchored(check.CONFIG_KEY),
                                },
                                "optional": {"type": "boolean"},
                            },
                        }
                        for kind in ("secretKeyRef", "configMapKeyRef")
                    },
                },
            },
        },
        "volume": {
            "type": "object",
            "description": "A volume of the pod (Kubernetes Volume) from one source: configMap.name, "
            "secret.secretName, persistentVolumeClaim.claimName or emptyDir.sizeLimit. The template "
            "refuses names the chart's writablePaths use, and a volume no extraVolumeMounts entry mounts.",
            "additionalProperties": False,
            "required": ["name"],
            "minProperties": 2,
            "maxProperties": 2,
            "properties": {
                "name": ref("dnsLabel"),
                **{
                    source: {
                        "type": "object",
                        "additionalProperties": False,
                        "required": [key],
                        "properties": {key: schema},
                    }
                    for source, key, schema in (
                        ("configMap", "name", ref("dnsSubdomain")),
                        ("secret", "secretName", ref("dnsSubdomain")),
                        ("persistentVolumeClaim", "claimName", ref("dnsSubdomain")),
                        ("emptyDir", "sizeLimit", ref("memory")),
                    )
                },
            },
        },
        "volumeMount": {
            "type": "object",
            "description": "Where the container sees one of extraVolumes (Kubernetes VolumeMount): "
            "read-only unless readOnly is false. The template refuses a mountPath of '/', with '..' "
            "steps or mounted already, and a subPath that is absolute or has '..' steps.",
            "additionalProperties": False,
            "required": ["name", "mountPath"],
            "properties": {
                "name": ref("dnsLabel"),
                "mountPath": {"type": "string", "pattern": anchored(f"/{FREE_TEXT}")},
                "subPath": {"type": "string", "pattern": anchored(f"[^{check.CONTROL_CHARACTERS}]+")},
                "readOnly": {"type": "boolean"},
            },
        },
        "affinity": {
            **shape_schema(AFFINITY),
            "description": "The pod's affinity (Kubernetes Affinity): nodeAffinity, podAffinity and "
            "podAntiAffinity, without the matchLabelKeys and mismatchLabelKeys of Kubernetes 1.29 on.",
        },
        "toleration": {
            "type": "object",
            "description": "A toleration (Kubernetes Toleration). The template refuses an empty key "
            "without operator Exists, a value with Exists, and tolerationSeconds without effect NoExecute.",
            "additionalProperties": False,
            "properties": {
                "key": {"type": "string", "pattern": f"^({LABEL_KEY})?$"},
                "operator": one_of(TolerationOperator),
                "value": {"type": "string", "pattern": f"^({check.LABEL_VALUE})?$"},
                "effect": one_of(TaintEffect),
                "tolerationSeconds": integer(0, None),
            },
        },
    }
)
