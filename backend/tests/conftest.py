"""Backend API tests against a real PostgreSQL server started for the session."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator

import pytest

from testbed.backend import SECRET, register
from testbed.paths import BACKEND_DIR
from testbed.postgres import PostgresServer, running_postgres

# The backend is an application, not an installed package: import it the way
# gunicorn does, from its own directory.
sys.path.insert(0, str(BACKEND_DIR))

from app.application import create_app
from app.settings import Settings
from fastapi.testclient import TestClient


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    with running_postgres() as server:
        yield server


@pytest.fixture
def database_url(postgres: PostgresServer) -> str:
    """A fresh, empty database per test, so tests never see each other's rows."""
    return postgres.create_database()


@pytest.fixture
def make_settings(database_url: str) -> Callable[..., Settings]:
    def make(**overrides: object) -> Settings:
        values: dict[str, object] = {
            "database_url": database_url,
            "auth_secret": SECRET,
            "openai_api_key": "",
        }
        values.update(overrides)
        return Settings(**values)  # type: ignore[arg-type]

    return make


@pytest.fixture
def make_client(make_settings: Callable[..., Settings]) -> Iterator[Callable[..., TestClient]]:
    """Start the app with given settings, once its pool's first connection has created the schema."""
    clients: list[TestClient] = []

    def make(**overrides: object) -> TestClient:
        client = TestClient(create_app(make_settings(**overrides)))
        client.__enter__()
        clients.append(client)
        client.app.state.pool.wait()
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()


@pytest.fixture
def auth(client: TestClient) -> dict[str, str]:
    return register(client)
