"""Where the open promises stand: their age, the oldest ones, and the backlog's direction.

Pure, from `ItemFacts`. Ages count from when an item was promised (its postmortem's date,
else its ticket's creation) to the end of the reported week. Per week of the 12-week
window, *opened* counts items promised that week and *closed* those done or dropped that
week (the trackers' close dates). When more were opened than closed, the backlog grows;
``weeks_to_clear`` is how long the open items would take at the window's closing rate, with
nothing new added (None when nothing was closed: at that rate, never).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from followthrough.domain.model import ItemStatus
from followthrough.domain.report import TREND_WEEKS, ItemFacts
from followthrough.domain.report_period import Week, trend_weeks

AGE_BUCKETS = ((30, "30_days_or_less"), (90, "31_to_90_days"), (None, "over_90_days"))
OLDEST = 5


@dataclass(frozen=True, slots=True)
class BacklogWeek:
    week: str
    opened: int
    closed: int


@dataclass(frozen=True, slots=True)
class Backlog:
    """The open items' ages, the oldest few, and opened against closed per week."""

    ages: dict[str, int]
    undated: int  # open items whose promise date is unknown
    oldest: tuple[tuple[ItemFacts, int], ...]  # (item, age in days), oldest first
    weeks: tuple[BacklogWeek, ...]
    direction: Literal["growing", "shrinking", "steady"]
    weeks_to_clear: int | None  # see `_direction`


def backlog(week: Week, facts: Sequence[ItemFacts], *, as_of: dt.date | None = None) -> Backlog:
    """The backlog at the end of ``week``; ages count to ``as_of`` (default: its Sunday)."""
    end = as_of or week.sunday
    still_open = [f for f in facts if f.status == ItemStatus.OPEN]
    aged = [(f, max((end - f.opened_on).days, 0)) for f in still_open if f.opened_on is not None]
    ages = {name: 0 for _, name in AGE_BUCKETS}
    for _, days in aged:
        ages[next(name for limit, name in AGE_BUCKETS if limit is None or days <= limit)] += 1
    oldest = sorted(aged, key=lambda pair: (-pair[1], pair[0].postmortem_id, pair[0].key))
    window = trend_weeks(week, TREND_WEEKS)
    weeks = tuple(
        BacklogWeek(
            w.label,
            opened=sum(1 for f in facts if f.opened_on is not None and w.contains(f.opened_on)),
            closed=sum(1 for f in facts if f.closed_on is not None and w.contains(f.closed_on)),
        )
        for w in window
    )
    direction, weeks_to_clear = _direction(weeks, len(still_open))
    return Backlog(
        ages=ages,
        undated=len(still_open) - len(aged),
        oldest=tuple(oldest[:OLDEST]),
        weeks=weeks,
        direction=direction,
        weeks_to_clear=weeks_to_clear,
    )


Direction = Literal["growing", "shrinking", "steady"]


def _direction(weeks: Sequence[BacklogWeek], still_open: int) -> tuple[Direction, int | None]:
    """Opened against closed over the window, and the weeks the open items would take to
    close at the window's rate (None: nothing closed, so never)."""
    opened, closed = sum(w.opened for w in weeks), sum(w.closed for w in weeks)
    direction: Direction = (
        "growing" if opened > closed else "shrinking" if opened < closed else "steady"
    )
    rate = closed / len(weeks) if weeks else 0
    return direction, math.ceil(still_open / rate) if rate > 0 else None


def merge_backlogs(backlogs: Sequence[Backlog]) -> Backlog | None:
    """Several teams' backlogs as one: counts add up, the oldest are the oldest of all."""
    if not backlogs:
        return None
    ages = {name: sum(b.ages[name] for b in backlogs) for _, name in AGE_BUCKETS}
    oldest = sorted(
        (pair for b in backlogs for pair in b.oldest),
        key=lambda pair: (-pair[1], pair[0].team, pair[0].postmortem_id, pair[0].key),
    )
    weeks = tuple(
        BacklogWeek(
            points[0].week,
            opened=sum(p.opened for p in points),
            closed=sum(p.closed for p in points),
        )
        for points in zip(*(b.weeks for b in backlogs), strict=True)
    )
    still_open = sum(ages.values()) + sum(b.undated for b in backlogs)
    direction, weeks_to_clear = _direction(weeks, still_open)
    return Backlog(
        ages=ages,
        undated=sum(b.undated for b in backlogs),
        oldest=tuple(oldest[:OLDEST]),
        weeks=weeks,
        direction=direction,
        weeks_to_clear=weeks_to_clear,
    )


def backlog_json(found: Backlog) -> dict[str, object]:
    return {
        "open_by_age": dict(found.ages),
        "open_undated": found.undated,
        "oldest": [
            {
                "title": f.title,
                "owner": f.owner,
                "age_days": days,
                "ticket": f.ticket_ref,
                "postmortem": f.postmortem_title,
                "team": f.team,
            }
            for f, days in found.oldest
        ],
        "weeks": [{"week": w.week, "opened": w.opened, "closed": w.closed} for w in found.weeks],
        "direction": found.direction,
        "weeks_to_clear": found.weeks_to_clear,
    }
