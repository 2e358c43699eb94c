"""Text the app cannot store or people cannot read is a 422 naming the field; look-alike emails are one account."""

from __future__ import annotations

import json
from typing import Any

import pytest
from app.body_limit import MAX_BODY_BYTES
from fastapi.testclient import TestClient

from testbed.backend import PASSWORD, register

# Valid for every string field the API has (an email, a password, a title, a
# message) but for one character PostgreSQL cannot store, the only reason to refuse it.
PROBES = {"NUL": "nul\x00@example.com", "lone surrogate": "sur\ud800@example.com"}
# What each field's 422 says, ours or pydantic's own (which refuses a lone surrogate in some fields first).
SAYS = {"NUL": ("NUL",), "lone surrogate": ("lone surrogate", "unicode string")}
ANY_ID = "00000000-0000-0000-0000-000000000000"


def _string_fields(app: Any) -> list[tuple[str, str, str]]:
    """(method, path, field) for each string property of each request body in the OpenAPI document."""
    document = app.openapi()
    schemas = document["components"]["schemas"]
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            if body is None:
                continue
            schema = schemas[body["schema"]["$ref"].rsplit("/", 1)[-1]]
            for field, prop in schema["properties"].items():
                # Formatted strings (a UUID) are parsed, never stored as text.
                options = prop.get("anyOf", [prop])
                if any(o.get("type") == "string" and "format" not in o for o in options):
                    found.append((method.upper(), path, field))
    return found


def _field_error(response: Any, field: str) -> str | None:
    """The 422's message for ``field``, if the response is one."""
    if response.status_code != 422:
        return None
    return next((e["msg"] for e in response.json()["detail"] if e["loc"] == ["body", field]), None)


@pytest.mark.parametrize("kind", PROBES)
def test_unstorable_text_in_any_string_field_of_any_request_body_is_422(
    client: TestClient, auth: dict, kind: str
) -> None:
    # Read the fields from the app's own OpenAPI document, so a field or route
    # added later is covered too. The body is sent as JSON text: a lone
    # surrogate travels as the escape "\ud800", which is valid JSON.
    fields = _string_fields(client.app)
    assert len(fields) >= 7, fields
    wrong = []
    for method, path, field in fields:
        url = path.format(task_id=ANY_ID, conversation_id=ANY_ID)
        body = json.dumps({field: PROBES[kind]})
        headers = {**auth, "Content-Type": "application/json"}
        response = client.request(method, url, content=body, headers=headers)
        message = _field_error(response, field)
        if message is None or not any(words in message for words in SAYS[kind]):
            wrong.append((method, path, field, response.status_code, response.text))
    assert wrong == []


def test_nul_in_a_task_title_is_422_and_stores_nothing(client: TestClient, auth: dict) -> None:
    task = client.post("/api/tasks", json={"title": "Buy milk"}, headers=auth).json()
    assert client.post("/api/tasks", json={"title": "a\x00b"}, headers=auth).status_code == 422
    renamed = client.patch(f"/api/tasks/{task['id']}", json={"title": "a\x00b"}, headers=auth)
    assert renamed.status_code == 422
    assert client.get("/api/tasks", headers=auth).json() == [task]


@pytest.mark.parametrize(
    "spelling",
    ["ADA@EXAMPLE.COM", " ada@example.com ", "\uff41\uff44\uff41@example.com", "ada@\uff45xample.com"],
)
def test_look_alike_spellings_of_an_email_are_one_account(client: TestClient, spelling: str) -> None:
    register(client, "ada@example.com")
    again = client.post("/api/auth/register", json={"email": spelling, "password": PASSWORD})
    assert again.status_code == 409, again.text
    login = client.post("/api/auth/login", json={"email": spelling, "password": PASSWORD})
    assert login.status_code == 200
    assert login.json()["user"]["email"] == "ada@example.com"


@pytest.mark.parametrize(
    "email",
    ["\u0430da@example.com", "ada\u200b@example.com", "ada\x1b@example.com", "ada@exa\u202emple.com",
     "ada@example", "a" * 250 + "@example.com"],
    ids=["cyrillic", "zero-width", "escape", "bidi-override", "no-dot", "too-long"],
)  # fmt: skip
def test_emails_other_scripts_or_invisible_characters_could_disguise_are_422(
    client: TestClient, email: str
) -> None:
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 422, response.text
    assert _field_error(response, "email").startswith(
        "Value error, must be an email address of printable ASCII"
    )


@pytest.mark.parametrize(
    "title",
    ["\u200b\u200b", "\u200b \u2060", "pay \u202eyadot", "a\u2066b\u2069", "a\x1bb", "a\tb"],
    ids=["zero-width-only", "invisible-only", "rtl-override", "isolate", "escape", "tab"],
)
def test_titles_that_show_nothing_or_read_otherwise_are_422(
    client: TestClient, auth: dict, title: str
) -> None:
    task = client.post("/api/tasks", json={"title": "Buy milk"}, headers=auth).json()
    for response in (
        client.post("/api/tasks", json={"title": title}, headers=auth),
        client.patch(f"/api/tasks/{task['id']}", json={"title": title}, headers=auth),
    ):
        assert response.status_code == 422, response.text
        assert "visible character" in _field_error(response, "title")
    assert client.get("/api/tasks", headers=auth).json() == [task]


def test_titles_keep_emoji_sequences_and_right_to_left_text(client: TestClient, auth: dict) -> None:
    for title in (
        "\U0001f468\u200d\U0001f469\u200d\U0001f467 family",
        "\u05e7\u05e0\u05d4 \u05d7\u05dc\u05d1",
    ):
        assert client.post("/api/tasks", json={"title": title}, headers=auth).json()["title"] == title


def test_a_body_over_the_bound_is_413_whether_declared_or_streamed(client: TestClient, auth: dict) -> None:
    body = json.dumps({"title": "x" * MAX_BODY_BYTES}).encode()
    declared = client.post("/api/tasks", content=body, headers={**auth, "Content-Type": "application/json"})
    assert declared.status_code == 413, declared.text

    def chunks():  # no Content-Length: the body streams
        yield body[: len(body) // 2]
        yield body[len(body) // 2 :]

    streamed = client.post(
        "/api/tasks", content=chunks(), headers={**auth, "Content-Type": "application/json"}
    )
    assert streamed.status_code == 413, streamed.text
    assert client.get("/api/tasks", headers=auth).json() == []


def test_a_body_within_the_bound_is_read(client: TestClient, auth: dict) -> None:
    response = client.post("/api/chat", json={"message": "x" * 4000}, headers=auth)
    assert response.status_code != 413
