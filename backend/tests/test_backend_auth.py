"""Register and log in with a JWT; every other /api route needs the token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import jwt
import psycopg
import pytest
from app import auth
from app.application import create_app
from fastapi.testclient import TestClient

from testbed.backend import PASSWORD, SECRET, register

PUBLIC_API_ROUTES = {("POST", "/api/auth/register"), ("POST", "/api/auth/login")}


def _token(headers: dict[str, str]) -> str:
    return headers["Authorization"].removeprefix("Bearer ")


def test_register_returns_a_token_for_the_new_user(client: TestClient) -> None:
    response = client.post("/api/auth/register", json={"email": "Ada@Example.com", "password": PASSWORD})
    assert response.status_code == 201
    body = response.json()
    assert body["token_type"] == "bearer"
    assert body["user"]["email"] == "ada@example.com"
    claims = jwt.decode(body["access_token"], SECRET, algorithms=["HS256"])
    assert claims["sub"] == body["user"]["id"]


def test_token_is_signed_with_the_configured_algorithm_and_expiry(
    make_client,
) -> None:
    client = make_client(jwt_algorithm="HS512", jwt_expire_days=3)
    token = _token(register(client))
    assert jwt.get_unverified_header(token)["alg"] == "HS512"
    claims = jwt.decode(token, SECRET, algorithms=["HS512"])
    lifetime = datetime.fromtimestamp(claims["exp"], UTC) - datetime.fromtimestamp(claims["iat"], UTC)
    assert lifetime == timedelta(days=3)


def test_login_with_the_right_password_returns_a_working_token(client: TestClient) -> None:
    register(client, "bob@example.com")
    response = client.post("/api/auth/login", json={"email": "bob@example.com", "password": PASSWORD})
    assert response.status_code == 200
    headers = {"Authorization": f"Bearer {response.json()['access_token']}"}
    assert client.get("/api/auth/me", headers=headers).json()["email"] == "bob@example.com"


@pytest.mark.parametrize(
    ("email", "password"),
    [("bob@example.com", "wrong password"), ("nobody@example.com", PASSWORD)],
)
def test_login_with_bad_credentials_is_401(client: TestClient, email: str, password: str) -> None:
    register(client, "bob@example.com")
    response = client.post("/api/auth/login", json={"email": email, "password": password})
    assert response.status_code == 401
    assert response.json()["detail"] == "Invalid email or password"


def test_register_leaves_no_user_when_the_token_cannot_be_issued(
    make_settings, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def fail(*args: object) -> str:
        raise OverflowError("token expiry out of range")

    monkeypatch.setattr(auth, "issue_token", fail)
    with TestClient(create_app(make_settings()), raise_server_exceptions=False) as client:
        response = client.post("/api/auth/register", json={"email": "f@example.com", "password": PASSWORD})
    assert response.status_code == 500
    with psycopg.connect(database_url) as conn:
        assert conn.execute("SELECT count(*) FROM users").fetchone() == (0,)


def test_registering_an_email_twice_is_409(client: TestClient) -> None:
    register(client, "carol@example.com")
    response = client.post("/api/auth/register", json={"email": "CAROL@example.com", "password": PASSWORD})
    assert response.status_code == 409


def test_short_password_is_rejected_at_registration(client: TestClient) -> None:
    response = client.post("/api/auth/register", json={"email": "d@example.com", "password": "short"})
    assert response.status_code == 422


def test_passwords_are_stored_only_as_salted_argon2_hashes(client: TestClient, database_url: str) -> None:
    register(client, "e1@example.com")
    register(client, "e2@example.com")
    with psycopg.connect(database_url) as conn:
        hashes = [row[0] for row in conn.execute("SELECT password_hash FROM users").fetchall()]
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert all(PASSWORD not in h for h in hashes)
    # Same password, different salt, different hash.
    assert hashes[0] != hashes[1]


def test_every_api_route_except_register_and_login_requires_a_token(client: TestClient) -> None:
    # Read the routes from the app's own OpenAPI document, so a route added
    # later is covered too.
    protected = [
        (method.upper(), path)
        for path, operations in client.app.openapi()["paths"].items()
        if path.startswith("/api/")
        for method in operations
        if (method.upper(), path) not in PUBLIC_API_ROUTES
    ]
    assert len(protected) >= 9
    for method, path in protected:
        url = path.format(task_id="00000000-0000-0000-0000-000000000000",
                          conversation_id="00000000-0000-0000-0000-000000000000")  # fmt: skip
        response = client.request(method, url, json={})
        assert response.status_code == 401, (method, path, response.text)
        assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "forge",
    [
        pytest.param(lambda claims: jwt.encode(claims, "x" * 40, "HS256"), id="foreign-secret"),
        pytest.param(
            lambda claims: jwt.encode(
                {**claims, "exp": datetime.now(UTC) - timedelta(seconds=1)}, SECRET, "HS256"
            ),
            id="expired",
        ),
        pytest.param(lambda claims: jwt.encode(claims, None, "none"), id="unsigned"),
    ],
)
def test_forged_or_expired_tokens_are_401(client: TestClient, forge) -> None:
    real = jwt.decode(_token(register(client)), SECRET, algorithms=["HS256"])
    headers = {"Authorization": f"Bearer {forge(real)}"}
    assert client.get("/api/tasks", headers=headers).status_code == 401


def test_token_of_a_user_no_longer_in_the_database_is_401(client: TestClient, database_url: str) -> None:
    headers = register(client)
    with psycopg.connect(database_url) as conn:
        conn.execute("DELETE FROM users")
    response = client.get("/api/tasks", headers=headers)
    assert response.status_code == 401
