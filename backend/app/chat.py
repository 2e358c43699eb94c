"""AI chat: an OpenAI chat completion whose tool calls act on the user's tasks.

Every message of a turn is stored: the user's text, each tool call (name,
arguments, result) and the assistant's reply.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any

import httpx
from fastapi import APIRouter, HTTPException, status
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, StringConstraints

from app import tasks
from app.deps import PoolDep, SettingsDep, UserIdDep
from app.settings import Settings
from app.text import NoNul

router = APIRouter(tags=["chat"])

# Bounds a model that keeps calling tools: one turn never loops forever.
MAX_TOOL_ROUNDS = 6
# Earlier messages replayed to the model, so a conversation keeps its context.
HISTORY_LIMIT = 20
OPENAI_TIMEOUT = httpx.Timeout(30.0, connect=10.0)

SYSTEM_PROMPT = (
    "You are the assistant of a todo app. Use the tools to add, list, complete and "
    "delete the user's tasks; list tasks first when you need a task's id. "
    "Answer briefly and confirm what you changed."
)

_TASK_ID = {"task_id": {"type": "string", "description": "The task's id (a UUID)."}}
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": props, "required": list(props)},
        },
    }
    for name, description, props in (
        ("add_task", "Add a task.", {"title": {"type": "string"}}),
        (
            "list_tasks",
            "List the user's tasks.",
            {"status": {"type": "string", "enum": ["all", "pending", "completed"]}},
        ),
        ("complete_task", "Mark a task as completed.", _TASK_ID),
        ("delete_task", "Delete a task.", _TASK_ID),
    )
]


class ChatIn(BaseModel):
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), NoNul]
    conversation_id: uuid.UUID | None = None


class ToolCallOut(BaseModel):
    name: str
    args: dict[str, Any]
    result: dict[str, Any]


class ChatOut(BaseModel):
    conversation_id: uuid.UUID
    reply: str
    tool_calls: list[ToolCallOut]


class ConversationOut(BaseModel):
    id: uuid.UUID
    title: str
    created_at: datetime
    updated_at: datetime


class MessageOut(BaseModel):
    id: uuid.UUID
    role: str
    content: str
    tool_name: str | None
    tool_args: dict[str, Any] | None
    tool_result: dict[str, Any] | None
    created_at: datetime


class ConversationDetail(ConversationOut):
    messages: list[MessageOut]


def _task_json(row: dict) -> dict[str, Any]:
    return {"id": str(row["id"]), "title": row["title"], "is_completed": row["is_completed"]}


def run_tool(pool: ConnectionPool, user_id: uuid.UUID, name: str, args: dict[str, Any]) -> dict[str, Any]:
    """Execute one tool call for ``user_id``; errors come back as results the model can read."""
    try:
        with pool.connection() as conn:
            if name == "add_task":
                title = str(args.get("title", "")).strip()[:500]
                if not title:
                    return {"error": "title is required"}
                return {"task": _task_json(tasks.create_task(conn, user_id, title))}
            if name == "list_tasks":
                completed = {"pending": False, "completed": True}.get(args.get("status", "all"))
                rows = tasks.list_tasks(conn, user_id, completed)
                return {"tasks": [_task_json(row) for row in rows]}
            task_id = uuid.UUID(str(args.get("task_id", "")))
            if name == "complete_task":
                row = tasks.update_task(conn, user_id, task_id, {"is_completed": True})
                return {"task": _task_json(row)} if row else {"error": "task not found"}
            if name == "delete_task":
                deleted = tasks.delete_task(conn, user_id, task_id)
                return {"deleted": str(task_id)} if deleted else {"error": "task not found"}
    except ValueError:
        return {"error": "task_id must be a UUID"}
    return {"error": f"unknown tool {name!r}"}


def _complete(settings: Settings, messages: list[dict[str, Any]]) -> dict[str, Any]:
    """One chat completion round trip; failures become a 502 that says what went wrong."""
    try:
        response = httpx.post(
            f"{settings.openai_base_url}/chat/completions",
            headers={"Authorization": f"Bearer {settings.openai_api_key}"},
            json={"model": settings.openai_model, "messages": messages, "tools": TOOLS},
            timeout=OPENAI_TIMEOUT,
        )
    except httpx.HTTPError as error:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"The AI service could not be reached: {error}"
        ) from None
    if response.status_code != 200:
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"The AI service answered HTTP {response.status_code}"
        )
    try:
        return response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "The AI service sent an unexpected answer") from None


def _open_conversation(
    pool: ConnectionPool, user_id: uuid.UUID, conversation_id: uuid.UUID | None, first_message: str
) -> tuple[uuid.UUID, list[dict[str, Any]]]:
    """The conversation's id and its replayable history (user and assistant text)."""
    with pool.connection() as conn:
        if conversation_id is None:
            row = conn.execute(
                "INSERT INTO conversations (user_id, title) VALUES (%s, %s) RETURNING id",
                (user_id, first_message[:80]),
            ).fetchone()
            return row["id"], []
        found = conn.execute(
            "SELECT 1 FROM conversations WHERE id = %s AND user_id = %s",
            (conversation_id, user_id),
        ).fetchone()
        if found is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
        rows = conn.execute(
            "SELECT role, content FROM ("
            " SELECT role, content, created_at FROM messages"
            " WHERE conversation_id = %s AND role IN ('user', 'assistant')"
            " ORDER BY created_at DESC LIMIT %s) AS recent ORDER BY created_at",
            (conversation_id, HISTORY_LIMIT),
        ).fetchall()
        return conversation_id, [{"role": r["role"], "content": r["content"]} for r in rows]


def _store(pool: ConnectionPool, conversation_id: uuid.UUID, role: str, content: str, **tool: Any) -> None:
    with pool.connection() as conn:
        conn.execute(
            "INSERT INTO messages (conversation_id, role, content, tool_name, tool_args,"
            " tool_result) VALUES (%s, %s, %s, %s, %s, %s)",
            (
                conversation_id,
                role,
                content,
                tool.get("name"),
                Jsonb(tool["args"]) if "args" in tool else None,
                Jsonb(tool["result"]) if "result" in tool else None,
            ),
        )
        conn.execute(
            "UPDATE conversations SET updated_at = clock_timestamp() WHERE id = %s",
            (conversation_id,),
        )


@router.post("/chat")
def chat(body: ChatIn, user_id: UserIdDep, pool: PoolDep, settings: SettingsDep) -> ChatOut:
    if not settings.chat_enabled:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Chat is turned off: the server has no OPENAI_API_KEY. Tasks still work.",
        )
    # Each step commits on its own: no transaction stays open while the model thinks.
    conversation_id, history = _open_conversation(pool, user_id, body.conversation_id, body.message)
    _store(pool, conversation_id, "user", body.message)
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        *history,
        {"role": "user", "content": body.message},
    ]
    calls: list[ToolCallOut] = []
    for _ in range(MAX_TOOL_ROUNDS):
        reply = _complete(settings, messages)
        tool_calls = reply.get("tool_calls") or []
        if not tool_calls:
            text = reply.get("content") or ""
            _store(pool, conversation_id, "assistant", text)
            return ChatOut(conversation_id=conversation_id, reply=text, tool_calls=calls)
        messages.append({"role": "assistant", "content": reply.get("content"), "tool_calls": tool_calls})
        for call in tool_calls:
            name = call["function"]["name"]
            try:
                args = json.loads(call["function"].get("arguments") or "{}")
            except ValueError:
                args = {}
            if not isinstance(args, dict):
                args = {}
            result = run_tool(pool, user_id, name, args)
            _store(
                pool,
                conversation_id,
                "tool",
                json.dumps(result),
                name=name,
                args=args,
                result=result,
            )
            calls.append(ToolCallOut(name=name, args=args, result=result))
            messages.append({"role": "tool", "tool_call_id": call["id"], "content": json.dumps(result)})
    raise HTTPException(
        status.HTTP_502_BAD_GATEWAY,
        f"The AI kept calling tools for {MAX_TOOL_ROUNDS} rounds without answering",
    )


@router.get("/conversations")
def list_conversations(user_id: UserIdDep, pool: PoolDep) -> list[ConversationOut]:
    with pool.connection() as conn:
        rows = conn.execute(
            "SELECT id, title, created_at, updated_at FROM conversations"
            " WHERE user_id = %s ORDER BY updated_at DESC",
            (user_id,),
        ).fetchall()
    return [ConversationOut(**row) for row in rows]


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: uuid.UUID, user_id: UserIdDep, pool: PoolDep) -> ConversationDetail:
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT id, title, created_at, updated_at FROM conversations WHERE id = %s AND user_id = %s",
            (conversation_id, user_id),
        ).fetchone()
        if row is None:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "Conversation not found")
        messages = conn.execute(
            "SELECT id, role, content, tool_name, tool_args, tool_result, created_at"
            " FROM messages WHERE conversation_id = %s ORDER BY created_at",
            (conversation_id,),
        ).fetchall()
    return ConversationDetail(**row, messages=[MessageOut(**m) for m in messages])
