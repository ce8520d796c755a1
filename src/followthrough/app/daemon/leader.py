"""Leader election: only one replica acts on trackers; the others stand by.

Sits under ``daemon``. With the PostgreSQL journal, leadership is a lock that lives as long as
a database session (``adapters.stores.postgres_lock`` explains how a lost session frees it);
this module is the loop around it. The leader proves its session on every refresh and steps
down at the first failure; it also stops acting, even between refreshes, once its last proof
is older than half a lease. A standby tries again every few seconds. With SQLite there is one
replica, always the leader.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Literal, Protocol

from followthrough.adapters.stores.pg_session import PgTimeouts
from followthrough.adapters.stores.postgres_lock import (
    LEADER_LOCK_CLASS,
    PostgresLeaderLock,
)
from followthrough.adapters.stores.records import StoreError

__all__ = [
    "LEADER_LOCK_CLASS",
    "ElectedLeadership",
    "LeaderLock",
    "Leadership",
    "PostgresLeadership",
    "Role",
    "SingleReplica",
    "kept_fresh",
    "leadership_for",
]

Role = Literal["leader", "standby", "unknown"]
Clock = Callable[[], dt.datetime]
Log = Callable[..., None]


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


class LeaderLock(Protocol):
    """The lock that elects: taken, proven and released; failures raise `StoreError`."""

    @property
    def lease(self) -> dt.timedelta: ...

    def try_acquire(self) -> bool: ...

    def check_held(self) -> None: ...

    def release(self) -> None: ...


class ElectedLeadership:
    """Leadership through a `LeaderLock`, proven on every refresh."""

    def __init__(
        self,
        lock: LeaderLock,
        *,
        clock: Clock,
        log: Log,
        retry_every: dt.timedelta = dt.timedelta(seconds=3),
    ) -> None:
        self._lock_held = lock
        self._clock = clock
        self._log = log
        self._retry_every = min(retry_every, lock.lease / 3)
        self._trust_for = lock.lease.total_seconds() / 2
        self._role: Role = "unknown"
        self._proven_at = 0.0  # monotonic time of the leader's last proof
        self._next_try: dt.datetime | None = None
        self._guard = threading.Lock()

    @property
    def role(self) -> Role:
        return self._role

    def is_leader(self) -> bool:
        """Leader, with a proof recent enough that no standby can have taken over."""
        fresh = time.monotonic() - self._proven_at < self._trust_for
        return self._role == "leader" and fresh

    def refresh(self) -> Role:
        """Leader: prove the lock is still held. Standby: try again when it is time."""
        with self._guard:
            if self._role == "leader":
                self._check_held()
            elif self._next_try is None or self._clock() >= self._next_try:
                self._next_try = self._clock() + self._retry_every
                self._try_acquire()
            return self._role

    def _check_held(self) -> None:
        try:
            self._lock_held.check_held()
        except StoreError as error:
            self._lock_held.release()
            self._next_try = self._clock() + self._retry_every  # a standby may go first
            self._set("unknown", reason=f"connection lost: {error}")
            return
        self._proven_at = time.monotonic()

    def _try_acquire(self) -> None:
        try:
            held = self._lock_held.try_acquire()
        except StoreError as error:
            self._set("unknown", reason=f"cannot reach PostgreSQL: {error}")
            return
        if held:
            self._proven_at = time.monotonic()
        self._set("leader" if held else "standby", reason="lock checked")

    def _set(self, role: Role, *, reason: str) -> None:
        if role != self._role:
            self._log("leadership_changed", role=role, previous=self._role, reason=reason)
        self._role = role

    def close(self) -> None:
        """Release the lock (ending its session releases it) and stop acting."""
        with self._guard:
            self._lock_held.release()
            self._role = "unknown"


class PostgresLeadership(ElectedLeadership):
    """Leadership through the advisory lock of the PostgreSQL journal at ``dsn``."""

    def __init__(
        self,
        dsn: str,
        *,
        clock: Clock,
        log: Log,
        retry_every: dt.timedelta = dt.timedelta(seconds=3),
        timeouts: PgTimeouts | None = None,
    ) -> None:
        lock = PostgresLeaderLock(dsn, timeouts=timeouts or PgTimeouts())
        super().__init__(lock, clock=clock, log=log, retry_every=retry_every)


def leadership_for(
    dsn: str | None, *, clock: Clock, log: Log, timeouts: PgTimeouts | None = None
) -> Leadership:
    """PostgreSQL journal: elect through it. SQLite: a single replica."""
    if dsn:
        return PostgresLeadership(dsn, clock=clock, log=log, timeouts=timeouts)
    return SingleReplica()


@contextmanager
def kept_fresh(leadership: Leadership, *, every: float = 1.0) -> Iterator[None]:
    """Refresh ``leadership`` on a thread while the block runs (a run with no daemon loop).

    Without it the lock's session would fall silent and the server would end it a lease later.
    """
    done = threading.Event()

    def beat() -> None:
        while not done.wait(every):
            leadership.refresh()

    thread = threading.Thread(target=beat, name="followthrough-leader-beat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        done.set()
        thread.join()
