"""Run the frontend image's exact CMD natively on the standalone build.

There is no Docker engine here, so the test does what the image does: the
build stage's command with its NEXT_PUBLIC_API_URL default, then the runtime
stage's COPY lines (standalone server, static files, public/) into a fresh
directory standing for WORKDIR, then its CMD with the Dockerfile's ENV and
the ConfigMap from dist/.
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from testbed.contract import config_data, container
from testbed.dockerfile import Dockerfile
from testbed.frontend_build import assemble_runtime, build_as_dockerfile
from testbed.manifests import Manifests
from testbed.paths import REPO_ROOT
from testbed.processes import assert_port_free, port_lock, stop, wait_for_port

FRONTEND_DIR = REPO_ROOT / "frontend"
# Node 22 from the repository's npm tools matches the image; else PATH's node.
NODE_22 = REPO_ROOT / "node_modules" / "node" / "bin" / "node"


@pytest.fixture(scope="session")
def frontend_build(frontend_dockerfile: Dockerfile) -> Path:
    return build_as_dockerfile(frontend_dockerfile, FRONTEND_DIR)


@pytest.fixture
def frontend_server(
    frontend_build: Path, frontend_dockerfile: Dockerfile, frontend_dist: Manifests, tmp_path: Path
) -> Iterator[int]:
    runtime = frontend_dockerfile.final
    workdir = tmp_path / "app"
    assemble_runtime(frontend_dockerfile, FRONTEND_DIR, workdir)
    env = dict(runtime.env)
    node_dir = str(NODE_22.parent) if NODE_22.exists() else ""
    env["PATH"] = os.pathsep.join(p for p in (node_dir, os.environ["PATH"]) if p)
    env.update(config_data(frontend_dist, "todo-frontend"))
    port = container(frontend_dist, "todo-frontend")["readinessProbe"]["tcpSocket"]["port"]
    log_path = tmp_path / "server.log"
    with port_lock(port), open(log_path, "wb") as log:
        assert_port_free(port)
        process = subprocess.Popen(runtime.cmd, cwd=workdir, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, process)
            yield port
        finally:
            stop(process)


def test_tcp_probe_port_accepts_connections_and_root_renders(frontend_server: int) -> None:
    response = httpx.get(f"http://127.0.0.1:{frontend_server}/", timeout=10)
    assert response.status_code == 200
    assert "<title>Todo</title>" in response.text
    assert "Log in" in response.text


def test_static_assets_are_served_from_the_copied_static_dir(frontend_server: int) -> None:
    base = f"http://127.0.0.1:{frontend_server}"
    page = httpx.get(f"{base}/", timeout=10).text
    scripts = re.findall(r'src="(/_next/static/[^"]+\.js)"', page)
    assert scripts, "the page references no script under /_next/static"
    bodies = [httpx.get(base + script, timeout=10) for script in scripts]
    assert [b.status_code for b in bodies] == [200] * len(scripts)
    # The build-time default API URL is baked into the client code.
    assert any("http://todo.local" in b.text for b in bodies)


def test_public_files_are_served(frontend_server: int) -> None:
    response = httpx.get(f"http://127.0.0.1:{frontend_server}/robots.txt", timeout=10)
    assert response.status_code == 200
    assert "User-agent" in response.text
