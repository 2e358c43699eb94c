"""Both charts share the library chart todo-common, vendored so that they render on their own."""

from __future__ import annotations

import shutil

import pytest
import yaml

from tests.helm.value_sets import CHARTS
from tests.support.helm import CHARTS as CHARTS_DIR

LIBRARY = CHARTS_DIR / "todo-common"


def _files(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def _meta(chart_dir):
    return yaml.safe_load((chart_dir / "Chart.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_depends_on_the_library_chart_by_its_local_path(chart):
    library = _meta(LIBRARY)

    assert library["type"] == "library"
    assert _meta(CHARTS_DIR / chart)["dependencies"] == [
        {"name": "todo-common", "version": library["version"], "repository": "file://../todo-common"}
    ]


@pytest.mark.parametrize("chart", CHARTS)
def test_vendored_library_chart_is_a_copy_of_charts_todo_common(chart):
    vendored = CHARTS_DIR / chart / "charts" / "todo-common"
    want, got = _files(LIBRARY), _files(vendored)

    stale = sorted(name for name in want.keys() | got.keys() if want.get(name) != got.get(name))
    assert not stale, (
        f"{vendored.relative_to(CHARTS_DIR.parent)} differs from charts/todo-common in {stale}; "
        "run `make charts-deps`"
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_renders_alone_without_helm_dependency_build(chart, helm, tmp_path):
    # As Argo CD or `helm install` see a chart folder: without ../todo-common beside it.
    alone = tmp_path / chart
    shutil.copytree(CHARTS_DIR / chart, alone)

    result = helm.run("template", chart, str(alone), "--skip-tests")

    assert "kind: Deployment" in result.stdout
