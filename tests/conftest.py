"""Session fixtures: the app is synthesized once per test session, not once per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.manifests import Manifests
from tests.support.synth import run_main, synth_stack


@pytest.fixture(scope="session")
def fresh_dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What ``python main.py`` writes now, in a temp dir."""
    outdir = tmp_path_factory.mktemp("dist")
    result = run_main(outdir)
    assert result.returncode == 0, result.stderr
    return outdir


@pytest.fixture(scope="session")
def default_stack() -> Manifests:
    """The objects of the stack with every prop at its default (the spec)."""
    return synth_stack()
