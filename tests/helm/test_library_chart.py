"""Both charts depend on the library chart todo-common the Helm way: file://, a Chart.lock, `helm dependency build`."""

from __future__ import annotations

import shutil
import subprocess
import tarfile

import pytest
import yaml

from tests.helm.value_sets import CHARTS
from tests.support.helm import CHARTS as CHARTS_DIR
from tests.support.helm import packaged_library

LIBRARY = CHARTS_DIR / "todo-common"


def _files(folder):
    return {
        path.relative_to(folder).as_posix(): path.read_bytes() for path in folder.rglob("*") if path.is_file()
    }


def _packaged_files(archive):
    with tarfile.open(archive) as tar:
        return {
            member.name.partition("/")[2]: tar.extractfile(member).read()  # type: ignore[union-attr]
            for member in tar.getmembers()
            if member.isfile()
        }


def _meta(chart_dir, name="Chart.yaml"):
    return yaml.safe_load((chart_dir / name).read_text(encoding="utf-8"))


@pytest.mark.parametrize("chart", CHARTS)
def test_chart_depends_on_the_library_chart_by_its_local_path_pinned_by_its_lock(chart):
    library = _meta(LIBRARY)
    dependency = {"name": "todo-common", "version": library["version"], "repository": "file://../todo-common"}

    assert library["type"] == "library"
    assert _meta(CHARTS_DIR / chart)["dependencies"] == [dependency]
    assert _meta(CHARTS_DIR / chart, "Chart.lock")["dependencies"] == [dependency]


def test_no_copy_of_the_library_chart_is_committed():
    tracked = subprocess.run(
        ["git", "ls-files", "--", *(f"{chart}/charts" for chart in CHARTS)],
        cwd=CHARTS_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert tracked == ""


@pytest.mark.parametrize("chart", CHARTS)
def test_the_packaged_library_chart_is_charts_todo_common_as_it_is_now(chart):
    want, got = _files(LIBRARY), _packaged_files(packaged_library(chart))
    # Helm writes Chart.yaml anew when it packages a chart: the same metadata, its own spelling.
    want["Chart.yaml"], got["Chart.yaml"] = (
        yaml.safe_load(want["Chart.yaml"]),
        yaml.safe_load(got.get("Chart.yaml", b"")),
    )

    stale = sorted(name for name in want.keys() | got.keys() if want.get(name) != got.get(name))
    assert not stale, (
        f"charts/{chart}/charts/ packages an older charts/todo-common ({stale}); run `make charts-deps`"
    )


@pytest.mark.parametrize("chart", CHARTS)
def test_a_clone_renders_after_helm_dependency_build_as_argo_cd_does(chart, helm, tmp_path):
    # What Argo CD's repo-server has: the repository's files, nothing packaged yet.
    for name in (chart, "todo-common"):
        shutil.copytree(CHARTS_DIR / name, tmp_path / name, ignore=shutil.ignore_patterns("charts"))

    helm.run("dependency", "build", str(tmp_path / chart))
    result = helm.run("template", chart, str(tmp_path / chart), "--skip-tests")

    assert "kind: Deployment" in result.stdout
    assert _meta(tmp_path / chart, "Chart.lock") == _meta(CHARTS_DIR / chart, "Chart.lock")


@pytest.mark.parametrize("chart", CHARTS)
def test_a_packaged_chart_installs_on_its_own(chart, helm, tmp_path):
    # As `helm install` takes it from a repository: one archive, the library inside.
    helm.run("package", str(CHARTS_DIR / chart), "--destination", str(tmp_path))
    (archive,) = tmp_path.glob(f"{chart}-*.tgz")

    result = helm.run("template", chart, str(archive), "--skip-tests")

    assert "kind: Deployment" in result.stdout
    with tarfile.open(archive) as tar:
        assert f"{chart}/charts/todo-common/templates/_deployment.tpl" in tar.getnames()
