"""The planner's rules, one scenario each (pure: no tracker, no store)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from followthrough.domain.keys import item_key
from followthrough.domain.model import ActionItem, ItemStatus, Postmortem
from followthrough.domain.plan import LinkState, OpKind, PlannedItem, plan_team, synced_values
from followthrough.domain.policy import DoneItems, DueDefaults, OwnerPolicy, TeamPolicy
from followthrough.domain.tickets import (
    NEEDS_OWNER_LABEL,
    Marker,
    Ticket,
    TicketFields,
    TicketState,
)

NOW = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)
PM = Postmortem(
    id="pm-1", path="payments/pm-1.md", title="Card timeouts", date=dt.date(2026, 11, 10)
)
TEAM = TeamPolicy(
    name="payments",
    tracker_kind="jira",
    project="OPS",
    directory={"priya": "acc-priya", "Tom Okafor": "acc-tom"},
    lead="acc-lead",
    due_defaults=DueDefaults(priority_weeks=4, default_weeks=8, horizons={"long-term": 26}),
)


def item(title: str, **fields: object) -> ActionItem:
    return ActionItem(key=item_key(PM.id, title), title=title, line=10, **fields)  # type: ignore[arg-type]


def planned(*items: ActionItem, pm: Postmortem = PM) -> list[PlannedItem]:
    return [PlannedItem(item=i, postmortem=pm) for i in items]


def ticket(key: str, **fields: object) -> Ticket:
    values = {"title": "Alert on pool usage", "assignee": "acc-priya", "due": dt.date(2026, 12, 1)}
    values.update(fields)
    return Ticket(ref="OPS-1", url="u", fields=TicketFields(**values), marker=Marker(key))  # type: ignore[arg-type]


def link(key: str, **synced: object) -> dict[str, LinkState]:
    values = {
        "title": "Alert on pool usage",
        "assignee": "acc-priya",
        "due": "2026-12-01",
        "state": "open",
        "path": PM.path,
    }
    values.update(synced)
    return {key: LinkState(ticket_ref="OPS-1", postmortem_id=PM.id, synced=values)}


def run(items: list[PlannedItem], team: TeamPolicy = TEAM, **kwargs: object):  # type: ignore[no-untyped-def]
    kwargs.setdefault("tickets", {})
    kwargs.setdefault("links", {})
    kwargs.setdefault("read_postmortems", {PM.id})
    return plan_team(items, team, now=NOW, **kwargs)  # type: ignore[arg-type]


def test_new_item_after_soak_is_created_with_owner_due_and_marker() -> None:
    new = item("Alert on pool usage", owner="priya", due=dt.date(2026, 12, 1))
    plan = run(planned(new))
    (op,) = plan.operations
    assert op.kind == OpKind.CREATE
    assert op.spec is not None
    assert op.spec.marker == Marker(new.key)
    assert op.spec.fields.assignee == "acc-priya"
    assert op.spec.fields.due == dt.date(2026, 12, 1)
    assert "Card timeouts" in op.spec.body
    assert plan.findings == ()


def test_items_wait_for_the_soak_time() -> None:
    fresh = replace(PM, date=dt.date(2026, 11, 23))
    plan = run(
        planned(item("Alert on pool usage", owner="priya"), pm=fresh), read_postmortems={fresh.id}
    )
    (op,) = plan.operations
    assert op.kind == OpKind.WAIT
    assert op.until == dt.date(2026, 11, 25)


def test_zero_soak_creates_at_once() -> None:
    fresh = replace(PM, date=NOW.date())
    plan = run(planned(item("Alert on pool usage"), pm=fresh), replace(TEAM, soak_days=0))
    assert plan.operations[0].kind == OpKind.CREATE


def test_missing_due_gets_the_default_and_says_so() -> None:
    plan = run(planned(item("Alert on pool usage", owner="priya")))
    spec = plan.operations[0].spec
    assert spec is not None
    assert spec.fields.due == PM.date + dt.timedelta(weeks=8)  # type: ignore[operator]
    assert "defaulted: 8 weeks" in spec.body


@pytest.mark.parametrize(
    ("extra", "weeks"),
    [({"priority": "P1"}, 4), ({"horizon": "Long-term improvements"}, 26), ({}, 8)],
)
def test_default_due_by_priority_and_horizon(extra: dict[str, str], weeks: int) -> None:
    plan = run(planned(item("Alert on pool usage", owner="priya", **extra)))
    spec = plan.operations[0].spec
    assert spec is not None
    assert spec.fields.due == PM.date + dt.timedelta(weeks=weeks)  # type: ignore[operator]


def test_unknown_owner_gets_needs_owner_label_and_a_finding() -> None:
    plan = run(planned(item("Alert on pool usage", owner="somebody")))
    spec = plan.operations[0].spec
    assert spec is not None
    assert spec.fields.assignee is None
    assert NEEDS_OWNER_LABEL in spec.fields.labels
    (finding,) = plan.findings
    assert finding.code == "owner-unresolved"
    assert "somebody" in finding.message


def test_assign_lead_policy_and_hold_policy() -> None:
    lead = run(
        planned(item("Alert on pool usage")), replace(TEAM, owner_policy=OwnerPolicy.ASSIGN_LEAD)
    )
    assert lead.operations[0].spec is not None
    assert lead.operations[0].spec.fields.assignee == "acc-lead"
    assert lead.findings[0].code == "owner-unresolved"
    hold = run(planned(item("Alert on pool usage")), replace(TEAM, owner_policy=OwnerPolicy.HOLD))
    assert hold.operations[0].kind == OpKind.HOLD
    assert hold.findings[0].code == "owner-unresolved"


def test_done_items_are_created_closed_or_skipped() -> None:
    done = item("Roll back the pool change", owner="priya", status=ItemStatus.DONE)
    created = run(planned(done))
    assert created.operations[0].spec is not None
    assert created.operations[0].spec.fields.state == TicketState.DONE
    skipped = run(planned(done), replace(TEAM, done_items=DoneItems.SKIP))
    assert skipped.operations[0].kind == OpKind.NOOP


def test_unchanged_item_is_a_noop() -> None:
    same = item("Alert on pool usage", owner="priya", due=dt.date(2026, 12, 1))
    plan = run(planned(same), tickets={same.key: ticket(same.key)}, links=link(same.key))
    assert [op.kind for op in plan.operations] == [OpKind.NOOP]


def test_document_edits_are_pushed() -> None:
    edited = item("Alert on pool usage", owner="Tom Okafor", due=dt.date(2026, 12, 15))
    plan = run(planned(edited), tickets={edited.key: ticket(edited.key)}, links=link(edited.key))
    (op,) = plan.operations
    assert op.kind == OpKind.UPDATE
    assert op.changes is not None
    assert op.changes.assignee == "acc-tom"
    assert op.changes.due == dt.date(2026, 12, 15)
    assert op.changes.title is None


def test_tracker_side_edits_survive() -> None:
    same = item("Alert on pool usage", owner="priya", due=dt.date(2026, 12, 1))
    moved = ticket(
        same.key, assignee="acc-someone", due=dt.date(2027, 1, 15), title="Pool alert (reworded)"
    )
    plan = run(planned(same), tickets={same.key: moved}, links=link(same.key))
    (op,) = plan.operations
    assert op.kind == OpKind.NOOP
    assert op.reason == "tracker-side edits kept"


def test_done_in_document_closes_but_a_closed_ticket_is_never_reopened() -> None:
    done = item(
        "Alert on pool usage", owner="priya", due=dt.date(2026, 12, 1), status=ItemStatus.DONE
    )
    closing = run(planned(done), tickets={done.key: ticket(done.key)}, links=link(done.key))
    assert closing.operations[0].changes is not None
    assert closing.operations[0].changes.state == TicketState.DONE
    reopened = item("Alert on pool usage", owner="priya", due=dt.date(2026, 12, 1))
    closed = ticket(reopened.key, state=TicketState.DONE)
    plan = run(
        planned(reopened), tickets={reopened.key: closed}, links=link(reopened.key, state="done")
    )
    assert plan.operations[0].kind == OpKind.NOOP


def test_removed_item_is_annotated_once_and_only_when_its_document_was_read() -> None:
    gone = item("Alert on pool usage")
    annotated = run([], links=link(gone.key))
    (op,) = annotated.operations
    assert op.kind == OpKind.ANNOTATE
    assert op.ticket_ref == "OPS-1"
    noted = {gone.key: replace(link(gone.key)[gone.key], removed_noted=True)}
    assert run([], links=noted).operations == ()
    assert run([], links=link(gone.key), read_postmortems=set()).operations == ()
    assert run([], links=link(gone.key), unreadable_postmortems={PM.id}).operations == ()


def test_edited_item_text_keeps_its_ticket() -> None:
    old = item("Alert on pool usage")
    new = item("Alert on connection pool usage above 80%", owner="priya")
    plan = run(planned(new), links=link(old.key))
    (op,) = plan.operations
    assert op.kind == OpKind.REKEY
    assert op.item_key == old.key
    assert op.new_key == new.key
    assert op.changes is not None
    assert op.changes.title == new.title


def test_named_ticket_is_adopted_and_foreign_ticket_left_alone() -> None:
    named = item("Alert on pool usage", ticket="OPS-7", tickets=("OPS-7",))
    assert run(planned(named)).operations[0].kind == OpKind.ADOPT
    foreign = item("Alert on pool usage", ticket="bug 12345", tickets=("bug 12345",))
    op = run(planned(foreign)).operations[0]
    assert op.kind == OpKind.NOOP
    assert "tracked elsewhere" in op.reason


def test_lost_journal_is_rebuilt_from_the_marker_without_writes() -> None:
    same = item("Alert on pool usage", owner="priya")
    plan = run(planned(same), tickets={same.key: ticket(same.key)})
    (op,) = plan.operations
    assert op.kind == OpKind.NOOP
    assert op.synced == synced_values(ticket(same.key).fields, PM)
    assert plan.writes == []


def test_unconfirmed_writes_hold_the_item() -> None:
    same = item("Alert on pool usage", owner="priya")
    plan = run(planned(same), pending={same.key})
    assert plan.operations[0].kind == OpKind.HOLD
