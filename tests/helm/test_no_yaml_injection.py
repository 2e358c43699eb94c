"""No value can add YAML to a manifest: every string is refused by the charts or rendered as one scalar.

A template that writes ``{{ .Values.x }}`` unquoted lets a value holding a
newline start a new key (``ingress.className=$'nginx\\n  tls: [...]'`` used to
add a ``tls:`` block). Each string the values hold is set, in turn, to a
payload that would do that; the render must fail, or parse to objects where
the payload is part of a string and no new key appears.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
import yaml

from tests.helm.value_sets import CHARTS
from tests.support.helm import CHARTS as CHARTS_DIR

MARKER = "injected"
PAYLOADS = {
    "newline": f"\n  {MARKER}: true",
    # Closes a quote a template wrote around the value by hand.
    "quote-newline": f'"\n  {MARKER}: true',
    # Line breaks to YAML 1.1 parsers (PyYAML, go-yaml v2), and not control characters to the schema's \x00-\x1f.
    "next-line": f"\u0085{MARKER}: true",
    "line-separator": f"\u2028{MARKER}: true",
}
# The escape hatches, HTTPS and the HTTPRoute, filled in both charts.
_ROUTING_AND_POD_SETTINGS: dict[str, Any] = {
    "imagePullSecrets": ["registry-credentials"],
    "podLabels": {"team": "web"},
    "podAnnotations": {"example.com/note": "note"},
    "service": {"annotations": {"example.com/owner": "web"}},
    "nodeSelector": {"kubernetes.io/arch": "amd64"},
    "tolerations": [{"key": "dedicated", "value": "web", "effect": "NoSchedule"}],
    "priorityClassName": "high",
    "ingress": {
        "tls": {"secretName": "todo-tls", "clusterIssuer": "letsencrypt"},
        "annotations": {"example.com/ingress": "on"},
    },
    "httpRoute": {
        "enabled": True,
        "gatewayName": "public",
        "gatewayNamespace": "gateways",
        "sectionName": "https",
    },
}
# Switched on so that every value reaches a rendered object (the ExternalSecret
# cannot be on with secret.create: its remote keys are checked while it is off).
EVERYTHING_ON: dict[str, dict[str, Any]] = {
    "todo-backend": {
        **_ROUTING_AND_POD_SETTINGS,
        "networkPolicy": {"enabled": True},
        "secret": {
            "create": True,
            "values": {"DATABASE_URL": "postgresql://db", "BETTER_AUTH_SECRET": "s", "OPENAI_API_KEY": "k"},
        },
        "extraConfig": {"LOG_LEVEL": "info"},
    },
    "todo-frontend": {
        **_ROUTING_AND_POD_SETTINGS,
        "networkPolicy": {"enabled": True},
        "extraConfig": {"LOG_LEVEL": "info"},
    },
}

Path = tuple[str | int, ...]


def _base_values(chart: str) -> dict[str, Any]:
    values = yaml.safe_load((CHARTS_DIR / chart / "values.yaml").read_text(encoding="utf-8"))
    for key, value in EVERYTHING_ON[chart].items():
        if isinstance(value, dict):
            values[key] = {**values[key], **value}
        else:
            values[key] = value
    return values


def _strings(node: Any, path: Path = ()) -> Iterator[tuple[Path, str]]:
    """Every string leaf, and every key of a map the user fills (labels, config), with its path."""
    if isinstance(node, dict):
        for key, value in node.items():
            if path and path[-1] in (
                "podLabels",
                "podAnnotations",
                "nodeSelector",
                "annotations",
                "extraConfig",
            ):
                yield (*path, key, "<key>"), key
            yield from _strings(value, (*path, key))
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _strings(item, (*path, index))
    elif isinstance(node, str):
        yield path, node


def _with(values: dict[str, Any], path: Path, text: str) -> dict[str, Any]:
    changed = copy.deepcopy(values)
    *parents, leaf = path
    node: Any = changed
    for key in parents[:-1] if leaf == "<key>" else parents:
        node = node[key]
    if leaf == "<key>":
        node[text] = node.pop(parents[-1])
    else:
        node[leaf] = text
    return changed


def _scalars(node: Any) -> Iterator[Any]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from _scalars(value)
    elif isinstance(node, list):
        for item in node:
            yield from _scalars(item)
    else:
        yield node


def _rendered_strings(objects: list[dict[str, Any]]) -> list[str]:
    found = [scalar for obj in objects for scalar in _scalars(obj) if isinstance(scalar, str)]
    for obj in objects:
        if obj["kind"] == "Secret":
            found += [base64.b64decode(value).decode() for value in obj.get("data", {}).values()]
    return found


def _render(helm, chart: str, values: dict[str, Any], values_file) -> tuple[int, str, str]:
    values_file.write_text(json.dumps(values), encoding="utf-8")
    result = helm.run("template", chart, str(CHARTS_DIR / chart), "--values", str(values_file), check=False)
    return result.returncode, result.stdout, result.stderr


# One render per string value, payload, chart and Helm version: about a thousand
# renders, so make test runs it and make test-fast leaves it out. They are
# independent processes: one per core at a time.
@pytest.mark.slow
@pytest.mark.parametrize("payload", PAYLOADS, ids=str)
@pytest.mark.parametrize("chart", CHARTS)
def test_no_string_value_adds_yaml_to_the_manifests(chart, payload, helm, tmp_path):
    base = _base_values(chart)
    code, _, stderr = _render(helm, chart, base, tmp_path / "values.json")
    assert code == 0, f"the base values of this test do not render: {stderr}"

    def injects(numbered: tuple[int, tuple[Path, str]]) -> str | None:
        index, (path, value) = numbered
        text = value + PAYLOADS[payload]
        code, stdout, _ = _render(helm, chart, _with(base, path, text), tmp_path / f"values-{index}.json")
        if code != 0:
            return None  # Refused: the schema or a template check turned it away.
        objects = [doc for doc in yaml.safe_load_all(stdout) if doc]
        keys = [scalar for obj in objects for scalar in _scalars(obj) if scalar == MARKER]
        if keys or not any(text in rendered for rendered in _rendered_strings(objects)):
            return ".".join(map(str, path))
        return None

    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as renders:
        injected = [path for path in renders.map(injects, enumerate(_strings(base))) if path]

    assert not injected, f"{helm.label}: {payload} in these values changed the YAML: {injected}"


def test_the_reported_injection_is_refused(helm):
    result = helm.run(
        "template",
        "todo-backend",
        str(CHARTS_DIR / "todo-backend"),
        "--set-string",
        "ingress.className=nginx\n  tls: [{secretName: x}]",
        check=False,
    )

    assert result.returncode != 0
    assert "ingress.className" in result.stderr or "/ingress/className" in result.stderr, result.stderr


def test_a_secret_value_with_a_newline_is_refused_without_printing_it(helm):
    secret = "postgresql://user:hunter2@db/todo"
    result = helm.run(
        "template",
        "todo-backend",
        str(CHARTS_DIR / "todo-backend"),
        "--set",
        "secret.create=true",
        "--set-string",
        f"secret.values.DATABASE_URL={secret}\n,secret.values.BETTER_AUTH_SECRET=s,secret.values.OPENAI_API_KEY=k",
        check=False,
    )

    assert result.returncode != 0
    assert "secret.values.DATABASE_URL: got a value with a control character" in result.stderr, result.stderr
    assert "hunter2" not in result.stdout + result.stderr


def _patterns(node: Any, path: str = "", *, negated: bool = False) -> Iterator[tuple[str, str, bool]]:
    if isinstance(node, dict):
        for key, value in node.items():
            here = f"{path}/{key}"
            if key == "pattern" and isinstance(value, str):
                yield here, value, negated
            elif key == "patternProperties":
                for pattern, schema in value.items():
                    yield f"{here}/{pattern}", pattern, negated
                    yield from _patterns(schema, f"{here}/{pattern}", negated=negated)
            else:
                yield from _patterns(value, here, negated=negated or key == "not")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _patterns(item, f"{path}/{index}", negated=negated)


def _alternation_at_top_level(pattern: str) -> bool:
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


@pytest.mark.parametrize("chart", CHARTS)
def test_every_schema_pattern_matches_whole_strings(chart):
    # JSON Schema patterns match anywhere in the string unless anchored; Helm
    # (Go's regexp) then takes "$" as the end of the text, not before a final newline.
    schema = json.loads((CHARTS_DIR / chart / "values.schema.json").read_text(encoding="utf-8"))

    loose = [
        f"{where}: {pattern}"
        for where, pattern, negated in _patterns(schema)
        if not negated
        and not (
            pattern.startswith("^")
            and pattern.endswith("$")
            and not pattern.endswith("\\$")
            and not _alternation_at_top_level(pattern)
        )
    ]

    assert not loose, loose


def _string_schemas(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        kind = node.get("type")
        if kind == "string" or (isinstance(kind, list) and "string" in kind):
            yield path, node
        for key, value in node.items():
            yield from _string_schemas(value, f"{path}/{key}")
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _string_schemas(item, f"{path}/{index}")


# Helm 4 quotes the value in a pattern error; the template checks these and never prints them.
CHECKED_BY_THE_TEMPLATE = re.compile(r"^/properties/secret/properties/values/properties/[A-Z_]+$")


@pytest.mark.parametrize("chart", CHARTS)
def test_every_string_the_schema_declares_is_constrained(chart):
    schema = json.loads((CHARTS_DIR / chart / "values.schema.json").read_text(encoding="utf-8"))

    free = [
        where
        for where, node in _string_schemas(schema)
        if not {"pattern", "enum", "const"} & node.keys() and not CHECKED_BY_THE_TEMPLATE.match(where)
    ]

    assert not free, f"strings that accept newlines and control characters: {free}"
