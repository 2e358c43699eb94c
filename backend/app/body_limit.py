"""Request bodies of at most a bound, refused with 413 before the app reads them.

The largest body the API takes is a chat message (4,000 characters, up to
16 KB in UTF-8, in JSON). An Ingress controller may bound bodies in front (ingress-nginx:
1 MiB by default), a Gateway's route may not; without a bound here, a client
could make a worker hold any body in memory.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

MAX_BODY_BYTES = 64 * 1024


class BodySizeLimit:
    """ASGI middleware: a declared ``Content-Length`` over the bound, or a body streaming past it, is a 413.

    The body is read here first (it is small, by this bound) and handed on
    whole, so the app never sees part of one that is refused.
    """

    def __init__(self, app: ASGIApp, max_bytes: int = MAX_BODY_BYTES) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope["headers"]).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(send)
            return
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                # The client went away: the app sees that as it would have.
                await self.app(scope, _replay([message], receive), send)
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.max_bytes:
                await self._refuse(send)
                return
        await self.app(scope, _replay([{"type": "http.request", "body": body}], receive), send)

    async def _refuse(self, send: Send) -> None:
        body: dict[str, Any] = {"detail": f"The request body is larger than {self.max_bytes} bytes"}
        payload = json.dumps(body).encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
        await send({"type": "http.response.start", "status": 413, "headers": headers})
        await send({"type": "http.response.body", "body": payload})


def _replay(messages: list[Message], receive: Receive) -> Receive:
    """A receive that gives ``messages`` first, then what ``receive`` gives (a disconnect, later)."""
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
