"""Completion figures per team and overall, for one ISO week in the team's time zone.

Pure: the app layer gathers postmortems, the tickets as last listed, the journal's links, the
nudge log and earlier weekly snapshots; this module turns them into `ItemFacts` (one per
action item) and aggregates those into `Figures`. Every figure is defined in
``templates/report/report.schema.json``; the rules that need judgement:

- States are as of when the report is made (the current listing); dates are measured against
  the week: due in it, completed in it, overdue at its end (the following Monday, or the day
  the report is made when the week is not over). Days past due are counted to the day the
  report is made, in the team's zone, as ``followthrough remind`` counts them.

- An item's state is the ticket's state when it has one (a done ticket whose document still
  says open counts as done; a reopened ticket counts as open), unless the document changed
  since the last sync and the change is not pushed yet — then the document's state.
- Won't-do (dropped) is never done: dropped items leave the completion denominator and are
  counted on their own.
- The done moment is the tracker's own: Jira's resolution date, GitHub's ``closed_at``. An
  item that was already done in its document when followthrough first saw it (its ticket was
  created closed, or it has no ticket) was done by the postmortem's date, and counts as done
  then — not on the day the ticket happened to be made. Where a tracker gives no close time,
  the moment is approximated by the journal link's ``updated`` (when sync recorded the closed
  state) or the ticket's ``updated`` (its last change), whichever is earlier — both are at or
  after the real close.
"""

from __future__ import annotations

import datetime as dt
import re
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from followthrough.domain.model import ActionItem, ItemStatus, Postmortem
from followthrough.domain.policy import fold_name
from followthrough.domain.report_period import Week, local_date
from followthrough.domain.ticket_history import PromiseHistory, TicketChange, promise_history
from followthrough.domain.tickets import Ticket, TicketState

UNCATEGORISED = "uncategorised"
UNSPECIFIED = "unspecified"
TREND_WEEKS = 12
_SEVERITY_NOISE = re.compile(r"[\s_\-.]+")


class LinkFacts(Protocol):
    """What the report needs from a journal link (`followthrough.ports.Link` fits)."""

    @property
    def item_key(self) -> str: ...
    @property
    def ticket_ref(self) -> str: ...
    @property
    def synced(self) -> dict[str, Any]: ...
    @property
    def updated(self) -> dt.datetime | None: ...


class NudgeFacts(Protocol):
    """What the report needs from a nudge row (the store's `Nudge` fits)."""

    @property
    def kind(self) -> str: ...
    @property
    def state(self) -> str: ...
    @property
    def posted_at(self) -> dt.datetime: ...


@dataclass(frozen=True, slots=True)
class TeamInputs:
    """Everything one team's figures are computed from."""

    team: str
    tz: ZoneInfo
    week: Week
    postmortems: Sequence[Postmortem]
    tickets: Mapping[str, Ticket]  # by reference, as last listed
    links: Mapping[str, LinkFacts]  # by item key
    nudges: Sequence[NudgeFacts] = ()
    # The team's directory: an owner as written counts only when it resolves, as in sync.
    directory: Mapping[str, str] | None = None
    today: dt.date | None = None  # the team's date when the report is made (None: week's end)
    # Each ticket's changes (tracker history and the journal's sightings), by reference.
    history: Mapping[str, Sequence[TicketChange]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemFacts:
    """One action item: its state now, its dates, and how it stands against the week."""

    team: str
    key: str
    title: str
    postmortem_id: str
    postmortem_title: str
    postmortem_date: dt.date | None
    severity: str
    category: str
    status: ItemStatus
    owner: str | None
    due: dt.date | None  # the ticket's due date when there is a ticket, else the document's
    document_due: dt.date | None
    ticket_ref: str | None
    ticket_url: str | None
    done_on: dt.date | None  # approximate, see the module docstring
    week: Week
    # When the item left the backlog: done_on for done, the tracker's close for won't-do.
    closed_on: dt.date | None = None
    # When it was promised: the postmortem's date, else its ticket's creation.
    opened_on: dt.date | None = None
    today: dt.date | None = None  # the team's date when the report is made (None: week's end)
    # The due date first committed: the ticket's earliest known one, else the document's.
    first_due: dt.date | None = None
    due_moves: int = 0  # times the due date changed since first committed
    days_moved: int = 0  # the days of those changes added up (either way)
    reassignments: int = 0  # times the ticket went to someone else after it was made
    first_activity_days: float | None = None  # creation to the first human comment/state change
    awaiting_activity: bool = False  # an open ticket nobody but followthrough has touched

    @property
    def kept_on_time(self) -> bool:
        """Done by the due date first committed (not a later, moved one)."""
        return (
            self.status == ItemStatus.DONE
            and self.done_on is not None
            and self.first_due is not None
            and self.done_on <= self.first_due
        )

    @property
    def as_of(self) -> dt.date:
        """The end of the week (the following Monday), or today when that comes first."""
        end = self.week.sunday + dt.timedelta(days=1)
        return end if self.today is None else min(end, self.today)

    @property
    def due_in_period(self) -> bool:
        return self.due is not None and self.week.contains(self.due)

    @property
    def overdue_days(self) -> int | None:
        """Days past due on the day the report is made (as reminders count them), for open
        items due before `as_of`."""
        if self.status != ItemStatus.OPEN or self.due is None or self.due >= self.as_of:
            return None
        return ((self.today or self.as_of) - self.due).days

    @property
    def completed_in_period(self) -> bool:
        return (
            self.status == ItemStatus.DONE
            and self.done_on is not None
            and (self.week.contains(self.done_on))
        )

    @property
    def days_to_done(self) -> int | None:
        if self.status != ItemStatus.DONE or self.done_on is None or self.postmortem_date is None:
            return None
        return max((self.done_on - self.postmortem_date).days, 0)

    @property
    def missing_owner(self) -> bool:
        return self.status == ItemStatus.OPEN and not self.owner

    @property
    def missing_due(self) -> bool:
        """Open, and the postmortem gives no due date (a default put on the ticket is not one)."""
        return self.status == ItemStatus.OPEN and self.document_due is None


@dataclass(frozen=True, slots=True)
class Figures:
    """Aggregated follow-through figures (definitions in the JSON schema)."""

    total: int = 0
    open: int = 0
    done: int = 0
    dropped: int = 0
    due_in_period: int = 0
    done_of_due: int = 0
    dropped_of_due: int = 0
    completion_rate: float | None = None
    completed_in_period: int = 0
    on_time: int = 0
    on_time_rate: float | None = None
    kept_on_time: int = 0
    kept_on_time_rate: float | None = None
    moved_items: int = 0
    due_moves: int = 0
    days_moved: int = 0
    reassigned_items: int = 0
    reassignments: int = 0
    first_activity_median_days: float | None = None
    awaiting_activity: int = 0
    overdue: int = 0
    overdue_median_days: float | None = None
    overdue_max_days: int | None = None
    median_days_to_done: float | None = None
    missing_owner: int = 0
    missing_due: int = 0
    nudges_sent: int = 0
    escalations_sent: int = 0
    # Kept so that figures of several teams can be merged exactly (medians need the values).
    overdue_ages: tuple[int, ...] = field(default=(), repr=False)
    done_durations: tuple[int, ...] = field(default=(), repr=False)
    first_activity_days: tuple[float, ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One week of the trend, from a stored snapshot (or this week's figures)."""

    week: str
    completion_rate: float | None
    due_in_period: int | None
    done_of_due: int | None
    open: int | None
    overdue: int | None
    # Rebuilt from the trackers' dates, for a week before the first stored snapshot.
    reconstructed: bool = False


def item_facts(inputs: TeamInputs) -> list[ItemFacts]:
    """Every action item of the team's postmortems dated up to the end of the week."""
    by_marker = {t.marker.item_key: t for t in inputs.tickets.values() if t.marker is not None}
    facts = []
    for pm in inputs.postmortems:
        if pm.date is not None and pm.date > inputs.week.sunday:
            continue  # not written yet at the end of the week
        for item in pm.action_items:
            link = inputs.links.get(item.key)
            ticket = inputs.tickets.get(link.ticket_ref) if link else None
            facts.append(_facts(inputs, pm, item, link, ticket or by_marker.get(item.key)))
    return facts


def _facts(
    inputs: TeamInputs,
    pm: Postmortem,
    item: ActionItem,
    link: LinkFacts | None,
    ticket: Ticket | None,
) -> ItemFacts:
    status, done_on = _state(item, link, ticket, inputs.tz, pm.date)
    owner = _owner(item.owner, ticket, inputs.directory)
    due = ticket.fields.due if ticket and ticket.fields.due else item.due
    history = _history(inputs, ticket, due if ticket else item.due)
    activity = _days(ticket.created, history.first_activity) if ticket else None
    return ItemFacts(
        team=inputs.team,
        key=item.key,
        title=item.title,
        postmortem_id=pm.id,
        postmortem_title=pm.title,
        postmortem_date=pm.date,
        severity=normalise_severity(pm.severity),
        category=item.category.value if item.category else UNCATEGORISED,
        status=status,
        owner=owner,
        due=due,
        document_due=item.due,
        ticket_ref=ticket.ref if ticket else (link.ticket_ref if link else item.ticket),
        ticket_url=ticket.url if ticket and ticket.url else None,
        done_on=done_on,
        week=inputs.week,
        closed_on=done_on if status == ItemStatus.DONE else _dropped_on(status, ticket, inputs.tz),
        opened_on=pm.date
        or (local_date(ticket.created, inputs.tz) if ticket and ticket.created else None),
        today=inputs.today,
        first_due=history.first_due,
        due_moves=history.due_moves,
        days_moved=history.days_moved,
        reassignments=history.reassignments,
        first_activity_days=activity,
        awaiting_activity=ticket is not None
        and status == ItemStatus.OPEN
        and history.first_activity is None,
    )


def _history(inputs: TeamInputs, ticket: Ticket | None, due: dt.date | None) -> PromiseHistory:
    if ticket is None:  # no ticket: the document's due date is the only commitment
        return PromiseHistory.none(due)
    changes = inputs.history.get(ticket.ref, ())
    return promise_history(changes, due=due, created=ticket.created)


def _days(start: dt.datetime | None, end: dt.datetime | None) -> float | None:
    if start is None or end is None:
        return None
    return round(max((end - start).total_seconds(), 0) / 86400, 2)


def _dropped_on(status: ItemStatus, ticket: Ticket | None, tz: ZoneInfo) -> dt.date | None:
    if status != ItemStatus.DROPPED or ticket is None or ticket.closed is None:
        return None
    return local_date(ticket.closed, tz)


def _owner(
    written: str | None, ticket: Ticket | None, directory: Mapping[str, str] | None
) -> str | None:
    """Who owns an item, judged as sync judges it: the owner as written when the directory
    knows them (sync labels the rest needs-owner), else whoever the ticket is assigned to."""
    assignee = ticket.fields.assignee if ticket else None
    if directory is None or written is None:
        return written or assignee
    known = {fold_name(name) for name in directory}
    return written if fold_name(written) in known else assignee


def _state(
    item: ActionItem,
    link: LinkFacts | None,
    ticket: Ticket | None,
    tz: ZoneInfo,
    postmortem_date: dt.date | None,
) -> tuple[ItemStatus, dt.date | None]:
    """The item's state (three-way, like sync) and, when done, the day it was done."""
    if ticket is None:  # the document's word; done in it, it was done by the postmortem
        return item.status, postmortem_date if item.status == ItemStatus.DONE else None
    tracker = ItemStatus(ticket.fields.state.value)
    synced = link.synced.get("state") if link else None
    if item.status.value != synced and synced == tracker.value:
        return item.status, None  # the document changed; sync has not pushed it yet
    if tracker != ItemStatus.DONE:
        return tracker, None
    if postmortem_date is not None and _created_closed(item, ticket):
        return tracker, postmortem_date
    if ticket.closed is not None:
        return tracker, local_date(ticket.closed, tz)
    moments = [ticket.updated] if ticket.updated else []
    if link is not None and link.updated is not None and synced == TicketState.DONE.value:
        moments.append(link.updated)  # sync had seen it closed by then
    return tracker, min(local_date(m, tz) for m in moments) if moments else None


# A ticket closed this soon after it was made was made closed: its item was done already.
_CREATED_CLOSED = dt.timedelta(hours=1)


def _created_closed(item: ActionItem, ticket: Ticket) -> bool:
    if item.status != ItemStatus.DONE or ticket.created is None or ticket.closed is None:
        return False
    return ticket.closed - ticket.created <= _CREATED_CLOSED


def normalise_severity(severity: str | None) -> str:
    """``SEV-2``, ``sev 2`` and ``Sev2`` are one severity; none given is ``unspecified``."""
    text = _SEVERITY_NOISE.sub("", (severity or "").strip().lower())
    return text or UNSPECIFIED


def nudge_counts(inputs: TeamInputs) -> tuple[int, int]:
    """Reminders and escalations posted during the week (team-local bounds)."""
    start, end = inputs.week.bounds(inputs.tz)
    posted = [
        n for n in inputs.nudges if n.state == "posted" and start <= _aware(n.posted_at) < end
    ]
    escalations = sum(1 for n in posted if n.kind == "escalation")
    return len(posted) - escalations, escalations


def _aware(moment: dt.datetime) -> dt.datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)


def figures(facts: Iterable[ItemFacts], *, nudges: int = 0, escalations: int = 0) -> Figures:
    """Aggregate item facts (one team's, a category's, or every team's)."""
    items = list(facts)
    due = [f for f in items if f.due_in_period and f.status != ItemStatus.DROPPED]
    completed = [f for f in items if f.completed_in_period and f.due is not None]
    on_time = [f for f in completed if f.done_on is not None and f.due and f.done_on <= f.due]
    ages = tuple(sorted(d for f in items if (d := f.overdue_days) is not None))
    durations = tuple(sorted(d for f in items if (d := f.days_to_done) is not None))
    done_of_due = sum(1 for f in due if f.status == ItemStatus.DONE)
    kept = sum(1 for f in completed if f.kept_on_time)
    activity = tuple(sorted(a for f in items if (a := f.first_activity_days) is not None))
    return Figures(
        total=len(items),
        open=_count(items, ItemStatus.OPEN),
        done=_count(items, ItemStatus.DONE),
        dropped=_count(items, ItemStatus.DROPPED),
        due_in_period=len(due),
        done_of_due=done_of_due,
        dropped_of_due=sum(1 for f in items if f.due_in_period and f.status == ItemStatus.DROPPED),
        completion_rate=rate(done_of_due, len(due)),
        completed_in_period=len(completed),
        on_time=len(on_time),
        on_time_rate=rate(len(on_time), len(completed)),
        kept_on_time=kept,
        kept_on_time_rate=rate(kept, len(completed)),
        moved_items=sum(1 for f in items if f.due_moves),
        due_moves=sum(f.due_moves for f in items),
        days_moved=sum(f.days_moved for f in items),
        reassigned_items=sum(1 for f in items if f.reassignments),
        reassignments=sum(f.reassignments for f in items),
        first_activity_median_days=_median(activity),
        awaiting_activity=sum(1 for f in items if f.awaiting_activity),
        overdue=len(ages),
        overdue_median_days=_median(ages),
        overdue_max_days=max(ages) if ages else None,
        median_days_to_done=_median(durations),
        missing_owner=sum(1 for f in items if f.missing_owner),
        missing_due=sum(1 for f in items if f.missing_due),
        nudges_sent=nudges,
        escalations_sent=escalations,
        overdue_ages=ages,
        done_durations=durations,
        first_activity_days=activity,
    )


def merge(parts: Sequence[Figures]) -> Figures:
    """Figures of several teams together: counts add up, rates and medians are recomputed."""
    total = {name: sum(getattr(p, name) for p in parts) for name in _ADDITIVE}
    ages = tuple(sorted(a for p in parts for a in p.overdue_ages))
    durations = tuple(sorted(d for p in parts for d in p.done_durations))
    activity = tuple(sorted(d for p in parts for d in p.first_activity_days))
    return Figures(
        **total,
        completion_rate=rate(total["done_of_due"], total["due_in_period"]),
        on_time_rate=rate(total["on_time"], total["completed_in_period"]),
        kept_on_time_rate=rate(total["kept_on_time"], total["completed_in_period"]),
        first_activity_median_days=_median(activity),
        first_activity_days=activity,
        overdue_median_days=_median(ages),
        overdue_max_days=max(ages) if ages else None,
        median_days_to_done=_median(durations),
        overdue_ages=ages,
        done_durations=durations,
    )


_ADDITIVE = (
    "total open done dropped due_in_period done_of_due dropped_of_due completed_in_period "
    "on_time kept_on_time moved_items due_moves days_moved reassigned_items reassignments "
    "awaiting_activity overdue missing_owner missing_due nudges_sent escalations_sent"
).split()


def team_figures(inputs: TeamInputs, facts: Sequence[ItemFacts]) -> Figures:
    nudges, escalations = nudge_counts(inputs)
    return figures(facts, nudges=nudges, escalations=escalations)


def breakdown(facts: Sequence[ItemFacts], key: Callable[[ItemFacts], str]) -> dict[str, Figures]:
    """Figures per group (category, severity), groups in name order."""
    groups: dict[str, list[ItemFacts]] = {}
    for fact in facts:
        groups.setdefault(key(fact), []).append(fact)
    return {name: figures(groups[name]) for name in sorted(groups)}


def rate(part: int, whole: int) -> float | None:
    """A share rounded to four places; ``None`` (not zero) when there is nothing to share."""
    return round(part / whole, 4) if whole else None


def _count(items: Sequence[ItemFacts], status: ItemStatus) -> int:
    return sum(1 for f in items if f.status == status)


def _median(values: Sequence[float]) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None
