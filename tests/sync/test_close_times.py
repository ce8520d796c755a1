"""Trackers say when a ticket was made and closed; listings, reads and writes all carry it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import FieldChanges, TicketState
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Store, Tracker
from followthrough.sandbox.core import SimClock
from tests.sync.conftest import SEARCH_LAG, postmortems
from tests.sync.test_sync_engine import all_tickets

DOC = """---
date: 2026-11-20
---
# Pool exhaustion

## Action items

- Alert on pool usage over 80%. Owner: @priya, due 2026-12-04
- [x] Roll back the pool size change. Owner: @priya
"""


def test_made_and_closed_times_come_from_the_tracker(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker = make_tracker()
    engine = make_engine(store_factory())
    made = clock.now()
    assert engine.sync_team(team, tracker, postmortems(DOC)).applied == {"create": 2}
    clock.advance(SEARCH_LAG + 1)
    by_state = {t.fields.state: t for t in all_tickets(tracker)}
    open_one, done_one = by_state[TicketState.OPEN], by_state[TicketState.DONE]
    for ticket in (open_one, done_one):
        assert ticket.created is not None
        assert abs((ticket.created - made).total_seconds()) < 5
    assert open_one.closed is None
    assert done_one.closed is not None
    assert dt.timedelta(0) <= done_one.closed - (done_one.created or made) < dt.timedelta(minutes=1)

    clock.advance(3600)
    closed = tracker.update(open_one.ref, FieldChanges(state=TicketState.DONE))
    assert closed.closed is not None
    assert abs((closed.closed - clock.now()).total_seconds()) < 2
    fresh = tracker.get(open_one.ref).closed
    assert fresh is not None
    assert abs((fresh - closed.closed).total_seconds()) < 1
    reopened = tracker.update(open_one.ref, FieldChanges(state=TicketState.OPEN))
    assert reopened.closed is None
    assert tracker.get(open_one.ref).closed is None
