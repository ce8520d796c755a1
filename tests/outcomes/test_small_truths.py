"""Small truths in what followthrough says: nobody is looped in to themselves, one owner
judgement in sync and report, names rather than account ids, and readable counts."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import replace

from tests.outcomes.conftest import Workspace
from tests.remind.helpers import POLICY, activity, local, simulate

DUE = dt.date(2026, 11, 16)
PARTNERS = "Document the manual upload steps in the web runbook"  # owner "@lena and @marco"


def test_a_lead_who_owns_the_ticket_is_reminded_not_looped_in_to_themselves() -> None:
    owned_by_lead = activity(due=DUE, owner="lead")
    records = simulate([owned_by_lead], start=local(2026, 11, 2, 0), end=local(2027, 1, 10))
    assert records
    assert {r.kind for r in records} == {"nudge"}
    others = simulate([activity(due=DUE)], start=local(2026, 11, 2, 0), end=local(2027, 1, 10))
    assert [r.kind for r in others].count("escalation") == 1  # the rule itself still holds
    by_nudges = replace(POLICY, escalate_after_overdue_days=0)
    records = simulate(
        [activity(due=DUE, owner="LEAD")],
        start=local(2026, 11, 2, 0),
        end=local(2027, 2, 28),
        policy=by_nudges,
    )
    assert "escalation" not in {r.kind for r in records}


def test_two_owners_need_an_owner_in_sync_and_in_the_report_alike(workspace: Workspace) -> None:
    synced = workspace.run("sync", "--team", "web")
    assert (
        "  postmortems/web/2026-11-02-cdn-certificate-expiry.md:23: owner-unresolved: owner"
        " “@lena and @marco” is not in the web directory: the ticket is unassigned and"
        " labelled needs-owner"
    ) in synced.lines
    reported = workspace.run(
        "report", "--team", "web", "--format", "json", "--week", "2026-W49", "--out", "out"
    )
    assert reported.status == 0, reported.lines
    document = json.loads((workspace.root / "out" / "web-2026-W49.json").read_text("utf-8"))
    needs = {item["title"]: item["missing"] for item in document["teams"][0]["needs_attention"]}
    assert "owner" in needs[PARTNERS]


def test_sync_and_remind_print_names_and_readable_counts(workspace: Workspace) -> None:
    synced = workspace.run("sync", "--team", "payments")
    assert "payments: 6 create; API calls: 1 read made, 1 write planned" in synced.lines
    assert "  applied: 6 created; failed: 0" in synced.lines
    assert not any("{'" in line for line in synced.lines)  # no Python dict shown
    reminded = workspace.run("remind", "--team", "payments", "--dry-run")
    assert reminded.status == 0, reminded.lines
    owners = [
        cells[2].strip()
        for line in reminded.lines
        if (cells := line.split("│"))[1:] and re.match(r" OPS-\d+ ", cells[1])
    ]
    assert owners
    assert set(owners) <= {"priya", "tom", "sara", "—"}
    assert not any("712020:" in line for line in reminded.lines)
    assert any(
        re.fullmatch(r"payments: would post \d+ reminders?; failed: 0", line)
        for line in reminded.lines
    )
    assert "remind: 1 team planned" in reminded.lines


def test_sync_json_names_each_refused_write_and_the_exit_status(workspace: Workspace) -> None:
    workspace.configure(web={"marco": "ghost-user"})
    ran = workspace.run("sync", "--team", "web", "--format", "json")
    assert ran.status == 1
    document = json.loads("\n".join(ran.out))
    assert document["ok"] is False
    assert document["exit_status"] == 1
    (team,) = document["teams"]
    assert [f["operation"] for f in team["failed"]] == ["create", "create"]
    assert all(f["error"].startswith("TrackerPermanentError: GitHub 422") for f in team["failed"])
    assert team["applied"] == {"create": 3}


def test_a_first_report_already_shows_the_past_weeks(workspace: Workspace) -> None:
    assert workspace.run("sync", "--team", "payments").status == 0
    reported = workspace.run(
        "report", "--team", "payments", "--format", "json", "--week", "2026-W49", "--out", "out"
    )
    assert reported.status == 0, reported.lines
    document = json.loads((workspace.root / "out" / "payments-2026-W49.json").read_text("utf-8"))
    trend = document["teams"][0]["trend"]
    assert len(trend) == 12
    assert all(week["open"] is not None for week in trend), trend
    assert sum(week["reconstructed"] for week in trend) == 11  # only this week is a snapshot
    written = [w for w in trend if w["week"] >= "2026-W42"]  # the postmortem is of 14 October
    assert all(w["open"] > 0 for w in written), trend
