"""Builders shared by the reminder tests: tickets, activities, a calendar, and a simulated clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.remind import (
    NudgeRecord,
    RecordKind,
    ReminderPolicy,
    TicketActivity,
    decide,
    plan_reminders,
)
from followthrough.domain.tickets import Ticket, TicketFields, TicketState

LONDON = ZoneInfo("Europe/London")
NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
CAL = BusinessCalendar(tz=LONDON)
QUIET = ReminderPolicy(escalate_after_nudges=0, escalate_after_overdue_days=0)
POLICY = ReminderPolicy(lead="lead")


def local(
    year: int, month: int, day: int, hour: int = 10, minute: int = 0, *, tz: ZoneInfo = LONDON
) -> dt.datetime:
    """A wall-clock moment in a zone (London unless told)."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=tz)


def ticket(
    ref: str = "OPS-1",
    *,
    due: dt.date | None = None,
    state: TicketState = TicketState.OPEN,
    labels: tuple[str, ...] = (),
) -> Ticket:
    fields = TicketFields(title=f"Item {ref}", due=due, state=state, labels=labels)
    return Ticket(ref=ref, url=f"https://jira.example.com/browse/{ref}", fields=fields)


def activity(
    ref: str = "OPS-1",
    *,
    due: dt.date | None = None,
    owner: str | None = "priya",
    created: dt.datetime | None = None,
    state: TicketState = TicketState.OPEN,
    human: dt.datetime | None = None,
    due_moved: dt.datetime | None = None,
    snoozed: bool = False,
) -> TicketActivity:
    return TicketActivity(
        ticket=ticket(ref, due=due, state=state),
        item_key=f"pm-1/{ref.lower()}",
        owner=owner,
        created=created or local(2026, 11, 2),
        last_human_activity=human,
        due_moved_by_human_at=due_moved,
        snoozed=snoozed,
    )


def nudge(at: dt.datetime, *, ref: str = "OPS-1", owner: str | None = "priya") -> NudgeRecord:
    return NudgeRecord(ticket_ref=ref, kind="nudge", at=at, owner=owner)


def one(
    act: TicketActivity,
    now: dt.datetime,
    *,
    history: Sequence[NudgeRecord] = (),
    policy: ReminderPolicy = POLICY,
    calendar: BusinessCalendar = CAL,
    week_count: int = 0,
) -> tuple[str, str, dt.datetime | None]:
    """``decide`` for one ticket, as a plain tuple."""
    decision = decide(
        act,
        history=history,
        owner_week_count=week_count,
        policy=policy,
        calendar=calendar,
        now=now,
    )
    return decision.action, decision.reason, decision.next_at


def simulate(
    activities: Sequence[TicketActivity],
    *,
    start: dt.datetime,
    end: dt.datetime,
    policy: ReminderPolicy = POLICY,
    calendar: BusinessCalendar = CAL,
    step: dt.timedelta = dt.timedelta(hours=1),
) -> list[NudgeRecord]:
    """Run the planner on a clock from ``start`` to ``end``, recording what it would send."""
    sent: dict[str, list[NudgeRecord]] = {}
    now = start
    while now <= end:
        for planned in plan_reminders(
            activities, history=sent, policy=policy, calendar=calendar, now=now
        ):
            if planned.decision.action != "none":
                kind: RecordKind = "nudge" if planned.decision.action == "nudge" else "escalation"
                record = NudgeRecord(planned.ref, kind, now, planned.activity.owner)
                sent.setdefault(planned.ref, []).append(record)
        now += step
    return sorted((r for records in sent.values() for r in records), key=lambda r: r.at)


def with_due(act: TicketActivity, due: dt.date) -> TicketActivity:
    return replace(act, ticket=replace(act.ticket, fields=replace(act.ticket.fields, due=due)))
