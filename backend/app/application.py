"""The FastAPI application factory."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psycopg
from fastapi import APIRouter, FastAPI, Request, status
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse, Response

from app import auth, chat, tasks
from app.body_limit import BodySizeLimit
from app.db import create_pool
from app.hash_slots import RETRY_AFTER_SECONDS, HashingBusy
from app.load_shedding import LoadShedding
from app.login_throttle import LoginThrottle
from app.settings import Settings

# The liveness and readiness probes' path.
HEALTH_PATH = "/health"


def create_app(settings: Settings) -> FastAPI:
    pool = create_pool(settings.database_url)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # The start-up does not wait for the database. gunicorn stops altogether when a
        # worker fails to boot, so a worker restarted during a database outage would
        # take the pod's listener (and its liveness) down with it. The pool connects in
        # the background and retries, logging libpq's reason (bad password, SSL
        # required, ...); until it connects, /api answers 503 and /health 200.
        pool.open(wait=False)
        yield
        await run_in_threadpool(pool.close)

    app = FastAPI(title="Todo API", version="1.0.0", lifespan=lifespan)
    app.state.settings = settings
    app.state.pool = pool
    app.state.login_throttle = LoginThrottle()
    # Outermost but for CORS, so a refused request still gets the CORS headers a browser needs to read it.
    app.add_middleware(BodySizeLimit)
    app.add_middleware(LoadShedding, exempt=frozenset({HEALTH_PATH}))
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST", "PATCH", "DELETE"],
        allow_headers=["Authorization", "Content-Type"],
    )

    @app.get(HEALTH_PATH, tags=["health"])
    async def health() -> dict[str, str]:
        # The liveness probe: it must not touch the database, or a database
        # outage would make Kubernetes restart healthy pods; and it runs on the
        # event loop (async), never waiting for a thread behind the load.
        return {"status": "healthy"}

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        # The errors echo the input, which may hold a lone surrogate: JSON with
        # ASCII escapes carries it, where UTF-8 cannot encode it.
        body = json.dumps({"detail": jsonable_encoder(exc.errors())}, ensure_ascii=True)
        return Response(
            body, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT, media_type="application/json"
        )

    @app.exception_handler(HashingBusy)
    async def hashing_busy(request: Request, exc: HashingBusy) -> JSONResponse:
        return JSONResponse(
            {"detail": "Too many sign-ins at once; try again shortly"},
            status_code=status.HTTP_503_SERVICE_UNAVAILABLE,
            headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
        )

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
