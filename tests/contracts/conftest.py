"""Contract tests: the Dockerfiles, the apps and dist/ agree with each other."""

from __future__ import annotations

import sys
from collections.abc import Iterator

import pytest

from testbed.dockerfile import Dockerfile
from testbed.paths import BACKEND_DIR, REPO_ROOT
from testbed.postgres import PostgresServer, running_postgres

# The backend is an application, not an installed package: import it the way
# gunicorn does, from its own directory.
sys.path.insert(0, str(BACKEND_DIR))


@pytest.fixture(scope="session")
def backend_dockerfile() -> Dockerfile:
    return Dockerfile(REPO_ROOT / "docker" / "backend" / "Dockerfile")


@pytest.fixture(scope="session")
def frontend_dockerfile() -> Dockerfile:
    return Dockerfile(REPO_ROOT / "docker" / "frontend" / "Dockerfile")


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server
