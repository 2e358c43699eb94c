"""The library is lint-clean, formatted and type-checks strictly."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from testbed.paths import REPO_ROOT

BIN = Path(sys.executable).parent


def _run(*command: str) -> None:
    result = subprocess.run(command, cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}"


def test_ruff_finds_nothing() -> None:
    _run(str(BIN / "ruff"), "check", ".")


def test_ruff_format_changes_nothing() -> None:
    _run(str(BIN / "ruff"), "format", "--check", ".")


@pytest.mark.slow
def test_mypy_strict_passes_on_the_library() -> None:
    _run(str(BIN / "mypy"))
