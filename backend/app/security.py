"""Password hashing and the JWTs that carry a user's identity."""

from __future__ import annotations

import contextlib
import ctypes
import uuid
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher, extract_parameters
from argon2.exceptions import InvalidHashError, VerificationError

from app.hash_slots import HashSlots
from app.settings import Settings

# Argon2 allocates each hash's memory with malloc. glibc's dynamic mmap
# threshold rises to the size of the first such block freed, after which every
# later one comes from, and stays in, the arena of the thread that hashed (one
# arena per thread, up to 8 per core): a worker's memory grew by the memory cost
# times its threads, whatever the slots allowed at once. A fixed threshold keeps
# every block this large in its own mapping, returned to the system when freed.
M_MMAP_THRESHOLD = -3  # glibc's malloc.h
MMAP_THRESHOLD_BYTES = 128 * 1024  # glibc's initial value
with contextlib.suppress(OSError, AttributeError):
    ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)

# Argon2id at OWASP's password storage guidance (Password Storage Cheat Sheet):
# 19 MiB of memory, 2 iterations, 1 lane. argon2-cffi's own default, RFC 9106's
# low-memory profile, takes 64 MiB a hash: eight at once outgrew a 512Mi pod.
MEMORY_COST_KIB = 19 * 1024
_hasher = PasswordHasher(time_cost=2, memory_cost=MEMORY_COST_KIB, parallelism=1)
_slots = HashSlots.for_container(slot_bytes=MEMORY_COST_KIB * 1024)


def hash_password(password: str) -> str:
    with _slots.hold(MEMORY_COST_KIB * 1024):
        return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        # A hash made with other parameters costs its own memory to verify.
        memory = extract_parameters(password_hash).memory_cost * 1024
        with _slots.hold(memory):
            return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's (then rehash it at login)."""
    return _hasher.check_needs_rehash(password_hash)


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
