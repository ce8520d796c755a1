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
from followthrough.domain.tickets import Ticket, TicketState
from followthrough.engine.retry import RetryPolicy, call_with_retry, no_log
from followthrough.ports import Link, ReminderStore, Tracker, TrackerError

Render = Callable[[str, PlannedReminder, Link | None], str]  # (kind, reminder, link) → text


@dataclass(slots=True)
class RemindResult:
    """What a reminder run decided and did for one team."""

    team: str
    planned: list[PlannedReminder] = field(default_factory=list)
    posted: int = 0
    failed: list[str] = field(default_factory=list)
    read_calls: int = 0


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
        """Plan the team's reminders; post and record them unless ``dry_run``."""
        result = RemindResult(team=team)
        if not dry_run:
            self._settle_open(team, tracker)
        links = {link.ticket_ref: link for link in self.store.links(team).values()}
        history = self._history(team, tickets)
        now = self.clock()
        activities = [
            self._activity(t, links.get(t.ref), policy, tracker, result)
            for t in tickets
            if t.fields.state == TicketState.OPEN and t.ref in links
        ]
        result.planned = plan_reminders(
            activities, history=history, policy=policy, calendar=calendar, now=now
        )
        if dry_run:
            return result
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
        return result

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
        kind = "escalation" if reminder.decision.action == "escalate" else "nudge"
        row = self.store.begin_nudge(
            team=team,
            ticket_ref=reminder.ref,
            item_key=reminder.activity.item_key,
            kind=kind,
            now=self.clock(),
        )
        try:
            text = render(kind, reminder, link)
            comment = self._call(
                lambda: tracker.comment(reminder.ref, text, marker=nudge_tag(row.id)),
                what="comment",
                idempotent=False,
            )
        except (TrackerError, ValueError) as error:
            self.store.finish_nudge(
                row.id,
                ok=False,
                comment_id=None,
                error=f"{type(error).__name__}: {error}",
                now=self.clock(),
            )
            result.failed.append(reminder.ref)
            self.log(
                "reminder_posted",
                team=team,
                ticket=reminder.ref,
                kind=kind,
                result="failed",
                error=str(error),
            )
            return
        self.store.finish_nudge(
            row.id, ok=True, comment_id=comment.id, error=None, now=self.clock()
        )
        result.posted += 1
        self.log("reminder_posted", team=team, ticket=reminder.ref, kind=kind, result="ok")

    def _settle_open(self, team: str, tracker: Tracker) -> None:
        """Intents a crash left open: posted if the tagged comment exists, else failed (retried)."""
        for row in self.store.nudges(team):
            if row.state != "intent":
                continue
            comments = self._call(partial(tracker.comments, row.ticket_ref), what="comments")
            tag = nudge_tag(row.id)
            posted = next((c for c in comments if tag in c.body), None)
            self.store.finish_nudge(
                row.id,
                ok=posted is not None,
                comment_id=posted.id if posted else None,
                error=None if posted else "not posted (checked after an interruption)",
                now=self.clock(),
            )

    def _call(self, fn: Callable[[], Any], *, what: str, idempotent: bool = True) -> Any:
        return call_with_retry(fn, policy=self.retry, what=what, idempotent=idempotent)


def tickets_of_team(links: Mapping[str, Link], known: Mapping[str, Ticket]) -> list[Ticket]:
    """The team's tickets as last listed, by the journal's links."""
    return [
        known[link.ticket_ref]
        for link in links.values()
        if link.ticket_ref in known and not link.removed_noted
    ]
