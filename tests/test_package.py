"""The library works from a wheel, in a project that is not this repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from tests.support.pyright import run_pyright

USER_APP = textwrap.dedent(
    """
    import cdk8s
    from constructs_lib import TodoBackend, TodoBackendProps, TodoIngress, TodoIngressProps

    app = cdk8s.App()
    chart = cdk8s.Chart(app, "shop", disable_resource_name_hashes=True)
    backend = TodoBackend(chart, "todo", props=TodoBackendProps(name="shop-todo", replicas=2))
    TodoIngress(chart, "ingress", target=backend, props=TodoIngressProps(host="shop.example.com"))
    app.synth()
    print(backend.service_name, backend.port)
    """
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The library's wheel, built once from this repository."""
    wheels = tmp_path_factory.mktemp("wheels")
    # From a copy of what the wheel is made of: setuptools reuses a work tree's build/
    # folder, which can hold modules since moved or deleted.
    source = tmp_path_factory.mktemp("source")
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(REPO_ROOT / name, source / name)
    shutil.copytree(
        REPO_ROOT / "constructs_lib", source / "constructs_lib", ignore=shutil.ignore_patterns("__pycache__")
    )
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
        timeout=300,
    )
    (built,) = wheels.glob("todo_deploy_kit-*.whl")
    return built


@pytest.mark.slow
def test_wheel_installs_in_a_fresh_virtualenv_and_synthesizes_a_users_chart(
    wheel: Path, tmp_path: Path
) -> None:

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # The same pins as this repository, so the test does not drift with new releases.
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "-c",
            str(REPO_ROOT / "constraints.txt"),
            str(wheel),
        ],
        check=True,
        capture_output=True,
        timeout=600,
    )

    project = tmp_path / "elsewhere"
    project.mkdir()
    (project / "app.py").write_text(USER_APP, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if key != "PYTHONPATH"}
    result = subprocess.run(
        [str(python), "app.py"], cwd=project, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["shop-todo", "8000"]

    assert Manifests.from_file(project / "dist" / "shop.k8s.yaml").kinds_and_names() == {
        ("ConfigMap", "shop-todo-config"),
        ("Deployment", "shop-todo"),
        ("Ingress", "shop-todo"),
        ("Service", "shop-todo"),
    }
    imported = subprocess.run(
        [str(python), "-c", "import constructs_lib; print(constructs_lib.__file__)"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert str(venv) in imported.stdout, "the test must use the installed wheel, not the repository"


@pytest.mark.slow
def test_the_wheel_holds_the_library_and_not_the_chart_generator(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        modules = {name for name in archive.namelist() if name.endswith(".py")}

    assert "constructs_lib/workload.py" in modules
    assert not {name for name in modules if not name.startswith("constructs_lib/")}
    assert not {
        name for name in modules if "chart" in name.rpartition("/")[2] and name != "constructs_lib/chart.py"
    }


@pytest.mark.slow
def test_the_wheels_public_api_is_typed_for_pyright(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "--quiet", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
        timeout=300,
    )

    report = run_pyright(
        "--verifytypes", "constructs_lib", "--ignoreexternal", cwd=tmp_path, env={"PYTHONPATH": str(site)}
    )

    completeness = report["typeCompleteness"]
    assert completeness["packageRootDirectory"].startswith(str(site))
    # Every exported symbol's type is known to a checker that does not infer it.
    assert completeness["completenessScore"] >= 0.95, [
        f"{symbol['name']}: {diagnostic['message']}"
        for symbol in completeness["symbols"]
        for diagnostic in symbol["diagnostics"]
        if diagnostic["severity"] == "error"
    ]
