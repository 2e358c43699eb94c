"""PostgreSQL access: a connection pool and the idempotent schema."""

from __future__ import annotations

from psycopg import Connection
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

# Any constant works as long as every worker uses the same one: the lock
# serialises CREATE ... IF NOT EXISTS, which is not safe when two sessions run
# it at once (both pass the existence check, one fails on pg_type's unique key).
SCHEMA_LOCK_KEY = 0x7464_6F73  # "tdos"

SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS users (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        email TEXT NOT NULL UNIQUE,
        password_hash TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )
    """,
    """
    CREATE TABLE IF NOT EXISTS tasks (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        title TEXT NOT NULL,
        is_completed BOOLEAN NOT NULL DEFAULT false,
        owner_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
    )
    """,
    "CREATE INDEX IF NOT EXISTS tasks_owner_id_idx ON tasks (owner_id, created_at)",
    """
    CREATE TABLE IF NOT EXISTS conversations (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        title TEXT NOT NULL,
        created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
        updated_at TIMESTAMPTZ NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX IF NOT EXISTS conversations_user_id_idx ON conversations (user_id, updated_at)",
    # clock_timestamp(), not now(): one chat turn writes several messages and
    # their order is read back from created_at.
    """
    CREATE TABLE IF NOT EXISTS messages (
        id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
        conversation_id UUID NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('user', 'assistant', 'tool')),
        content TEXT NOT NULL DEFAULT '',
        tool_name TEXT,
        tool_args JSONB,
        tool_result JSONB,
        created_at TIMESTAMPTZ NOT NULL DEFAULT clock_timestamp()
    )
    """,
    "CREATE INDEX IF NOT EXISTS messages_conversation_id_idx ON messages (conversation_id, created_at)",
)


class _SchemaOnce:
    """The pool's ``configure`` hook: the first connection that reaches the database creates the schema.

    A failure discards that connection and the pool retries, so no request is
    handed a connection before the tables exist.
    """

    def __init__(self) -> None:
        self.done = False

    def __call__(self, conn: Connection) -> None:
        if not self.done:
            ensure_schema(conn)
            self.done = True


def create_pool(database_url: str) -> ConnectionPool:
    """A closed pool; libpq parses the URL, so sslmode and friends are honoured as given."""
    return ConnectionPool(
        database_url,
        min_size=1,
        max_size=4,
        open=False,
        configure=_SchemaOnce(),
        # Neon's pooler runs PgBouncer in transaction mode: server-side
        # prepared statements would leak across clients there.
        kwargs={"row_factory": dict_row, "prepare_threshold": None},
        # Serverless PostgreSQL (Neon) drops idle connections when it scales
        # to zero; check each one before handing it out.
        check=ConnectionPool.check_connection,
        name="todo",
    )


def ensure_schema(conn: Connection) -> None:
    """Create the tables if missing; safe when several workers start at once."""
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK_KEY,))
        for statement in SCHEMA:
            conn.execute(statement)
