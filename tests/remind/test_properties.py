"""Properties of the reminder policy over random tickets, histories, calendars and clocks."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.remind import (
    NudgeRecord,
    PlannedReminder,
    RecordKind,
    ReminderPolicy,
    TicketActivity,
    decide,
    plan_reminders,
)
from followthrough.domain.tickets import TicketState
from tests.remind.helpers import activity

EPOCH = dt.datetime(2026, 1, 5, tzinfo=dt.UTC)
ZONES = st.sampled_from(
    [
        ZoneInfo(name)
        for name in (
            "Europe/London",
            "America/New_York",
            "Asia/Tokyo",
            "Australia/Sydney",
            "Asia/Kolkata",
            "UTC",
        )
    ]
)
OWNERS = st.sampled_from(["ana", "bo", "cy", None])


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    start = draw(st.integers(0, 20))
    return BusinessCalendar(
        tz=draw(ZONES),
        days=draw(st.frozensets(st.integers(0, 6), min_size=1)),
        start=dt.time(start, draw(st.sampled_from([0, 30]))),
        end=dt.time(draw(st.integers(start + 1, 23))),
        holidays=draw(st.frozensets(st.dates(dt.date(2026, 1, 1), dt.date(2026, 12, 31)))),
    )


@st.composite
def policies(draw: st.DrawFn) -> ReminderPolicy:
    return ReminderPolicy(
        stale_days=draw(st.integers(1, 20)),
        due_soon_days=draw(st.integers(0, 5)),
        first_after_days=draw(st.integers(0, 3)),
        backoff_days=tuple(draw(st.lists(st.integers(1, 10), min_size=1, max_size=3))),
        max_per_owner_per_week=draw(st.integers(0, 4)),
        escalate_after_nudges=draw(st.integers(0, 3)),
        escalate_after_overdue_days=draw(st.integers(0, 10)),
        lead=draw(st.sampled_from(["lead", None])),
    )


def hours(low: int, high: int) -> st.SearchStrategy[dt.timedelta]:
    return st.integers(low, high).map(lambda h: dt.timedelta(hours=h))


@st.composite
def activities(draw: st.DrawFn, ref: str) -> TicketActivity:
    created = EPOCH + draw(hours(0, 24 * 60))
    due = draw(st.none() | st.integers(-20, 90).map(lambda d: (created + dt.timedelta(d)).date()))
    human = draw(st.none() | hours(0, 24 * 60).map(lambda h: created + h))
    return activity(
        ref,
        due=due,
        owner=draw(OWNERS),
        created=created,
        human=human,
        state=draw(st.sampled_from([*TicketState, *[TicketState.OPEN] * 4])),
        snoozed=draw(st.sampled_from([True, False, False, False, False])),
    )


@dataclass(frozen=True)
class Scenario:
    calendar: BusinessCalendar
    policy: ReminderPolicy
    tickets: list[TicketActivity]
    steps: list[dt.timedelta | None]  # None: wake at the earliest ``next_at``, as a scheduler would
    replies: list[int | None]  # per step: the ticket a person comments on first, if any


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    count = draw(st.integers(1, 6))
    steps = draw(st.lists(st.none() | hours(1, 60), min_size=10, max_size=80))
    return Scenario(
        calendar=draw(calendars()),
        policy=draw(policies()),
        tickets=[draw(activities(f"OPS-{n}")) for n in range(count)],
        steps=steps,
        replies=draw(st.lists(st.none() | st.integers(0, count - 1), min_size=len(steps))),
    )


def run(scenario: Scenario) -> tuple[list[NudgeRecord], list[tuple[dt.datetime, PlannedReminder]]]:
    """Drive the planner along the scenario's clock, with people replying now and then."""
    tickets = list(scenario.tickets)
    sent: dict[str, list[NudgeRecord]] = {}
    seen: list[tuple[dt.datetime, PlannedReminder]] = []
    now = EPOCH + dt.timedelta(days=30)
    wake: dt.datetime | None = None
    for step, reply in zip(scenario.steps, scenario.replies, strict=False):
        now = max(now, wake) if step is None and wake else now + (step or dt.timedelta(days=1))
        if reply is not None and tickets[reply].created <= now:
            tickets[reply] = replace(tickets[reply], last_human_activity=now)
        planned_now = plan_reminders(
            tickets, history=sent, policy=scenario.policy, calendar=scenario.calendar, now=now
        )
        wake = min((p.decision.next_at for p in planned_now if p.decision.next_at), default=None)
        for planned in planned_now:
            seen.append((now, planned))
            if planned.decision.action != "none":
                kind: RecordKind = "nudge" if planned.decision.action == "nudge" else "escalation"
                sent.setdefault(planned.ref, []).append(
                    NudgeRecord(planned.ref, kind, now, planned.activity.owner)
                )
        now += dt.timedelta(minutes=1)
    return [r for records in sent.values() for r in records], seen


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenario=scenarios())
def test_reminder_invariants(scenario: Scenario) -> None:
    records, seen = run(scenario)
    calendar, policy = scenario.calendar, scenario.policy
    per_owner_week = Counter(
        (r.owner, calendar.iso_week(r.at)) for r in records if r.owner is not None
    )
    assert all(count <= policy.max_per_owner_per_week for count in per_owner_week.values())
    assert all(calendar.is_open(r.at) for r in records)
    escalations = Counter(r.ticket_ref for r in records if r.kind == "escalation")
    assert all(count == 1 for count in escalations.values())
    for now, planned in seen:
        state = planned.activity.ticket.fields.state
        if planned.decision.action != "none":
            assert state == TicketState.OPEN
            assert not planned.activity.snoozed
            assert policy.lead is not None or planned.decision.action == "nudge"
        if planned.decision.next_at is not None:
            assert planned.decision.next_at >= now
            assert calendar.is_open(planned.decision.next_at)


@settings(max_examples=200, deadline=None)
@given(
    act=activities("OPS-1"),
    policy=policies(),
    calendar=calendars(),
    week_count=st.integers(0, 6),
    offset=hours(0, 24 * 120),
    sent=st.lists(hours(0, 24 * 120), max_size=6),
    kinds=st.lists(st.sampled_from(["nudge", "escalation"]), min_size=6, max_size=6),
)
def test_decide_respects_cap_hours_state_and_one_escalation(
    act: TicketActivity,
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
    week_count: int,
    offset: dt.timedelta,
    sent: list[dt.timedelta],
    kinds: list[str],
) -> None:
    now = EPOCH + offset
    history = [
        NudgeRecord("OPS-1", kind, EPOCH + at, act.owner)  # type: ignore[arg-type]
        for at, kind in zip(sent, kinds, strict=False)
    ]
    decision = decide(
        act,
        history=history,
        owner_week_count=week_count,
        policy=policy,
        calendar=calendar,
        now=now,
    )
    if decision.action == "none":
        return
    assert calendar.is_open(now)
    assert act.ticket.fields.state == TicketState.OPEN
    assert act.owner is None or week_count < policy.max_per_owner_per_week
    if decision.action == "escalate":
        assert not any(r.kind == "escalation" and r.at <= now for r in history)
