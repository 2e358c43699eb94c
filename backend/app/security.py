"""Password hashing and the JWTs that carry a user's identity."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.settings import Settings

# Argon2id with the library's RFC 9106 defaults: slow and salted per hash.
_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the email is unknown keeps login time the same
# for unknown emails and wrong passwords, so timing does not reveal accounts.
DUMMY_HASH = hash_password("not-a-real-password")


def issue_token(settings: Settings, user_id: uuid.UUID, email: str) -> str:
    now = datetime.now(UTC)
    claims = {
        "sub": str(user_id),
        "email": email,
        "iat": now,
        "exp": now + timedelta(days=settings.jwt_expire_days),
    }
    return jwt.encode(claims, settings.auth_secret, algorithm=settings.jwt_algorithm)


def read_token(settings: Settings, token: str) -> uuid.UUID | None:
    """The user id in a valid, unexpired token signed by us; None otherwise."""
    try:
        claims = jwt.decode(
            token,
            settings.auth_secret,
            algorithms=[settings.jwt_algorithm],
            options={"require": ["sub", "exp", "iat"]},
        )
        return uuid.UUID(claims["sub"])
    except (jwt.PyJWTError, ValueError):
        return None
