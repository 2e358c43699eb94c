"""values.schema.json turns bad values away with a message naming the field; lint is clean."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pytest

from tests.helm.value_sets import CHARTS, CRD_VALUE_SETS, VALUE_SETS
from tests.support.helm import CHARTS as CHARTS_DIR


@dataclass(frozen=True)
class BadValue:
    """A ``--set`` flag the schema must refuse, and the field the message must name."""

    id: str
    chart: str
    flag: tuple[str, str]
    field: tuple[str, ...]
    # Words of the reason, one of which both Helm versions use (case-insensitive).
    reason: tuple[str, ...]


BAD_VALUES = (
    BadValue("negative-replicas", "todo-backend", ("--set", "replicaCount=-1"), ("replicaCount",), ("0",)),
    BadValue(
        "replicas-of-wrong-type",
        "todo-frontend",
        ("--set-string", "replicaCount=3"),
        ("replicaCount",),
        ("integer",),
    ),
    BadValue(
        "unknown-pull-policy",
        "todo-backend",
        ("--set", "image.pullPolicy=Sometimes"),
        ("image", "pullPolicy"),
        ("IfNotPresent",),
    ),
    BadValue(
        "port-above-range",
        "todo-frontend",
        ("--set", "service.port=70000"),
        ("service", "port"),
        ("65535", "65,535"),
    ),
    BadValue("port-below-range", "todo-backend", ("--set", "service.port=0"), ("service", "port"), ("1",)),
    BadValue(
        "probe-port-above-range",
        "todo-backend",
        ("--set", "livenessProbe.httpGet.port=65536"),
        ("livenessProbe", "httpGet", "port"),
        ("65535", "65,535"),
    ),
    BadValue(
        "probe-period-of-wrong-type",
        "todo-frontend",
        ("--set", "readinessProbe.periodSeconds=soon"),
        ("readinessProbe", "periodSeconds"),
        ("integer",),
    ),
    BadValue(
        "fractional-cpu",
        "todo-backend",
        ("--set", "resources.limits.cpu=0.5"),
        ("resources", "limits", "cpu"),
        ("pattern",),
    ),
    BadValue(
        "memory-without-binary-suffix",
        "todo-frontend",
        ("--set", "resources.requests.memory=128M"),
        ("resources", "requests", "memory"),
        ("pattern",),
    ),
    BadValue(
        "zero-token-lifetime",
        "todo-backend",
        ("--set", "config.jwtExpireDays=0"),
        ("config", "jwtExpireDays"),
        ("1",),
    ),
    BadValue(
        "unknown-jwt-algorithm",
        "todo-backend",
        ("--set", "config.jwtAlgorithm=none"),
        ("config", "jwtAlgorithm"),
        ("HS256",),
    ),
    BadValue(
        "host-with-underscore",
        "todo-frontend",
        ("--set", "ingress.host=todo_local"),
        ("ingress", "host"),
        ("pattern",),
    ),
    BadValue(
        "unknown-service-type",
        "todo-frontend",
        ("--set", "service.type=External"),
        ("service", "type"),
        ("ClusterIP",),
    ),
    # A misspelt key would otherwise be ignored without a word.
    BadValue("misspelt-key", "todo-backend", ("--set", "replicas=3"), ("replicas",), ("additional",)),
    BadValue(
        "non-string-config-value",
        "todo-frontend",
        ("--set", "extraConfig.DEBUG=true"),
        ("extraConfig", "DEBUG"),
        ("string",),
    ),
)


def _names_field(message: str, field: tuple[str, ...]) -> bool:
    # Helm 3 writes "service.port", Helm 4 "/service/port"; a key it refuses appears quoted.
    return ".".join(field) in message or "/" + "/".join(field) in message or f"'{field[-1]}'" in message


@pytest.mark.parametrize("command", ["template", "lint"])
@pytest.mark.parametrize("bad", BAD_VALUES, ids=lambda bad: bad.id)
def test_schema_rejects_bad_values_naming_the_field(bad, command, helm):
    args = [command, *(["todo"] if command == "template" else []), str(CHARTS_DIR / bad.chart), *bad.flag]

    result = helm.run(*args, check=False)

    message = result.stdout + result.stderr
    assert result.returncode != 0, f"{helm.label} {command} accepted {bad.flag[1]}"
    assert "schema" in message, message
    assert _names_field(message, bad.field), f"the message does not name {'.'.join(bad.field)}:\n{message}"
    assert any(word.lower() in message.lower() for word in bad.reason), message


@pytest.mark.parametrize(
    ("chart", "key"),
    [
        ("todo-backend", "JWT_ALGORITHM"),
        ("todo-backend", "DATABASE_URL"),
        ("todo-frontend", "PORT"),
    ],
)
def test_the_charts_keep_typed_settings_out_of_extra_config(chart, key, helm):
    result = helm.run(
        "template", chart, str(CHARTS_DIR / chart), "--set", f"extraConfig.{key}=x", check=False
    )

    assert result.returncode != 0, f"extraConfig.{key} was accepted"
    assert key in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("chart", "handler", "port"), [("todo-backend", "tcpSocket", 8000), ("todo-frontend", "httpGet", 3000)]
)
def test_a_probe_with_two_handlers_fails_the_render_naming_the_probe(chart, handler, port, helm):
    # The chart's default handler stays unless set to null; the API refuses two.
    # The second handler probes the service port, which any probe must.
    result = helm.run(
        "template",
        chart,
        str(CHARTS_DIR / chart),
        "--set",
        f"readinessProbe.{handler}.port={port}",
        check=False,
    )

    assert result.returncode != 0
    assert "readinessProbe has handlers httpGet, tcpSocket" in result.stderr, result.stderr


@pytest.mark.parametrize("chart", CHARTS)
def test_lint_strict_is_clean_with_default_values(chart, helm):
    result = helm.run("lint", "--strict", str(CHARTS_DIR / chart), check=False)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "[WARNING]" not in result.stdout and "[ERROR]" not in result.stdout, result.stdout


@pytest.mark.parametrize("value_set", (*VALUE_SETS, *CRD_VALUE_SETS), ids=lambda value_set: value_set.id)
def test_lint_strict_is_clean_with_each_value_set(value_set, helm, tmp_path):
    for chart in CHARTS:
        values = tmp_path / f"{chart}.json"
        values.write_text(json.dumps(value_set.values(chart)), encoding="utf-8")
        result = helm.run("lint", "--strict", str(CHARTS_DIR / chart), "--values", str(values), check=False)

        assert result.returncode == 0, f"{chart}: {result.stdout}{result.stderr}"
