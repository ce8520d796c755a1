"""Fixtures for sync engine scenarios: both simulated trackers, both stores, a frozen clock."""

from __future__ import annotations

import datetime as dt
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.adapters.stores import PostgresStore, SqliteStore
from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.domain.extract import extract
from followthrough.domain.model import Postmortem
from followthrough.domain.policy import TeamPolicy
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Store, Tracker
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import Sandbox, SimClock

START = dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)
SEARCH_LAG = 5.0
ALICE_JIRA = "712020:a11ce000-0000-4000-8000-00000000a11c"
BOB_JIRA = "712020:b0b00000-0000-4000-8000-000000000b0b"
PG_DSN = os.environ.get("FOLLOWTHROUGH_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")


@pytest.fixture
def clock() -> SimClock:
    moment = SimClock(START)
    moment.freeze(START)
    return moment


@pytest.fixture
def sandbox(clock: SimClock) -> Iterator[Sandbox]:
    box = Sandbox(clock=clock)
    box.start()
    yield box
    box.stop()


@pytest.fixture(params=["jira", "github"])
def tracker_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def make_tracker(sandbox: Sandbox, clock: SimClock, tracker_kind: str) -> Callable[..., Tracker]:
    def build(**overrides: Any) -> Tracker:
        info = sandbox.info()
        if tracker_kind == "jira":
            options: dict[str, Any] = {
                "url": info["jira"],
                "user": info["user"],
                "token": info["token"],
                "project": "OPS",
                "search_lag": dt.timedelta(seconds=SEARCH_LAG),
                "timeout": 5.0,
                "clock": clock.now,
            }
            return JiraTracker(**{**options, **overrides})
        options = {
            "token": info["token"],
            "repo": "acme/ops",
            "base_url": info["github"],
            "min_write_interval": 0.0,
            "clock": clock.now,
        }
        return GitHubTracker(**{**options, **overrides})

    return build


@pytest.fixture
def team(tracker_kind: str) -> TeamPolicy:
    if tracker_kind == "jira":
        directory = {"alice": ALICE_JIRA, "bob": BOB_JIRA}
        return TeamPolicy(
            name="payments",
            tracker_kind="jira",
            project="OPS",
            directory=directory,
            soak_days=0,
            labels=("postmortem",),
        )
    directory = {"alice": "alice", "bob": "bob"}
    return TeamPolicy(
        name="payments",
        tracker_kind="github",
        project="acme/ops",
        directory=directory,
        soak_days=0,
        labels=("postmortem",),
    )


def _postgres_available() -> bool:
    try:
        with psycopg.connect(PG_DSN, connect_timeout=2):
            return True
    except Exception:
        return False


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_factory(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Callable[[], Store]]:
    """Opens the same journal again each call (a restarted process sees the same state)."""
    if request.param == "sqlite":
        path = tmp_path / "journal.db"

        def sqlite() -> Store:
            store = SqliteStore(path)
            store.migrate()
            return store

        yield sqlite
        return
    if not _postgres_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_DSN}, and CI must run these tests")
        pytest.skip(f"PostgreSQL is not reachable at {PG_DSN}")

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    dsn = f"{PG_DSN}?options=-csearch_path%3D{schema}"

    def postgres() -> Store:
        store = PostgresStore(dsn)
        store.migrate()
        return store

    yield postgres
    with psycopg.connect(PG_DSN, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def make_engine(clock: SimClock) -> Callable[[Store], SyncEngine]:
    def build(store: Store) -> SyncEngine:
        return SyncEngine(store=store, clock=clock.now, retry=RetryPolicy.no_wait(attempts=8))

    return build


def postmortems(
    text: str, *, path: str = "payments/2026-11-20-pool.md", team: str = "payments"
) -> list[Postmortem]:
    """Postmortems from Markdown, exactly as the folder source would read them."""
    doc = parse_markdown(text, path=path, folder=team, stem=Path(path).name.removesuffix(".md"))
    return list(extract(doc))
