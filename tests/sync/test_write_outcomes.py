"""Regression tests: the ways a crash, a lost answer, a missing ticket or a long Retry-After
once broke "exactly one ticket" and "never doubled" (each failed before its fix)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, cast

import pytest

from followthrough.domain.policy import TeamPolicy
from followthrough.engine.listing import project_scope
from followthrough.engine.remind import ReminderEngine, nudge_tag
from followthrough.engine.sync import SyncEngine
from followthrough.ports import ReminderStore, Store, Tracker, TrackerTemporaryError
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import Sandbox, SimClock
from tests.sync.conftest import SEARCH_LAG, postmortems
from tests.sync.test_remind_engine import (
    CALENDAR,
    OVERDUE,
    POLICY,
    nudges_on,
    render_for,
    run,
    synced,
)

DOC = """---
date: 2026-11-01
team: payments
---
# Pool exhaustion

## Action items

- Alert when pool usage exceeds 80% for 2 minutes. Owner: @alice, due 2026-12-10
- Validate pool sizes in the config pipeline. Owner: @bob, due 2027-03-01
"""


class Crash(BaseException):
    """The process dies here: nothing after this point runs."""


class CrashingStore:
    """The store, dying at its ``crash_at``-th call (counted from 1; 0 never)."""

    def __init__(self, store: Store, crash_at: int = 0) -> None:
        self._store = store
        self._crash_at = crash_at
        self.calls = 0

    def __getattr__(self, name: str) -> Any:
        target = getattr(self._store, name)
        if not callable(target):
            return target

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls += 1
            if self.calls == self._crash_at:
                raise Crash(name)
            return target(*args, **kwargs)

        return call


def tickets_by_item(tracker: Tracker) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for ticket in tracker.list_tickets(updated_since=None).tickets:
        if ticket.marker is not None:
            found.setdefault(ticket.marker.item_key, []).append(ticket.ref)
    return found


def converge(
    engine_for: Callable[[Store], SyncEngine],
    store: Store,
    team: TeamPolicy,
    tracker: Tracker,
    clock: SimClock,
    text: str = DOC,
) -> None:
    for _ in range(4):
        clock.advance(SEARCH_LAG + 1)
        engine_for(store).sync_team(team, tracker, postmortems(text))


def test_a_crash_at_any_store_call_after_a_create_never_duplicates(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    """Before: the result was journalled, then the ticket cache and the link in later
    transactions; a crash between them, restarted inside the search lag, created again."""
    empty = sandbox.dump_state()
    counting = CrashingStore(store_factory())
    make_engine(cast(Store, counting)).sync_team(team, make_tracker(), postmortems(DOC))
    calls = counting.calls
    assert calls > 5
    for crash_at in range(1, calls + 1):
        store = store_factory()
        _wipe(store)
        sandbox.load_state(empty)
        crashing = CrashingStore(store, crash_at)
        with pytest.raises(Crash):
            make_engine(cast(Store, crashing)).sync_team(team, make_tracker(), postmortems(DOC))
        # restarted at once: inside the tracker's search lag
        make_engine(store).sync_team(team, make_tracker(), postmortems(DOC))
        converge(make_engine, store, team, make_tracker(), clock)
        found = tickets_by_item(make_tracker())
        assert len(found) == 2, (crash_at, found)
        assert all(len(refs) == 1 for refs in found.values()), (crash_at, found)


def _wipe(store: Store) -> None:
    sql = getattr(store, "_transaction", None)
    assert sql is not None
    with sql(write=True) as session:
        for table in ("intents", "links", "tickets", "cursors", "nudges"):
            session.run(f"DELETE FROM {table}")


def test_a_ticket_that_does_not_exist_is_a_finding_not_a_crash(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
) -> None:
    """Before: UnboundLocalError in apply for every team, on every cycle."""
    ref = "OPS-999" if team.tracker_kind == "jira" else "acme/ops#999"
    text = DOC + f"- Rotate the pool credentials. Owner: @alice, due 2027-01-10, ticket {ref}\n"
    result = make_engine(store_factory()).sync_team(team, make_tracker(), postmortems(text))
    assert result.error is None
    assert result.applied == {"create": 2}
    assert [f.code for f in result.findings] == ["ticket-not-found"]
    assert len(result.failed) == 1


def test_an_update_whose_answer_was_lost_is_settled_before_the_document_reverts(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    """Before: a lost answer on an update was journalled as 'not applied'; when the document
    went back to the old owner, the ticket kept the new one (a converged run, a wrong field)."""
    store, tracker = store_factory(), make_tracker()
    make_engine(store).sync_team(team, tracker, postmortems(DOC))
    clock.advance(SEARCH_LAG + 1)
    original = tracker.update

    def update_then_drop(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise TrackerTemporaryError("connection reset after the request was sent")

    lossy = make_tracker()
    lossy.update = update_then_drop  # type: ignore[method-assign]
    edited = DOC.replace("Owner: @alice, due 2026-12-10", "Owner: @bob, due 2026-12-10")
    result = make_engine(store).sync_team(team, lossy, postmortems(edited))
    assert len(result.failed) == 1
    converge(make_engine, store, team, tracker, clock, text=DOC)  # the document reverted
    wanted = "alice" if team.tracker_kind == "github" else team.directory["alice"]
    alert = next(
        t for t in tracker.list_tickets(updated_since=None).tickets if "Alert" in t.fields.title
    )
    assert alert.fields.assignee == wanted


def test_a_reminder_whose_answer_was_lost_is_never_posted_twice(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    """Before: the lost answer was journalled as 'failed', and the next run posted again."""
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    original = tracker.comment

    def comment_then_drop(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise TrackerTemporaryError("connection reset after the request was sent")

    tracker.comment = comment_then_drop  # type: ignore[method-assign]
    first = run(store, tracker, team, clock)
    assert first.posted == 0
    assert len(first.failed) == 1
    clock.advance(3600)
    again = run(store, make_tracker(), team, clock)
    assert again.posted == 0
    assert nudges_on(make_tracker(), OVERDUE) == 1
    states = [row.state for row in cast(ReminderStore, store).nudges(team.name)]
    assert states == ["posted"]


def test_a_tag_is_matched_exactly_not_as_a_substring(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    """Before: an open 'nudge:1' was settled as posted by a comment tagged 'nudge:12'."""
    store = cast(ReminderStore, store_factory())
    tracker = synced(make_tracker, store, team, clock)
    ticket = next(
        t for t in tracker.list_tickets(updated_since=None).tickets if t.fields.title == OVERDUE
    )
    row = store.begin_nudge(
        team=team.name, ticket_ref=ticket.ref, item_key="k", kind="nudge", now=clock.now()
    )
    tracker.comment(ticket.ref, "someone else's note", marker=nudge_tag(row.id) + "2")
    engine = ReminderEngine(store=store, clock=clock.now, retry=RetryPolicy.no_wait())
    engine._settle_open(team.name, tracker)
    (settled,) = [r for r in store.nudges(team.name) if r.id == row.id]
    assert settled.state == "failed"


def test_a_ticket_deleted_in_the_tracker_does_not_stop_reminders(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    """Before: a full listing never pruned the stored tickets, and `remind` raised 'not
    found' for the whole team on every run."""
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    overdue = next(
        t for t in tracker.list_tickets(updated_since=None).tickets if t.fields.title == OVERDUE
    )
    _delete(sandbox, overdue.ref)
    engine = SyncEngine(
        store=store,
        clock=clock.now,
        retry=RetryPolicy.no_wait(),
        full_listing_every=dt.timedelta(0),
    )
    clock.advance(60)
    listed = {t.ref for t in engine.current_tickets(team, tracker, dry_run=False)}
    assert overdue.ref not in listed
    assert overdue.ref not in store.known_tickets(project_scope(tracker), tracker.project)
    # and even with the deleted ticket still cached, the run names it instead of failing
    still_cached = [overdue, *tracker.list_tickets(updated_since=None).tickets]
    engine_r = ReminderEngine(
        store=cast(ReminderStore, store), clock=clock.now, retry=RetryPolicy.no_wait()
    )
    result = engine_r.run_team(
        team.name,
        tracker,
        still_cached,
        policy=POLICY,
        calendar=CALENDAR,
        render=render_for(tracker.kind),
    )
    assert result.missing == [overdue.ref]


def _delete(sandbox: Sandbox, ref: str) -> None:
    if "#" in ref:
        github = cast(Any, sandbox.app("github"))
        for repo in github._api.state.repos.values():
            repo.issues.pop(int(ref.rpartition("#")[2]), None)
        return
    jira = cast(Any, sandbox.app("jira"))
    for ident, issue in list(jira.store.issues.items()):
        if issue["key"] == ref:  # gone from the issues and from the search index
            del jira.store.issues[ident]
            jira.store.history.pop(ident, None)


def test_a_rate_limit_longer_than_the_cap_defers_the_rest_to_the_next_cycle(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    """Before: a one-hour Retry-After was slept on the worker's only thread."""
    slept: list[float] = []
    events: list[tuple[str, dict[str, Any]]] = []
    engine = SyncEngine(
        store=store_factory(),
        clock=clock.now,
        retry=RetryPolicy(sleep=slept.append, jitter=lambda: 0.0),
        log=lambda event, **fields: events.append((event, fields)),
    )
    app = "jira" if team.tracker_kind == "jira" else "github"
    sandbox.add_fault("rate_limit", app, count=1, method="POST", params={"retry_after": 3600})
    result = engine.sync_team(team, make_tracker(), postmortems(DOC))
    assert slept == []
    assert result.error is not None
    assert "left for the next cycle" in result.error
    assert result.applied == {}
    assert ("team_sync_stopped", {"team": team.name, "error": result.error}) in events
    clock.advance(SEARCH_LAG + 1)
    again = engine.sync_team(team, make_tracker(), postmortems(DOC))
    assert again.ok
    assert again.applied == {"create": 2}


def test_reminder_retries_are_logged(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    """Before: the reminder engine retried silently."""
    store = store_factory()
    tracker = synced(make_tracker, store, team, clock)
    events: list[tuple[str, dict[str, Any]]] = []
    current = {t.ref: t for t in tracker.list_tickets(updated_since=None).tickets}
    app = "jira" if team.tracker_kind == "jira" else "github"
    sandbox.add_fault("server_error", app, count=1, method="POST", params={"status": 503})
    engine = ReminderEngine(
        store=cast(ReminderStore, store),
        clock=clock.now,
        retry=RetryPolicy.no_wait(),
        log=lambda event, **fields: events.append((event, fields)),
    )
    result = engine.run_team(
        team.name,
        tracker,
        list(current.values()),
        policy=POLICY,
        calendar=CALENDAR,
        render=render_for(tracker.kind),
    )
    assert result.posted == 1
    retries = [fields for event, fields in events if event == "retry_scheduled"]
    assert [(r["call"], r["attempt"]) for r in retries] == [("comment", 1)]
