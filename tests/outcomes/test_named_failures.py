"""A reminder the tracker refuses, or whose answer is lost, is named with the tracker's words:
the commands' failure log reads the engine's events as they are written."""

from __future__ import annotations

import datetime as dt
from typing import cast

import pytest

from followthrough.adapters.stores import SqliteStore
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.app.outcome import FailureLog
from followthrough.app.remind_command import RemindRun, remind_lines
from followthrough.domain.policy import TeamPolicy
from followthrough.engine.remind import ReminderEngine, tickets_of_team
from followthrough.engine.sync import SyncEngine
from followthrough.ports import ReminderStore
from followthrough.retry import RetryPolicy
from followthrough.sandbox.core import Sandbox, SimClock
from tests.sync.conftest import ALICE_JIRA, SEARCH_LAG, START, postmortems
from tests.sync.test_remind_engine import CALENDAR, DOC, POLICY, render_for

TEAM = TeamPolicy(
    name="payments",
    tracker_kind="jira",
    project="OPS",
    directory={"alice": ALICE_JIRA},
    soak_days=0,
    labels=("postmortem",),
)


@pytest.mark.parametrize(
    ("fault", "said"),
    [
        ("unauthorized", "tracker refused: Jira 401: "),
        (
            "server_error",
            "tracker not answering: Jira 502",
        ),  # may have reached Jira: its answer is unknown
    ],
)
def test_a_reminder_not_posted_is_named_with_the_trackers_words(
    tmp_path, fault: str, said: str
) -> None:
    clock = SimClock(START)
    clock.freeze(START)
    with Sandbox(clock=clock) as sandbox:
        info = sandbox.info()
        tracker = JiraTracker(
            url=info["jira"], user=info["user"], token=info["token"], project="OPS",
            search_lag=dt.timedelta(seconds=SEARCH_LAG), timeout=5.0, clock=clock.now,
        )  # fmt: skip
        store = SqliteStore(tmp_path / "journal.db")
        store.migrate()
        try:
            SyncEngine(store=store, clock=clock.now, retry=RetryPolicy.no_wait()).sync_team(
                TEAM, tracker, postmortems(DOC)
            )
            clock.advance(SEARCH_LAG + 1)
            params = {"status": 502, "burst": 10} if fault == "server_error" else {}
            sandbox.add_fault(fault, "jira", method="POST", route_prefix="/rest/api/2/issue/",
                              params=params)  # fmt: skip
            failures = FailureLog(lambda *_a, **_f: None)
            engine = ReminderEngine(
                store=cast(ReminderStore, store), clock=clock.now,
                retry=RetryPolicy.no_wait(attempts=2), log=failures,
            )  # fmt: skip
            current = {t.ref: t for t in tracker.list_tickets(updated_since=None).tickets}
            result = engine.run_team(
                "payments", tracker, tickets_of_team(store.links("payments"), current),
                policy=POLICY, calendar=CALENDAR, render=render_for("jira"),
            )  # fmt: skip
        finally:
            store.close()
    assert result.failed == ["OPS-1"]
    run = RemindRun(results=[result], failures=failures.writes)
    lines = remind_lines(run, result, dry_run=False)
    assert lines[0] == "payments: posted 0 reminders; failed: 1"
    assert lines[1].startswith(f"  failed: reminder on OPS-1: {said}")
    assert run.exit_status == 1
