"""NUL checks: PostgreSQL text and jsonb cannot hold NUL (U+0000).

Every request string carries NoNul, and the chat checks the model's answer
with the same message; without them a NUL reaches psycopg, which refuses it,
and the client gets a 500 for what is a bad request.
"""

from __future__ import annotations

from typing import Any

from pydantic import AfterValidator

NUL = "\x00"
NUL_MESSAGE = "must not contain a NUL character (\\u0000)"


def _refuse_nul(value: str) -> str:
    if NUL in value:
        raise ValueError(NUL_MESSAGE)
    return value


# Use it last, as in Annotated[str, StringConstraints(...), NoNul]: placed
# before StringConstraints it makes pydantic check lengths before stripping.
NoNul = AfterValidator(_refuse_nul)


def contains_nul(value: Any) -> bool:
    """Whether a string or a key anywhere inside a parsed JSON value holds NUL."""
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(contains_nul(key) or contains_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(contains_nul(item) for item in value)
    return False
