"""Settings read from the environment once, at start-up.

The Kubernetes Deployment provides exactly ``DEPLOYMENT_ENV`` (Secret
``todo-secrets`` plus ConfigMap ``todo-backend-config``); the contract tests
compare that tuple with ``dist/``. ``OPTIONAL_ENV`` are overrides with safe
defaults that the Deployment does not set: they point the chat at another
OpenAI-compatible endpoint (a proxy, or the tests' local stand-in).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

# An origin as a browser sends it: a lowercase host and, only when it is not the scheme's
# own, a port. CORS compares origins as text, so "*" (which would let every site send
# credentialed requests), capitals or ":443" would allow nobody or everybody.
_ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>[a-z0-9]([-a-z0-9.]*[a-z0-9])?|\[[0-9a-f:.]+\])(:(?P<port>[1-9][0-9]{0,4}))?"
)
_DEFAULT_PORTS = {"http": "80", "https": "443"}

DEPLOYMENT_ENV = (
    "DATABASE_URL",
    "BETTER_AUTH_SECRET",
    "OPENAI_API_KEY",
    "JWT_ALGORITHM",
    "JWT_EXPIRE_DAYS",
    "CORS_ORIGINS",
)
OPTIONAL_ENV = ("OPENAI_BASE_URL", "OPENAI_MODEL")

# The secret is shared, so only the HMAC family makes sense. RFC 7518 section
# 3.2: the key must be at least as long as the hash output (in bytes).
JWT_ALGORITHMS = {"HS256": 32, "HS384": 48, "HS512": 64}
# A token cannot be revoked, so its life stays short; far larger values also
# overflow datetime when the token is signed. The cdk8s construct uses the same bound.
JWT_EXPIRE_DAYS_MAX = 365


class SettingsError(RuntimeError):
    """A setting is missing or invalid; the message names the variable."""


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str
    auth_secret: str
    openai_api_key: str
    jwt_algorithm: str = "HS256"
    jwt_expire_days: int = 7
    cors_origins: tuple[str, ...] = ("http://todo.local",)
    openai_base_url: str = "https://api.openai.com/v1"
    openai_model: str = "gpt-4o-mini"

    @property
    def chat_enabled(self) -> bool:
        return bool(self.openai_api_key)


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build Settings from ``environ`` (default ``os.environ``) or raise SettingsError."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str:
        return env.get(name, "").strip()

    database_url = get("DATABASE_URL")
    if not database_url:
        raise SettingsError("DATABASE_URL is required (postgresql://user:pass@host/db)")
    scheme = urlsplit(database_url).scheme
    if scheme not in ("postgresql", "postgres"):
        # Never echo the URL itself: it carries the password.
        raise SettingsError(f"DATABASE_URL must be a postgresql:// URL, got scheme {scheme or '(none)'!r}")

    jwt_algorithm = get("JWT_ALGORITHM") or Settings.jwt_algorithm
    if jwt_algorithm not in JWT_ALGORITHMS:
        raise SettingsError(
            f"JWT_ALGORITHM must be one of {', '.join(JWT_ALGORITHMS)}, got {jwt_algorithm!r}"
        )

    auth_secret = get("BETTER_AUTH_SECRET")
    if not auth_secret:
        raise SettingsError("BETTER_AUTH_SECRET is required (it signs the login tokens)")
    min_length = JWT_ALGORITHMS[jwt_algorithm]
    if len(auth_secret.encode()) < min_length:
        raise SettingsError(
            f"BETTER_AUTH_SECRET must be at least {min_length} bytes for {jwt_algorithm} "
            f"(got {len(auth_secret.encode())}); generate one with `openssl rand -base64 48`"
        )

    raw_days = get("JWT_EXPIRE_DAYS") or str(Settings.jwt_expire_days)
    try:
        jwt_expire_days = int(raw_days)
    except ValueError:
        jwt_expire_days = 0
    if not 1 <= jwt_expire_days <= JWT_EXPIRE_DAYS_MAX:
        raise SettingsError(
            f"JWT_EXPIRE_DAYS must be an integer from 1 to {JWT_EXPIRE_DAYS_MAX}, got {raw_days!r}"
        )

    raw_origins = get("CORS_ORIGINS")
    cors_origins = (
        tuple(o.strip().rstrip("/") for o in raw_origins.split(",") if o.strip())
        if raw_origins
        else Settings.cors_origins
    )
    for origin in cors_origins:
        _check_origin(origin)

    return Settings(
        database_url=database_url,
        auth_secret=auth_secret,
        # Empty is allowed: the chat then answers 503 and everything else works.
        openai_api_key=get("OPENAI_API_KEY"),
        jwt_algorithm=jwt_algorithm,
        jwt_expire_days=jwt_expire_days,
        cors_origins=cors_origins,
        openai_base_url=(get("OPENAI_BASE_URL") or Settings.openai_base_url).rstrip("/"),
        openai_model=get("OPENAI_MODEL") or Settings.openai_model,
    )


def _check_origin(origin: str) -> None:
    match = _ORIGIN.fullmatch(origin)
    if (
        match is None
        or ".." in origin
        or int(match["port"] or 1) > 65535
        or match["port"] == _DEFAULT_PORTS[match["scheme"]]
    ):
        raise SettingsError(
            f"CORS_ORIGINS: got {origin!r}; each origin must be http(s)://host[:port] as browsers send it: "
            "a lowercase host, no path or '*', and no port 80 (http) or 443 (https)"
        )
