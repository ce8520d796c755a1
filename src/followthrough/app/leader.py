"""Leader election: only one replica acts on trackers; the others stand by.

Sits under ``daemon``. With the PostgreSQL journal, leadership is a session-level advisory
lock held on a dedicated connection for the life of the process: the standby tries again
every few seconds, and a broken connection is lost leadership (the server has already
released the lock), so the process stops acting at once. With SQLite there is one replica,
always the leader.

The lock is keyed by a constant class and the journal's schema, so deployments (or test
runs) that keep separate journals in separate schemas of one database elect separately.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections.abc import Callable
from typing import Literal, Protocol

import psycopg

Role = Literal["leader", "standby", "unknown"]
Clock = Callable[[], dt.datetime]
Log = Callable[..., None]

# An arbitrary constant naming "followthrough leader" among two-key advisory locks.
LEADER_LOCK_CLASS = 0x66745F4C
_TRY_LOCK = "SELECT pg_try_advisory_lock(%(cls)s, hashtext(current_schema()))"


class Leadership(Protocol):
    """Whether this process may act; `refresh` is called from the daemon's loop."""

    @property
    def role(self) -> Role: ...

    def is_leader(self) -> bool: ...

    def refresh(self) -> Role: ...

    def close(self) -> None: ...


class SingleReplica:
    """SQLite: one replica, always the leader."""

    @property
    def role(self) -> Role:
        return "leader"

    def is_leader(self) -> bool:
        return True

    def refresh(self) -> Role:
        return "leader"

    def close(self) -> None:
        return None


class PostgresLeadership:
    """A session advisory lock on a dedicated connection, checked on every refresh."""

    def __init__(
        self,
        dsn: str,
        *,
        clock: Clock,
        log: Log,
        retry_every: dt.timedelta = dt.timedelta(seconds=3),
        connect_timeout: int = 3,
    ) -> None:
        self._dsn = dsn
        self._clock = clock
        self._log = log
        self._retry_every = retry_every
        self._connect_timeout = connect_timeout
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None
        self._role: Role = "unknown"
        self._next_try: dt.datetime | None = None
        self._lock = threading.Lock()

    @property
    def role(self) -> Role:
        return self._role

    def is_leader(self) -> bool:
        return self._role == "leader"

    def refresh(self) -> Role:
        """Leader: check the connection still holds. Standby: try again when it is time."""
        with self._lock:
            if self._role == "leader":
                self._check_held()
            elif self._next_try is None or self._clock() >= self._next_try:
                self._next_try = self._clock() + self._retry_every
                self._try_acquire()
            return self._role

    def _check_held(self) -> None:
        connection = self._connection
        try:
            assert connection is not None
            connection.execute("SELECT 1")
        except (psycopg.Error, AssertionError) as error:
            self._drop()
            self._set("unknown", reason=f"connection lost: {type(error).__name__}")

    def _try_acquire(self) -> None:
        try:
            connection = self._connection or self._connect()
            row = connection.execute(_TRY_LOCK, {"cls": LEADER_LOCK_CLASS}).fetchone()
        except psycopg.Error as error:
            self._drop()
            self._set("unknown", reason=f"cannot reach PostgreSQL: {type(error).__name__}")
            return
        self._set("leader" if row is not None and row[0] else "standby", reason="lock checked")

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        self._connection = psycopg.connect(
            self._dsn,
            autocommit=True,
            connect_timeout=self._connect_timeout,
            application_name="followthrough-leader",
        )
        return self._connection

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):  # already broken: nothing to release
                self._connection.close()
            self._connection = None

    def _set(self, role: Role, *, reason: str) -> None:
        if role != self._role:
            self._log("leadership_changed", role=role, previous=self._role, reason=reason)
        self._role = role

    def close(self) -> None:
        """Release the lock (closing the session releases it) and stop acting."""
        with self._lock:
            self._drop()
            self._role = "unknown"


def leadership_for(dsn: str | None, *, clock: Clock, log: Log) -> Leadership:
    """PostgreSQL journal: elect through it. SQLite: a single replica."""
    if dsn:
        return PostgresLeadership(dsn, clock=clock, log=log)
    return SingleReplica()
