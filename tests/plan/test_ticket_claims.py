"""A ticket that tracks one item is never adopted for another (the document only names it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from followthrough.domain.plan import LinkState, OpKind, Plan, PlannedItem, plan_team
from followthrough.domain.tickets import Marker, Ticket, TicketFields
from tests.plan.test_plan import NOW, PM, TEAM, item, planned, run

GITHUB = replace(TEAM, tracker_kind="github", project="acme/ops")


def tracked(key: str, ref: str) -> Ticket:
    return Ticket(
        ref=ref,
        url="u",
        fields=TicketFields(title="Rotate the TLS certificates"),
        marker=Marker(key),
    )


def claimed(plan: Plan) -> list[str | None]:
    return [f.item for f in plan.findings if f.code == "ticket-claimed"]


def test_a_ticket_carrying_another_items_marker_is_not_adopted() -> None:
    owner = item("Rotate the TLS certificates")
    intruder = item("Ping the on-call about OPS-1", ticket="OPS-1", tickets=("OPS-1",))
    plan = run(
        planned(owner, intruder),
        tickets={owner.key: tracked(owner.key, "OPS-1")},
        links={owner.key: LinkState(ticket_ref="OPS-1", postmortem_id=PM.id)},
    )
    assert plan.by_kind(OpKind.ADOPT) == []
    (op,) = [op for op in plan.operations if op.item_key == intruder.key]
    assert op.kind == OpKind.NOOP
    assert "OPS-1" in op.reason
    (finding,) = [f for f in plan.findings if f.code == "ticket-claimed"]
    assert finding.item == intruder.key
    assert "OPS-1" in finding.message
    assert owner.key in finding.message
    assert intruder.key in finding.message
    assert "“Rotate the TLS certificates”" in finding.message
    assert "“Ping the on-call about OPS-1”" in finding.message


def test_github_hash_reference_to_a_tracked_issue_is_not_adopted() -> None:
    owner = item("Rotate the TLS certificates")
    intruder = item("Ping the on-call", ticket="#1", tickets=("#1",))
    plan = run(planned(intruder), GITHUB, tickets={owner.key: tracked(owner.key, "Acme/Ops#1")})
    assert plan.by_kind(OpKind.ADOPT) == []
    assert claimed(plan) == [intruder.key]


def test_a_ticket_the_journal_links_to_another_item_is_not_adopted() -> None:
    owner = item("Rotate the TLS certificates")
    intruder = item("Ping the on-call", ticket="OPS-1", tickets=("OPS-1",))
    links = {owner.key: LinkState(ticket_ref="OPS-1", postmortem_id="other-pm")}
    plan = run(planned(intruder), links=links)
    assert plan.by_kind(OpKind.ADOPT) == []
    assert claimed(plan) == [intruder.key]


def test_two_items_naming_one_free_ticket_adopt_it_once() -> None:
    first = item("Rotate the TLS certificates", ticket="OPS-7", tickets=("OPS-7",))
    second = item("Ping the on-call", ticket="OPS-7", tickets=("OPS-7",))
    plan = plan_team(
        [PlannedItem(item=first, postmortem=PM), PlannedItem(item=second, postmortem=PM)],
        TEAM,
        tickets={},
        links={},
        now=NOW,
        read_postmortems={PM.id},
    )
    assert [op.item_key for op in plan.by_kind(OpKind.ADOPT)] == [first.key]
    (finding,) = [f for f in plan.findings if f.code == "ticket-claimed"]
    assert first.key in finding.message
    assert second.key in finding.message


def test_an_item_naming_its_own_ticket_is_reconciled_as_usual() -> None:
    own = item(
        "Rotate the TLS certificates", ticket="OPS-1", tickets=("OPS-1",), due=dt.date(2026, 12, 1)
    )
    plan = run(planned(own), tickets={own.key: tracked(own.key, "OPS-1")})
    assert plan.findings == ()
    assert plan.operations[0].ticket_ref == "OPS-1"
