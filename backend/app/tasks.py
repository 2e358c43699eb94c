"""Tasks, always scoped to their owner: another user's task does not exist (404)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Response, status
from psycopg import Connection
from pydantic import BaseModel, StringConstraints

from app.deps import PoolDep, UserIdDep, user_connection
from app.text import Readable, Storable

router = APIRouter(prefix="/tasks", tags=["tasks"])

Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), Storable, Readable
]
_COLUMNS = "id, title, is_completed, created_at, updated_at"


class TaskCreate(BaseModel):
    title: Title


class TaskUpdate(BaseModel):
    title: Title | None = None
    is_completed: bool | None = None


class TaskOut(BaseModel):
    id: uuid.UUID
    title: str
    is_completed: bool
    created_at: datetime
    updated_at: datetime


# Plain functions on a connection, shared by the HTTP routes and the chat tools.


def list_tasks(conn: Connection, owner_id: uuid.UUID, completed: bool | None = None) -> list[dict]:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM tasks WHERE owner_id = %s"
        " AND (%s::boolean IS NULL OR is_completed = %s) ORDER BY created_at",
        (owner_id, completed, completed),
    ).fetchall()


def create_task(conn: Connection, owner_id: uuid.UUID, title: str) -> dict:
    return conn.execute(
        f"INSERT INTO tasks (title, owner_id) VALUES (%s, %s) RETURNING {_COLUMNS}",
        (title, owner_id),
    ).fetchone()


def get_task(conn: Connection, owner_id: uuid.UUID, task_id: uuid.UUID) -> dict | None:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM tasks WHERE id = %s AND owner_id = %s", (task_id, owner_id)
    ).fetchone()


def update_task(
    conn: Connection, owner_id: uuid.UUID, task_id: uuid.UUID, changes: dict[str, Any]
) -> dict | None:
    return conn.execute(
        "UPDATE tasks SET title = COALESCE(%(title)s, title),"
        " is_completed = COALESCE(%(is_completed)s, is_completed), updated_at = clock_timestamp()"
        f" WHERE id = %(id)s AND owner_id = %(owner)s RETURNING {_COLUMNS}",
        {
            "title": changes.get("title"),
            "is_completed": changes.get("is_completed"),
            "id": task_id,
            "owner": owner_id,
        },
    ).fetchone()


def delete_task(conn: Connection, owner_id: uuid.UUID, task_id: uuid.UUID) -> bool:
    cursor = conn.execute("DELETE FROM tasks WHERE id = %s AND owner_id = %s", (task_id, owner_id))
    return cursor.rowcount == 1


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "Task not found")


@router.get("")
def list_route(user_id: UserIdDep, pool: PoolDep) -> list[TaskOut]:
    with user_connection(pool, user_id) as conn:
        return [TaskOut(**row) for row in list_tasks(conn, user_id)]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_route(body: TaskCreate, user_id: UserIdDep, pool: PoolDep) -> TaskOut:
    with user_connection(pool, user_id) as conn:
        return TaskOut(**create_task(conn, user_id, body.title))


@router.get("/{task_id}")
def get_route(task_id: uuid.UUID, user_id: UserIdDep, pool: PoolDep) -> TaskOut:
    with user_connection(pool, user_id) as conn:
        row = get_task(conn, user_id, task_id)
    if row is None:
        raise _not_found()
    return TaskOut(**row)


@router.patch("/{task_id}")
def update_route(task_id: uuid.UUID, body: TaskUpdate, user_id: UserIdDep, pool: PoolDep) -> TaskOut:
    with user_connection(pool, user_id) as conn:
        row = update_task(conn, user_id, task_id, body.model_dump(exclude_none=True))
    if row is None:
        raise _not_found()
    return TaskOut(**row)


@router.delete("/{task_id}", status_code=status.HTTP_204_NO_CONTENT)
def delete_route(task_id: uuid.UUID, user_id: UserIdDep, pool: PoolDep) -> Response:
    with user_connection(pool, user_id) as conn:
        deleted = delete_task(conn, user_id, task_id)
    if not deleted:
        raise _not_found()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
