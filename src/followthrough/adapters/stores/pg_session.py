"""How every PostgreSQL session is opened, and the deadline that cuts off a stalled one.

Sits under the PostgreSQL journal and the leader lock. Each session carries, on both ends,
what makes a lost peer noticed: libpq's connect timeout, TCP keepalives and TCP user timeout
on the client; ``statement_timeout``, ``lock_timeout``, TCP keepalives and TCP user timeout on
the server (``options``, merged with any the DSN already has). Those cover a dead host and a
silent server, but not a link that stalls while both kernels still answer (a middlebox that
stops forwarding): for that, `Watchdog` shuts the socket down when one call outlives its
budget, so the call fails instead of blocking forever.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import psycopg
from psycopg.conninfo import conninfo_to_dict, make_conninfo

Action = Callable[[], None]


@dataclass(frozen=True, slots=True)
class PgTimeouts:
    """The time limits of a session; ``lease`` also scales the dead-peer detection."""

    connect: dt.timedelta = dt.timedelta(seconds=10)
    statement: dt.timedelta = dt.timedelta(seconds=30)
    lock: dt.timedelta = dt.timedelta(seconds=10)
    lease: dt.timedelta = dt.timedelta(seconds=15)

    @property
    def keepalive_idle(self) -> int:
        return max(1, int(self.lease.total_seconds()) // 3)

    @property
    def keepalive_interval(self) -> int:
        return max(1, int(self.lease.total_seconds()) // 6)

    @property
    def budget(self) -> float:
        """Seconds one transaction may take before the watchdog cuts its connection off."""
        return (self.statement + self.lock).total_seconds() + 5


def _ms(delta: dt.timedelta) -> int:
    return max(1, int(delta.total_seconds() * 1000))


def session_conninfo(
    dsn: str,
    timeouts: PgTimeouts,
    *,
    application_name: str,
    server: Mapping[str, str] | None = None,
) -> str:
    """The DSN with the client's timeouts and keepalives, and the server's settings added.

    A DSN that cannot be parsed is handed back as it is: connecting reports it.
    """
    try:
        given = str(conninfo_to_dict(dsn).get("options") or "")
    except psycopg.Error:
        return dsn
    settings = {
        "statement_timeout": str(_ms(timeouts.statement)),
        "lock_timeout": str(_ms(timeouts.lock)),
        "tcp_keepalives_idle": str(timeouts.keepalive_idle),
        "tcp_keepalives_interval": str(timeouts.keepalive_interval),
        "tcp_keepalives_count": "3",
        "tcp_user_timeout": str(_ms(timeouts.lease)),
        **(server or {}),
    }
    options = " ".join([given, *(f"-c {key}={value}" for key, value in settings.items())])
    return make_conninfo(
        dsn,
        options=options.strip(),
        application_name=application_name,
        connect_timeout=str(max(2, int(timeouts.connect.total_seconds()))),
        keepalives="1",
        keepalives_idle=str(timeouts.keepalive_idle),
        keepalives_interval=str(timeouts.keepalive_interval),
        keepalives_count="3",
        tcp_user_timeout=str(_ms(timeouts.lease)),
    )


def abort_socket(connection: psycopg.Connection[object]) -> None:
    """Shut the connection's socket down, from any thread: a call blocked on it fails now."""
    with contextlib.suppress(OSError, psycopg.Error, ValueError):
        if connection.closed:
            return
        with socket.fromfd(connection.fileno(), socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.shutdown(socket.SHUT_RDWR)  # on a duplicate: the connection keeps its own fd


class Watchdog:
    """One thread for the process: runs an action when a guarded call outlives its time."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._armed: dict[int, tuple[float, Action]] = {}
        self._next = 0
        self._thread: threading.Thread | None = None

    @contextlib.contextmanager
    def guard(self, seconds: float, on_expiry: Action) -> Iterator[None]:
        """Run ``on_expiry`` (on the watchdog's thread) if the block is still running then."""
        with self._changed:
            self._next += 1
            token = self._next
            self._armed[token] = (time.monotonic() + seconds, on_expiry)
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="followthrough-pg-watchdog", daemon=True
                )
                self._thread.start()
            self._changed.notify()
        try:
            yield
        finally:
            with self._changed:
                self._armed.pop(token, None)

    def _run(self) -> None:
        while True:
            with self._changed:
                if not self._armed:
                    self._changed.wait()
                    continue
                token, (deadline, action) = min(self._armed.items(), key=lambda kv: kv[1][0])
                left = deadline - time.monotonic()
                if left > 0:
                    self._changed.wait(left)
                    continue
                del self._armed[token]
            with contextlib.suppress(Exception):  # the action must not end the watchdog
                action()


WATCHDOG = Watchdog()


@contextlib.contextmanager
def deadline(connection: psycopg.Connection[object], seconds: float) -> Iterator[None]:
    """The block's calls on ``connection`` fail once it has run ``seconds``."""
    with WATCHDOG.guard(seconds, lambda: abort_socket(connection)):
        yield
