"""The chat's tool loop, its stored history, and its failure modes.

The real OpenAI service is out of reach from these machines, so these tests
point OPENAI_BASE_URL at a small OpenAI-compatible server they start on
loopback (testbed/fake_openai.py) that answers with scripted messages.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient

from testbed.backend import register
from testbed.fake_openai import FakeOpenAI, text, tool_call


@pytest.fixture
def openai() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def chat_client(make_client, openai: FakeOpenAI) -> TestClient:
    return make_client(openai_api_key="sk-test", openai_base_url=openai.base_url)


def test_chat_without_openai_key_is_503_with_a_clear_message(client: TestClient, auth) -> None:
    response = client.post("/api/chat", json={"message": "hi"}, headers=auth)
    assert response.status_code == 503
    assert "OPENAI_API_KEY" in response.json()["detail"]


def test_tool_call_adds_a_task_for_the_user(chat_client: TestClient, openai: FakeOpenAI) -> None:
    auth = register(chat_client)
    openai.script(tool_call("call_1", "add_task", title="Buy milk"), text("Added Buy milk."))
    response = chat_client.post("/api/chat", json={"message": "add buy milk"}, headers=auth)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["reply"] == "Added Buy milk."
    assert [c["name"] for c in body["tool_calls"]] == ["add_task"]
    tasks = chat_client.get("/api/tasks", headers=auth).json()
    assert [t["title"] for t in tasks] == ["Buy milk"]
    # The tool's result went back to the model, tied to the call's id.
    second = openai.requests[1]["messages"]
    assert second[-1]["role"] == "tool"
    assert second[-1]["tool_call_id"] == "call_1"
    assert json.loads(second[-1]["content"])["task"]["id"] == tasks[0]["id"]
    assert openai.auth_headers[0] == "Bearer sk-test"


def test_model_is_offered_the_four_task_tools(chat_client: TestClient, openai: FakeOpenAI) -> None:
    openai.script(text("Hello"))
    chat_client.post("/api/chat", json={"message": "hi"}, headers=register(chat_client))
    names = {tool["function"]["name"] for tool in openai.requests[0]["tools"]}
    assert names == {"add_task", "list_tasks", "complete_task", "delete_task"}


def test_tools_list_complete_and_delete_only_the_users_tasks(
    chat_client: TestClient, openai: FakeOpenAI
) -> None:
    auth = register(chat_client)
    keep = chat_client.post("/api/tasks", json={"title": "Keep"}, headers=auth).json()
    drop = chat_client.post("/api/tasks", json={"title": "Drop"}, headers=auth).json()
    stranger = register(chat_client)
    theirs = chat_client.post("/api/tasks", json={"title": "Theirs"}, headers=stranger).json()
    openai.script(
        tool_call("c1", "list_tasks", status="pending"),
        tool_call("c2", "complete_task", task_id=keep["id"]),
        tool_call("c3", "delete_task", task_id=drop["id"]),
        tool_call("c4", "delete_task", task_id=theirs["id"]),
        text("Done."),
    )
    body = chat_client.post("/api/chat", json={"message": "tidy up"}, headers=auth).json()
    results = [c["result"] for c in body["tool_calls"]]
    assert [t["title"] for t in results[0]["tasks"]] == ["Keep", "Drop"]
    assert results[1]["task"]["is_completed"] is True
    assert results[2] == {"deleted": drop["id"]}
    assert results[3] == {"error": "task not found"}
    assert chat_client.get("/api/tasks", headers=auth).json()[0]["is_completed"] is True
    assert len(chat_client.get("/api/tasks", headers=auth).json()) == 1
    assert chat_client.get(f"/api/tasks/{theirs['id']}", headers=stranger).status_code == 200


def test_conversation_stores_every_message_including_tool_calls(
    chat_client: TestClient, openai: FakeOpenAI
) -> None:
    auth = register(chat_client)
    openai.script(tool_call("call_1", "add_task", title="Call mum"), text("Added."))
    reply = chat_client.post("/api/chat", json={"message": "remind me to call mum"}, headers=auth)
    conversation_id = reply.json()["conversation_id"]

    listed = chat_client.get("/api/conversations", headers=auth).json()
    assert [c["id"] for c in listed] == [conversation_id]
    assert listed[0]["title"] == "remind me to call mum"

    detail = chat_client.get(f"/api/conversations/{conversation_id}", headers=auth).json()
    assert [(m["role"], m["tool_name"]) for m in detail["messages"]] == [
        ("user", None),
        ("tool", "add_task"),
        ("assistant", None),
    ]
    tool_message = detail["messages"][1]
    assert tool_message["tool_args"] == {"title": "Call mum"}
    assert tool_message["tool_result"]["task"]["title"] == "Call mum"
    assert detail["messages"][2]["content"] == "Added."


def test_follow_up_in_a_conversation_replays_its_history(chat_client: TestClient, openai: FakeOpenAI) -> None:
    auth = register(chat_client)
    openai.script(text("First answer"), text("Second answer"))
    first = chat_client.post("/api/chat", json={"message": "first"}, headers=auth).json()
    chat_client.post(
        "/api/chat",
        json={"message": "second", "conversation_id": first["conversation_id"]},
        headers=auth,
    )
    sent = [(m["role"], m["content"]) for m in openai.requests[1]["messages"][1:]]
    assert sent == [("user", "first"), ("assistant", "First answer"), ("user", "second")]


def test_another_users_conversation_is_404(chat_client: TestClient, openai: FakeOpenAI) -> None:
    openai.script(text("Hi"))
    mine = chat_client.post("/api/chat", json={"message": "hi"}, headers=register(chat_client))
    conversation_id = mine.json()["conversation_id"]
    other = register(chat_client)
    assert chat_client.get(f"/api/conversations/{conversation_id}", headers=other).status_code == 404
    follow_up = {"message": "hi", "conversation_id": conversation_id}
    assert chat_client.post("/api/chat", json=follow_up, headers=other).status_code == 404
    assert chat_client.get("/api/conversations", headers=other).json() == []


def test_tool_argument_of_the_wrong_type_is_reported_to_the_model(
    chat_client: TestClient, openai: FakeOpenAI
) -> None:
    # A well-formed call with a bad value is the model's to correct, as a
    # bad task_id is: the error goes back to it as the tool's result.
    openai.script(tool_call("c1", "list_tasks", status=["pending"]), text("Sorry."))
    response = chat_client.post("/api/chat", json={"message": "list"}, headers=register(chat_client))
    assert response.status_code == 200, response.text
    assert response.json()["tool_calls"][0]["result"] == {
        "error": "status must be one of all, pending, completed"
    }


def test_ai_service_error_is_502_with_a_clear_message(chat_client: TestClient, openai: FakeOpenAI) -> None:
    openai.script(401)
    response = chat_client.post("/api/chat", json={"message": "hi"}, headers=register(chat_client))
    assert response.status_code == 502
    assert "AI service answered HTTP 401" in response.json()["detail"]


def test_model_that_never_stops_calling_tools_is_cut_off(chat_client: TestClient, openai: FakeOpenAI) -> None:
    openai.script(*[tool_call(f"c{i}", "list_tasks", status="all") for i in range(20)])
    response = chat_client.post("/api/chat", json={"message": "loop"}, headers=register(chat_client))
    assert response.status_code == 502
    assert len(openai.requests) < 20


def _calls(*tool_calls: Any) -> dict[str, Any]:
    return {"role": "assistant", "content": None, "tool_calls": list(tool_calls)}


def _call(**function: Any) -> dict[str, Any]:
    return {"id": "c1", "type": "function", "function": function}


def _stored_rows(database_url: str) -> tuple[int, int]:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "SELECT (SELECT count(*) FROM conversations), (SELECT count(*) FROM messages)"
        ).fetchone()
    assert row is not None
    return row


@pytest.mark.parametrize(
    ("answer", "detail"),
    [
        pytest.param(
            _calls({"type": "function", "function": {"name": "add_task", "arguments": "{}"}}),
            "tool_calls.0.id: Field required",
            id="missing-id",
        ),
        pytest.param(
            _calls(_call(arguments="{}")), "tool_calls.0.function.name: Field required", id="missing-name"
        ),
        pytest.param(
            _calls({**_call(name="list_tasks", arguments="{}"), "id": 7}),
            "tool_calls.0.id: Input should be a valid string",
            id="id-not-a-string",
        ),
        pytest.param(
            _calls({"id": "c1", "type": "function", "function": "add_task"}),
            "tool_calls.0.function",
            id="function-not-an-object",
        ),
        pytest.param({"role": "assistant", "tool_calls": "add_task"}, "tool_calls", id="calls-not-a-list"),
        pytest.param(
            _calls(_call(name="add_task", arguments={"title": "x"})),
            "tool_calls.0.function.arguments",
            id="arguments-not-a-string",
        ),
        pytest.param(
            _calls(_call(name="add_task", arguments="not json")),
            "arguments must be a JSON object",
            id="arguments-not-json",
        ),
        pytest.param(
            _calls(_call(name="add_task", arguments="[1, 2]")),
            "arguments must be a JSON object",
            id="arguments-not-an-object",
        ),
        pytest.param(
            _calls(_call(name="add_task", arguments=json.dumps({"title": "a\x00b"}))),
            "NUL",
            id="nul-in-arguments",
        ),
        pytest.param(
            _calls(_call(name="drop_database", arguments="{}")),
            "unknown tool 'drop_database'",
            id="unknown-tool",
        ),
        pytest.param(text("Done\x00"), "content: Value error, must not contain a NUL", id="nul-in-reply"),
        pytest.param({"role": "assistant", "content": ["Done"]}, "content", id="reply-not-a-string"),
    ],
)
def test_malformed_model_answer_is_502_and_stores_nothing(
    chat_client: TestClient, openai: FakeOpenAI, database_url: str, answer: dict, detail: str
) -> None:
    auth = register(chat_client)
    openai.script(answer)
    response = chat_client.post("/api/chat", json={"message": "add milk"}, headers=auth)
    assert response.status_code == 502, response.text
    assert response.json()["detail"].startswith("The AI service sent a malformed answer: ")
    assert detail in response.json()["detail"]
    assert _stored_rows(database_url) == (0, 0)


def test_turn_that_fails_after_a_tool_call_stores_none_of_its_messages(
    chat_client: TestClient, openai: FakeOpenAI, database_url: str
) -> None:
    auth = register(chat_client)
    openai.script(text("Hello"))
    first = chat_client.post("/api/chat", json={"message": "hi"}, headers=auth).json()
    openai.script(
        tool_call("c1", "list_tasks", status="all"), _calls(_call(name="add_task", arguments="oops"))
    )
    follow_up = {"message": "add milk", "conversation_id": first["conversation_id"]}
    assert chat_client.post("/api/chat", json=follow_up, headers=auth).status_code == 502
    assert _stored_rows(database_url) == (1, 2)


def test_ai_service_error_stores_no_conversation(
    chat_client: TestClient, openai: FakeOpenAI, database_url: str
) -> None:
    openai.script(500)
    response = chat_client.post("/api/chat", json={"message": "hi"}, headers=register(chat_client))
    assert response.status_code == 502
    assert _stored_rows(database_url) == (0, 0)
