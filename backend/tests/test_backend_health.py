"""/health is the liveness probe: it answers without the database."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import pytest
from app.application import create_app
from app.hash_slots import RETRY_AFTER_SECONDS
from app.load_shedding import LoadShedding
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


def test_past_the_workers_threads_a_request_is_503_at_once_and_health_still_answers(
    client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    layer = client.app.middleware_stack
    while not isinstance(layer, LoadShedding):
        layer = layer.app
    # As many requests in flight as any thread pool has threads.
    monkeypatch.setattr(layer, "in_flight", 10**6)
    busy = client.get("/api/tasks", headers=auth)
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert client.get("/health").json() == {"status": "healthy"}
    monkeypatch.undo()
    assert client.get("/api/tasks", headers=auth).status_code == 200


def test_health_answers_while_every_thread_of_the_worker_is_taken(client: TestClient) -> None:
    # The sync routes wait for one of the worker's threads; /health must not, or
    # a saturated worker would fail its liveness probe and be restarted.
    limiter = client.portal.call(anyio.to_thread.current_default_thread_limiter)
    holders = [object() for _ in range(int(limiter.total_tokens))]
    for holder in holders:
        client.portal.call(limiter.acquire_on_behalf_of, holder)
    pool = ThreadPoolExecutor(1)
    try:
        answer = pool.submit(client.get, "/health").result(timeout=10)
        assert answer.json() == {"status": "healthy"}
    finally:
        # Freed first, so a /health stuck behind them finishes and the test ends.
        for holder in holders:
            client.portal.call(limiter.release_on_behalf_of, holder)
        pool.shutdown()
