"""A missing nginx, Chromium or PostgreSQL fails the e2e tier with the step that installs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testbed import postgres, stack


def test_missing_nginx_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(stack.MissingTool, match=r"apt-get install nginx-light"):
        stack.preflight()


def test_missing_chromium_names_the_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(stack, "CHROMIUM", tmp_path / "chromium")
    with pytest.raises(stack.MissingTool, match=r"apt-get install chromium"):
        stack.preflight()


def test_missing_postgresql_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(postgres.PostgresUnavailable, match=r"apt-get install postgresql"):
        postgres.PostgresServer()
