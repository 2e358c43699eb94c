"""Registration and login; both answer with a bearer token."""

from __future__ import annotations

import uuid
from typing import Annotated

import psycopg
from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, StringConstraints

from app.deps import LoginThrottleDep, PoolDep, SettingsDep, UserIdDep, user_connection
from app.security import DUMMY_HASH, hash_password, issue_token, needs_rehash, verify_password
from app.text import NormalizedEmail, Storable

router = APIRouter(prefix="/auth", tags=["auth"])

Email = Annotated[str, Storable, NormalizedEmail]
Password = Annotated[str, StringConstraints(min_length=8, max_length=128), Storable]


class Credentials(BaseModel):
    email: Email
    password: Password


class LoginBody(BaseModel):
    # No length rule here: a wrong password of any length is simply a 401.
    email: Email
    password: Annotated[str, StringConstraints(min_length=1, max_length=128), Storable]


class UserOut(BaseModel):
    id: uuid.UUID
    email: str


class TokenOut(BaseModel):
    access_token: str
    token_type: str = "bearer"
    user: UserOut


@router.post("/register", status_code=status.HTTP_201_CREATED)
def register(body: Credentials, pool: PoolDep, settings: SettingsDep) -> TokenOut:
    password_hash = hash_password(body.password)
    try:
        with pool.connection() as conn:
            row = conn.execute(
                "INSERT INTO users (email, password_hash) VALUES (%s, %s) RETURNING id, email",
                (body.email, password_hash),
            ).fetchone()
            user = UserOut(**row)
            # Signed before the block commits: if signing fails, the user row
            # is rolled back and the same email can register again.
            token = issue_token(settings, user.id, user.email)
    except psycopg.errors.UniqueViolation:
        raise HTTPException(status.HTTP_409_CONFLICT, "Email is already registered") from None
    return TokenOut(access_token=token, user=user)


@router.post("/login")
def login(body: LoginBody, pool: PoolDep, settings: SettingsDep, throttle: LoginThrottleDep) -> TokenOut:
    # Unknown emails are limited too, so a 429 does not reveal which accounts exist.
    retry_after = throttle.attempt(body.email)
    if retry_after is not None:
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"Too many failed logins for this account; try again in {retry_after} s",
            headers={"Retry-After": str(retry_after)},
        )
    with pool.connection() as conn:
        row = conn.execute(
            "SELECT id, email, password_hash FROM users WHERE email = %s", (body.email,)
        ).fetchone()
    if not verify_password(row["password_hash"] if row else DUMMY_HASH, body.password) or not row:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, "Invalid email or password")
    throttle.succeeded(body.email)
    if needs_rehash(row["password_hash"]):
        # Hashed with older parameters: the password is at hand now to hash it with today's.
        password_hash = hash_password(body.password)
        with pool.connection() as conn:
            conn.execute(
                "UPDATE users SET password_hash = %s, updated_at = now() WHERE id = %s",
                (password_hash, row["id"]),
            )
    user = UserOut(id=row["id"], email=row["email"])
    return TokenOut(access_token=issue_token(settings, user.id, user.email), user=user)


@router.get("/me")
def me(user_id: UserIdDep, pool: PoolDep) -> UserOut:
    with user_connection(pool, user_id) as conn:
        row = conn.execute("SELECT id, email FROM users WHERE id = %s", (user_id,)).fetchone()
    return UserOut(**row)
