"""The `Store` contract, run against SQLite and PostgreSQL alike (see the ``backend`` fixture)."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from collections.abc import Callable
from typing import Any

import pytest

from followthrough.adapters.stores import ReportKind, SqlStore, StoreError
from followthrough.adapters.stores.migrations import MIGRATIONS
from followthrough.domain.ticket_history import TicketChange
from followthrough.domain.tickets import Marker, Ticket, TicketFields, TicketState
from followthrough.ports import Link, Store
from tests.stores.conftest import Backend

T0 = dt.datetime(2026, 11, 20, 9, 30, tzinfo=dt.UTC)
ODD_KEYS = (
    'it\'s "quoted"',
    "'; DROP TABLE intents; --",
    "back\\slash %s %(name)s :name ?",
    "ключ-ünïcødé-日本語-🚀",
    "tab\tand\nnewline",
)
MIGRATE_SCRIPT = (
    "import sys\n"
    "from followthrough.adapters.stores import open_store\n"
    "kind, target = sys.argv[1:]\n"
    "store = open_store(dsn=target if kind == 'postgres' else None, sqlite_path=target)\n"
    "store.migrate()\n"
    "store.close()\n"
)


def _at(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def _ticket(ref: str, *, title: str = "Add alerting", key: str | None = "pm-1#1") -> Ticket:
    return Ticket(
        ref=ref,
        url=f"https://tracker.example/{ref}",
        fields=TicketFields(
            title=title,
            assignee="alice",
            due=dt.date(2026, 12, 1),
            state=TicketState.OPEN,
            labels=("followthrough", "postmortem"),
        ),
        marker=Marker(item_key=key) if key else None,
        updated=_at(5),
        body="Body with “typographic” quotes",
        tracker_id="10042",
    )


def _in_threads(count: int, work: Callable[[int], Any]) -> list[Any]:
    """Run ``work(i)`` in ``count`` threads started together; results or raised errors."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def run(index: int) -> None:
        barrier.wait()
        try:
            results[index] = work(index)
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


class TestStoreContract:
    """What every store must do; each test runs once per backend."""

    def test_is_a_store(self, store: SqlStore) -> None:
        port: Store = store
        port.ping()

    def test_schema_version_is_recorded(self, backend: Backend) -> None:
        fresh = backend.open()
        assert fresh.schema_version() == 0
        fresh.migrate()
        versions = [row[0] for row in backend.query("SELECT version FROM schema_version")]
        assert sorted(versions) == [m.version for m in MIGRATIONS]
        assert fresh.schema_version() == MIGRATIONS[-1].version
        fresh.close()

    def test_migrate_twice_is_a_no_op(self, store: SqlStore, backend: Backend) -> None:
        store.set_cursor("ops", "listed", "kept")
        before = backend.query("SELECT version, name, applied FROM schema_version")
        store.migrate()
        backend.open().migrate()
        assert backend.query("SELECT version, name, applied FROM schema_version") == before
        assert store.cursor("ops", "listed") == "kept"

    def test_a_newer_schema_is_refused(self, store: SqlStore, backend: Backend) -> None:
        backend.query("INSERT INTO schema_version (version, name) VALUES (999, 'future')")
        with pytest.raises(StoreError, match="upgrade followthrough"):
            store.migrate()

    def test_intent_lifecycle(self, store: SqlStore, backend: Backend) -> None:
        payload = {"marker": "pm-1#1", "synced": {"title": "Añadir"}, "ticket_ref": None}
        intent = store.begin_intent(
            team="ops", item_key="pm-1#1", operation="create", payload=payload, now=T0
        )
        assert (intent.team, intent.item_key, intent.operation) == ("ops", "pm-1#1", "create")
        assert intent.payload == payload
        assert intent.created == T0
        assert intent.ticket_ref is None
        assert store.open_intents("ops") == [intent]

        store.finish_intent(intent.id, ok=True, ticket_ref="OPS-7", error=None, now=_at(1))
        assert store.open_intents("ops") == []
        store.finish_intent(intent.id, ok=False, ticket_ref="OPS-8", error="late", now=_at(2))
        row = backend.query("SELECT ok, ticket_ref, error FROM intents WHERE id = ?", (intent.id,))
        assert row == [(True, "OPS-7", None)]  # SQLite says 1, which equals True

    def test_finishing_an_unknown_intent_is_an_error(self, store: SqlStore) -> None:
        with pytest.raises(StoreError, match="no intent"):
            store.finish_intent(424242, ok=True, ticket_ref=None, error=None, now=T0)

    def test_begin_intent_keeps_a_known_ticket_ref(self, store: SqlStore) -> None:
        intent = store.begin_intent(
            team="ops", item_key="k", operation="update", payload={"ticket_ref": "OPS-3"}, now=T0
        )
        assert intent.ticket_ref == "OPS-3"
        assert store.open_intents("ops")[0].ticket_ref == "OPS-3"

    def test_open_intents_are_oldest_first_and_per_team(self, store: SqlStore) -> None:
        def begin(team: str, key: str, minutes: int) -> int:
            return store.begin_intent(
                team=team, item_key=key, operation="update", payload={}, now=_at(minutes)
            ).id

        late, early, other, same_time = (
            begin("ops", "a", 10),
            begin("ops", "b", 1),
            begin("web", "c", 0),
            begin("ops", "d", 10),
        )
        assert [i.id for i in store.open_intents("ops")] == [early, late, same_time]
        assert [i.id for i in store.open_intents("web")] == [other]
        assert store.open_intents("nobody") == []

    def test_open_intents_survive_a_crash(self, store: SqlStore, backend: Backend) -> None:
        intent = store.begin_intent(
            team="ops", item_key="pm-2#3", operation="create", payload={"n": 1}, now=T0
        )
        # The process dies between intent and result; a new process opens the same journal.
        restarted = backend.open()
        restarted.migrate()
        assert restarted.open_intents("ops") == [intent]
        restarted.finish_intent(intent.id, ok=True, ticket_ref="OPS-1", error=None, now=_at(1))
        restarted.close()
        assert store.open_intents("ops") == []

    def test_times_come_back_in_utc(self, store: SqlStore) -> None:
        india = dt.timezone(dt.timedelta(hours=5, minutes=30))
        local = dt.datetime(2026, 11, 20, 15, 0, 0, 123456, tzinfo=india)
        store.begin_intent(team="ops", item_key="k", operation="create", payload={}, now=local)
        (read,) = store.open_intents("ops")
        assert read.created == local
        assert read.created.utcoffset() == dt.timedelta(0)
        assert read.created.microsecond == 123456

    def test_naive_times_are_refused(self, store: SqlStore) -> None:
        naive = dt.datetime(2026, 11, 20, 9, 30)  # noqa: DTZ001 - the point of the test
        with pytest.raises(ValueError, match="timezone-aware"):
            store.begin_intent(team="ops", item_key="k", operation="x", payload={}, now=naive)

    def test_values_json_cannot_hold_are_refused(self, store: SqlStore) -> None:
        with pytest.raises(ValueError, match="JSON"):
            store.begin_intent(
                team="ops", item_key="k", operation="x", payload={"x": float("nan")}, now=T0
            )
        with pytest.raises(TypeError):
            store.begin_intent(
                team="ops", item_key="k", operation="x", payload={"x": {1, 2}}, now=T0
            )
        assert store.open_intents("ops") == []

    def test_links_upsert_and_round_trip_json(self, store: SqlStore) -> None:
        synced: dict[str, Any] = {
            "title": "Rotate the “root” keys",
            "assignee": None,
            "due": "2026-12-01",
            "nested": {"list": [1, 2.5, True, None, "ü"], "empty": {}},
        }
        first = Link("ops", "pm-1#1", "OPS-1", "pm-1", synced=synced, updated=T0)
        store.save_link(first)
        store.save_link(Link("web", "pm-1#1", "WEB-1", "pm-1"))
        assert store.links("ops") == {"pm-1#1": first}

        moved = Link("ops", "pm-1#1", "OPS-9", "pm-1", synced={"t": 1}, removed_noted=True)
        store.save_link(moved)
        assert store.links("ops") == {"pm-1#1": moved}
        assert store.links("web")["pm-1#1"].ticket_ref == "WEB-1"
        assert store.links("nobody") == {}

    def test_tickets_round_trip(self, store: SqlStore) -> None:
        tickets = [_ticket("OPS-1"), _ticket("OPS-2", key=None)]
        store.remember_tickets("ops", "OPS", tickets)
        store.remember_tickets("ops", "OPS", [])
        assert store.known_tickets("ops", "OPS") == {t.ref: t for t in tickets}
        assert store.known_tickets("ops", "OTHER") == {}
        assert store.known_tickets("web", "OPS") == {}

        renamed = _ticket("OPS-1", title="Add paging")
        store.remember_tickets("ops", "OPS", [renamed])
        assert store.known_tickets("ops", "OPS") == {"OPS-1": renamed, "OPS-2": tickets[1]}

    def test_ticket_history_is_kept_once_per_change(self, store: SqlStore) -> None:
        moved = TicketChange(
            "OPS-1", "due", "2026-12-08", _at(10), before="2026-12-01", before_known=True
        )
        seen = TicketChange("OPS-1", "due", "2026-12-01", _at(1), source="seen", human=False)
        cleared = TicketChange("OPS-1", "assignee", None, _at(20), source="listing")
        store.record_history("jira:OPS", "OPS", [moved, seen, cleared])
        store.record_history("jira:OPS", "OPS", [moved, cleared])  # the next listing again
        store.record_history("jira:OPS", "OPS", [])
        assert store.ticket_history("jira:OPS", "OPS") == {"OPS-1": [seen, moved, cleared]}
        assert store.ticket_history("jira:OPS", "OTHER") == {}
        reopened = TicketChange("OPS-2", "state", "open", _at(30), before="done", before_known=True)
        store.remember_tickets("jira:OPS", "OPS", [_ticket("OPS-2")], history=[reopened])
        assert store.ticket_history("jira:OPS", "OPS")["OPS-2"] == [reopened]
        assert "OPS-2" in store.known_tickets("jira:OPS", "OPS")
        assert store.ticket_history("github:o/r", "OPS") == {}

    def test_cursors(self, store: SqlStore) -> None:
        assert store.cursor("ops", "full_listing") is None
        store.set_cursor("ops", "full_listing", "2026-11-20T09:30:00+00:00")
        store.set_cursor("web", "full_listing", "other")
        store.set_cursor("ops", "full_listing", "2026-11-21")
        assert store.cursor("ops", "full_listing") == "2026-11-21"
        assert store.cursor("web", "full_listing") == "other"

    def test_nudge_state_machine(self, store: SqlStore) -> None:
        nudge = store.begin_nudge(
            team="ops", ticket_ref="OPS-1", item_key="pm-1#1", kind="nudge", now=T0
        )
        assert (nudge.state, nudge.posted_at, nudge.comment_id) == ("intent", T0, None)
        escalation = store.begin_nudge(
            team="ops", ticket_ref="OPS-2", item_key="pm-1#2", kind="escalation", now=_at(1)
        )
        store.finish_nudge(nudge.id, ok=True, comment_id="c-1", error=None, now=_at(2))
        store.finish_nudge(nudge.id, ok=False, comment_id=None, error="again", now=_at(3))
        store.finish_nudge(escalation.id, ok=False, comment_id=None, error="403", now=_at(4))

        posted, failed = store.nudges("ops")
        assert (posted.id, posted.state, posted.comment_id, posted.posted_at) == (
            nudge.id,
            "posted",
            "c-1",
            _at(2),
        )
        assert (failed.kind, failed.state, failed.error) == ("escalation", "failed", "403")
        assert [n.id for n in store.nudges("ops", ticket_ref="OPS-2")] == [escalation.id]
        assert store.nudges("web") == []

    def test_nudge_errors(self, store: SqlStore) -> None:
        with pytest.raises(StoreError, match="no nudge"):
            store.finish_nudge(99, ok=True, comment_id="c", error=None, now=T0)
        with pytest.raises(ValueError, match="nudge kind"):
            store.begin_nudge(
                team="ops",
                ticket_ref="OPS-1",
                item_key="k",
                kind="shout",  # type: ignore[arg-type]
                now=T0,
            )

    def test_a_sent_report_is_never_claimed_again(self, store: SqlStore) -> None:
        claim = store.begin_report(team="ops", week="2026-W47", kind="team", now=T0)
        assert claim.granted
        assert claim.report.state == "intent"
        pending = store.begin_report(team="ops", week="2026-W47", kind="team", now=_at(1))
        assert not pending.granted  # the first attempt may have sent it before a crash
        assert pending.report == claim.report

        store.finish_report(
            team="ops",
            week="2026-W47",
            kind="team",
            ok=True,
            message_id="m-1",
            error=None,
            now=_at(2),
        )
        store.finish_report(
            team="ops",
            week="2026-W47",
            kind="team",
            ok=False,
            message_id=None,
            error="late",
            now=_at(3),
        )
        again = store.begin_report(team="ops", week="2026-W47", kind="team", now=_at(4))
        assert not again.granted
        assert (again.report.state, again.report.message_id) == ("sent", "m-1")
        assert again.report.sent_at == _at(2)
        assert store.report_state("ops", "2026-W47", "team") == again.report

    def test_a_failed_report_may_be_claimed_again(self, store: SqlStore) -> None:
        store.begin_report(team="ops", week="2026-W47", kind="digest", now=T0)
        store.finish_report(
            team="ops",
            week="2026-W47",
            kind="digest",
            ok=False,
            message_id=None,
            error="smtp 451",
            now=_at(1),
        )
        failed = store.report_state("ops", "2026-W47", "digest")
        assert failed is not None
        assert (failed.state, failed.error) == ("failed", "smtp 451")
        retry = store.begin_report(team="ops", week="2026-W47", kind="digest", now=_at(2))
        assert retry.granted
        assert (retry.report.state, retry.report.error, retry.report.sent_at) == (
            "intent",
            None,
            _at(2),
        )

    def test_reports_are_per_team_week_and_kind(self, store: SqlStore) -> None:
        keys: list[tuple[str, str, ReportKind]] = [
            ("ops", "2026-W47", "team"),
            ("ops", "2026-W47", "digest"),
            ("ops", "2026-W48", "team"),
            ("web", "2026-W47", "team"),
        ]
        for team, week, kind in keys:
            assert store.begin_report(team=team, week=week, kind=kind, now=T0).granted
        assert store.report_state("ops", "2026-W49", "team") is None

    def test_report_errors(self, store: SqlStore) -> None:
        with pytest.raises(StoreError, match="was begun"):
            store.finish_report(
                team="ops",
                week="2026-W47",
                kind="team",
                ok=True,
                message_id="m",
                error=None,
                now=T0,
            )
        with pytest.raises(ValueError, match="ISO week"):
            store.begin_report(team="ops", week="2026-47", kind="team", now=T0)
        with pytest.raises(ValueError, match="report kind"):
            store.report_state("ops", "2026-W47", "weekly")  # type: ignore[arg-type]

    def test_racing_report_claims_grant_exactly_one(self, backend: Backend) -> None:
        backend.open().migrate()
        stores = [backend.open() for _ in range(6)]
        claims = _in_threads(
            6, lambda i: stores[i].begin_report(team="ops", week="2026-W47", kind="team", now=T0)
        )
        for opened in stores:
            opened.close()
        assert [type(c).__name__ for c in claims] == ["ReportClaim"] * 6
        assert sum(claim.granted for claim in claims) == 1

    def test_snapshots(self, store: SqlStore) -> None:
        for week, open_items in [("2026-W45", 3), ("2026-W47", 1), ("2026-W46", 2)]:
            store.save_snapshot("ops", week, {"open": open_items, "teams": ["ops", "ü"]})
        store.save_snapshot("ops", "2026-W47", {"open": 0})
        store.save_snapshot("web", "2026-W47", {"open": 9})
        latest = store.snapshots("ops", 2)
        assert [(s.week, s.figures["open"]) for s in latest] == [("2026-W47", 0), ("2026-W46", 2)]
        assert len(store.snapshots("ops")) == 3
        assert store.snapshots("ops", 0) == []

    @pytest.mark.parametrize("key", ODD_KEYS)
    def test_unicode_and_quotes_in_keys(self, store: SqlStore, key: str) -> None:
        intent = store.begin_intent(
            team=key, item_key=key, operation="create", payload={key: key}, now=T0
        )
        assert store.open_intents(key) == [intent]
        link = Link(key, key, key, key, synced={key: [key]})
        store.save_link(link)
        assert store.links(key) == {key: link}
        ticket = _ticket(key, title=key, key=key)
        store.remember_tickets(key, key, [ticket])
        assert store.known_tickets(key, key) == {key: ticket}
        store.set_cursor(key, key, key)
        assert store.cursor(key, key) == key
        nudge = store.begin_nudge(team=key, ticket_ref=key, item_key=key, kind="nudge", now=T0)
        assert store.nudges(key, ticket_ref=key) == [nudge]

    def test_concurrent_migrate_from_threads(self, backend: Backend) -> None:
        stores = [backend.open() for _ in range(4)]
        outcomes = _in_threads(4, lambda i: stores[i].migrate())
        for opened in stores:
            opened.close()
        assert outcomes == [None] * 4
        versions = sorted(row[0] for row in backend.query("SELECT version FROM schema_version"))
        assert versions == [m.version for m in MIGRATIONS]

    def test_concurrent_migrate_from_processes(self, backend: Backend) -> None:
        processes = [
            subprocess.Popen(
                [sys.executable, "-c", MIGRATE_SCRIPT, backend.kind, backend.target],
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(3)
        ]
        errors = [process.communicate(timeout=120)[1] for process in processes]
        assert [p.returncode for p in processes] == [0, 0, 0], errors
        versions = sorted(row[0] for row in backend.query("SELECT version FROM schema_version"))
        assert versions == [m.version for m in MIGRATIONS]

    def test_a_closed_store_says_so(self, backend: Backend) -> None:
        opened = backend.open()
        opened.migrate()
        opened.close()
        opened.close()
        with pytest.raises(StoreError, match="closed"):
            opened.ping()
        with pytest.raises(StoreError, match="closed"):
            opened.links("ops")
