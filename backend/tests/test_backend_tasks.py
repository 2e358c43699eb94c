"""Task CRUD under /api/tasks, scoped to the token's user."""

from __future__ import annotations

from fastapi.testclient import TestClient

from testbed.backend import register


def test_created_task_is_listed_and_readable(client: TestClient, auth: dict) -> None:
    created = client.post("/api/tasks", json={"title": "  Buy milk  "}, headers=auth)
    assert created.status_code == 201
    task = created.json()
    assert task["title"] == "Buy milk"
    assert task["is_completed"] is False
    assert client.get("/api/tasks", headers=auth).json() == [task]
    assert client.get(f"/api/tasks/{task['id']}", headers=auth).json() == task


def test_tasks_are_listed_in_creation_order(client: TestClient, auth: dict) -> None:
    for title in ("one", "two", "three"):
        client.post("/api/tasks", json={"title": title}, headers=auth)
    titles = [t["title"] for t in client.get("/api/tasks", headers=auth).json()]
    assert titles == ["one", "two", "three"]


def test_patch_completes_and_renames_a_task(client: TestClient, auth: dict) -> None:
    task = client.post("/api/tasks", json={"title": "Write tests"}, headers=auth).json()
    done = client.patch(f"/api/tasks/{task['id']}", json={"is_completed": True}, headers=auth)
    assert done.status_code == 200
    assert done.json()["is_completed"] is True
    assert done.json()["title"] == "Write tests"
    renamed = client.patch(f"/api/tasks/{task['id']}", json={"title": "Run tests"}, headers=auth)
    assert renamed.json()["title"] == "Run tests"
    assert renamed.json()["is_completed"] is True
    assert renamed.json()["updated_at"] > task["updated_at"]


def test_delete_removes_the_task(client: TestClient, auth: dict) -> None:
    task = client.post("/api/tasks", json={"title": "Temporary"}, headers=auth).json()
    assert client.delete(f"/api/tasks/{task['id']}", headers=auth).status_code == 204
    assert client.get(f"/api/tasks/{task['id']}", headers=auth).status_code == 404
    assert client.get("/api/tasks", headers=auth).json() == []


def test_blank_title_is_rejected(client: TestClient, auth: dict) -> None:
    assert client.post("/api/tasks", json={"title": "   "}, headers=auth).status_code == 422


def test_another_users_task_is_404_and_untouched(client: TestClient, auth: dict) -> None:
    task = client.post("/api/tasks", json={"title": "Mine"}, headers=auth).json()
    other = register(client)
    url = f"/api/tasks/{task['id']}"
    assert client.get(url, headers=other).status_code == 404
    assert client.patch(url, json={"is_completed": True}, headers=other).status_code == 404
    assert client.delete(url, headers=other).status_code == 404
    assert client.get("/api/tasks", headers=other).json() == []
    assert client.get(url, headers=auth).json() == task


def test_unknown_task_id_is_404(client: TestClient, auth: dict) -> None:
    url = "/api/tasks/6f1c1a52-1a6e-4b8e-9a43-0f7f0c5a0c11"
    assert client.get(url, headers=auth).status_code == 404
