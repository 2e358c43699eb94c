"""Contract tests: the Dockerfiles, the apps and dist/ agree with each other."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.contract import load_dist
from tests.support.dockerfile import Dockerfile
from tests.support.manifests import Manifests
from tests.support.postgres import PostgresServer, running_postgres

ROOT = Path(__file__).resolve().parents[2]
# The backend is an application, not an installed package: import it the way
# gunicorn does, from its own directory.
sys.path.insert(0, str(ROOT / "backend"))


@pytest.fixture(scope="session")
def backend_dist() -> Manifests:
    return load_dist("backend")


@pytest.fixture(scope="session")
def frontend_dist() -> Manifests:
    return load_dist("frontend")


@pytest.fixture(scope="session")
def backend_dockerfile() -> Dockerfile:
    return Dockerfile(ROOT / "docker" / "backend" / "Dockerfile")


@pytest.fixture(scope="session")
def frontend_dockerfile() -> Dockerfile:
    return Dockerfile(ROOT / "docker" / "frontend" / "Dockerfile")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server
