"""Pyright, pinned in package.json: the second type checker users of the library run."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from testbed.paths import REPO_ROOT

PYRIGHT = REPO_ROOT / "node_modules" / ".bin" / "pyright"
NODE_BIN = REPO_ROOT / "node_modules" / "node" / "bin"


def run_pyright(*args: str, cwd: Path, env: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Pyright's JSON report; a missing pyright fails the test naming the step that installs it."""
    if not PYRIGHT.is_file():
        pytest.fail(f"{PYRIGHT} is missing: `make setup` installs it from package-lock.json", pytrace=False)
    base = {"PATH": f"{NODE_BIN}:/usr/bin:/bin", "HOME": str(cwd)}
    result = subprocess.run(
        [str(PYRIGHT), "--outputjson", "--pythonpath", sys.executable, *args],
        cwd=cwd,
        env={**base, **(env or {})},
        capture_output=True,
        text=True,
        timeout=600,
    )
    try:
        report: dict[str, Any] = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.fail(f"pyright printed no report:\n{result.stdout}{result.stderr}", pytrace=False)
    return report
