"""What only the SQLite store promises: WAL, threads sharing one store, its own files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from followthrough.adapters.stores import PostgresStore, SqliteStore, StoreError, open_store
from tests.stores.test_store_contract import T0, _in_threads


def test_wal_mode_and_busy_timeout(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "journal.db", busy_timeout=dt.timedelta(seconds=2)) as store:
        assert store.journal_mode() == "wal"
        with store._transaction(write=False) as session:
            assert session.rows("PRAGMA busy_timeout") == [(2000,)]


def test_memory_store(tmp_path: Path) -> None:
    with SqliteStore(":memory:") as store:
        store.migrate()
        store.set_cursor("ops", "a", "b")
        assert store.cursor("ops", "a") == "b"
    assert list(tmp_path.iterdir()) == []


def test_missing_directories_are_created(tmp_path: Path) -> None:
    path = tmp_path / "state" / "nested" / "journal.db"
    with SqliteStore(str(path)) as store:
        store.migrate()
    assert path.exists()


def test_threads_share_one_store(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "journal.db") as store:
        store.migrate()

        def work(index: int) -> list[int]:
            ids = []
            for n in range(25):
                ids.append(
                    store.begin_intent(
                        team="ops", item_key=f"{index}-{n}", operation="x", payload={}, now=T0
                    ).id
                )
                store.set_cursor("ops", f"thread-{index}", str(n))
            return ids

        results = _in_threads(8, work)
        ids = [i for batch in results for i in batch]
        assert len(set(ids)) == 200
        assert len(store.open_intents("ops")) == 200
        assert {store.cursor("ops", f"thread-{i}") for i in range(8)} == {"24"}


def test_two_stores_on_one_file_wait_for_each_other(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    stores = [SqliteStore(path) for _ in range(4)]
    stores[0].migrate()

    def write(index: int) -> int:
        for n in range(30):
            stores[index].set_cursor("ops", str(n), str(index))
        return 30

    assert _in_threads(4, write) == [30] * 4  # no "database is locked" errors
    assert {stores[1].cursor("ops", str(n)) is not None for n in range(30)} == {True}
    for store in stores:
        store.close()


def test_a_file_that_is_not_a_database_raises_store_error(tmp_path: Path) -> None:
    path = tmp_path / "journal.db"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreError, match="journal"):
        SqliteStore(path).migrate()


def test_open_store_chooses_by_dsn(tmp_path: Path) -> None:
    sqlite = open_store(dsn=None, sqlite_path=tmp_path / "journal.db")
    assert isinstance(sqlite, SqliteStore)
    sqlite.close()
    assert isinstance(open_store(dsn="", sqlite_path=tmp_path / "j.db"), SqliteStore)
    postgres = open_store(dsn="postgresql://u:pw@127.0.0.1:1/db", sqlite_path=tmp_path / "x.db")
    assert isinstance(postgres, PostgresStore)  # connects lazily: nothing is reached yet
    postgres.close()
    assert not (tmp_path / "x.db").exists()
