"""The journal in a local SQLite file (the default store): WAL mode, one lock per store.

One connection per store, shared by the process's threads under a lock, so transactions never
interleave; other processes wait on SQLite's own locks up to ``busy_timeout``. Write
transactions start with ``BEGIN IMMEDIATE`` so two writers never deadlock on a lock upgrade.
Times are UTC ISO 8601 text with microseconds (fixed width, so they sort as text).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar

from followthrough.adapters.stores.base import Params, Row, Session, SqlStore, json_text, utc
from followthrough.adapters.stores.migrations import Dialect
from followthrough.adapters.stores.records import StoreError

_NAMED_PARAMETER = re.compile(r"%\((\w+)\)s")
MEMORY = ":memory:"


def _sqlite_sql(sql: str) -> str:
    """``%(name)s`` parameters as SQLite's ``:name``."""
    return _NAMED_PARAMETER.sub(r":\1", sql)


def _use_wal(connection: sqlite3.Connection, seconds: float) -> None:
    """Switch the database to WAL mode, waiting up to ``seconds`` for other processes.

    Switching needs the database to itself, and SQLite answers "database is locked" at once,
    without its busy handler, while another process opens or switches the same new file; so
    the switch is tried again until it succeeds or the wait is over.
    """
    deadline = time.monotonic() + seconds
    while True:
        try:
            connection.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as error:
            if "locked" not in str(error) and "busy" not in str(error):
                raise
            if time.monotonic() >= deadline:
                raise
        time.sleep(_WAL_RETRY_SECONDS)


_WAL_RETRY_SECONDS = 0.02


class _SqliteSession:
    """Statements inside one SQLite transaction."""

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def rows(self, sql: str, params: Params | None = None) -> list[Row]:
        return self._connection.execute(_sqlite_sql(sql), dict(params or {})).fetchall()

    def run(self, sql: str, params: Params | None = None) -> int:
        return self._connection.execute(_sqlite_sql(sql), dict(params or {})).rowcount

    def run_many(self, sql: str, params: Sequence[Params]) -> None:
        self._connection.executemany(_sqlite_sql(sql), [dict(p) for p in params])


class SqliteStore(SqlStore):
    """The `Store` in a SQLite file (or ``":memory:"``), safe for one process's threads."""

    dialect: ClassVar[Dialect] = "sqlite"

    def __init__(self, path: Path | str, *, busy_timeout: dt.timedelta | None = None) -> None:
        self._path = str(path)
        self._lock = threading.RLock()
        wait = busy_timeout if busy_timeout is not None else dt.timedelta(seconds=30)
        self._connection: sqlite3.Connection | None = self._connect(wait)

    def __repr__(self) -> str:
        return f"SqliteStore({self._path!r})"

    def _connect(self, busy_timeout: dt.timedelta) -> sqlite3.Connection:
        if self._path != MEMORY and not self._path.startswith("file:"):
            Path(self._path).parent.mkdir(parents=True, exist_ok=True)
        seconds = busy_timeout.total_seconds()
        try:
            connection = sqlite3.connect(
                self._path,
                timeout=seconds,
                isolation_level=None,  # transactions are explicit (BEGIN ... COMMIT)
                check_same_thread=False,  # shared by threads, serialised by self._lock
            )
            connection.execute(f"PRAGMA busy_timeout = {int(seconds * 1000)}")
            _use_wal(connection, seconds)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the SQLite journal {self._path}: {error}") from error
        return connection

    @contextmanager
    def _transaction(self, *, write: bool) -> Iterator[_SqliteSession]:
        with self._lock:
            if self._connection is None:
                raise StoreError(f"the SQLite journal {self._path} is closed")
            connection = self._connection
            try:
                connection.execute("BEGIN IMMEDIATE" if write else "BEGIN")
                try:
                    yield _SqliteSession(connection)
                    connection.execute("COMMIT")
                finally:
                    if connection.in_transaction:
                        connection.execute("ROLLBACK")
            except sqlite3.Error as error:
                raise StoreError(f"SQLite journal {self._path}: {error}") from error

    def _lock_for_migration(self, session: Session) -> None:
        """Nothing to add: ``BEGIN IMMEDIATE`` already holds SQLite's write lock."""

    def _time_in(self, moment: dt.datetime) -> str:
        return utc(moment).isoformat(timespec="microseconds")

    def _time_out(self, value: Any) -> dt.datetime:
        return utc(dt.datetime.fromisoformat(str(value)))

    def _json_in(self, value: Mapping[str, Any]) -> str:
        return json_text(value)

    def _json_out(self, value: Any) -> dict[str, Any]:
        decoded = json.loads(value)
        if not isinstance(decoded, dict):
            raise StoreError(f"expected a JSON object in the journal, found {type(decoded)}")
        return decoded

    def journal_mode(self) -> str:
        """SQLite's journal mode for this database ("wal", or "memory" for ``:memory:``)."""
        with self._transaction(write=False) as session:
            return str(session.rows("PRAGMA journal_mode")[0][0])

    def ping(self) -> None:
        with self._transaction(write=False) as session:
            session.rows("SELECT 1")

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
