"""The frontend's own unit tests (node --test), run with the project's Node 22."""

from __future__ import annotations

import subprocess

from testbed.paths import REPO_ROOT

NODE = REPO_ROOT / "node_modules" / "node" / "bin" / "node"


def test_frontend_api_client_unit_tests_pass() -> None:
    assert NODE.exists(), "Node 22 missing: run `make setup` (npm ci installs it)"
    result = subprocess.run(
        [str(NODE), "--test", "lib/api.test.js"],
        cwd=REPO_ROOT / "frontend",
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout
