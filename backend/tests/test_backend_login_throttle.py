"""Failed logins per account are limited: past the limit the answer is 429 with Retry-After."""

from __future__ import annotations

import threading

from app.login_throttle import MAX_FAILURES, WINDOW_SECONDS, LoginThrottle
from fastapi.testclient import TestClient

from testbed.backend import PASSWORD, register

BOB = {"email": "bob@example.com", "password": PASSWORD}
WRONG = {**BOB, "password": "wrong password"}


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_repeated_wrong_passwords_are_answered_429_with_retry_after(client: TestClient) -> None:
    register(client, BOB["email"])
    responses = [client.post("/api/auth/login", json=WRONG) for _ in range(30)]
    statuses = [r.status_code for r in responses]
    assert statuses == [401] * MAX_FAILURES + [429] * (30 - MAX_FAILURES)
    assert 1 <= int(responses[-1].headers["retry-after"]) <= WINDOW_SECONDS
    assert "Too many failed logins" in responses[-1].json()["detail"]


def test_a_locked_account_does_not_lock_out_other_users(client: TestClient) -> None:
    register(client, BOB["email"])
    register(client, "alice@example.com")
    for _ in range(MAX_FAILURES + 1):
        client.post("/api/auth/login", json=WRONG)
    alice = client.post("/api/auth/login", json={"email": "alice@example.com", "password": PASSWORD})
    assert alice.status_code == 200


def test_the_right_password_works_again_once_the_window_has_passed(client: TestClient) -> None:
    clock = FakeClock()
    client.app.state.login_throttle.clock = clock
    register(client, BOB["email"])
    for _ in range(MAX_FAILURES):
        client.post("/api/auth/login", json=WRONG)
    # Inside the window even the right password is refused, or the limit
    # would not slow down guessing.
    assert client.post("/api/auth/login", json=BOB).status_code == 429
    clock.now += WINDOW_SECONDS
    assert client.post("/api/auth/login", json=BOB).status_code == 200


def test_a_successful_login_clears_the_failures(client: TestClient) -> None:
    register(client, BOB["email"])
    for _ in range(MAX_FAILURES - 1):
        client.post("/api/auth/login", json=WRONG)
    assert client.post("/api/auth/login", json=BOB).status_code == 200
    assert client.post("/api/auth/login", json=WRONG).status_code == 401


def test_parallel_attempts_cannot_slip_past_the_limit() -> None:
    # Each attempt counts before the password is checked, so requests that
    # arrive together cannot all pass the check before any failure is recorded.
    throttle = LoginThrottle()
    barrier = threading.Barrier(30)
    allowed: list[bool] = []

    def attempt() -> None:
        barrier.wait()
        allowed.append(throttle.attempt("bob@example.com") is None)

    threads = [threading.Thread(target=attempt) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert allowed.count(True) == MAX_FAILURES
