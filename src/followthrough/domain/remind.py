"""Reminder policy: which open tickets get a friendly nudge, or a mention of the lead, and when.

Pure: the engine reads tickets, comments and labels, records what it sent, and passes all of
it in with the time. The rules, in order:

- never for closed (done/dropped) tickets, when reminders are off, or while the snooze label
  is on; a ticket without an owner is not nudged (the lead hears about it when overdue);
- a ticket is due for a reminder when it is overdue, due within ``due_soon_days``, or stale
  (no human activity for ``stale_days``; our own comments and edits never count);
- cadence with back-off, measured from the last reminder: the first goes when the ticket is
  due for one (and ``first_after_days`` after creation), then ``backoff_days[0]`` later, then
  ``backoff_days[1]``, then every last value;
- a human comment or due-date change resets the back-off: the next reminder waits
  ``backoff_days[0]`` from it and the sequence starts over;
- the lead is mentioned once per ticket, in place of a reminder, after
  ``escalate_after_nudges`` unanswered nudges or ``escalate_after_overdue_days`` overdue —
  unless the lead owns the ticket: nobody is looped in to themselves;
- nothing is sent outside business hours in the team's zone, and at most
  ``max_per_owner_per_week`` reminders (escalations included) reach one owner per ISO week.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from followthrough.domain.calendar import BusinessCalendar, require_aware
from followthrough.domain.tickets import Comment, Ticket, TicketState

Action = Literal["nudge", "escalate", "none"]
RecordKind = Literal["nudge", "escalation"]


@dataclass(frozen=True, slots=True)
class ReminderPolicy:
    """A team's reminder settings in domain terms (hours and holidays live in the calendar)."""

    enabled: bool = True
    stale_days: int = 14
    due_soon_days: int = 3
    first_after_days: int = 0
    backoff_days: tuple[int, ...] = (7, 14)
    max_per_owner_per_week: int = 3  # 0: no reminders reach owners at all
    escalate_after_nudges: int = 3  # 0: never on this trigger
    escalate_after_overdue_days: int = 14  # 0: never on this trigger
    snooze_label: str = "snooze"
    lead: str | None = None  # the lead's tracker id; without one nobody is escalated to

    def __post_init__(self) -> None:
        if not self.backoff_days or min(self.backoff_days) < 1:
            raise ValueError(f"back-off needs at least one positive day count: {self.backoff_days}")
        if self.stale_days < 1:
            raise ValueError(f"stale_days must be positive: {self.stale_days}")
        counts = (
            self.due_soon_days,
            self.first_after_days,
            self.max_per_owner_per_week,
            self.escalate_after_nudges,
            self.escalate_after_overdue_days,
        )
        if min(counts) < 0:
            raise ValueError("reminder day counts and limits cannot be negative")

    def backoff_after(self, reminders: int) -> int:
        """Days to wait after the ``reminders``-th reminder since the clock was last reset."""
        index = min(max(reminders, 1), len(self.backoff_days)) - 1
        return self.backoff_days[index]


@dataclass(frozen=True, slots=True)
class TicketActivity:
    """One ticket as the reminder policy sees it (the engine gathers this from the tracker)."""

    ticket: Ticket
    item_key: str
    owner: str | None  # tracker id: Jira accountId or GitHub login
    created: dt.datetime
    last_human_activity: dt.datetime | None = None  # latest comment or change not ours
    due_moved_by_human_at: dt.datetime | None = None
    snoozed: bool = False  # the ticket carries the team's snooze label

    @property
    def ref(self) -> str:
        return self.ticket.ref

    @property
    def reset_at(self) -> dt.datetime | None:
        """The latest human sign of life, which restarts the back-off."""
        moments = [m for m in (self.last_human_activity, self.due_moved_by_human_at) if m]
        return max(moments, default=None)

    @property
    def quiet_since(self) -> dt.datetime:
        """Since when nothing human happened: the last sign of life, or the ticket's creation."""
        reset = self.reset_at
        return self.created if reset is None or reset < self.created else reset


@dataclass(frozen=True, slots=True)
class NudgeRecord:
    """A reminder that was sent (recorded by the engine once the comment is confirmed)."""

    ticket_ref: str
    kind: RecordKind
    at: dt.datetime
    owner: str | None


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do about one ticket now, why (a sentence for ``--dry-run``), and when to look again."""

    action: Action
    reason: str
    next_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class PlannedReminder:
    """A decision together with the ticket it is about."""

    activity: TicketActivity
    decision: Decision

    @property
    def ref(self) -> str:
        return self.activity.ref


@dataclass(frozen=True, slots=True)
class _Urgency:
    """Why a ticket is due for a reminder, if it is, and from when."""

    since: dt.datetime  # when the ticket became (or becomes) due for a reminder
    overdue_days: int  # > 0 when overdue
    describe: str  # "overdue by 3 days", "due in 2 days", "stale: no activity for 15 days"


def latest_human_comment(comments: Iterable[Comment]) -> dt.datetime | None:
    """When a person last commented: our own comments (tagged or by our user) never count."""
    return max((c.created for c in comments if not c.ours), default=None)


def unanswered_nudges(activity: TicketActivity, history: Iterable[NudgeRecord]) -> int:
    """Nudges sent since the last human sign of life (what an escalation comment reports)."""
    reset = activity.reset_at
    return sum(1 for r in history if r.kind == "nudge" and (reset is None or r.at > reset))


def decide(
    activity: TicketActivity,
    *,
    history: Sequence[NudgeRecord],
    owner_week_count: int,
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
    now: dt.datetime,
) -> Decision:
    """The reminder decision for one ticket; ``history`` holds this ticket's records."""
    require_aware(now, "now")
    blocked = _blocked(activity, policy)
    if blocked is not None:
        return Decision("none", blocked)
    urgency = _urgency(activity, policy, calendar, now)
    sent = sorted((r for r in history if r.at <= now), key=lambda r: r.at)
    since_reset = [r for r in sent if activity.reset_at is None or r.at > activity.reset_at]
    slot, wait_why = _next_slot(activity, since_reset, urgency, policy, calendar)
    if slot > now:
        return _waiting(urgency, slot, wait_why, calendar)
    action, why = _action(activity, sent, since_reset, urgency, policy, now=now)
    if action == "none":
        return Decision("none", why)
    return _gate(
        action,
        why,
        owner=activity.owner,
        count=owner_week_count,
        policy=policy,
        calendar=calendar,
        now=now,
    )


def plan_reminders(
    activities: Iterable[TicketActivity],
    *,
    history: Mapping[str, Sequence[NudgeRecord]],
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
    now: dt.datetime,
) -> list[PlannedReminder]:
    """Decisions for a team's tickets, most overdue first, within each owner's weekly cap."""
    require_aware(now, "now")
    week = calendar.iso_week(now)
    counts: dict[str, int] = {}
    for record in (r for records in history.values() for r in records):
        if record.owner is not None and record.at <= now and calendar.iso_week(record.at) == week:
            counts[record.owner] = counts.get(record.owner, 0) + 1
    planned: list[PlannedReminder] = []
    for activity in sorted(activities, key=_priority):
        owner = activity.owner
        count = counts.get(owner, 0) if owner is not None else 0
        decision = decide(
            activity,
            history=history.get(activity.ref, ()),
            owner_week_count=count,
            policy=policy,
            calendar=calendar,
            now=now,
        )
        if decision.action != "none" and owner is not None:
            counts[owner] = count + 1
        planned.append(PlannedReminder(activity, decision))
    return planned


# rules -------------------------------------------------------------------------------------


def _blocked(activity: TicketActivity, policy: ReminderPolicy) -> str | None:
    """Why no reminder can go out whatever the dates say, or ``None``."""
    state = activity.ticket.fields.state
    if state != TicketState.OPEN:
        return f"closed ({state.value}): no reminders"
    if not policy.enabled:
        return "reminders are off for this team"
    if activity.snoozed:
        return f"snoozed: the “{policy.snooze_label}” label is on; no reminders until it is removed"
    if activity.owner is None and not (policy.lead and policy.escalate_after_overdue_days):
        return "no owner to remind (the ticket needs an owner)"
    return None


def _urgency(
    activity: TicketActivity, policy: ReminderPolicy, calendar: BusinessCalendar, now: dt.datetime
) -> _Urgency:
    today = calendar.local(now).date()
    quiet_from = activity.quiet_since
    stale_at = _days_after(quiet_from, policy.stale_days, calendar)
    quiet = _days((now - quiet_from).days)
    due = activity.ticket.fields.due
    if due is None:
        if now < stale_at:
            return _Urgency(stale_at, 0, f"no due date; last activity {quiet} ago")
        return _Urgency(stale_at, 0, f"stale: no activity for {quiet}")
    soon_at = calendar.start_of_day(due - dt.timedelta(days=policy.due_soon_days))
    since = min(soon_at, stale_at)
    left = (due - today).days
    if left < 0:
        return _Urgency(since, -left, f"overdue by {_days(-left)}")
    if left <= policy.due_soon_days or now < stale_at:
        return _Urgency(since, 0, f"due {_in_days(left)}, on {due.isoformat()}")
    return _Urgency(since, 0, f"stale: no activity for {quiet}")


def _next_slot(
    activity: TicketActivity,
    since_reset: Sequence[NudgeRecord],
    urgency: _Urgency,
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
) -> tuple[dt.datetime, str]:
    """The earliest moment the next reminder may go, and what holds it until then."""
    first = _days_after(activity.created, policy.first_after_days, calendar)
    options = [(urgency.since, "not due yet"), (first, "new ticket")]
    if since_reset:
        wait = policy.backoff_after(len(since_reset))
        options.append((_days_after(since_reset[-1].at, wait, calendar), "back-off"))
    elif activity.reset_at is not None:
        wait = policy.backoff_after(0)
        options.append((_days_after(activity.reset_at, wait, calendar), "recent activity"))
    return max(options, key=lambda option: option[0])


def _days_after(at: dt.datetime, days: int, calendar: BusinessCalendar) -> dt.datetime:
    """``days`` later on the team's wall clock (a week after 09:00 is 09:00, across DST)."""
    return (calendar.local(at) + dt.timedelta(days=days)).astimezone(dt.UTC)


def _action(
    activity: TicketActivity,
    sent: Sequence[NudgeRecord],
    since_reset: Sequence[NudgeRecord],
    urgency: _Urgency,
    policy: ReminderPolicy,
    *,
    now: dt.datetime,
) -> tuple[Action, str]:
    """Nudge or escalate (a slot is open), with the reason sentence."""
    history_note = f"; last reminder {_days_ago(sent[-1].at, now=now)}" if sent else ""
    # The lead who owns the ticket has nobody above to bring in: they get reminders instead.
    owner_is_lead = _same_person(activity.owner, policy.lead)
    escalated = _escalated(sent) or owner_is_lead
    escalation = _escalation_trigger(since_reset, urgency, policy, escalated=escalated)
    if escalation is not None:
        return "escalate", f"{urgency.describe}; {escalation}"
    if activity.owner is None:
        return "none", f"{urgency.describe}; no owner to remind (the ticket needs an owner)"
    return "nudge", urgency.describe + history_note


def _same_person(owner: str | None, lead: str | None) -> bool:
    return owner is not None and lead is not None and owner.casefold() == lead.casefold()


def _escalation_trigger(
    since_reset: Sequence[NudgeRecord],
    urgency: _Urgency,
    policy: ReminderPolicy,
    *,
    escalated: bool,
) -> str | None:
    if escalated or policy.lead is None:
        return None
    unanswered = sum(1 for r in since_reset if r.kind == "nudge")
    if policy.escalate_after_nudges and unanswered >= policy.escalate_after_nudges:
        return f"mentioning the lead after {unanswered} reminders without a reply"
    if policy.escalate_after_overdue_days and urgency.overdue_days >= (
        policy.escalate_after_overdue_days
    ):
        return f"mentioning the lead after {_days(urgency.overdue_days)} overdue"
    return None


def _gate(
    action: Action,
    why: str,
    *,
    owner: str | None,
    count: int,
    policy: ReminderPolicy,
    calendar: BusinessCalendar,
    now: dt.datetime,
) -> Decision:
    """Hold a due reminder for the weekly cap or outside business hours."""
    if owner is not None and count >= policy.max_per_owner_per_week:
        next_week = calendar.next_week_open(now)
        note = f"{count} reminder{'s' if count != 1 else ''} to this owner this week"
        return Decision("none", f"weekly cap: {note}; {why}", next_week)
    if not calendar.is_open(now):
        opens = calendar.next_open(now)
        return Decision(
            "none", f"outside business hours until {_when(opens, calendar)}; {why}", opens
        )
    return Decision(action, why, None)


def _waiting(
    urgency: _Urgency, slot: dt.datetime, why: str, calendar: BusinessCalendar
) -> Decision:
    at = calendar.next_open(slot)
    day = calendar.local(at).date().isoformat()
    return Decision("none", f"waiting: next nudge on {day} ({why}); {urgency.describe}", at)


def _escalated(sent: Sequence[NudgeRecord]) -> bool:
    return any(r.kind == "escalation" for r in sent)


def _priority(activity: TicketActivity) -> tuple[int, dt.date, dt.datetime, str]:
    """Sort key: dated tickets by due date (most overdue first), then undated, longest quiet first."""
    due = activity.ticket.fields.due
    quiet_from = activity.quiet_since.astimezone(dt.UTC)
    if due is not None:
        return 0, due, quiet_from, activity.ref
    return 1, dt.date.min, quiet_from, activity.ref


# wording -----------------------------------------------------------------------------------


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _in_days(count: int) -> str:
    if count == 0:
        return "today"
    return "tomorrow" if count == 1 else f"in {count} days"


def _days_ago(at: dt.datetime, *, now: dt.datetime) -> str:
    return f"{_days((now - at).days)} ago"


def _when(at: dt.datetime, calendar: BusinessCalendar) -> str:
    local = calendar.local(at)
    return f"{local:%Y-%m-%d %H:%M} {calendar.tz.key}"
