"""The leader's advisory lock in PostgreSQL, on a session of its own that dies when it goes quiet.

Sits under ``app.leader`` (which runs the election loop). Leadership is a session-level
advisory lock, keyed by a constant class and the journal's schema, so journals kept in
separate schemas of one database elect separately. Its session is the lease:

- the leader proves its session alive on every turn of its loop (``SELECT 1`` with a short
  client-side deadline); any failure is lost leadership, at once;
- the server ends the session, and so releases the lock, once it has heard nothing for a
  lease (``idle_session_timeout``), or once TCP says the client is gone (server keepalives and
  ``tcp_user_timeout``). A session left half-open by a reset, a stalled link or a frozen
  leader therefore frees the lock within about a lease, and a standby takes it on its next try
  without anybody killing a backend by hand;
- the leader checks far more often than a lease and gives up after a fifth of one, so it has
  stepped down before the server can hand the lock to a standby.

``idle_session_timeout`` needs PostgreSQL 14 or later. Session locks need a direct connection
or session pooling (a transaction-pooling PgBouncer would hand the lock to other clients).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt

import psycopg

from followthrough.adapters.stores.pg_session import PgTimeouts, deadline, session_conninfo
from followthrough.adapters.stores.postgres import redact_dsn, scrubbed_error
from followthrough.adapters.stores.records import StoreError

# An arbitrary constant naming "followthrough leader" among two-key advisory locks.
LEADER_LOCK_CLASS = 0x66745F4C
_TRY_LOCK = "SELECT pg_try_advisory_lock(%(cls)s, hashtext(current_schema()))"


class LeaderLockLostError(StoreError):
    """The lock's session failed: whoever held the lock holds it no more."""


class PostgresLeaderLock:
    """One dedicated session that takes, holds and proves the leader lock."""

    def __init__(self, dsn: str, *, timeouts: PgTimeouts) -> None:
        self._dsn = dsn
        self._where = redact_dsn(dsn)
        self._timeouts = timeouts
        self.check_timeout = max(1.0, timeouts.lease.total_seconds() / 5)
        # A standby's retries run on the daemon's loop: a connect must not hold it for long.
        connect = dt.timedelta(seconds=min(timeouts.connect.total_seconds(), self.check_timeout))
        self._conninfo = session_conninfo(
            dsn,
            dataclasses.replace(timeouts, connect=connect),
            application_name="followthrough-leader",
            server={
                "idle_session_timeout": str(int(timeouts.lease.total_seconds() * 1000)),
                "statement_timeout": str(int(self.check_timeout * 1000)),
            },
        )
        self._connection: psycopg.Connection[tuple[object, ...]] | None = None

    @property
    def lease(self) -> dt.timedelta:
        return self._timeouts.lease

    def try_acquire(self) -> bool:
        """Take the lock if it is free; ``LeaderLockLostError`` when PostgreSQL cannot be reached."""
        connection = self._connection or self._connect()
        row = self._query(connection, _TRY_LOCK, {"cls": LEADER_LOCK_CLASS})
        return row is not None and bool(row[0])

    def check_held(self) -> None:
        """Prove the session (and so the lock) alive; ``LeaderLockLostError`` when it is not."""
        if self._connection is None:
            raise LeaderLockLostError(f"no session to PostgreSQL {self._where}")
        self._query(self._connection, "SELECT 1", {})

    def release(self) -> None:
        """End the session; the server releases the lock with it."""
        if self._connection is not None:
            with contextlib.suppress(psycopg.Error):  # already broken: nothing to release
                self._connection.close()
            self._connection = None

    def _connect(self) -> psycopg.Connection[tuple[object, ...]]:
        try:
            self._connection = psycopg.connect(self._conninfo, autocommit=True)
        except psycopg.Error as error:
            reason = scrubbed_error(error, self._dsn)
            if "idle_session_timeout" in reason:
                reason = "the leader lock needs PostgreSQL 14 or later (idle_session_timeout)"
            raise LeaderLockLostError(f"cannot reach PostgreSQL {self._where}: {reason}") from None
        return self._connection

    def _query(
        self, connection: psycopg.Connection[tuple[object, ...]], sql: str, params: dict[str, int]
    ) -> tuple[object, ...] | None:
        try:
            with deadline(connection, self.check_timeout):
                return connection.execute(sql, params or None).fetchone()
        except psycopg.Error as error:
            self.release()
            raise LeaderLockLostError(f"session lost: {type(error).__name__}") from None
