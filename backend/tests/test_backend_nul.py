"""PostgreSQL text cannot hold NUL (U+0000): every string the API takes is refused with a 422."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

# Valid for every string field the API has (an email, a password, a title, a
# message) but for the NUL, so the NUL is the only reason to refuse it.
PROBE = "nul\x00@example.com"
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


def _nul_error(response: Any, field: str) -> str | None:
    """The 422's message for ``field``, if the response is one."""
    if response.status_code != 422:
        return None
    return next((e["msg"] for e in response.json()["detail"] if e["loc"] == ["body", field]), None)


def test_nul_in_any_string_field_of_any_request_body_is_422(client: TestClient, auth: dict) -> None:
    # Read the fields from the app's own OpenAPI document, so a field or route
    # added later is covered too.
    fields = _string_fields(client.app)
    assert len(fields) >= 7, fields
    wrong = []
    for method, path, field in fields:
        url = path.format(task_id=ANY_ID, conversation_id=ANY_ID)
        response = client.request(method, url, json={field: PROBE}, headers=auth)
        message = _nul_error(response, field)
        if message is None or "NUL" not in message:
            wrong.append((method, path, field, response.status_code, response.text))
    assert wrong == []


def test_nul_in_a_task_title_is_422_and_stores_nothing(client: TestClient, auth: dict) -> None:
    task = client.post("/api/tasks", json={"title": "Buy milk"}, headers=auth).json()
    assert client.post("/api/tasks", json={"title": "a\x00b"}, headers=auth).status_code == 422
    renamed = client.patch(f"/api/tasks/{task['id']}", json={"title": "a\x00b"}, headers=auth)
    assert renamed.status_code == 422
    assert client.get("/api/tasks", headers=auth).json() == [task]
