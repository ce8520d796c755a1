"""``followthrough report`` end to end: the embedded sandbox, files, schema, snapshots."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema

from followthrough.adapters.stores import SqliteStore
from followthrough.cli import main
from followthrough.domain.ticket_history import TicketChange

from .test_document import schema

ROOT = Path(__file__).resolve().parents[2]


def test_report_files_validate_and_snapshots_accumulate(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("FOLLOWTHROUGH_STORE__SQLITE_PATH", str(tmp_path / "state" / "ft.db"))
    monkeypatch.setenv("FOLLOWTHROUGH_LOG__LEVEL", "warning")
    assert main(["sync"]) == 0
    out = tmp_path / "reports"
    assert main(["report", "--week", "2026-W47", "--out", str(out), "--format", "json"]) == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == ["all-teams-2026-W47.json", "payments-2026-W47.json", "web-2026-W47.json"]
    for path in out.iterdir():
        jsonschema.validate(json.loads(path.read_text()), schema())
    digest = json.loads((out / "all-teams-2026-W47.json").read_text())
    assert digest["kind"] == "digest"
    assert digest["overall"]["figures"]["items"]["total"] > 0
    store = SqliteStore(tmp_path / "state" / "ft.db")
    try:
        assert [s.week for s in store.snapshots("payments")] == ["2026-W47"]
    finally:
        store.close()
    assert main(["report", "--week", "2026-W47", "--send", "--team", "web", "--out", str(out)]) == 1
    assert "no-smtp" in capsys.readouterr().out


def test_days_past_due_are_counted_to_the_day_the_report_is_made(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    monkeypatch.setenv("FOLLOWTHROUGH_STORE__SQLITE_PATH", str(tmp_path / "state" / "ft.db"))
    monkeypatch.setenv("FOLLOWTHROUGH_LOG__LEVEL", "warning")
    assert main(["sync"]) == 0
    out = tmp_path / "reports"
    made = "2026-12-03T10:00+00:00"  # a Thursday: the week reported ended three days before
    args = ["report", "--team", "payments", "--at", made, "--out", str(out), "--format", "json"]
    assert main(args) == 0
    report = json.loads((out / "payments-2026-W48.json").read_text())
    overdue = report["teams"][0]["overdue_items"]
    assert overdue
    for item in overdue:  # as `remind` shows them on that day: today minus the due date
        due = dt.date.fromisoformat(item["due"])
        assert item["days_overdue"] == (dt.date(2026, 12, 3) - due).days, item["title"]


def test_the_report_counts_the_history_the_journal_kept(tmp_path, monkeypatch):
    monkeypatch.chdir(ROOT)
    db = tmp_path / "state" / "ft.db"
    monkeypatch.setenv("FOLLOWTHROUGH_STORE__SQLITE_PATH", str(db))
    monkeypatch.setenv("FOLLOWTHROUGH_LOG__LEVEL", "warning")
    assert main(["sync"]) == 0
    store = SqliteStore(db)
    try:
        kept = store.ticket_history("jira:OPS", "OPS")
        assert kept  # every ticket's first sight
        assert all(c.source == "seen" and not c.human for cs in kept.values() for c in cs)
        ref = sorted(kept)[0]
        seen = next(c for c in kept[ref] if c.field == "assignee")
        later = seen.at + dt.timedelta(days=2)
        someone = "712020:ca201000-0000-4000-8000-0000000ca201"
        store.record_history(
            "jira:OPS",
            "OPS",
            [TicketChange(ref, "assignee", someone, later, before=seen.value, before_known=True)],
        )
    finally:
        store.close()
    out = tmp_path / "reports"
    assert main(["report", "--week", "2026-W47", "--out", str(out), "--format", "json"]) == 0
    digest = json.loads((out / "all-teams-2026-W47.json").read_text())
    assert digest["overall"]["figures"]["reassignments"] == {"items": 1, "total": 1}
    changed = [c for team in digest["teams"] for c in team["changed_promises"]]
    assert [(c["ticket"], c["reassignments"]) for c in changed] == [(ref, 1)]
