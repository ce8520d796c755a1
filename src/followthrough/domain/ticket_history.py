"""What happened to a ticket over time: due dates, assignees, states and comments.

Pure. A `TicketChange` is one change of one field, from either source of history:

- the tracker's own history (Jira's changelog, GitHub's issue events), which says who made the
  change (``human`` is False for followthrough's own writes) and, for Jira, the value before;
- the journal: what followthrough saw in its listings (``seen`` for the first sight of a
  ticket, ``listing`` for a value that differed from the last one it knew).

`PromiseHistory` is what the report takes from a ticket's changes: the due date first
committed, how often and how far it moved, how often the ticket changed hands, and when a
person first acted on it. Values of both sources are put on one time line and repeated values
collapse, so a change that the tracker reported and the journal also saw counts once.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from followthrough.domain.tickets import Ticket

Field = Literal["due", "assignee", "state", "comment"]
Source = Literal["tracker", "listing", "seen"]
FIELDS: tuple[Field, ...] = ("due", "assignee", "state", "comment")
SOURCES: tuple[Source, ...] = ("tracker", "listing", "seen")
# Changes this close to a ticket's creation are part of making it (GitHub records the first
# assignee as an event of the creation).
CREATION_GRACE = dt.timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class TicketChange:
    """One field of one ticket taking a value (a due date as ISO text, an assignee identity,
    a `TicketState` value; for comments the value is the comment id)."""

    ref: str
    field: Field
    value: str | None
    at: dt.datetime
    source: Source = "tracker"
    human: bool = True  # False when followthrough made it (or for a first sight)
    before: str | None = None  # the value before, when the tracker says (Jira)
    before_known: bool = False


@dataclass(frozen=True, slots=True)
class PromiseHistory:
    """One ticket's history as the report counts it."""

    first_due: dt.date | None
    due_moves: int
    days_moved: int
    reassignments: int
    first_activity: dt.datetime | None  # the first human comment or state change

    @staticmethod
    def none(due: dt.date | None) -> PromiseHistory:
        return PromiseHistory(due, 0, 0, 0, None)


def promise_history(
    changes: Iterable[TicketChange],
    *,
    due: dt.date | None,
    created: dt.datetime | None,
) -> PromiseHistory:
    """The figures of one ticket from its changes; ``due`` is its due date now."""
    mine = list(changes)
    dues = _series(mine, "due")
    committed = next((i for i, value in enumerate(dues) if value is not None), None)
    if committed is None:
        return PromiseHistory(
            due, 0, 0, _reassignments(mine, created), _first_activity(mine, created)
        )
    dues = dues[committed:]
    first_due = _date(dues[0])
    moves = list(itertools.pairwise(dues))
    return PromiseHistory(
        first_due=first_due,
        due_moves=len(moves),
        days_moved=sum(_days_between(old, new) for old, new in moves),
        reassignments=_reassignments(mine, created),
        first_activity=_first_activity(mine, created),
    )


def _series(changes: Sequence[TicketChange], field: Field) -> list[str | None]:
    """The field's values in time order, repeats collapsed (the first is the first known)."""
    points: list[tuple[dt.datetime, int, str | None]] = []
    for change in changes:
        if change.field != field:
            continue
        if change.before_known:
            points.append((change.at, 0, change.before))
        points.append((change.at, 1, change.value))
    values: list[str | None] = []
    for _, _, value in sorted(points, key=lambda p: (p[0], p[1])):
        if not values or values[-1] != value:
            values.append(value)
    return values


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _days_between(old: str | None, new: str | None) -> int:
    """Days a due date moved (either way); setting or clearing one moves it by none."""
    before, after = _date(old), _date(new)
    return abs((after - before).days) if before and after else 0


def _reassignments(changes: Sequence[TicketChange], created: dt.datetime | None) -> int:
    """Times the ticket went to someone other than whoever had it last, after it was made
    (a first assignee of a ticket made unassigned counts). Taking someone off and putting them
    back is no reassignment; a first sight by the journal only says who has it."""
    made = created + CREATION_GRACE if created is not None else None
    points = sorted(
        (c for c in changes if c.field == "assignee"), key=lambda c: (c.at, c.source != "seen")
    )
    holder: str | None = None
    count = 0
    for change in points:
        if change.before_known and change.before is not None and holder is None:
            holder = change.before
        value = change.value
        if value is None or value == holder:
            continue
        after_creation = change.at > made if made is not None else holder is not None
        if change.source != "seen" and after_creation:
            count += 1
        holder = value
    return count


def _first_activity(
    changes: Sequence[TicketChange], created: dt.datetime | None
) -> dt.datetime | None:
    made = created + CREATION_GRACE if created is not None else None
    moments = [
        c.at
        for c in changes
        if c.human and c.field in ("state", "comment") and (made is None or c.at > made)
    ]
    return min(moments, default=None)


def observed_changes(
    before: Ticket | None, after: Ticket, *, at: dt.datetime, human: bool = True
) -> list[TicketChange]:
    """What the journal learns from seeing ``after`` where it last knew ``before``: a first
    sight of each field (``seen``), or the fields whose value differs (``listing``; made by a
    person unless ``human`` is False — followthrough's own writes). Dated when the tracker says
    the ticket last changed, else ``at``."""
    moment = after.updated or at
    now = _values(after)
    if before is None:
        return [
            TicketChange(after.ref, name, value, moment, source="seen", human=False)
            for name, value in now.items()
        ]
    then = _values(before)
    return [
        TicketChange(
            after.ref,
            name,
            value,
            moment,
            source="listing",
            human=human,
            before=then[name],
            before_known=True,
        )
        for name, value in now.items()
        if value != then[name]
    ]


def _values(ticket: Ticket) -> dict[Field, str | None]:
    fields = ticket.fields
    return {
        "due": fields.due.isoformat() if fields.due else None,
        "assignee": fields.assignee,
        "state": fields.state.value,
    }
