"""Sync scenarios on both trackers and both stores: exactly one ticket per item, always."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import pytest

from followthrough.adapters.stores import SqliteStore
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import FieldChanges, Ticket, TicketState
from followthrough.engine.sync import SyncEngine
from followthrough.ports import Store, Tracker
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
- Page the database on-call when failover starts (owner: somebody-new)
"""


def settle(clock: SimClock) -> None:
    """Move past the trackers' search lag so a listing sees every write."""
    clock.advance(SEARCH_LAG + 1)


def all_tickets(tracker: Tracker) -> list[Ticket]:
    return list(tracker.list_tickets(updated_since=None).tickets)


def per_item(tracker: Tracker) -> Counter[str]:
    return Counter(t.marker.item_key for t in all_tickets(tracker) if t.marker is not None)


def writes(sandbox: Sandbox) -> int:
    return sandbox.accounting.total(writes_only=True)


def sync(engine: SyncEngine, team: TeamPolicy, tracker: Tracker, text: str = DOC) -> Any:
    return engine.sync_team(team, tracker, postmortems(text))


def test_new_postmortem_gives_one_ticket_per_item_with_owner_due_labels_and_link(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker = make_tracker()
    result = sync(make_engine(store_factory()), team, tracker)
    assert result.ok, result
    assert result.applied == {"create": 4}
    settle(clock)
    tickets = {t.fields.title: t for t in all_tickets(tracker)}
    alert = tickets["Alert when pool usage exceeds 80% for 2 minutes"]
    assert alert.fields.assignee == team.resolve_owner("alice")
    assert str(alert.fields.due) == "2026-12-04"
    assert "postmortem" in alert.fields.labels
    assert "payments/2026-11-20-pool.md" in alert.body
    assert tickets["Roll back the pool change"].fields.state == TicketState.DONE
    unowned = tickets["Page the database on-call when failover starts"]
    assert unowned.fields.assignee is None
    assert "needs-owner" in unowned.fields.labels
    assert set(per_item(tracker).values()) == {1}


def test_rerun_changes_nothing(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    tracker, engine = make_tracker(), make_engine(store_factory())
    sync(engine, team, tracker)
    settle(clock)
    before = writes(sandbox)
    again = sync(engine, team, tracker)
    assert again.ok
    assert again.applied == {}
    assert writes(sandbox) == before


def test_document_edits_propagate_and_tracker_edits_survive(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker, engine = make_tracker(), make_engine(store_factory())
    sync(engine, team, tracker)
    settle(clock)
    by_title = {t.fields.title: t for t in all_tickets(tracker)}
    human = by_title["Validate pool sizes in the config pipeline"]
    tracker.update(human.ref, FieldChanges(due=human.fields.due.replace(year=2027)))  # type: ignore[union-attr]
    edited = DOC.replace("Owner: @alice, due 2026-12-04", "Owner: @bob, due 2026-12-18").replace(
        "Page the database on-call when failover starts",
        "Page the database on-call as soon as failover starts",
    )
    settle(clock)
    result = sync(engine, team, tracker, edited)
    assert result.ok, result
    assert result.applied == {"update": 1, "rekey": 1}
    settle(clock)
    after = {t.fields.title: t for t in all_tickets(tracker)}
    assert after[
        "Alert when pool usage exceeds 80% for 2 minutes"
    ].fields.assignee == team.resolve_owner("bob")
    assert str(after["Alert when pool usage exceeds 80% for 2 minutes"].fields.due) == "2026-12-18"
    assert after["Validate pool sizes in the config pipeline"].fields.due.year == 2027  # type: ignore[union-attr]
    renamed = after["Page the database on-call as soon as failover starts"]
    assert renamed.ref == by_title["Page the database on-call when failover starts"].ref
    assert len(after) == 4


def test_removed_item_is_annotated_once(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker, engine = make_tracker(), make_engine(store_factory())
    sync(engine, team, tracker)
    settle(clock)
    shorter = DOC.replace(
        "- Validate pool sizes in the config pipeline. Owner: @bob, due 2026-12-11\n", ""
    )
    first = sync(engine, team, tracker, shorter)
    assert first.applied == {"annotate": 1}
    settle(clock)
    second = sync(engine, team, tracker, shorter)
    assert second.applied == {}
    gone = next(t for t in all_tickets(tracker) if t.fields.title.startswith("Validate"))
    assert gone.fields.state == TicketState.OPEN
    assert sum("no longer in its postmortem" in c.body for c in tracker.comments(gone.ref)) == 1


class Crash(BaseException):
    """Stands for kill -9: nothing after it runs, not even the journal's result record."""


class CrashingTracker:
    """Delegates to a real tracker and crashes right after its N-th write succeeded."""

    WRITES = frozenset({"create", "create_many", "update", "adopt", "comment"})

    def __init__(self, inner: Tracker, crash_after: int) -> None:
        self._inner = inner
        self._left = crash_after
        self.writes = 0
        self.kind, self.project = inner.kind, inner.project

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._inner, name)
        if name not in self.WRITES:
            return attribute

        def write(*args: Any, **kwargs: Any) -> Any:
            result = attribute(*args, **kwargs)
            self.writes += 1
            self._left -= 1
            if self._left == 0:
                raise Crash(name)
            return result

        return write


@pytest.mark.parametrize("crash_after", [1, 2, 3, 4])
def test_crash_after_any_write_never_duplicates(
    crash_after: int,
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    tracker = make_tracker()
    crashing = CrashingTracker(tracker, crash_after)
    try:
        sync(make_engine(store_factory()), team, crashing)  # type: ignore[arg-type]
    except Crash:
        pass
    else:  # fewer writes than the crash point (Jira creates in bulk): nothing to recover
        assert crashing.writes < crash_after
    for _ in range(3):  # restarted processes, each after the trackers' search lag
        settle(clock)
        result = sync(make_engine(store_factory()), team, make_tracker())
        assert result.error is None, result
    settle(clock)
    counts = per_item(tracker)
    assert len(counts) == 4
    assert set(counts.values()) == {1}


def test_lost_journal_rebuilds_from_markers_without_duplicates(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
    tmp_path: Any,
) -> None:
    tracker = make_tracker()
    sync(make_engine(store_factory()), team, tracker)
    settle(clock)
    empty = SqliteStore(tmp_path / "new-journal.db")
    empty.migrate()
    before = writes(sandbox)
    result = sync(make_engine(empty), team, tracker)
    assert result.ok
    assert result.applied == {}
    assert writes(sandbox) == before
    assert set(per_item(tracker).values()) == {1}
    assert len(empty.links(team.name)) == 4


def test_connections_dropped_after_the_tracker_acted_never_duplicate(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    """The answer to a create is lost after the tracker made the ticket: never create twice."""
    for method in ("POST", "PUT", "PATCH"):
        sandbox.add_fault(
            "drop", team.tracker_kind, probability=0.5, method=method, params={"when": "after"}
        )
    engine = make_engine(store_factory())
    for _ in range(4):
        sync(engine, team, make_tracker())
        settle(clock)
    sandbox.faults.clear()
    for _ in range(2):
        sync(engine, team, make_tracker())
        settle(clock)
    counts = per_item(make_tracker())
    assert len(counts) == 4
    assert set(counts.values()) == {1}


@pytest.mark.parametrize("fault", ["rate_limit", "server_error"])
def test_fault_storms_converge(
    fault: str,
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    app = team.tracker_kind
    params = {"retry_after": 0} if fault == "rate_limit" else {"status": 503, "burst": 3}
    sandbox.add_fault(fault, app, count=5, params=params)
    tracker, engine = make_tracker(), make_engine(store_factory())
    first = sync(engine, team, tracker)
    settle(clock)
    second = sync(engine, team, tracker)
    assert second.ok or first.ok
    settle(clock)
    assert set(per_item(tracker).values()) == {1}
    assert len(per_item(tracker)) == 4


def test_a_bad_project_stops_only_that_team(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    tracker_kind: str,
) -> None:
    engine = make_engine(store_factory())
    broken_project = "NOPE" if tracker_kind == "jira" else "acme/nope"
    broken = replace(team, name="broken", project=broken_project)
    override = {"project": "NOPE"} if tracker_kind == "jira" else {"repo": "acme/nope"}
    failed = engine.sync_team(broken, make_tracker(**override), postmortems(DOC, team="broken"))
    assert failed.error is not None
    fine = sync(engine, team, make_tracker())
    assert fine.ok
    assert fine.applied == {"create": 4}


def test_a_refused_close_after_a_create_neither_duplicates_nor_leaves_it_open(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
    sandbox: Sandbox,
) -> None:
    """The ticket of a done item is created, then its close is rate-limited."""
    if team.tracker_kind == "github":
        sandbox.add_fault(
            "rate_limit", "github", count=1, method="PATCH", params={"retry_after": 0}
        )
    else:
        sandbox.add_fault(
            "rate_limit",
            "jira",
            count=1,
            route_prefix="/rest/api/{v}/issue/{key}/transitions",
            params={"retry_after": 0},
        )
    tracker, engine = make_tracker(), make_engine(store_factory())
    sync(engine, team, tracker)
    settle(clock)
    sync(engine, team, tracker)
    settle(clock)
    counts = per_item(tracker)
    assert set(counts.values()) == {1}
    assert len(counts) == 4
    rolled_back = next(
        t for t in all_tickets(tracker) if t.fields.title == "Roll back the pool change"
    )
    assert rolled_back.fields.state == TicketState.DONE


def test_an_interrupted_update_is_not_taken_for_a_tracker_edit(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    """Update to bob reaches the tracker, the process dies, the document goes back to alice."""
    tracker = make_tracker()
    sync(make_engine(store_factory()), team, tracker)
    settle(clock)
    to_bob = DOC.replace("Owner: @alice, due 2026-12-04", "Owner: @bob, due 2026-12-04")
    with pytest.raises(Crash):
        sync(make_engine(store_factory()), team, CrashingTracker(tracker, 1), to_bob)  # type: ignore[arg-type]
    settle(clock)
    for _ in range(2):
        sync(make_engine(store_factory()), team, make_tracker(), DOC)
        settle(clock)
    alert = next(
        t for t in all_tickets(tracker) if t.fields.title.startswith("Alert when pool usage")
    )
    assert alert.fields.assignee == team.resolve_owner("alice")


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, int]] = []

    def start(self, team: str, writes: int) -> None:
        self.events.append(("start", writes))

    def advance(self) -> None:
        self.events.append(("advance", 1))

    def finish(self) -> None:
        self.events.append(("finish", 0))


def test_progress_counts_every_write(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
) -> None:
    engine = make_engine(store_factory())
    engine.progress = progress = RecordingProgress()
    sync(engine, team, make_tracker())
    assert progress.events[0] == ("start", 4)
    assert progress.events.count(("advance", 1)) == 4
    assert progress.events[-1] == ("finish", 0)


def test_a_stop_request_finishes_the_write_under_way_and_leaves_the_rest(
    make_tracker: Callable[..., Tracker],
    store_factory: Callable[[], Store],
    make_engine: Callable[[Store], SyncEngine],
    team: TeamPolicy,
    clock: SimClock,
) -> None:
    store = store_factory()
    engine = make_engine(store)
    asked: list[bool] = []

    def after_first_write() -> bool:
        asked.append(True)
        return len(asked) > 1

    engine.should_stop = after_first_write
    tracker = make_tracker()
    first = sync(engine, team, tracker)
    assert sum(first.applied.values()) in (1, 4)  # one write, or one bulk create on Jira
    assert store.open_intents(team.name) == []
    settle(clock)
    engine.should_stop = lambda: False
    sync(engine, team, tracker)
    settle(clock)
    assert set(per_item(tracker).values()) == {1}
    assert len(per_item(tracker)) == 4
