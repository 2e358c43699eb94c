"""A real browser through the Ingress: Debian's Chromium, driven by playwright-core.

The frontend is built exactly as its Dockerfile builds it, so the page calls
the API at the baked-in NEXT_PUBLIC_API_URL (the build arg's default,
``http://todo.local``). Chromium's ``--host-resolver-rules`` maps the Ingress
host to nginx's loopback address, so the page (``http://todo.local/``) and its
API calls are same-origin and both go through nginx, as on a cluster where
todo.local resolves to the ingress controller; no second build is needed.
"""

from __future__ import annotations

import json
import re
import subprocess
import uuid
from pathlib import Path

import httpx

from testbed.backend import PASSWORD
from testbed.dockerfile import Dockerfile
from testbed.node_stack import NodeStack as Stack
from testbed.paths import REPO_ROOT
from testbed.programs import CHROMIUM, require_node

SCRIPT = Path(__file__).with_name("browser_flow.mjs")
ARTIFACTS = REPO_ROOT / "test-artifacts"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# A blank or error page compresses to a few KB; the task page with its text is well above.
MIN_SCREENSHOT_BYTES = 10_000


def test_browser_registers_logs_in_adds_and_completes_a_task(
    stack: Stack, ingress: httpx.Client, ingress_host: str
) -> None:
    assert stack.nginx is not None
    api_url = (
        Dockerfile(REPO_ROOT / "docker" / "frontend" / "Dockerfile")
        .stage("build")
        .args["NEXT_PUBLIC_API_URL"]
    )
    assert api_url == f"http://{ingress_host}", (
        "the page would call the API somewhere other than the Ingress host"
    )
    ARTIFACTS.mkdir(exist_ok=True)
    screenshot = ARTIFACTS / "e2e-task-page.png"
    screenshot.unlink(missing_ok=True)
    options = {
        "chromium": str(CHROMIUM),
        "nginx": f"127.0.0.1:{stack.nginx.port}",
        "host": ingress_host,
        "email": f"browser-{uuid.uuid4().hex[:8]}@example.com",
        "password": PASSWORD,
        "task": "Water the plants",
        "screenshot": str(screenshot),
    }
    result = subprocess.run(
        [str(require_node()), str(SCRIPT), json.dumps(options)],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["problems"] == []
    assert report["completed"] == 1

    calls = [(c["method"], re.sub(r"/[0-9a-f-]{36}$", "/{id}", c["url"]), c["status"]) for c in report["api"]]
    base = f"http://{ingress_host}/api"
    for call in [
        ("POST", f"{base}/auth/register", 201),
        ("POST", f"{base}/auth/login", 200),
        ("POST", f"{base}/tasks", 201),
        ("GET", f"{base}/tasks", 200),
        ("PATCH", f"{base}/tasks/{{id}}", 200),
    ]:
        assert call in calls, calls
    assert all(url.startswith(base) for _, url, _ in calls), calls

    # Those calls went through nginx to a backend pod.
    backends = {pod.address for pod in stack.pods["todo-backend"]}
    patched = stack.nginx.logged(lambda line: "HeadlessChrome" in line and '"PATCH /api/tasks/' in line)
    assert patched and all(line.split("upstream=")[1].split()[0] in backends for line in patched), patched

    # The backend holds the completed task for that user.
    login = ingress.post("/api/auth/login", json={"email": options["email"], "password": PASSWORD})
    tasks = ingress.get(
        "/api/tasks", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    ).json()
    assert [(t["title"], t["is_completed"]) for t in tasks] == [("Water the plants", True)]

    data = screenshot.read_bytes()
    assert data.startswith(PNG_SIGNATURE)
    assert len(data) > MIN_SCREENSHOT_BYTES, len(data)
