"""Reminder runs on both trackers and both stores: posted once, recorded, never doubled."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import replace
from typing import Any, cast

import pytest

from followthrough.adapters.templates import CommentContext, ReminderTemplates
from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.remind import PlannedReminder, ReminderPolicy
from followthrough.domain.tickets import FieldChanges, TicketState
from followthrough.engine.remind import ReminderEngine, tickets_of_team
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Link, ReminderStore, Store, Tracker
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import SimClock
from tests.sync.conftest import SEARCH_LAG, postmortems

DOC = """---
date: 2026-10-01
team: payments
---
# Pool exhaustion

## Action items

- Alert when pool usage exceeds 80% for 2 minutes. Owner: @alice, due 2026-11-10
- Validate pool sizes in the config pipeline. Owner: @bob, due 2027-03-01
"""
CALENDAR = BusinessCalendar(
    zoneinfo.ZoneInfo("UTC"), frozenset(range(5)), dt.time(8), dt.time(18), frozenset()
)
POLICY = ReminderPolicy(
    stale_days=14, backoff_days=(7, 14), escalate_after_nudges=0, escalate_after_overdue_days=0
)
TEMPLATES = ReminderTemplates()


class Crash(BaseException):
    """kill -9 right after the comment was posted, before the journal records it."""


def render_for(kind: str) -> Callable[[str, PlannedReminder, Link | None], str]:
    def render(action: str, reminder: PlannedReminder, link: Link | None) -> str:
        ticket = reminder.activity.ticket
        context = CommentContext(
            item_title=ticket.fields.title,
            today=dt.date(2026, 11, 24),
            due=ticket.fields.due,
            owner=ticket.fields.assignee,
        )
        tracker_kind = "jira" if kind == "jira" else "github"
        return TEMPLATES.render_nudge(tracker_kind=tracker_kind, context=context)  # type: ignore[arg-type]

    return render


def synced(
    make_tracker: Callable[..., Tracker], store: Store, team: TeamPolicy, clock: SimClock
) -> Tracker:
    tracker = make_tracker()
    SyncEngine(store=store, clock=clock.now, retry=RetryPolicy.no_wait()).sync_team(
        team, tracker, postmortems(DOC)
    )
    clock.advance(SEARCH_LAG + 1)
    return tracker


def run(
    store: Store,
    tracker: Tracker,
    team: TeamPolicy,
    clock: SimClock,
    policy: ReminderPolicy = POLICY,
    **kwargs: Any,
) -> Any:
    current = {t.ref: t for t in tracker.list_tickets(updated_since=None).tickets}
    tickets = tickets_of_team(store.links(team.name), current)
    engine = ReminderEngine(
        store=cast(ReminderStore, store), clock=clock.now, retry=RetryPolicy.no_wait()
    )
    return engine.run_team(
        team.name,
        tracker,
        tickets,
        policy=policy,
        calendar=CALENDAR,
        render=render_for(tracker.kind),
        **kwargs,
    )


def nudges_on(tracker: Tracker, title: str) -> int:
    ticket = next(
        t for t in tracker.list_tickets(updated_since=None).tickets if t.fields.title == title
    )
    return sum("friendly reminder" in c.body for c in tracker.comments(ticket.ref))


OVERDUE = "Alert when pool usage exceeds 80% for 2 minutes"


def test_overdue_ticket_is_nudged_once_and_the_rest_wait(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    dry = run(store, tracker, team, clock, dry_run=True)
    assert {p.activity.ticket.fields.title: p.decision.action for p in dry.planned} == {
        OVERDUE: "nudge",
        "Validate pool sizes in the config pipeline": "none",
    }
    assert nudges_on(tracker, OVERDUE) == 0
    first = run(store, tracker, team, clock)
    assert first.posted == 1
    clock.advance(3600)
    again = run(store, tracker, team, clock)
    assert again.posted == 0
    assert nudges_on(tracker, OVERDUE) == 1
    states = [row.state for row in cast(ReminderStore, store).nudges(team.name)]
    assert states == ["posted"]


def test_an_escalation_posted_is_counted_as_one(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    policy = replace(POLICY, escalate_after_overdue_days=1, lead="lead-1")
    result = run(store, tracker, team, clock, policy=policy)
    assert [p.decision.action for p in result.planned if p.decision.action != "none"] == [
        "escalate"
    ]
    assert (result.posted, result.escalated) == (1, 1)


def test_crash_between_post_and_record_never_doubles(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    original = tracker.comment

    def comment_then_crash(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise Crash

    tracker.comment = comment_then_crash  # type: ignore[method-assign]
    with pytest.raises(Crash):
        run(store, tracker, team, clock)
    restarted = run(store_factory(), make_tracker(), team, clock)
    assert restarted.posted == 0
    assert nudges_on(tracker, OVERDUE) == 1
    assert [row.state for row in cast(ReminderStore, store_factory()).nudges(team.name)] == [
        "posted"
    ]


def test_closed_tickets_are_never_nudged(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    overdue = next(
        t for t in tracker.list_tickets(updated_since=None).tickets if t.fields.title == OVERDUE
    )
    tracker.update(overdue.ref, FieldChanges(state=TicketState.DONE))
    clock.advance(SEARCH_LAG + 1)
    result = run(store, tracker, team, clock)
    assert result.posted == 0
    assert all(p.activity.ticket.ref != overdue.ref for p in result.planned)
