"""The backend's test secret and password, and a sign-up helper."""

from __future__ import annotations

import uuid
from typing import Any

# 64 bytes: long enough for every algorithm the backend accepts (HS512 needs 64).
SECRET = "test-secret-" + "0123456789abcdef" * 3 + "0123"
PASSWORD = "correct horse battery"


def register(client: Any, email: str | None = None) -> dict[str, str]:
    """Register a new user with an httpx-style client; return their Authorization header."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['access_token']}"}


class RecordingEnv(dict[str, str]):
    """An environ that remembers which names were looked up."""

    def __init__(self, values: dict[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: str | None = None) -> str | None:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)
