"""/health is the liveness probe: it answers without the database."""

from __future__ import annotations

from fastapi.testclient import TestClient


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
