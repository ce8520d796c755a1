"""Fixtures for the store tests: one journal per test, in SQLite or in a fresh PG schema.

PostgreSQL comes from ``FOLLOWTHROUGH_TEST_PG_DSN`` (default: the local ``test`` database).
Its tests skip when it is unreachable, except under CI (``CI`` set), where they fail.
"""

from __future__ import annotations

import os
import sqlite3
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.conninfo import make_conninfo

from followthrough.adapters.stores import PostgresStore, SqliteStore, SqlStore

DEFAULT_PG_DSN = "postgresql://postgres@127.0.0.1:5432/test"


def pg_dsn_from_env(environ: Mapping[str, str]) -> str:
    return environ.get("FOLLOWTHROUGH_TEST_PG_DSN") or DEFAULT_PG_DSN


def unreachable_reason(dsn: str) -> str | None:
    """Why PostgreSQL cannot be used at ``dsn``, or ``None`` when it answers."""
    try:
        with psycopg.connect(dsn, connect_timeout=3) as connection:
            connection.execute("SELECT 1")
    except psycopg.Error as error:
        return f"{type(error).__name__}: {str(error).strip()}"
    return None


def require_postgres(dsn: str, environ: Mapping[str, str]) -> None:
    """Skip when PostgreSQL is unreachable, or fail when ``CI`` says it must be there."""
    reason = unreachable_reason(dsn)
    if reason is None:
        return
    if environ.get("CI"):
        pytest.fail(
            "PostgreSQL is unreachable and CI is set, so the PostgreSQL store tests cannot "
            f"be skipped: {reason}. Start PostgreSQL or set FOLLOWTHROUGH_TEST_PG_DSN.",
            pytrace=False,
        )
    pytest.skip(f"PostgreSQL is unreachable (set CI to make this a failure): {reason}")


@contextmanager
def fresh_schema(base_dsn: str) -> Iterator[str]:
    """A DSN whose ``search_path`` is a new, empty schema, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(base_dsn, autocommit=True) as connection:
        connection.execute(f'CREATE SCHEMA "{schema}"')
    try:
        yield make_conninfo(base_dsn, options=f"-csearch_path={schema}")
    finally:
        with psycopg.connect(base_dsn, autocommit=True) as connection:
            connection.execute(f'DROP SCHEMA "{schema}" CASCADE')


@dataclass(frozen=True)
class Backend:
    """One journal database: open stores on it, and read it behind the stores' backs."""

    kind: str  # "sqlite" or "postgres"
    target: str  # the SQLite path or the PostgreSQL DSN

    def open(self) -> SqlStore:
        """A new store object on the same database (as a restarted process would have)."""
        if self.kind == "sqlite":
            return SqliteStore(self.target)
        return PostgresStore(self.target)

    def query(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """Raw rows; ``?`` placeholders (rewritten to ``%s`` for PostgreSQL)."""
        if self.kind == "sqlite":
            connection = sqlite3.connect(self.target)
            try:
                rows = connection.execute(sql, params).fetchall()
                connection.commit()
                return rows
            finally:
                connection.close()
        with psycopg.connect(self.target) as pg:
            cursor = pg.execute(sql.replace("?", "%s"), params)
            return cursor.fetchall() if cursor.description is not None else []


@pytest.fixture
def pg_dsn() -> Iterator[str]:
    """A DSN on a fresh schema of the test PostgreSQL (skips or fails as described above)."""
    base = pg_dsn_from_env(os.environ)
    require_postgres(base, os.environ)
    with fresh_schema(base) as dsn:
        yield dsn


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """Each store kind in turn, on an empty database."""
    if request.param == "sqlite":
        return Backend("sqlite", str(tmp_path / "journal.db"))
    dsn: str = request.getfixturevalue("pg_dsn")
    return Backend("postgres", dsn)


@pytest.fixture
def store(backend: Backend) -> Iterator[SqlStore]:
    """A migrated store on the backend's database, closed afterwards."""
    opened = backend.open()
    opened.migrate()
    yield opened
    opened.close()
