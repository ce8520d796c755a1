"""PostgreSQL behind a broken network: the journal fails fast, leadership moves by itself.

Every test puts a `FaultProxy` between the product and the server and breaks it: a stall
(nothing forwarded, sockets open), a reset, or a half-open session (the server still thinks
the client is there).
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator

import psycopg
import pytest
from psycopg.conninfo import conninfo_to_dict

from followthrough.adapters.stores import PostgresStore, StoreError
from followthrough.adapters.stores.pg_session import PgTimeouts, session_conninfo
from followthrough.app.daemon.leader import PostgresLeadership
from tests.stores.fault_proxy import FaultProxy

pytestmark = pytest.mark.postgres

SHORT = PgTimeouts(
    connect=dt.timedelta(seconds=2),
    statement=dt.timedelta(seconds=1),
    lock=dt.timedelta(seconds=1),
    lease=dt.timedelta(seconds=3),
)


@pytest.fixture
def proxy() -> Iterator[FaultProxy]:
    opened = FaultProxy()
    yield opened
    opened.close()


def seconds_to_fail(call: Callable[[], object]) -> float:
    start = time.monotonic()
    with pytest.raises(StoreError):
        call()
    return time.monotonic() - start


def wait_for(check: Callable[[], bool], timeout: float) -> float:
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if check():
            return time.monotonic() - start
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s")


def test_every_session_carries_timeouts_and_keepalives() -> None:
    dsn = "postgresql://ft@db.example/journal?options=-csearch_path%3Dops"

    params = conninfo_to_dict(session_conninfo(dsn, SHORT, application_name="followthrough"))

    assert params["connect_timeout"] == "2"
    assert params["keepalives"] == "1"
    assert (params["keepalives_idle"], params["keepalives_interval"]) == ("1", "1")
    assert params["keepalives_count"] == "3"
    assert params["tcp_user_timeout"] == "3000"
    options = str(params["options"])
    assert options.startswith("-csearch_path=ops ")  # the DSN's own options stay
    for setting in ("statement_timeout=1000", "lock_timeout=1000", "tcp_keepalives_idle=1"):
        assert f"-c {setting}" in options


def test_a_stalled_journal_fails_a_call_instead_of_hanging(pg_dsn: str, proxy: FaultProxy) -> None:
    store = PostgresStore(proxy.dsn(pg_dsn), timeouts=SHORT)
    try:
        store.migrate()
        proxy.stall()
        took = seconds_to_fail(store.ping)
        assert took < SHORT.budget + 2
        proxy.heal()
        store.ping()  # reconnects once the network is back
    finally:
        store.close()


def test_closing_a_store_stuck_on_a_stall_does_not_wait_for_it(
    pg_dsn: str, proxy: FaultProxy
) -> None:
    store = PostgresStore(
        proxy.dsn(pg_dsn), timeouts=PgTimeouts(statement=dt.timedelta(seconds=60))
    )
    store.migrate()
    proxy.stall()
    failures: list[StoreError] = []

    def ping() -> None:
        try:
            store.ping()
        except StoreError as error:
            failures.append(error)

    stuck = threading.Thread(target=ping, daemon=True)
    stuck.start()
    time.sleep(0.5)
    start = time.monotonic()
    store.close()
    assert time.monotonic() - start < 3
    stuck.join(3)
    assert not stuck.is_alive()
    assert len(failures) == 1  # the stuck call failed as its socket was shut down


def test_a_lock_wait_ends_at_the_lock_timeout(pg_dsn: str) -> None:
    store = PostgresStore(pg_dsn, timeouts=SHORT)
    try:
        store.migrate()
        with psycopg.connect(pg_dsn) as admin:
            admin.execute("LOCK TABLE intents IN ACCESS EXCLUSIVE MODE")
            took = seconds_to_fail(lambda: store.open_intents("payments"))
        assert took < 1 + 2
        assert store.open_intents("payments") == []
    finally:
        store.close()


def leadership(dsn: str) -> PostgresLeadership:
    return PostgresLeadership(
        dsn,
        clock=lambda: dt.datetime.now(dt.UTC),
        log=lambda *_a, **_k: None,
        retry_every=dt.timedelta(0),
        timeouts=SHORT,
    )


@pytest.mark.parametrize("fault", ["reset", "stall", "half_open"])
def test_a_standby_takes_over_from_a_leader_cut_off(
    pg_dsn: str, proxy: FaultProxy, fault: str
) -> None:
    cut_off, standby = leadership(proxy.dsn(pg_dsn)), leadership(pg_dsn)
    try:
        assert cut_off.refresh() == "leader"
        assert standby.refresh() == "standby"
        getattr(proxy, fault)()
        wait_for(lambda: cut_off.refresh() != "leader", 3)
        assert not cut_off.is_leader()
        wait_for(lambda: standby.refresh() == "leader", 3 * 3)
        proxy.heal()
        wait_for(lambda: cut_off.refresh() == "standby", 3 * 3)
        assert standby.refresh() == "leader"
    finally:
        cut_off.close()
        standby.close()
