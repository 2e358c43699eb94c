"""Each chart's README.md: helm-docs output for its values.yaml comments, which `helm show readme` prints."""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from testbed.paths import REPO_ROOT
from tests.helm.value_sets import CHARTS
from tests.support.helm import CHARTS as CHARTS_DIR

# The two charts and the todo chart that installs both.
DOCUMENTED = (*CHARTS, "todo")

# The Makefile's HELM_DOCS_ARGS, run from charts/ like `make docs`.
HELM_DOCS_ARGS = (
    "--chart-search-root",
    ".",
    "--template-files",
    "README.md.gotmpl",
    "--sort-values-order",
    "file",
    "--ignore-file",
    "charts/.helmdocsignore",
)


def _helm_docs() -> Path:
    """Where `make helm-docs` builds the version tools/helm-docs/go.mod pins."""
    go_mod = (REPO_ROOT / "tools" / "helm-docs" / "go.mod").read_text(encoding="utf-8")
    match = re.search(r"^\s*github\.com/norwoodj/helm-docs (v\S+)", go_mod, re.M)
    assert match, "tools/helm-docs/go.mod does not require github.com/norwoodj/helm-docs"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "todo-deploy-kit" / f"helm-docs-{match[1]}" / "helm-docs"


def _value_keys(values: dict[str, Any], prefix: str = "") -> Iterator[str]:
    """Every leaf value's key as helm-docs writes it (keys with dots quoted)."""
    for key, value in values.items():
        path = prefix + (f'"{key}"' if "." in key else key)
        if isinstance(value, dict) and value:
            yield from _value_keys(value, f"{path}.")
        else:
            yield path


@pytest.mark.slow
@pytest.mark.parametrize("chart", DOCUMENTED)
def test_readme_is_what_helm_docs_writes_from_the_values_comments(chart):
    helm_docs = _helm_docs()
    if not helm_docs.is_file():
        pytest.fail(
            f"{helm_docs} is missing; run `make helm-docs` (builds it from tools/helm-docs)", pytrace=False
        )

    result = subprocess.run(
        [str(helm_docs), *HELM_DOCS_ARGS, "--chart-to-generate", chart, "--dry-run"],
        cwd=CHARTS_DIR,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    readme = (CHARTS_DIR / chart / "README.md").read_text(encoding="utf-8")
    assert result.stdout == readme, f"charts/{chart}/README.md is stale; run `make docs`"


@pytest.mark.parametrize("chart", DOCUMENTED)
def test_helm_show_readme_prints_a_parameter_row_for_every_value(chart, helm):
    readme = helm.run("show", "readme", str(CHARTS_DIR / chart)).stdout
    values = yaml.safe_load((CHARTS_DIR / chart / "values.yaml").read_text(encoding="utf-8"))

    table = readme[readme.index("## Parameters") :]
    rows = {line.split("|")[1].strip(): line for line in table.splitlines() if line.startswith("| ")}
    missing = [key for key in _value_keys(values) if key not in rows]
    assert not missing, f"helm show readme has no row for {missing}"
    undescribed = [key for key in _value_keys(values) if rows[key].rstrip().endswith("|  |")]
    assert not undescribed, f"rows without a description: {undescribed}"


# What the props' docstrings would leak into `helm show values`: Python's constants, calls
# with keyword arguments, tuples, Sphinx roles and snake_case prop names (file names aside).
PYTHON_SYNTAX = re.compile(
    r"\b(?:None|True|False)\b|\b[A-Z]\w*\(\w*(?:=|\.\.\.)|\(\"|,\)|:class:|:func:|\b[a-z]+_[a-z_]+\b(?!\.py)"
)


@pytest.mark.parametrize("chart", CHARTS)
@pytest.mark.parametrize("name", ["values.yaml", "README.md"])
def test_the_chart_speaks_helm_not_python(chart, name):
    text = (CHARTS_DIR / chart / name).read_text(encoding="utf-8")
    found = sorted({match[0] for match in PYTHON_SYNTAX.finditer(text)})
    assert found == [], (
        f"charts/{chart}/{name}: {found}; give the value its own doc in scripts/chart_mapping.py"
    )
