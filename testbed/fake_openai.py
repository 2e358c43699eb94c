"""A local stand-in for the OpenAI chat completions API.

The real service is out of reach from these machines, so chat tests point the
backend's OPENAI_BASE_URL here. It answers POST /chat/completions with scripted
assistant messages, in order, and records every request it received, so a test
can check what the backend sent (tools, tool results, history).
"""

from __future__ import annotations

import json
import threading
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


def tool_call(call_id: str, name: str, **args: Any) -> dict[str, Any]:
    """An assistant message asking for one tool call, as OpenAI sends it."""
    return {
        "role": "assistant",
        "content": None,
        "tool_calls": [
            {
                "id": call_id,
                "type": "function",
                "function": {"name": name, "arguments": json.dumps(args)},
            }
        ],
    }


def text(content: str) -> dict[str, Any]:
    return {"role": "assistant", "content": content}


class FakeOpenAI:
    def __init__(self) -> None:
        self.replies: deque[dict[str, Any] | int] = deque()
        self.requests: list[dict[str, Any]] = []
        self.auth_headers: list[str | None] = []
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                fake.requests.append(body)
                fake.auth_headers.append(self.headers.get("Authorization"))
                reply = fake.replies.popleft() if fake.replies else 500
                if self.path != "/v1/chat/completions":
                    reply = 404
                if isinstance(reply, int):
                    self.send_response(reply)
                    self.end_headers()
                    return
                payload = json.dumps(
                    {"id": "chatcmpl-test", "object": "chat.completion",
                     "choices": [{"index": 0, "message": reply, "finish_reason": "stop"}]}
                ).encode()  # fmt: skip
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/v1"

    def script(self, *replies: dict[str, Any] | int) -> None:
        """Queue assistant messages (or an HTTP status to fail with) for the next calls."""
        self.replies.extend(replies)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
