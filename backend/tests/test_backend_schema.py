"""The tables are exactly the spec's, created idempotently and safely in parallel."""

from __future__ import annotations

import logging
import threading

import psycopg
import pytest
from app.application import create_app
from app.db import ensure_schema
from fastapi.testclient import TestClient
from psycopg_pool import PoolTimeout

# From spec/phase-iv-data-model.md, "Existing Database Tables".
SPEC_TABLES = {
    "users": ["id", "email", "password_hash", "created_at", "updated_at"],
    "tasks": ["id", "title", "is_completed", "owner_id", "created_at", "updated_at"],
    "conversations": ["id", "user_id", "title", "created_at", "updated_at"],
    "messages": [
        "id", "conversation_id", "role", "content", "tool_name", "tool_args", "tool_result",
        "created_at",
    ],
}  # fmt: skip
FOREIGN_KEYS = {
    ("tasks", "owner_id"): "users",
    ("conversations", "user_id"): "users",
    ("messages", "conversation_id"): "conversations",
}


def _columns(database_url: str) -> dict[str, list[str]]:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT table_name, column_name FROM information_schema.columns"
            " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
        ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


def test_start_up_creates_exactly_the_spec_tables_and_columns(client: TestClient, database_url: str) -> None:
    assert _columns(database_url) == SPEC_TABLES


def test_every_table_has_a_uuid_primary_key(client: TestClient, database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT c.table_name, c.data_type FROM information_schema.table_constraints t"
            " JOIN information_schema.key_column_usage k USING (constraint_name, table_name)"
            " JOIN information_schema.columns c"
            "   ON c.table_name = k.table_name AND c.column_name = k.column_name"
            " WHERE t.constraint_type = 'PRIMARY KEY' AND k.column_name = 'id'"
        ).fetchall()
    assert dict(rows) == dict.fromkeys(SPEC_TABLES, "uuid")


def test_foreign_keys_point_where_the_spec_says(client: TestClient, database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        rows = conn.execute(
            "SELECT conrelid::regclass::text, a.attname, confrelid::regclass::text"
            " FROM pg_constraint JOIN pg_attribute a"
            "   ON a.attrelid = conrelid AND a.attnum = ANY (conkey)"
            " WHERE contype = 'f'"
        ).fetchall()
    assert {(table, column): target for table, column, target in rows} == FOREIGN_KEYS


def test_schema_creation_is_idempotent(database_url: str) -> None:
    with psycopg.connect(database_url) as conn:
        ensure_schema(conn)
        ensure_schema(conn)
    assert _columns(database_url) == SPEC_TABLES


def test_schema_creation_is_safe_when_workers_start_at_once(database_url: str) -> None:
    # Without the advisory lock, concurrent CREATE TABLE IF NOT EXISTS fails
    # with a unique violation on pg_type; gunicorn starts 2 workers together.
    starters = 8
    barrier = threading.Barrier(starters)
    errors: list[BaseException] = []

    def start() -> None:
        try:
            with psycopg.connect(database_url) as conn:
                barrier.wait()
                ensure_schema(conn)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=start) for _ in range(starters)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert _columns(database_url) == SPEC_TABLES


def test_sslmode_in_database_url_is_honoured(make_settings, postgres, caplog) -> None:
    # The test server has no TLS: the pool's connections to a URL that requires
    # it fail with libpq's reason, which proves sslmode reaches libpq instead of
    # being dropped.
    settings = make_settings(database_url=postgres.url("postgres", sslmode="require"))
    with (
        caplog.at_level(logging.WARNING, logger="psycopg.pool"),
        TestClient(create_app(settings)) as client,
        pytest.raises(PoolTimeout),
    ):
        client.app.state.pool.wait(timeout=3)
    assert "SSL was required" in caplog.text
