"""A missing nginx, Chromium or PostgreSQL fails the runc harness (``make bench``) with the step that installs it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from testbed import cgroups, postgres, programs, stack


def test_missing_nginx_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(stack.MissingTool, match=r"apt-get install nginx-light"):
        stack.preflight()


def test_missing_chromium_names_the_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(programs, "CHROMIUM", tmp_path / "chromium")
    with pytest.raises(stack.MissingTool, match=r"apt-get install chromium"):
        stack.preflight()


def test_missing_postgresql_names_the_debian_package(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PG_BINDIR", raising=False)
    monkeypatch.setattr(postgres.glob, "glob", lambda pattern: [])
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)
    with pytest.raises(postgres.PostgresUnavailable, match=r"apt-get install postgresql"):
        postgres.PostgresServer()


def test_a_cgroup_hierarchy_without_the_controllers_fails_naming_how_to_delegate_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def undelegated(relative: str, resources: object) -> cgroups.PodCgroup:
        raise cgroups.CgroupUnavailable(
            f"cgroup v2: the cpu controller is not delegated; {cgroups.DELEGATION_HINT}"
        )

    monkeypatch.setattr(cgroups.PodCgroup, "create", staticmethod(undelegated))
    with pytest.raises(stack.MissingTool, match=r"not delegated.*systemd-run --scope -p Delegate=yes"):
        stack.preflight()
