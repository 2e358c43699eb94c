"""A user's whole API session through nginx with the Ingress host, as the browser makes it."""

from __future__ import annotations

import uuid

import httpx

from testbed.backend import PASSWORD
from testbed.node_stack import NodeStack as Stack


def _backend_lines(stack: Stack, marker: str, count: int) -> list[str]:
    """nginx access-log lines for requests carrying ``marker`` that a backend pod answered."""
    assert stack.nginx is not None
    backends = {pod.address for pod in stack.pods["todo-backend"]}
    return stack.nginx.logged(
        lambda line: marker in line and line.split("upstream=")[1].split()[0] in backends, count
    )


def test_register_login_create_list_complete_delete(stack: Stack, ingress: httpx.Client) -> None:
    email = f"e2e-{uuid.uuid4().hex[:8]}@example.com"
    credentials = {"email": email, "password": PASSWORD}

    registered = ingress.post("/api/auth/register", json=credentials)
    assert registered.status_code == 201, registered.text
    assert registered.json()["user"]["email"] == email
    login = ingress.post("/api/auth/login", json=credentials)
    assert login.status_code == 200, login.text
    auth = {"Authorization": f"Bearer {login.json()['access_token']}"}

    created = ingress.post("/api/tasks", json={"title": "Ship the e2e harness"}, headers=auth)
    assert created.status_code == 201, created.text
    task = created.json()
    assert (task["title"], task["is_completed"]) == ("Ship the e2e harness", False)
    listed = ingress.get("/api/tasks", headers=auth).json()
    assert [(t["id"], t["is_completed"]) for t in listed] == [(task["id"], False)]

    completed = ingress.patch(f"/api/tasks/{task['id']}", json={"is_completed": True}, headers=auth)
    assert (completed.status_code, completed.json()["is_completed"]) == (200, True)
    listed = ingress.get("/api/tasks", headers=auth).json()
    assert [(t["id"], t["is_completed"]) for t in listed] == [(task["id"], True)]

    deleted = ingress.delete(f"/api/tasks/{task['id']}", headers=auth)
    assert deleted.status_code == 204
    assert ingress.get("/api/tasks", headers=auth).json() == []
    gone = ingress.get(f"/api/tasks/{task['id']}", headers=auth)
    assert (gone.status_code, gone.json()) == (404, {"detail": "Task not found"})

    # Every step went through nginx to a backend pod, path unchanged.
    logged = _backend_lines(stack, f"/api/tasks/{task['id']} ", count=3)
    assert [line.split('"')[1].split()[0] for line in logged] == ["PATCH", "DELETE", "GET"]


def test_tasks_need_a_token_through_the_ingress(ingress: httpx.Client) -> None:
    response = ingress.get("/api/tasks", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_chat_answers_503_while_the_openai_key_is_empty(stack: Stack, ingress: httpx.Client) -> None:
    assert stack.secrets["OPENAI_API_KEY"] == ""
    registered = ingress.post(
        "/api/auth/register", json={"email": f"chat-{uuid.uuid4().hex[:8]}@example.com", "password": PASSWORD}
    )
    auth = {"Authorization": f"Bearer {registered.json()['access_token']}"}
    response = ingress.post("/api/chat", json={"message": "add milk"}, headers=auth)
    assert response.status_code == 503
    assert "OPENAI_API_KEY" in response.json()["detail"]
