"""Incremental listings run on the tracker's clock: a tracker 10 minutes ahead of or behind ours.

The sandbox's clock is the product's clock skewed (`SimClock.skewed`); the Jira user's zone
is not UTC, so a JQL date written in the wrong zone would show too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import Ticket
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Store, TicketBatch, Tracker
from followthrough.sandbox.core import Sandbox, SimClock
from tests.sync.conftest import SEARCH_LAG, postmortems

DOC = """---
date: 2026-11-20
team: payments
---
# Pool exhaustion

## Action items

- Alert when pool usage exceeds 80% for 2 minutes. Owner: @alice, due 2026-12-04
- Validate pool sizes in the config pipeline. Owner: @bob, due 2026-12-11
- [x] Roll back the pool change. Owner: @alice, due 2026-11-20
"""
CYCLE = 600  # seconds between sync cycles
JIRA_ZONE = "America/Los_Angeles"  # behind UTC: a UTC date read here would be hours late


@pytest.fixture(params=[-600.0, 600.0], ids=["tracker-10min-behind", "tracker-10min-ahead"])
def skew(request: pytest.FixtureRequest) -> float:
    return float(request.param)


@pytest.fixture
def sandbox(clock: SimClock, skew: float) -> Iterator[Sandbox]:
    """The trackers, on a clock that is ``skew`` seconds off the product's."""
    box = Sandbox(clock=clock.skewed(skew))
    box.start()
    requests.post(f"{box.url('jira')}/_sandbox/config", json={"time_zone": JIRA_ZONE}, timeout=5)
    yield box
    box.stop()


class ListingRecorder:
    """A tracker that keeps every listing it answers (what was asked, what came back)."""

    def __init__(self, tracker: Tracker) -> None:
        self._tracker = tracker
        self.listings: list[tuple[dt.datetime | None, TicketBatch]] = []

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tracker, name)

    def list_tickets(self, *, updated_since: dt.datetime | None) -> TicketBatch:
        batch = self._tracker.list_tickets(updated_since=updated_since)
        self.listings.append((updated_since, batch))
        return batch


def cycle(engine: SyncEngine, team: TeamPolicy, tracker: ListingRecorder) -> TicketBatch:
    """One sync cycle; the listing it made."""
    engine.new_cycle()
    result = engine.sync_team(team, tracker, postmortems(DOC))  # type: ignore[arg-type]
    assert result.ok, result
    return tracker.listings[-1][1]


def retitle_by_hand(sandbox: Sandbox, ticket: Ticket, title: str) -> None:
    """A person renames the ticket in the tracker itself."""
    info = sandbox.info()
    if ticket.ref.startswith("acme/ops#"):
        number = ticket.ref.rsplit("#", 1)[1]
        answer = requests.patch(
            f"{info['github']}/repos/acme/ops/issues/{number}",
            json={"title": title},
            headers={"Authorization": f"token {info['token']}"},
            timeout=5,
        )
    else:
        answer = requests.put(
            f"{info['jira']}/rest/api/2/issue/{ticket.ref}",
            json={"fields": {"summary": title}},
            auth=(info["user"], info["token"]),
            timeout=5,
        )
    assert answer.status_code < 300, answer.text


@pytest.fixture
def recorded(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
) -> tuple[SyncEngine, ListingRecorder]:
    return make_engine(store_factory()), ListingRecorder(make_tracker())


def test_a_change_made_in_the_tracker_is_seen_by_the_next_incremental_listing(
    recorded: tuple[SyncEngine, ListingRecorder],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    engine, tracker = recorded
    cycle(engine, team, tracker)
    clock.advance(CYCLE)
    settled = cycle(engine, team, tracker)
    # Right after that listing, by the tracker's clock, a person renames a ticket.
    renamed = next(t for t in settled.tickets if t.fields.title.startswith("Validate"))
    retitle_by_hand(sandbox, renamed, "Validate pool sizes, renamed by hand")
    clock.advance(CYCLE)
    listing = cycle(engine, team, tracker)
    since = tracker.listings[-1][0]
    assert since is not None, "an incremental listing, not a full one"
    titles = {t.ref: t.fields.title for t in listing.tickets}
    assert titles.get(renamed.ref) == "Validate pool sizes, renamed by hand"


def test_a_quiet_cycle_lists_nothing_again(
    recorded: tuple[SyncEngine, ListingRecorder],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    engine, tracker = recorded
    first = cycle(engine, team, tracker)
    assert first.tickets == ()  # a new project: the full listing finds nothing yet
    clock.advance(CYCLE)
    settling = cycle(engine, team, tracker)  # the first sync's own writes, once
    assert len(settling.tickets) == 3
    clock.advance(CYCLE)
    quiet = cycle(engine, team, tracker)
    assert tracker.listings[-1][0] is not None, "an incremental listing, not a full one"
    assert quiet.tickets == ()


def test_the_cursor_is_the_trackers_time(
    recorded: tuple[SyncEngine, ListingRecorder],
    team: TeamPolicy,
    clock: SimClock,
    skew: float,
) -> None:
    engine, tracker = recorded
    clock.advance(SEARCH_LAG)
    batch = cycle(engine, team, tracker)
    assert batch.as_of == clock.now() + dt.timedelta(seconds=skew)
