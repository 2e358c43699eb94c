"""At most as many requests in flight per worker as it has threads; past that, 503 at once.

FastAPI runs each sync route in a worker's thread pool; requests beyond its
threads wait in a queue whose length nothing bounds, so under overload every
answer comes late and clients time out for requests that are still served.
Turning the excess away at once, with ``Retry-After``, keeps the latency of
what is accepted, and tells clients (and load balancers) to come back.

The liveness probe's path is never counted or refused: it must answer while
the worker is saturated, or the kubelet would restart a busy, healthy pod.
"""

from __future__ import annotations

import json

import anyio.to_thread
from starlette.types import ASGIApp, Receive, Scope, Send

from app.hash_slots import RETRY_AFTER_SECONDS


class LoadShedding:
    """ASGI middleware: a request past the bound gets 503 with ``Retry-After``; ``exempt`` paths always pass."""

    def __init__(self, app: ASGIApp, *, exempt: frozenset[str]) -> None:
        self.app, self.exempt = app, exempt
        self.in_flight = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in self.exempt:
            await self.app(scope, receive, send)
            return
        # The thread pool's size: read here, where the event loop that owns it runs.
        if self.in_flight >= anyio.to_thread.current_default_thread_limiter().total_tokens:
            body = json.dumps({"detail": "The server is busy; try again shortly"}).encode()
            headers = [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"retry-after", str(RETRY_AFTER_SECONDS).encode()),
            ]
            await send({"type": "http.response.start", "status": 503, "headers": headers})
            await send({"type": "http.response.body", "body": body})
            return
        self.in_flight += 1
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
