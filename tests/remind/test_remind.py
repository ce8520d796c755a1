"""The reminder policy, one rule per scenario: cadence, resets, snooze, escalation, the cap."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.remind import (
    NudgeRecord,
    ReminderPolicy,
    latest_human_comment,
    plan_reminders,
    unanswered_nudges,
)
from followthrough.domain.tickets import Comment, TicketState
from tests.remind.helpers import (
    CAL,
    LONDON,
    NEW_YORK,
    POLICY,
    QUIET,
    TOKYO,
    activity,
    local,
    nudge,
    one,
    simulate,
)

DUE = dt.date(2026, 11, 13)  # a Friday; the ticket was created on Monday 2 November


def sends(records: list[NudgeRecord]) -> list[tuple[str, dt.datetime]]:
    return [(r.kind, r.at.astimezone(LONDON)) for r in records]


# cadence -----------------------------------------------------------------------------------


def test_first_nudge_when_due_soon_then_back_off_7_then_14_then_every_14() -> None:
    records = simulate(
        [activity(due=DUE)], start=local(2026, 11, 2, 0), end=local(2027, 1, 10), policy=QUIET
    )
    assert sends(records) == [
        ("nudge", local(2026, 11, 10, 9)),  # three days before the due date, at opening time
        ("nudge", local(2026, 11, 17, 9)),
        ("nudge", local(2026, 12, 1, 9)),
        ("nudge", local(2026, 12, 15, 9)),
        ("nudge", local(2026, 12, 29, 9)),
    ]


def test_reasons_read_as_sentences() -> None:
    act = activity(due=DUE)
    assert one(act, local(2026, 11, 9)) == (
        "none",
        "waiting: next nudge on 2026-11-10 (not due yet); due in 4 days, on 2026-11-13",
        local(2026, 11, 10, 9),
    )
    assert one(act, local(2026, 11, 10))[:2] == ("nudge", "due in 3 days, on 2026-11-13")
    history = [nudge(local(2026, 11, 10, 9))]
    assert one(act, local(2026, 11, 16), history=history) == (
        "none",
        "waiting: next nudge on 2026-11-17 (back-off); overdue by 3 days",
        local(2026, 11, 17, 9),
    )
    assert one(act, local(2026, 11, 17, 10), history=history)[:2] == (
        "nudge",
        "overdue by 4 days; last reminder 7 days ago",
    )


def test_a_ticket_without_a_due_date_is_nudged_when_stale() -> None:
    act = activity(human=local(2026, 11, 3, 12))
    assert one(act, local(2026, 11, 17, 11))[0] == "none"
    assert one(act, local(2026, 11, 17, 12))[:2] == ("nudge", "stale: no activity for 14 days")


def test_a_far_due_date_with_recent_activity_needs_nothing_yet() -> None:
    act = activity(due=dt.date(2027, 3, 1), human=local(2026, 11, 20))
    action, reason, next_at = one(act, local(2026, 11, 24))
    assert action == "none"
    assert reason.startswith("waiting: next nudge on 2026-12-04 (not due yet)")
    assert next_at == local(2026, 12, 4, 10)  # stale from the last activity on


def test_first_after_days_holds_the_first_nudge_after_creation() -> None:
    late_import = activity(due=DUE, created=local(2026, 11, 20, 10))
    policy = replace(POLICY, first_after_days=2)
    action, reason, next_at = one(late_import, local(2026, 11, 20, 11), policy=policy)
    assert action == "none"
    assert reason == "waiting: next nudge on 2026-11-23 (new ticket); overdue by 7 days"
    assert next_at == local(2026, 11, 23, 9)  # Sunday 10:00 waits for Monday morning


# resets ------------------------------------------------------------------------------------


def test_a_human_comment_after_the_last_nudge_restarts_the_back_off() -> None:
    history = [nudge(local(2026, 11, 10, 9)), nudge(local(2026, 11, 17, 9))]
    act = activity(due=DUE, human=local(2026, 11, 18, 15))
    action, reason, next_at = one(act, local(2026, 11, 20), history=history)
    assert action == "none"
    assert reason == "waiting: next nudge on 2026-11-25 (recent activity); overdue by 7 days"
    assert next_at == local(2026, 11, 25, 15)
    assert one(act, local(2026, 11, 25, 15), history=history)[0] == "nudge"


def test_a_due_date_moved_by_a_human_restarts_the_back_off() -> None:
    history = [nudge(local(2026, 11, 10, 9))]
    act = activity(due=dt.date(2026, 11, 27), due_moved=local(2026, 11, 16, 14))
    unmoved = replace(act, due_moved_by_human_at=None)
    assert one(unmoved, local(2026, 11, 17, 10), history=history)[:2] == (
        "nudge",
        "stale: no activity for 15 days; last reminder 7 days ago",
    )
    assert one(act, local(2026, 11, 17, 10), history=history)[0] == "none"
    assert one(act, local(2026, 11, 23, 14), history=history)[0] == "none"  # not due soon yet
    assert one(act, local(2026, 11, 24, 9), history=history)[:2] == (
        "nudge",
        "due in 3 days, on 2026-11-27; last reminder 14 days ago",
    )


def test_our_own_comments_are_not_human_activity() -> None:
    comments = [
        Comment(id="1", author="priya", body="on it", created=local(2026, 11, 5)),
        Comment(id="2", author="bot", body="reminder", created=local(2026, 11, 17), ours=True),
    ]
    assert latest_human_comment(comments) == local(2026, 11, 5)
    assert latest_human_comment([comments[1]]) is None
    policy = replace(POLICY, escalate_after_nudges=2, escalate_after_overdue_days=0)
    history = [nudge(local(2026, 11, 10, 9)), nudge(local(2026, 11, 17, 9))]
    act = activity(due=DUE, human=latest_human_comment(comments))
    assert one(act, local(2026, 12, 1, 10), history=history, policy=policy)[0] == "escalate"
    assert unanswered_nudges(act, history) == 2
    answered = replace(act, last_human_activity=local(2026, 11, 18))
    assert unanswered_nudges(answered, history) == 0
    assert one(answered, local(2026, 12, 1, 10), history=history, policy=policy)[0] == "nudge"


def test_snooze_label_stops_reminders_while_present() -> None:
    act = activity(due=DUE, snoozed=True)
    action, reason, next_at = one(act, local(2026, 12, 1, 10))
    assert (action, next_at) == ("none", None)
    assert reason == "snoozed: the “snooze” label is on; no reminders until it is removed"
    # The engine reports the label's removal as human activity: the back-off restarts from it.
    unsnoozed = replace(act, snoozed=False, last_human_activity=local(2026, 12, 1, 9))
    assert one(unsnoozed, local(2026, 12, 1, 10), policy=QUIET)[0] == "none"
    assert one(unsnoozed, local(2026, 12, 8, 9), policy=QUIET)[0] == "nudge"


# never -------------------------------------------------------------------------------------


@pytest.mark.parametrize("state", [TicketState.DONE, TicketState.DROPPED])
def test_closed_tickets_are_never_nudged(state: TicketState) -> None:
    act = activity(due=DUE, state=state)
    assert one(act, local(2026, 12, 1)) == ("none", f"closed ({state.value}): no reminders", None)
    assert simulate([act], start=local(2026, 11, 2), end=local(2027, 1, 31)) == []


def test_disabled_policy_sends_nothing() -> None:
    off = replace(POLICY, enabled=False)
    assert one(activity(due=DUE), local(2026, 12, 1), policy=off)[:2] == (
        "none",
        "reminders are off for this team",
    )


def test_outside_business_hours_waits_for_the_next_opening() -> None:
    action, reason, next_at = one(activity(due=DUE), local(2026, 11, 21, 11))  # Saturday
    assert action == "none"
    assert reason.startswith("outside business hours until 2026-11-23 09:00 Europe/London; ")
    assert next_at == local(2026, 11, 23, 9)


def test_a_reminder_falling_on_a_holiday_goes_the_next_business_day() -> None:
    holidays = BusinessCalendar(tz=LONDON, holidays=frozenset({dt.date(2026, 11, 10)}))
    records = simulate(
        [activity(due=DUE)],
        start=local(2026, 11, 2, 0),
        end=local(2026, 11, 12),
        policy=QUIET,
        calendar=holidays,
    )
    assert sends(records) == [("nudge", local(2026, 11, 11, 9))]


def test_reminders_keep_local_opening_time_across_the_new_york_spring_change() -> None:
    ny = BusinessCalendar(tz=NEW_YORK)
    act = activity(due=dt.date(2026, 3, 6), created=local(2026, 2, 20, tz=NEW_YORK))
    records = simulate(
        [act],
        start=local(2026, 3, 2, 0, tz=NEW_YORK),
        end=local(2026, 3, 12, tz=NEW_YORK),
        policy=QUIET,
        calendar=ny,
    )
    assert [r.at.astimezone(dt.UTC).hour for r in records] == [14, 13]  # 09:00 EST, 09:00 EDT
    assert [r.at.astimezone(NEW_YORK).hour for r in records] == [9, 9]


def test_a_ticket_without_owner_is_not_nudged_but_the_lead_hears_when_overdue() -> None:
    orphan = activity(due=DUE, owner=None)
    no_lead = replace(POLICY, lead=None)
    assert one(orphan, local(2026, 11, 17), policy=no_lead)[:2] == (
        "none",
        "no owner to remind (the ticket needs an owner)",
    )
    assert one(orphan, local(2026, 11, 17))[:2] == (
        "none",
        "overdue by 4 days; no owner to remind (the ticket needs an owner)",
    )
    action, reason, _ = one(orphan, local(2026, 11, 27, 10))
    assert (action, reason) == (
        "escalate",
        "overdue by 14 days; mentioning the lead after 14 days overdue",
    )


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        one(activity(due=DUE), dt.datetime(2026, 11, 17, 10))  # noqa: DTZ001


def test_bad_policy_is_refused() -> None:
    with pytest.raises(ValueError, match="back-off"):
        ReminderPolicy(backoff_days=())
    with pytest.raises(ValueError, match="negative"):
        ReminderPolicy(max_per_owner_per_week=-1)


# escalation --------------------------------------------------------------------------------


def test_escalation_after_days_overdue_happens_once() -> None:
    records = simulate([activity(due=DUE)], start=local(2026, 11, 2, 0), end=local(2027, 1, 10))
    assert [r.kind for r in records] == ["nudge", "nudge", "escalation", "nudge", "nudge"]
    assert records[2].at == local(2026, 12, 1, 9)


def test_escalation_after_unanswered_nudges_happens_once() -> None:
    policy = replace(POLICY, escalate_after_overdue_days=0)
    records = simulate(
        [activity(due=DUE)], start=local(2026, 11, 2, 0), end=local(2027, 2, 28), policy=policy
    )
    kinds = [r.kind for r in records]
    assert kinds[:5] == ["nudge", "nudge", "nudge", "escalation", "nudge"]
    assert kinds.count("escalation") == 1


def test_an_escalation_in_history_is_never_repeated() -> None:
    history = [
        nudge(local(2026, 11, 10, 9)),
        NudgeRecord("OPS-1", "escalation", local(2026, 11, 17, 9), "priya"),
    ]
    action, reason, _ = one(activity(due=DUE), local(2027, 1, 5, 10), history=history)
    assert action == "nudge"
    assert reason == "overdue by 53 days; last reminder 49 days ago"


@pytest.mark.parametrize(
    ("policy", "expected"),
    [
        (QUIET, "nudge"),
        (replace(POLICY, lead=None), "nudge"),
        (replace(POLICY, escalate_after_nudges=0), "escalate"),  # 14 days overdue still counts
    ],
)
def test_zero_or_no_lead_disables_escalation(policy: ReminderPolicy, expected: str) -> None:
    history = [nudge(local(2026, 11, 10, 9)), nudge(local(2026, 11, 17, 9))]
    assert one(activity(due=DUE), local(2026, 12, 1, 10), history=history, policy=policy)[0] == (
        expected
    )


# the weekly cap ----------------------------------------------------------------------------


def test_cap_per_owner_across_tickets_most_overdue_first() -> None:
    now = local(2026, 11, 24, 10)  # Tuesday
    mine = [
        activity(f"OPS-{n}", due=dt.date(2026, 11, day), created=local(2026, 10, 1))
        for n, day in [(1, 12), (2, 3), (3, 20), (4, 9), (5, 16)]
    ]
    toms = activity("OPS-9", due=dt.date(2026, 11, 20), owner="tom", created=local(2026, 10, 1))
    planned = plan_reminders(
        [*mine, toms],
        history={"OPS-7": [nudge(local(2026, 11, 20, 9), ref="OPS-7")]},  # last week
        policy=QUIET,
        calendar=CAL,
        now=now,
    )
    actions = {p.ref: p.decision for p in planned}
    assert [p.ref for p in planned] == ["OPS-2", "OPS-4", "OPS-1", "OPS-5", "OPS-3", "OPS-9"]
    assert {ref for ref, d in actions.items() if d.action == "nudge"} == {
        "OPS-2",
        "OPS-4",
        "OPS-1",
        "OPS-9",
    }
    capped = actions["OPS-5"]
    assert capped.reason.startswith("weekly cap: 3 reminders to this owner this week; ")
    assert capped.next_at == local(2026, 11, 30, 9)


def test_reminders_and_escalations_earlier_this_week_count_toward_the_cap() -> None:
    now = local(2026, 11, 24, 10)
    history = {
        "OPS-7": [nudge(local(2026, 11, 23, 9), ref="OPS-7")],
        "OPS-8": [NudgeRecord("OPS-8", "escalation", local(2026, 11, 23, 10), "priya")],
    }
    tickets = [activity(f"OPS-{n}", due=DUE) for n in (1, 2)]
    planned = plan_reminders(tickets, history=history, policy=QUIET, calendar=CAL, now=now)
    assert [p.decision.action for p in planned] == ["nudge", "none"]


def test_the_iso_week_is_the_teams_own() -> None:
    tokyo = BusinessCalendar(tz=TOKYO)
    policy = replace(QUIET, max_per_owner_per_week=1)
    monday_morning_tokyo = dt.datetime(2026, 11, 22, 20, tzinfo=dt.UTC)  # Sunday in London
    history = {"OPS-7": [nudge(monday_morning_tokyo, ref="OPS-7")]}
    act = activity(due=DUE, created=local(2026, 11, 1, tz=TOKYO))
    now = local(2026, 11, 24, 10, tz=TOKYO)
    [planned] = plan_reminders([act], history=history, policy=policy, calendar=tokyo, now=now)
    assert planned.decision.action == "none"
    assert planned.decision.reason.startswith("weekly cap")
    [in_london] = plan_reminders(
        [act], history=history, policy=policy, calendar=CAL, now=local(2026, 11, 24, 10)
    )
    assert in_london.decision.action == "nudge"


def test_a_cap_of_zero_sends_nothing_to_owners() -> None:
    policy = replace(QUIET, max_per_owner_per_week=0)
    assert one(activity(due=DUE), local(2026, 11, 17, 10), policy=policy)[0] == "none"


def test_undated_tickets_come_after_dated_ones_longest_quiet_first() -> None:
    tickets = [
        activity("OPS-3", human=local(2026, 10, 20)),
        activity("OPS-2", human=local(2026, 10, 1)),
        activity("OPS-1", due=dt.date(2026, 12, 20), human=local(2026, 11, 20)),
    ]
    planned = plan_reminders(
        tickets, history={}, policy=QUIET, calendar=CAL, now=local(2026, 11, 24)
    )
    assert [p.ref for p in planned] == ["OPS-1", "OPS-2", "OPS-3"]
    assert planned[0].decision.reason.startswith("waiting: next nudge on 2026-12-04 (not due yet)")
    fresh = one(activity(), local(2026, 11, 5), policy=QUIET)[1]
    assert (
        fresh
        == "waiting: next nudge on 2026-11-16 (not due yet); no due date; last activity 3 days ago"
    )
