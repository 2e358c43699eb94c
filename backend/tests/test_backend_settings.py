"""Settings come from the environment and fail fast, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from app.settings import DEPLOYMENT_ENV, OPTIONAL_ENV, SettingsError, load_settings

from testbed.backend import SECRET, RecordingEnv
from testbed.paths import BACKEND_DIR

VALID = {
    "DATABASE_URL": "postgresql://u:p@db.example.com/todo?sslmode=require",
    "BETTER_AUTH_SECRET": SECRET,
    "OPENAI_API_KEY": "",
}


def test_settings_read_exactly_the_declared_env_names() -> None:
    env = RecordingEnv(VALID)
    load_settings(env)
    assert env.read == set(DEPLOYMENT_ENV) | set(OPTIONAL_ENV)


def test_defaults_match_the_spec_configmap_defaults() -> None:
    settings = load_settings(VALID)
    assert settings.jwt_algorithm == "HS256"
    assert settings.jwt_expire_days == 7
    assert settings.cors_origins == ("http://todo.local",)


def test_cors_origins_is_a_comma_separated_list() -> None:
    settings = load_settings({**VALID, "CORS_ORIGINS": "http://todo.local, http://localhost:3000/,"})
    assert settings.cors_origins == ("http://todo.local", "http://localhost:3000")


@pytest.mark.parametrize(
    "origin",
    ["*", "https://*.example.com", "https://Todo.Example.com", "https://todo.example.com:443",
     "http://todo.local:80", "http://todo.local:0", "http://a..b", "todo.example.com", "ftp://todo.local",
     "https://todo.example.com/app", "http://todo.local:99999"],
)  # fmt: skip
def test_an_origin_no_browser_sends_is_refused_naming_cors_origins(origin: str) -> None:
    with pytest.raises(SettingsError, match=r"CORS_ORIGINS: got .*; each origin must be"):
        load_settings({**VALID, "CORS_ORIGINS": f"https://todo.example.com,{origin}"})


def test_origins_with_their_own_ports_and_ip_hosts_are_taken() -> None:
    origins = "http://localhost:3000,https://todo.example.com:8443,http://[::1]:3000,http://10.0.0.7"
    assert load_settings({**VALID, "CORS_ORIGINS": origins}).cors_origins == tuple(origins.split(","))


def test_empty_openai_key_turns_chat_off_without_failing_start_up() -> None:
    assert load_settings(VALID).chat_enabled is False
    assert load_settings({**VALID, "OPENAI_API_KEY": "sk-test"}).chat_enabled is True


@pytest.mark.parametrize("name", ["DATABASE_URL", "BETTER_AUTH_SECRET"])
def test_missing_required_setting_is_named_in_the_error(name: str) -> None:
    env = {k: v for k, v in VALID.items() if k != name}
    with pytest.raises(SettingsError, match=name):
        load_settings(env)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("JWT_ALGORITHM", "none"),
        ("JWT_ALGORITHM", "RS256"),
        ("JWT_EXPIRE_DAYS", "0"),
        ("JWT_EXPIRE_DAYS", "seven"),
        ("JWT_EXPIRE_DAYS", "366"),
        ("JWT_EXPIRE_DAYS", "1000000000"),
        ("BETTER_AUTH_SECRET", "short"),
    ],
)
def test_invalid_setting_is_named_in_the_error(name: str, value: str) -> None:
    with pytest.raises(SettingsError, match=name):
        load_settings({**VALID, name: value})


def test_non_postgresql_url_is_rejected_without_echoing_the_password() -> None:
    with pytest.raises(SettingsError, match="DATABASE_URL") as raised:
        load_settings({**VALID, "DATABASE_URL": "mysql://user:hunter2@db/todo"})
    assert "hunter2" not in str(raised.value)


def test_importing_the_entry_point_without_database_url_stops_with_its_name() -> None:
    env = {k: v for k, v in os.environ.items() if k not in DEPLOYMENT_ENV}
    env["BETTER_AUTH_SECRET"] = SECRET
    result = subprocess.run(
        [sys.executable, "-c", "import app.main"],
        cwd=BACKEND_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "DATABASE_URL is required" in result.stderr


def test_secret_must_be_as_long_as_the_algorithms_hash() -> None:
    forty_bytes = "k" * 40
    assert load_settings({**VALID, "BETTER_AUTH_SECRET": forty_bytes}).auth_secret == forty_bytes
    with pytest.raises(SettingsError, match=r"BETTER_AUTH_SECRET .* 64 bytes for HS512"):
        load_settings({**VALID, "BETTER_AUTH_SECRET": forty_bytes, "JWT_ALGORITHM": "HS512"})


def test_jwt_expire_days_is_bounded_to_a_year() -> None:
    assert load_settings({**VALID, "JWT_EXPIRE_DAYS": "1"}).jwt_expire_days == 1
    assert load_settings({**VALID, "JWT_EXPIRE_DAYS": "365"}).jwt_expire_days == 365
    with pytest.raises(SettingsError, match=r"JWT_EXPIRE_DAYS must be an integer from 1 to 365, got '366'"):
        load_settings({**VALID, "JWT_EXPIRE_DAYS": "366"})
