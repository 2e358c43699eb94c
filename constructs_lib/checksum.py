"""The config checksum that rolls pods when their ConfigMap changes.

Canonical form: the ConfigMap's ``data`` as JSON with keys sorted, no
whitespace, non-ASCII characters written as they are, and ``<``, ``>``, ``&``,
U+2028 and U+2029 escaped as ``\\u003c``, ``\\u003e``, ``\\u0026``,
``\\u2028`` and ``\\u2029``; the annotation holds the lowercase hex SHA-256 of
its UTF-8 bytes. That is byte for byte what Helm's ``toJson`` (Go's
``encoding/json``) writes for a map of strings, so the charts compute the same
value with ``{{ $data | toJson | sha256sum }}``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping

CONFIG_CHECKSUM_ANNOTATION = "checksum/config"

# Go's encoding/json escapes these so JSON can be embedded in HTML safely.
_GO_ESCAPES = str.maketrans(
    {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
)


def canonical_config_json(data: Mapping[str, str]) -> str:
    """Serialize ConfigMap data in the canonical form described in this module."""
    text = json.dumps(dict(data), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return text.translate(_GO_ESCAPES)


def config_checksum(data: Mapping[str, str]) -> str:
    """SHA-256 (hex) of :func:`canonical_config_json` of ``data``."""
    return hashlib.sha256(canonical_config_json(data).encode("utf-8")).hexdigest()
