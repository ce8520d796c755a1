"""What only the PostgreSQL store promises: no password shown, reconnecting, CI's rule."""

from __future__ import annotations

import datetime as dt

import psycopg
import pytest

from followthrough.adapters.stores import PostgresStore, StoreError, redact_dsn
from followthrough.adapters.stores.pg_session import PgTimeouts
from tests.stores.conftest import require_postgres

SECRET = "s3cr3t-pa55"
UNREACHABLE = f"postgresql://followthrough:{SECRET}@127.0.0.1:1/journal"


@pytest.mark.parametrize(
    "dsn",
    [UNREACHABLE, f"host=127.0.0.1 port=1 user=followthrough password={SECRET} dbname=journal"],
)
def test_the_password_is_never_shown(dsn: str) -> None:
    store = PostgresStore(dsn, timeouts=PgTimeouts(connect=dt.timedelta(seconds=2)))
    assert SECRET not in repr(store)
    assert SECRET not in redact_dsn(dsn)
    assert "password=***" in redact_dsn(dsn)
    with pytest.raises(StoreError) as raised:
        store.ping()
    assert SECRET not in str(raised.value)
    assert raised.value.__cause__ is None  # the driver's error is not chained either
    assert "127.0.0.1" in str(raised.value)


def test_an_unparseable_dsn_is_not_echoed() -> None:
    assert redact_dsn(f"not a dsn {SECRET}") == "<unparseable DSN>"


@pytest.mark.postgres
def test_reconnects_after_the_connection_breaks(pg_dsn: str) -> None:
    with PostgresStore(pg_dsn) as store:
        store.migrate()
        store.set_cursor("ops", "a", "1")
        with store._transaction(write=False) as session:
            (pid,) = session.rows("SELECT pg_backend_pid()")[0]
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        with pytest.raises(StoreError):
            store.ping()  # the call in flight fails; the next one reconnects
        assert store.cursor("ops", "a") == "1"


@pytest.mark.postgres
def test_a_failed_statement_rolls_back_the_transaction(pg_dsn: str) -> None:
    with PostgresStore(pg_dsn) as store:
        store.migrate()

        def half_written() -> None:
            with store._transaction(write=True) as session:
                session.run("INSERT INTO cursors (team, name, value) VALUES ('ops', 'a', 'x')")
                session.run("SELECT no_such_column FROM cursors")

        with pytest.raises(StoreError, match="no_such_column"):
            half_written()
        assert store.cursor("ops", "a") is None
        store.set_cursor("ops", "a", "y")  # the connection is usable again
        assert store.cursor("ops", "a") == "y"


def test_unreachable_postgres_skips_outside_ci() -> None:
    with pytest.raises(pytest.skip.Exception, match="unreachable"):
        require_postgres(UNREACHABLE, {})


def test_unreachable_postgres_fails_under_ci() -> None:
    with pytest.raises(pytest.fail.Exception, match="CI is set"):
        require_postgres(UNREACHABLE, {"CI": "true"})
