"""Request dependencies shared by the routers."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from psycopg_pool import ConnectionPool

from app.login_throttle import LoginThrottle
from app.security import read_token
from app.settings import Settings


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def get_pool(request: Request) -> ConnectionPool:
    return request.app.state.pool


def get_login_throttle(request: Request) -> LoginThrottle:
    return request.app.state.login_throttle


SettingsDep = Annotated[Settings, Depends(get_settings)]
PoolDep = Annotated[ConnectionPool, Depends(get_pool)]
LoginThrottleDep = Annotated[LoginThrottle, Depends(get_login_throttle)]


def _unauthorized(detail: str) -> HTTPException:
    return HTTPException(status.HTTP_401_UNAUTHORIZED, detail=detail, headers={"WWW-Authenticate": "Bearer"})


def current_user_id(request: Request, settings: SettingsDep, pool: PoolDep) -> uuid.UUID:
    """The id of the user whose bearer token came with the request, or 401."""
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token:
        raise _unauthorized("Not authenticated: send Authorization: Bearer <token>")
    user_id = read_token(settings, token.strip())
    if user_id is None:
        raise _unauthorized("Invalid or expired token: log in again")
    # A token outlives a wiped database; without this check its requests
    # would fail later on a foreign key instead of asking for a new login.
    with pool.connection() as conn:
        found = conn.execute("SELECT 1 FROM users WHERE id = %s", (user_id,)).fetchone()
    if found is None:
        raise _unauthorized("Unknown user: log in again")
    return user_id


UserIdDep = Annotated[uuid.UUID, Depends(current_user_id)]
