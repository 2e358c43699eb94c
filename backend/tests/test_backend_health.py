"""/health is the liveness probe: it answers without the database."""

from __future__ import annotations

from collections.abc import Callable

from app.application import create_app
from app.settings import Settings
from fastapi.testclient import TestClient

from testbed.postgres import free_port


def test_health_answers_healthy(client: TestClient) -> None:
    response = client.get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "healthy"}


def test_health_stays_up_when_the_database_is_gone(client: TestClient, auth: dict) -> None:
    # Closing the pool is what a lost database looks like to the app: every
    # query fails. The probe must not, or Kubernetes would restart the pod.
    client.app.state.pool.close()
    assert client.get("/api/tasks", headers=auth).status_code == 503
    assert client.get("/health").json() == {"status": "healthy"}


def test_database_failure_is_reported_as_503_with_a_message(client: TestClient, auth: dict) -> None:
    client.app.state.pool.close()
    response = client.get("/api/tasks", headers=auth)
    assert response.status_code == 503
    assert "database" in response.json()["detail"].lower()


def test_the_app_starts_and_answers_health_while_the_database_is_unreachable(
    make_settings: Callable[..., Settings],
) -> None:
    # gunicorn stops when a worker fails to boot: a worker restarted during a
    # database outage must boot, or the whole pod stops listening.
    settings = make_settings(
        database_url=f"postgresql://todo:x@127.0.0.1:{free_port()}/todo?connect_timeout=1"
    )
    with TestClient(create_app(settings)) as client:
        assert client.get("/health").json() == {"status": "healthy"}
        # The pool keeps trying in the background, to serve /api once the database is back.
        assert not client.app.state.pool.closed
