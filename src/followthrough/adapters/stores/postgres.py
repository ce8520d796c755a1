"""The journal in PostgreSQL (psycopg 3), for deployments that run more than one host.

One small connection per store, autocommit off, every call an explicit transaction; the
connection is reopened after it breaks. Threads share it under a lock. Every session has
connect, statement and lock timeouts and TCP keepalives (``pg_session``), the server ends it
when it idles inside a transaction, and a transaction that outlives its budget has its socket
shut down, so a stalled network fails a call instead of freezing the worker. `migrate` holds a
transaction-level advisory lock so two processes never migrate at once. The DSN's password
is never shown: `redact_dsn` is used for every message, and error texts are scrubbed of it.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, ClassVar

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo
from psycopg.types.json import Jsonb

from followthrough.adapters.stores.base import Params, Row, Session, SqlStore, json_text, utc
from followthrough.adapters.stores.migrations import Dialect
from followthrough.adapters.stores.pg_session import (
    PgTimeouts,
    abort_socket,
    deadline,
    session_conninfo,
)
from followthrough.adapters.stores.records import StoreError

# An arbitrary constant naming "followthrough schema migration" among advisory locks.
_MIGRATION_LOCK_KEY = 0x66745F6D6967
_MASK = "***"


def redact_dsn(dsn: str) -> str:
    """The DSN with its password masked (key=value or URL form); unparseable DSNs vanish."""
    try:
        params = conninfo_to_dict(dsn)
    except psycopg.Error:
        return "<unparseable DSN>"
    if params.get("password"):
        params["password"] = _MASK
    return make_conninfo("", **params)


def scrubbed_error(error: psycopg.Error, dsn: str) -> str:
    """The first line of a driver error, with the DSN's password masked."""
    text = (str(error).strip().splitlines() or [type(error).__name__])[0]
    password = _password(dsn)
    return text.replace(password, _MASK) if password else text


def _password(dsn: str) -> str | None:
    try:
        value = conninfo_to_dict(dsn).get("password")
    except psycopg.Error:
        return None
    return str(value) if value else None


class _PostgresSession:
    """Statements inside one PostgreSQL transaction."""

    def __init__(self, connection: psycopg.Connection[Row]) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params or None)
            return cursor.fetchall() if cursor.description is not None else []

    def run(self, sql: str, params: Params | None = None) -> int:
        with self._connection.cursor() as cursor:
            cursor.execute(sql, params or None)
            return cursor.rowcount

    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        with self._connection.cursor() as cursor:
            cursor.executemany(sql, params)


class PostgresStore(SqlStore):
    """The `Store` in a PostgreSQL database named by a libpq DSN (URL or key=value)."""

    dialect: ClassVar[Dialect] = "postgres"

    def __init__(self, dsn: str, *, timeouts: PgTimeouts | None = None) -> None:
        self._timeouts = timeouts or PgTimeouts()
        self._dsn = session_conninfo(
            dsn,
            self._timeouts,
            application_name="followthrough",
            server={"idle_in_transaction_session_timeout": str(int(self._timeouts.budget * 1000))},
        )
        self._password = _password(dsn)
        self._where = redact_dsn(dsn)
        self._lock = threading.RLock()
        self._connection: psycopg.Connection[Row] | None = None
        self._closed = False

    def __repr__(self) -> str:
        return f"PostgresStore({self._where!r})"

    def _scrub(self, text: str) -> str:
        return text.replace(self._password, _MASK) if self._password else text

    def _error(self, error: psycopg.Error) -> StoreError:
        message = self._scrub(str(error).strip()) or type(error).__name__
        return StoreError(f"PostgreSQL journal {self._where}: {message}")

    def _connect(self) -> psycopg.Connection[Row]:
        if self._closed:
            raise StoreError(f"the PostgreSQL journal {self._where} is closed")
        current = self._connection
        if current is not None and not current.closed and not current.broken:
            return current
        if current is not None:
            current.close()
        try:
            self._connection = psycopg.connect(self._dsn, autocommit=False)
        except psycopg.Error as error:
            self._connection = None
            raise self._error(error) from None  # the cause could repeat connection details
        return self._connection

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_PostgresSession]:
        # ``write`` matters to SQLite's locking only; PostgreSQL locks rows as it writes.
        with self._lock:
            connection = self._connect()
            try:
                with deadline(connection, self._timeouts.budget), connection.transaction():
                    yield _PostgresSession(connection)
            except psycopg.Error as error:
                raise self._error(error) from error

    def _lock_for_migration(self, session: Session) -> None:
        session.rows("SELECT pg_advisory_xact_lock(%(key)s)", {"key": _MIGRATION_LOCK_KEY})

    def _time_in(self, moment: dt.datetime) -> dt.datetime:
        return utc(moment)

    def _time_out(self, value: Any) -> dt.datetime:
        if not isinstance(value, dt.datetime):
            raise StoreError(f"expected a timestamptz in the journal, found {type(value)}")
        return utc(value)

    def _json_in(self, value: Mapping[str, Any]) -> Jsonb:
        json_text(value)  # fail early, and alike in both stores, on values JSON cannot hold
        return Jsonb(dict(value))

    def _json_out(self, value: Any) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise StoreError(f"expected a JSON object in the journal, found {type(value)}")
        return value

    def ping(self) -> None:
        with self._transaction(write=False) as session:
            session.rows("SELECT 1")

    def close(self) -> None:
        """Close now, even while a call is stuck on a stalled network (that call fails)."""
        self._closed = True
        if not self._lock.acquire(timeout=1.0):
            connection = self._connection
            if connection is not None:
                abort_socket(connection)
            if not self._lock.acquire(timeout=1.0):
                return  # the stuck call still holds the lock; its own deadline will end it
        try:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
        finally:
            self._lock.release()
