"""AI chat: an OpenAI chat completion whose tool calls act on the user's tasks.

Every message of a turn is stored: the user's text, each tool call (name,
arguments, result) and the assistant's reply. They are written together once
the model has answered, so a turn that fails stores nothing.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

import httpx
from fastapi import APIRouter, HTTPException, status
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, StringConstraints, ValidationError, field_serializer, field_validator

from app import tasks
from app.deps import PoolDep, SettingsDep, UserIdDep, user_connection
from app.settings import Settings
from app.text import Storable, unstorable

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
TOOL_NAMES = frozenset(tool["function"]["name"] for tool in TOOLS)
LIST_STATUSES = {"all": None, "pending": False, "completed": True}


class ChatIn(BaseModel):
    message: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000), Storable]
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


# The model's answer, checked before any of it is run or stored: a malformed
# one is the AI service's fault (502), never a 500 or a half-stored turn.


class FunctionCall(BaseModel):
    name: str
    # JSON text on the wire; parsed here and sent back to the model as text.
    arguments: dict[str, Any] = {}

    @field_validator("name")
    @classmethod
    def _known_tool(cls, name: str) -> str:
        if name not in TOOL_NAMES:
            raise ValueError(f"unknown tool {name!r}")
        return name

    @field_validator("arguments", mode="before")
    @classmethod
    def _json_object(cls, raw: Any) -> dict[str, Any]:
        if raw == "":
            # Some OpenAI-compatible servers send "" for a call without arguments.
            return {}
        try:
            value = json.loads(raw)
        except (TypeError, ValueError):
            value = None
        if not isinstance(value, dict):
            raise ValueError("arguments must be a JSON object, sent as a string")
        message = unstorable(value)
        if message is not None:
            raise ValueError(message)
        return value

    @field_serializer("arguments")
    def _as_json(self, arguments: dict[str, Any]) -> str:
        return json.dumps(arguments)


class ToolCall(BaseModel):
    id: str
    type: Literal["function"] = "function"
    function: FunctionCall


class AssistantMessage(BaseModel):
    role: Literal["assistant"] = "assistant"
    content: Annotated[str, Storable] | None = None
    tool_calls: list[ToolCall] | None = None


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
                # A tuple, not the dict's keys: the model may send an unhashable list.
                status = args.get("status", "all")
                if status not in tuple(LIST_STATUSES):
                    return {"error": f"status must be one of {', '.join(LIST_STATUSES)}"}
                rows = tasks.list_tasks(conn, user_id, LIST_STATUSES[status])
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


def _complete(settings: Settings, messages: list[dict[str, Any]]) -> AssistantMessage:
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
        message = response.json()["choices"][0]["message"]
    except (ValueError, KeyError, IndexError, TypeError):
        raise HTTPException(status.HTTP_502_BAD_GATEWAY, "The AI service sent an unexpected answer") from None
    try:
        return AssistantMessage.model_validate(message)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise HTTPException(
            status.HTTP_502_BAD_GATEWAY, f"The AI service sent a malformed answer: {where}: {first['msg']}"
        ) from None


def _history(
    pool: ConnectionPool, user_id: uuid.UUID, conversation_id: uuid.UUID | None
) -> list[dict[str, Any]]:
    """The conversation's replayable history (user and assistant text); 404 if not the user's."""
    with user_connection(pool, user_id) as conn:
        if conversation_id is None:
            return []
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
    return [{"role": r["role"], "content": r["content"]} for r in rows]


def _message(role: str, content: str, call: ToolCallOut | None = None) -> dict[str, Any]:
    """One row of the turn, as _save_turn inserts it."""
    return {
        "role": role,
        "content": content,
        "tool_name": call.name if call else None,
        "tool_args": Jsonb(call.args) if call else None,
        "tool_result": Jsonb(call.result) if call else None,
    }


def _save_turn(
    pool: ConnectionPool,
    user_id: uuid.UUID,
    conversation_id: uuid.UUID | None,
    title: str,
    turn: list[dict[str, Any]],
) -> uuid.UUID:
    """Store the turn's messages, and the conversation if it is new, in one transaction."""
    with pool.connection() as conn:
        if conversation_id is None:
            row = conn.execute(
                "INSERT INTO conversations (user_id, title) VALUES (%s, %s) RETURNING id",
                (user_id, title[:80]),
            ).fetchone()
            conversation_id = row["id"]
        for message in turn:
            # One statement each, so clock_timestamp() gives each row its own created_at.
            conn.execute(
                "INSERT INTO messages (conversation_id, role, content, tool_name, tool_args, tool_result)"
                " VALUES (%(id)s, %(role)s, %(content)s, %(tool_name)s, %(tool_args)s, %(tool_result)s)",
                {"id": conversation_id, **message},
            )
        conn.execute(
            "UPDATE conversations SET updated_at = clock_timestamp() WHERE id = %s",
            (conversation_id,),
        )
    return conversation_id


@router.post("/chat")
def chat(body: ChatIn, user_id: UserIdDep, pool: PoolDep, settings: SettingsDep) -> ChatOut:
    if not settings.chat_enabled:
        raise HTTPException(
            status.HTTP_503_SERVICE_UNAVAILABLE,
            "Chat is turned off: the server has no OPENAI_API_KEY. Tasks still work.",
        )
    history = _history(pool, user_id, body.conversation_id)
    messages = [
        {"role": "system", "content": SYSTEM_PROMPT},
        *history,
        {"role": "user", "content": body.message},
    ]
    # Kept in memory until the model's final answer: no transaction stays open
    # while the model thinks, and a failed turn leaves no half of itself behind.
    # Tasks its tools changed before the failure stay changed.
    turn = [_message("user", body.message)]
    calls: list[ToolCallOut] = []
    for _ in range(MAX_TOOL_ROUNDS):
        reply = _complete(settings, messages)
        if not reply.tool_calls:
            text = reply.content or ""
            turn.append(_message("assistant", text))
            conversation_id = _save_turn(pool, user_id, body.conversation_id, body.message, turn)
            return ChatOut(conversation_id=conversation_id, reply=text, tool_calls=calls)
        messages.append(reply.model_dump())
        for tool_call in reply.tool_calls:
            name, args = tool_call.function.name, tool_call.function.arguments
            call = ToolCallOut(name=name, args=args, result=run_tool(pool, user_id, name, args))
            calls.append(call)
            turn.append(_message("tool", json.dumps(call.result), call))
            messages.append(
                {"role": "tool", "tool_call_id": tool_call.id, "content": json.dumps(call.result)}
            )
    raise HTTPException(
        status.HTTP_502_BAD_GATEWAY,
        f"The AI kept calling tools for {MAX_TOOL_ROUNDS} rounds without answering",
    )


@router.get("/conversations")
def list_conversations(user_id: UserIdDep, pool: PoolDep) -> list[ConversationOut]:
    with user_connection(pool, user_id) as conn:
        rows = conn.execute(
            "SELECT id, title, created_at, updated_at FROM conversations"
            " WHERE user_id = %s ORDER BY updated_at DESC",
            (user_id,),
        ).fetchall()
    return [ConversationOut(**row) for row in rows]


@router.get("/conversations/{conversation_id}")
def get_conversation(conversation_id: uuid.UUID, user_id: UserIdDep, pool: PoolDep) -> ConversationDetail:
    with user_connection(pool, user_id) as conn:
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
