"""The frontend's own unit tests (node --test), run with the project's Node 22."""

from __future__ import annotations

import subprocess

from testbed.paths import FRONTEND_DIR, NODE


def test_frontend_api_client_unit_tests_pass() -> None:
    assert NODE.exists(), "Node 22 missing: run `make setup` (npm ci installs it)"
    result = subprocess.run(
        [str(NODE), "--test", "lib/api.test.js"],
        cwd=FRONTEND_DIR,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "# fail 0" in result.stdout
