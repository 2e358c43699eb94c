"""What request text the app stores, and how: PostgreSQL's limits, and emails and titles people read.

PostgreSQL text and jsonb hold neither NUL (U+0000) nor a lone UTF-16
surrogate (U+D800-U+DFFF, which JSON can spell as ``"\\ud800"`` but UTF-8
cannot encode): every request string carries :data:`Storable`, and the chat
checks the model's answer with :func:`unstorable`, so that such input is a
422 naming the field rather than a 500 from the driver.

Emails are folded with NFKC and lowercased, so look-alike spellings of one
address (full-width letters, say) are one account; only printable ASCII is
accepted, which leaves out other scripts' look-alikes (a Cyrillic "\\u0430") and
invisible characters. Titles must show something, and hold no control or
bidirectional override characters, which can make a title read differently
from what it stores.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from pydantic import AfterValidator

NUL = "\x00"
NUL_MESSAGE = "must not contain a NUL character (\\u0000)"
SURROGATE_MESSAGE = "must be valid Unicode: no lone surrogate (\\ud800-\\udfff)"
_SURROGATE = re.compile("[\ud800-\udfff]")
EMAIL_MAX = 254
# Printable ASCII but "@" and space, around one "@", with a dot in the domain.
_EMAIL = re.compile(r"[!-?A-~]+@[!-?A-~]+\.[!-?A-~]+")
EMAIL_MESSAGE = (
    f"must be an email address of printable ASCII characters, such as ada@example.com, "
    f"at most {EMAIL_MAX} characters"
)
# Embeddings, overrides and isolates (Unicode's bidirectional formatting characters).
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
TITLE_MESSAGE = (
    "must show at least one visible character, and hold no control character (U+0000-U+001F, "
    "U+007F-U+009F) or bidirectional override (U+202A-U+202E, U+2066-U+2069)"
)


def unstorable(value: Any) -> str | None:
    """Why PostgreSQL cannot store a string, or a key or string anywhere in a parsed JSON value; None if it can."""
    if isinstance(value, str):
        if NUL in value:
            return NUL_MESSAGE
        return SURROGATE_MESSAGE if _SURROGATE.search(value) else None
    if isinstance(value, dict):
        return next((m for k, v in value.items() if (m := unstorable(k) or unstorable(v))), None)
    if isinstance(value, list):
        return next((m for item in value if (m := unstorable(item))), None)
    return None


def _refuse_unstorable(value: str) -> str:
    message = unstorable(value)
    if message is not None:
        raise ValueError(message)
    return value


# Use it last, as in Annotated[str, StringConstraints(...), Storable]: placed
# before StringConstraints it makes pydantic check lengths before stripping.
Storable = AfterValidator(_refuse_unstorable)


def _normalize_email(value: str) -> str:
    email = unicodedata.normalize("NFKC", value).strip().lower()
    if len(email) > EMAIL_MAX or not _EMAIL.fullmatch(email):
        raise ValueError(EMAIL_MESSAGE)
    return email


# An email as the app stores and compares it.
NormalizedEmail = AfterValidator(_normalize_email)


def _refuse_unreadable(value: str) -> str:
    visible = [c for c in value if not c.isspace() and unicodedata.category(c) != "Cf"]
    if not visible or _BIDI_CONTROL.search(value) or any(unicodedata.category(c) == "Cc" for c in value):
        raise ValueError(TITLE_MESSAGE)
    return value


# A title people read: something visible, nothing that reorders or hides it.
Readable = AfterValidator(_refuse_unreadable)
