"""Lint is clean with every value set; a probe given two handlers fails the render.

Bad values, refused by the schema or a template check, are test_bad_input_both_packagings.py's.
"""

from __future__ import annotations

import json

import pytest

from tests.helm.value_sets import CHARTS, CRD_VALUE_SETS, VALUE_SETS
from tests.support.helm import CHARTS as CHARTS_DIR


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
