"""History kept by sync: the trackers' own (Jira's changelog, GitHub's issue events) and the
journal's sightings, read along with the listings — never a call per ticket, none when quiet."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from typing import Any, cast

import requests

from followthrough.adapters.trackers.memory import ProjectMemory
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.ticket_history import TicketChange, promise_history
from followthrough.domain.tickets import (
    FieldChanges,
    Marker,
    Ticket,
    TicketFields,
    TicketSpec,
    TicketState,
)
from followthrough.engine.listing import project_scope
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Store, Tracker
from followthrough.sandbox.core import Sandbox, SimClock
from tests.sync.conftest import ALICE_JIRA, BOB_JIRA, postmortems
from tests.sync.test_sync_engine import DOC, settle

QUIET = 600.0  # seconds between cycles: well past the listing's overlap


def history_calls(sandbox: Sandbox) -> int:
    """Calls that only history would make: changelogs, issue events, repository comments."""
    return sum(
        n
        for route, n in sandbox.accounting.counts().items()
        if "changelog" in route or "/events" in route or route.endswith("/issues/comments")
    )


def say(sandbox: Sandbox, kind: str, ref: str, text: str) -> None:
    """A comment without followthrough's tag, as a person writes one in the tracker."""
    info = sandbox.info()
    if kind == "jira":
        url = f"{info['jira']}/rest/api/2/issue/{ref}/comment"
        answer = requests.post(url, json={"body": text}, auth=(info["user"], info["token"]))
    else:
        number = ref.rpartition("#")[2]
        url = f"{info['github']}/repos/acme/ops/issues/{number}/comments"
        token = {"Authorization": f"token {info['token']}"}
        answer = requests.post(url, json={"body": text}, headers=token)
    answer.raise_for_status()


def person(sandbox: Sandbox, kind: str) -> tuple[AbstractContextManager[None], str]:
    """A person acting in the tracker's own screens, and their identity there."""
    app: Any = sandbox.app(kind)
    who = BOB_JIRA if kind == "jira" else "carol"
    return cast(AbstractContextManager[None], app.acting_as(who)), who


def by_key(tickets: Iterator[Ticket] | list[Ticket]) -> dict[str, Ticket]:
    return {t.marker.item_key: t for t in tickets if t.marker is not None}


def item_key(text: str, tickets: dict[str, Ticket]) -> str:
    return next(key for key, t in tickets.items() if text in t.fields.title)


def test_people_s_changes_are_kept_as_history_and_counted(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
    tracker_kind: str,
) -> None:
    store = store_factory()
    engine = make_engine(store)
    tracker = make_tracker()
    pms = postmortems(DOC)
    assert engine.sync_team(team, tracker, pms).applied.get("create") == 4
    settle(clock)
    engine.new_cycle()
    engine.sync_team(team, tracker, pms)
    tickets = by_key(tracker.list_tickets(updated_since=None).tickets)
    alert = tickets[item_key("Alert when pool", tickets)]
    pipeline = tickets[item_key("Validate pool", tickets)]
    paging = tickets[item_key("Page the database", tickets)]

    clock.advance(QUIET)
    acting, who = person(sandbox, tracker_kind)
    own_memory = make_tracker(memory=ProjectMemory())  # a person's tool, not this process
    with acting:
        moved = own_memory.update(alert.ref, FieldChanges(due=dt.date(2026, 12, 18), assignee=who))
        clock.advance(3600)
        closed_at = clock.now()
        own_memory.update(pipeline.ref, FieldChanges(state=TicketState.DONE))
        clock.advance(3600)
        own_memory.update(pipeline.ref, FieldChanges(state=TicketState.OPEN))
        tracker.comment(paging.ref, "A reminder", marker="nudge:1")  # tagged: ours
        clock.advance(60)
        said_at = clock.now()
        say(sandbox, tracker_kind, paging.ref, "On it")
    assert moved.fields.due == dt.date(2026, 12, 18)
    settle(clock)
    engine.new_cycle()
    sandbox.accounting.reset()
    result = engine.sync_team(team, tracker, pms)
    assert result.ok, result.error
    # Jira's changelog and comments ride on the listing's search; GitHub's events and
    # comments are one repository-wide page each for all the changed issues.
    assert history_calls(sandbox) == (0 if tracker_kind == "jira" else 2)

    kept = store.ticket_history(project_scope(tracker), tracker.project)
    alert_history = promise_history(
        kept[alert.ref], due=dt.date(2026, 12, 18), created=alert.created
    )
    assert alert_history.first_due == dt.date(2026, 12, 4)
    assert (alert_history.due_moves, alert_history.days_moved) == (1, 14)
    assert alert_history.reassignments == 1
    pipeline_history = promise_history(kept[pipeline.ref], due=None, created=pipeline.created)
    assert pipeline_history.first_activity is not None
    assert abs((pipeline_history.first_activity - closed_at).total_seconds()) < 5
    paging_history = promise_history(kept[paging.ref], due=None, created=paging.created)
    assert paging_history.first_activity is not None  # the person's comment, not our reminder
    assert abs((paging_history.first_activity - said_at).total_seconds()) < 5
    sources = {c.source for c in kept[pipeline.ref] if c.field == "state" and c.human}
    assert "tracker" in sources  # the tracker said who: a person
    ours = [c for c in kept[alert.ref] if c.source == "tracker" and not c.human]
    assert all(c.at <= alert.created + dt.timedelta(minutes=1) for c in ours)

    # The same changes listed again are kept once.
    rows = _count(kept)
    clock.advance(QUIET)
    own_memory.update(alert.ref, FieldChanges(title="Alert when pool usage exceeds 80%"))
    settle(clock)
    engine.new_cycle()
    engine.sync_team(team, tracker, pms)
    again = store.ticket_history(project_scope(tracker), tracker.project)
    assert _count(again) == rows


def _count(kept: dict[str, list[TicketChange]]) -> int:
    return sum(len(changes) for changes in kept.values())


def test_a_quiet_cycle_costs_no_call_for_history(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    store = store_factory()
    engine = make_engine(store)
    tracker = make_tracker()
    pms = postmortems(DOC)
    engine.sync_team(team, tracker, pms)
    settle(clock)
    engine.new_cycle()
    engine.sync_team(team, tracker, pms)  # lists our own writes back: nothing new to ask
    clock.advance(QUIET)
    engine.new_cycle()
    sandbox.accounting.reset()
    result = engine.sync_team(team, tracker, pms)
    assert result.ok
    assert not result.plan.writes
    assert history_calls(sandbox) == 0
    assert sandbox.accounting.total() == 1  # the listing, as before history was kept
    kept = store.ticket_history(project_scope(tracker), tracker.project)
    assert len(kept) == 4
    assert not [c for cs in kept.values() for c in cs if c.human]  # nobody but us acted


def test_history_is_read_from_the_listing_s_cursor_on(
    make_tracker: Callable[..., Tracker],
    clock: SimClock,
    sandbox: Sandbox,
    tracker_kind: str,
) -> None:
    tracker = make_tracker()
    made = tracker.create(
        TicketSpec(
            marker=Marker(item_key="pm-1#1"),
            fields=TicketFields(title="Alert on pool usage", due=dt.date(2026, 12, 4)),
            body="An action item.",
        )
    )
    settle(clock)
    tracker.list_tickets(updated_since=None)
    acting, who = person(sandbox, tracker_kind)
    other = make_tracker(memory=ProjectMemory())
    clock.advance(QUIET)
    with acting:
        other.update(made.ref, FieldChanges(state=TicketState.DONE))  # before the cursor
    clock.advance(QUIET)
    cursor = clock.now()
    clock.advance(QUIET)
    with person(sandbox, tracker_kind)[0]:
        other.update(made.ref, FieldChanges(assignee=who))  # after it
    settle(clock)
    sandbox.accounting.reset()
    batch = tracker.list_tickets(updated_since=cursor)
    assert [(c.field, c.value) for c in batch.history] == [("assignee", who)]
    assert history_calls(sandbox) == (0 if tracker_kind == "jira" else 2)
    everything = tracker.list_tickets(updated_since=None).history
    if tracker_kind == "jira":  # a full listing carries the whole changelog, still no call
        assert {c.field for c in everything} == {"state", "assignee"}
    else:  # GitHub's events are read for listings of changes only
        assert everything == ()


def test_a_due_date_moved_in_the_document_is_a_move_sync_made(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    store = store_factory()
    engine = make_engine(store)
    tracker = make_tracker()
    engine.sync_team(team, tracker, postmortems(DOC))
    settle(clock)
    clock.advance(QUIET)
    engine.new_cycle()
    moved = DOC.replace("due 2026-12-04", "due 2026-12-11")
    assert engine.sync_team(team, tracker, postmortems(moved)).applied.get("update") == 1
    settle(clock)
    clock.advance(QUIET)
    engine.new_cycle()
    engine.sync_team(team, tracker, postmortems(moved))
    tickets = by_key(tracker.list_tickets(updated_since=None).tickets)
    alert = tickets[item_key("Alert when pool", tickets)]
    kept = store.ticket_history(project_scope(tracker), tracker.project)[alert.ref]
    found = promise_history(kept, due=alert.fields.due, created=alert.created)
    assert (found.first_due, found.due_moves, found.days_moved) == (dt.date(2026, 12, 4), 1, 7)
    assert found.first_activity is None
    assert not [c for c in kept if c.human]


def test_a_busy_ticket_s_history_is_read_whole_since_the_cursor(
    make_tracker: Callable[..., Tracker],
    clock: SimClock,
    sandbox: Sandbox,
    tracker_kind: str,
) -> None:
    tracker = make_tracker()
    made = tracker.create(
        TicketSpec(
            marker=Marker(item_key="pm-1#1"),
            fields=TicketFields(title="Alert on pool usage"),
            body="An action item.",
        )
    )
    settle(clock)
    (listed,) = tracker.list_tickets(updated_since=None).tickets
    clock.advance(QUIET)
    cursor = clock.now()
    other = make_tracker(memory=ProjectMemory())
    people = ("alice", "bob") if tracker_kind == "github" else (ALICE_JIRA, BOB_JIRA)
    with person(sandbox, tracker_kind)[0]:
        for turn in range(45):  # more than the 40 changes a Jira search expands
            clock.advance(1)
            other.update(made.ref, FieldChanges(assignee=people[turn % 2]))
    settle(clock)
    sandbox.accounting.reset()
    batch = tracker.list_tickets(updated_since=cursor)
    found = promise_history(batch.history, due=None, created=listed.created)
    assert found.reassignments == 45
    # Jira: the search, then one changelog page for what it left out; GitHub: one page of
    # events and one of comments.
    assert history_calls(sandbox) == (1 if tracker_kind == "jira" else 2)
