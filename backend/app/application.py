"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import APIRouter, FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse

from app import auth, chat, tasks
from app.db import create_pool, ensure_schema
from app.login_throttle import LoginThrottle
from app.settings import Settings


def create_app(settings: Settings) -> FastAPI:
    pool = create_pool(settings.database_url)

    def start_database() -> None:
        # One direct connection first: if the database is unreachable, libpq's
        # own error (bad password, SSL required, ...) stops the start-up at
        # once, where the pool would retry quietly for its whole timeout.
        with psycopg.connect(settings.database_url) as conn:
            ensure_schema(conn)
        pool.open()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # A failure here (database unreachable, bad credentials) fails the
        # worker's boot, so gunicorn stops with the error instead of serving 500s.
        await run_in_threadpool(start_database)
        yield
        await run_in_threadpool(pool.close)

    app = FastAPI(title="Todo API", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.pool = pool
    app.state.login_throttle = LoginThrottle()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )

    @app.get("/health", tags=["health"])
    def health() -> dict[str, str]:
        # The liveness probe: it must not touch the database, or a database
        # outage would make Kubernetes restart healthy pods.
        return {"status": "healthy"}

    @app.exception_handler(psycopg.OperationalError)
    async def database_unavailable(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        return JSONResponse(
            {"detail": "The database is unavailable; try again shortly"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
        )

    api = APIRouter(prefix="/api")
    api.include_router(auth.router)
    api.include_router(tasks.router)
    api.include_router(chat.router)
    app.include_router(api)
    return app
