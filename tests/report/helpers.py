"""Builders for the report tests: a hand-computed team fixture, tickets, links and nudges."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from followthrough.domain.model import ActionItem, Category, ItemStatus, Postmortem
from followthrough.domain.report import TeamInputs
from followthrough.domain.report_period import Week
from followthrough.domain.tickets import Marker, Ticket, TicketFields, TicketState

LONDON = ZoneInfo("Europe/London")
AUCKLAND = ZoneInfo("Pacific/Auckland")
W18 = Week(2024, 18)  # Monday 29 April to Sunday 5 May 2024
UTC = dt.UTC


@dataclass(frozen=True)
class FakeLink:
    item_key: str
    ticket_ref: str
    synced: dict[str, Any] = field(default_factory=dict)
    updated: dt.datetime | None = None


@dataclass(frozen=True)
class FakeNudge:
    kind: str
    state: str
    posted_at: dt.datetime


@dataclass(frozen=True)
class FakeSnapshot:
    week: str
    figures: dict[str, Any]


def item(
    key: str,
    *,
    status: ItemStatus = ItemStatus.OPEN,
    due: dt.date | None = None,
    owner: str | None = None,
    category: Category | None = None,
) -> ActionItem:
    return ActionItem(
        key=key, title=f"Item {key}", line=1, owner=owner, due=due, status=status, category=category
    )


def ticket(
    ref: str,
    key: str,
    *,
    state: TicketState = TicketState.OPEN,
    due: dt.date | None = None,
    assignee: str | None = None,
    updated: dt.datetime | None = None,
) -> Ticket:
    return Ticket(
        ref=ref,
        url=f"https://jira.example.com/browse/{ref}",
        fields=TicketFields(title=f"Item {key}", assignee=assignee, due=due, state=state),
        marker=Marker(item_key=key),
        updated=updated,
    )


def day(month: int, d: int) -> dt.date:
    return dt.date(2024, month, d)


def fixture_inputs(*, tz: ZoneInfo = LONDON) -> TeamInputs:
    """Seven counted items (a-g), one postmortem after the week, four nudge rows."""
    pm1 = Postmortem(
        id="pm1",
        path="pm1.md",
        title="Checkout outage",
        date=day(4, 10),
        severity="SEV-2",
        action_items=(
            item("a", due=day(5, 1), owner="priya", category=Category.DETECTION),
            item(
                "b",
                status=ItemStatus.DONE,
                due=day(5, 3),
                owner="tom",
                category=Category.PREVENTION,
            ),
            item("c", status=ItemStatus.DROPPED, due=day(5, 2), category=Category.PREVENTION),
            item("d"),
            item(
                "e",
                status=ItemStatus.DONE,
                due=day(5, 5),
                owner="sara",
                category=Category.COMMUNICATION,
            ),
            item("f", category=Category.RESPONSE),
        ),
    )
    pm2 = Postmortem(
        id="pm2", path="pm2.md", title="Later", date=day(5, 10), action_items=(item("late"),)
    )
    pm3 = Postmortem(
        id="pm3",
        path="pm3.md",
        title="Old one",
        date=day(4, 1),
        action_items=(
            item("g", status=ItemStatus.DONE, due=day(4, 15), category=Category.RESPONSE),
        ),
    )
    tickets = [
        ticket(
            "OPS-1",
            "a",
            state=TicketState.DONE,
            due=day(5, 1),
            updated=dt.datetime(2024, 5, 2, 10, tzinfo=UTC),
        ),
        ticket("OPS-2", "b", state=TicketState.OPEN, due=day(5, 3)),  # reopened
        ticket("OPS-3", "c", state=TicketState.DROPPED, due=day(5, 2)),
        ticket(
            "OPS-5",
            "e",
            state=TicketState.DONE,
            due=day(5, 5),
            updated=dt.datetime(2024, 5, 4, tzinfo=UTC),
        ),
        ticket("OPS-6", "f", due=day(4, 20), assignee="acc-1"),
    ]
    links = {
        "a": FakeLink("a", "OPS-1", {"state": "open"}, dt.datetime(2024, 4, 12, tzinfo=UTC)),
        "b": FakeLink("b", "OPS-2", {"state": "done"}, dt.datetime(2024, 4, 12, tzinfo=UTC)),
        "c": FakeLink("c", "OPS-3", {"state": "dropped"}),
        "e": FakeLink("e", "OPS-5", {"state": "done"}, dt.datetime(2024, 4, 30, 9, tzinfo=UTC)),
        "f": FakeLink("f", "OPS-6", {"state": "open"}),
    }
    nudges = [
        FakeNudge("nudge", "posted", dt.datetime(2024, 4, 29, 0, 30, tzinfo=LONDON)),
        FakeNudge("nudge", "posted", dt.datetime(2024, 5, 6, 0, 30, tzinfo=LONDON)),
        FakeNudge("escalation", "posted", dt.datetime(2024, 5, 3, 12, tzinfo=UTC)),
        FakeNudge("nudge", "failed", dt.datetime(2024, 5, 2, 12, tzinfo=UTC)),
    ]
    return TeamInputs(
        team="payments",
        tz=tz,
        week=W18,
        postmortems=(pm1, pm2, pm3),
        tickets={t.ref: t for t in tickets},
        links=links,
        nudges=nudges,
    )


def empty_inputs(team: str = "quiet") -> TeamInputs:
    return TeamInputs(team=team, tz=LONDON, week=W18, postmortems=(), tickets={}, links={})
