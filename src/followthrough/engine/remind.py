"""The reminder cycle of one team: gather ticket activity, plan (pure), post, record.

Each reminder is journalled as an intent before the comment is posted and recorded as posted
after it; an intent left open by a crash is settled next time by looking for its tag in the
ticket's comments, so a reminder is never posted twice and a failed one is tried again.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.remind import (
    NudgeRecord,
    PlannedReminder,
    ReminderPolicy,
    TicketActivity,
    latest_human_comment,
    plan_reminders,
)
from followthrough.domain.tickets import Comment, Ticket, TicketState, comment_tag
from followthrough.engine.outcome import Outcome, WriteOutcome, attempt
from followthrough.ports import Link, ReminderStore, TicketNotFoundError, Tracker, TrackerError
from followthrough.retry import RetryPolicy, call_with_retry, log_retries, no_log

NudgeKind = Literal["nudge", "escalation"]

Render = Callable[[str, PlannedReminder, Link | None], str]  # (kind, reminder, link) → text


@dataclass(slots=True)
class RemindResult:
    """What a reminder run decided and did for one team."""

    team: str
    planned: list[PlannedReminder] = field(default_factory=list)
    posted: int = 0  # escalations included
    escalated: int = 0  # of those posted, the ones that mention the lead
    failed: list[str] = field(default_factory=list)
    read_calls: int = 0
    missing: list[str] = field(default_factory=list)  # tickets no longer in the tracker
    error: str | None = None  # the tracker refused this team: the run stopped there


def nudge_tag(nudge_id: int) -> str:
    """The hidden tag that identifies one journalled reminder in a ticket's comments."""
    return f"nudge:{nudge_id}"


@dataclass
class ReminderEngine:
    """Runs reminder cycles; time, retries and logging are injected."""

    store: ReminderStore
    clock: Callable[[], dt.datetime]
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    log: Callable[..., None] = no_log

    def run_team(
        self,
        team: str,
        tracker: Tracker,
        tickets: Sequence[Ticket],
        *,
        policy: ReminderPolicy,
        calendar: BusinessCalendar,
        render: Render,
        dry_run: bool = False,
    ) -> RemindResult:
        """Plan the team's reminders; post and record them unless ``dry_run``. A tracker that
        refuses this team ends the team's run as a result with its ``error``, never raised."""
        result = RemindResult(team=team)
        try:
            self._run(
                result,
                tracker,
                tickets,
                policy=policy,
                calendar=calendar,
                render=render,
                dry_run=dry_run,
            )
        except TrackerError as error:
            result.error = f"{type(error).__name__}: {error}"
            self.log("team_remind_stopped", team=team, error=result.error)
        return result

    def _run(
        self,
        result: RemindResult,
        tracker: Tracker,
        tickets: Sequence[Ticket],
        *,
        policy: ReminderPolicy,
        calendar: BusinessCalendar,
        render: Render,
        dry_run: bool,
    ) -> None:
        team = result.team
        if not dry_run:
            self._settle_open(team, tracker)
        links = {link.ticket_ref: link for link in self.store.links(team).values()}
        history = self._history(team, tickets)
        now = self.clock()
        activities = []
        for ticket in tickets:
            if ticket.fields.state != TicketState.OPEN or ticket.ref not in links:
                continue
            try:
                activities.append(
                    self._activity(ticket, links.get(ticket.ref), policy, tracker, result)
                )
            except TicketNotFoundError:
                result.missing.append(ticket.ref)  # deleted in the tracker: nobody to remind
                self.log("reminder_ticket_missing", team=team, ticket=ticket.ref)
        result.planned = plan_reminders(
            activities, history=history, policy=policy, calendar=calendar, now=now
        )
        if dry_run:
            return
        for reminder in result.planned:
            if reminder.decision.action != "none":
                self._post(
                    team=team,
                    tracker=tracker,
                    reminder=reminder,
                    link=links.get(reminder.ref),
                    render=render,
                    result=result,
                )

    def _history(self, team: str, tickets: Sequence[Ticket]) -> dict[str, list[NudgeRecord]]:
        owners = {t.ref: t.fields.assignee for t in tickets}
        history: dict[str, list[NudgeRecord]] = {}
        for row in self.store.nudges(team):
            if row.state != "posted":
                continue
            kind: Literal["nudge", "escalation"] = (
                "escalation" if row.kind == "escalation" else "nudge"
            )
            record = NudgeRecord(
                ticket_ref=row.ticket_ref,
                kind=kind,
                at=row.posted_at,
                owner=owners.get(row.ticket_ref),
            )
            history.setdefault(row.ticket_ref, []).append(record)
        return history

    def _activity(
        self,
        ticket: Ticket,
        link: Link | None,
        policy: ReminderPolicy,
        tracker: Tracker,
        result: RemindResult,
    ) -> TicketActivity:
        created = (
            (link.updated if link and link.updated else None) or ticket.updated or self.clock()
        )
        synced_due = (link.synced.get("due") if link else None) if link else None
        due_moved = (
            ticket.updated
            if synced_due and ticket.fields.due and ticket.fields.due.isoformat() != synced_due
            else None
        )
        labels = {label.casefold() for label in ticket.fields.labels}
        comments = self._call(lambda: tracker.comments(ticket.ref), what="comments")
        result.read_calls += 1
        return TicketActivity(
            ticket=ticket,
            item_key=link.item_key if link else "",
            owner=ticket.fields.assignee,
            created=created,
            last_human_activity=latest_human_comment(comments),
            due_moved_by_human_at=due_moved,
            snoozed=policy.snooze_label.casefold() in labels,
        )

    def _post(
        self,
        *,
        team: str,
        tracker: Tracker,
        reminder: PlannedReminder,
        link: Link | None,
        render: Render,
        result: RemindResult,
    ) -> None:
        kind: NudgeKind = "escalation" if reminder.decision.action == "escalate" else "nudge"
        row = self.store.begin_nudge(
            team=team,
            ticket_ref=reminder.ref,
            item_key=reminder.activity.item_key,
            kind=kind,
            now=self.clock(),
        )
        try:
            text = render(kind, reminder, link)
        except ValueError as error:
            outcome: WriteOutcome[Comment] = WriteOutcome(
                Outcome.REFUSED, error=TrackerError(f"the reminder could not be written: {error}")
            )
        else:
            outcome = attempt(
                lambda: tracker.comment(reminder.ref, text, marker=nudge_tag(row.id)),
                policy=self.retry,
                what="comment",
                idempotent=False,
                on_retry=log_retries(self.log),
            )
        self._record(team, row.id, ref=reminder.ref, kind=kind, outcome=outcome, result=result)

    def _record(
        self,
        team: str,
        nudge_id: int,
        *,
        ref: str,
        kind: NudgeKind,
        outcome: WriteOutcome[Comment],
        result: RemindResult,
    ) -> None:
        """Journal a reminder's outcome: an unknown one stays an intent, settled next run by
        its tag, so a reminder whose answer was lost is never posted twice."""
        if outcome.outcome != Outcome.UNKNOWN:
            comment_id = outcome.value.id if outcome.value is not None else None
            self.store.finish_nudge(
                nudge_id,
                ok=outcome.applied,
                comment_id=comment_id,
                error=outcome.message or None,
                now=self.clock(),
            )
        if outcome.applied:
            result.posted += 1
            if kind == "escalation":
                result.escalated += 1
        else:
            result.failed.append(ref)
        self.log(
            "reminder_posted",
            team=team,
            ticket=ref,
            kind=kind,
            result=outcome.outcome.value,
            **({"error": outcome.message} if outcome.error else {}),
        )

    def _settle_open(self, team: str, tracker: Tracker) -> None:
        """Intents a crash or a lost answer left open: posted if the comment with exactly
        their tag exists, else failed (tried again when due)."""
        for row in self.store.nudges(team):
            if row.state != "intent":
                continue
            try:
                comments = self._call(partial(tracker.comments, row.ticket_ref), what="comments")
            except TicketNotFoundError:
                comments = []
            tag = comment_tag(nudge_tag(row.id))
            posted = next((c for c in comments if c.tag == tag), None)
            self.store.finish_nudge(
                row.id,
                ok=posted is not None,
                comment_id=posted.id if posted else None,
                error=None if posted else "not posted (checked after an interruption)",
                now=self.clock(),
            )
            self.log("reminder_settled", team=team, ticket=row.ticket_ref, posted=bool(posted))

    def _call(self, fn: Callable[[], Any], *, what: str, idempotent: bool = True) -> Any:
        return call_with_retry(
            fn,
            policy=self.retry,
            what=what,
            idempotent=idempotent,
            on_retry=log_retries(self.log),
        )


def tickets_of_team(links: Mapping[str, Link], known: Mapping[str, Ticket]) -> list[Ticket]:
    """The team's tickets as last listed, by the journal's links."""
    return [
        known[link.ticket_ref]
        for link in links.values()
        if link.ticket_ref in known and not link.removed_noted
    ]
