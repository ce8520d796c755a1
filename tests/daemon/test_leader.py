"""Leader election on the PostgreSQL journal: in-process, and with two real worker processes."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path
from typing import Any

import psycopg
import pytest

from followthrough.adapters.stores.pg_session import PgTimeouts
from followthrough.app.daemon.leader import LEADER_LOCK_CLASS, PostgresLeadership, kept_fresh
from tests.daemon.conftest import RecordingLog, Worker, get_json

pytestmark = pytest.mark.postgres


def leadership(dsn: str, log: RecordingLog) -> PostgresLeadership:
    return PostgresLeadership(
        dsn,
        clock=lambda: dt.datetime.now(dt.UTC),
        log=log,
        retry_every=dt.timedelta(0),
    )


def test_one_leader_then_the_standby_takes_over(pg_schema_dsn: str, log: RecordingLog) -> None:
    first, second = leadership(pg_schema_dsn, log), leadership(pg_schema_dsn, log)
    try:
        assert first.refresh() == "leader"
        assert second.refresh() == "standby"
        assert second.refresh() == "standby"
        first.close()  # the server releases the lock as the session ends, a moment later
        wait_for(lambda: second.refresh() == "leader", 10)
    finally:
        first.close()
        second.close()


def test_losing_the_connection_is_losing_leadership(pg_schema_dsn: str, log: RecordingLog) -> None:
    leader = leadership(pg_schema_dsn, log)
    try:
        assert leader.refresh() == "leader"
        with psycopg.connect(pg_schema_dsn, autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' "
                "AND classid = %(cls)s AND objsubid = 2 "
                "AND objid::text::bigint = (hashtext(current_schema())::bigint & 4294967295)",
                {"cls": LEADER_LOCK_CLASS},
            )
        assert leader.refresh() == "unknown"
        assert not leader.is_leader()
        assert log.named("leadership_changed")[-1]["role"] == "unknown"
    finally:
        leader.close()


def test_a_run_without_the_daemon_loop_keeps_its_lease(
    pg_schema_dsn: str, log: RecordingLog
) -> None:
    lease = PgTimeouts(lease=dt.timedelta(seconds=3))
    first = PostgresLeadership(
        pg_schema_dsn, clock=lambda: dt.datetime.now(dt.UTC), log=log, timeouts=lease
    )
    second = PostgresLeadership(
        pg_schema_dsn, clock=lambda: dt.datetime.now(dt.UTC), log=log, timeouts=lease
    )
    try:
        assert first.refresh() == "leader"
        with kept_fresh(first, every=0.5):
            time.sleep(2 * 3)  # a long cycle: twice the lease with no daemon loop
            assert first.is_leader()
            assert second.refresh() == "standby"
        time.sleep(2 * 3)  # silent: the server ends the session a lease later
        wait_for(lambda: second.refresh() == "leader", 5)
    finally:
        first.close()
        second.close()


def status(url: str) -> dict[str, Any]:
    body: dict[str, Any] = get_json(f"{url}/status.json")
    return body


def wait_for(check: Any, timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.2)
    raise AssertionError(f"not within {timeout} s")


def intents(dsn: str) -> int:
    with psycopg.connect(dsn) as connection:
        row = connection.execute("SELECT count(*) FROM intents").fetchone()
    assert row is not None
    return int(row[0])


def test_two_processes_one_leader_and_takeover(workspace: Path, pg_schema_dsn: str) -> None:
    env = {"FOLLOWTHROUGH_STORE__DSN": pg_schema_dsn}
    args = ["--config", "config/followthrough.yaml", "--host", "127.0.0.1", "--port", "0"]
    first = Worker(args, cwd=workspace, env=env)
    second: Worker | None = None
    try:
        first_url = first.base_url()
        first.wait_event("job_finished", job="sync")
        second = Worker(args, cwd=workspace, env=env)
        second_url = second.base_url()
        wait_for(lambda: status(second_url)["role"] == "standby", 10)
        assert status(first_url)["leader"] is True
        written = intents(pg_schema_dsn)
        assert written > 0  # the leader wrote (journalled) tickets
        standby = status(second_url)
        assert all(job["runs"] == 0 for job in standby["jobs"].values())
        assert get_json(f"{second_url}/readyz")["ready"] is True
        first.proc.kill()  # kill -9: no goodbye, the server drops the session and its lock
        took = wait_for(lambda: status(second_url)["leader"] is True, 15)
        assert took < 15
        second.wait_event("job_finished", job="sync")
        assert status(second_url)["jobs"]["sync"]["runs"] == 1
    finally:
        first.stop()
        if second is not None:
            second.stop()
