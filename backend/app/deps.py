"""Request dependencies shared by the routers.

They are ``async`` because none of them blocks: FastAPI runs a plain ``def``
dependency in the thread pool, a hop that costs more CPU than these functions.
Database work happens in the routes, on one pooled connection per request
(``user_connection``), in the route's single trip to the thread pool.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from psycopg import Connection
from psycopg_pool import ConnectionPool

from app.login_throttle import LoginThrottle
from app.security import read_token
from app.settings import Settings


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_pool(request: Request) -> ConnectionPool:
    return request.app.state.pool


async def get_login_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[ConnectionPool, Depends(get_pool)]
LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


async def current_user_id(request: Request, settings: SettingsDep) -> uuid.UUID:
    """The id of the user whose valid bearer token came with the request, or 401.

    Routes that take it open their connection with ``user_connection``, which
    checks that the user still exists.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Not authenticated: send Authorization: Bearer <token>")
    user_id = read_token(settings, token.strip())
    if user_id is None:
        raise _unauthorized("Invalid or expired token: log in again")
    return user_id


UserIdDep = Annotated[uuid.UUID, Depends(current_user_id)]


@contextmanager
def user_connection(pool: ConnectionPool, user_id: uuid.UUID) -> Iterator[Connection]:
    """A pooled connection for work on behalf of ``user_id``; 401 if that user no longer exists."""
    with pool.connection() as conn:
        # A token outlives a wiped database; without this check its requests
        # would fail later on a foreign key instead of asking for a new login.
        if conn.execute("SELECT 1 FROM users WHERE id = %s", (user_id,)).fetchone() is None:
            raise _unauthorized("Unknown user: log in again")
        yield conn
