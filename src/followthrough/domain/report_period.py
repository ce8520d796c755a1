"""Report periods: ISO weeks as a team lives them, in the team's own time zone.

Pure (the standard library's ``zoneinfo`` only). A week runs from Monday 00:00 to the next
Monday 00:00 on the team's wall clock, so a Monday 00:30 in Auckland still belongs to the
previous week in UTC, and a report's "last complete week" depends on where the team is.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

_LABEL = re.compile(r"^(?P<year>\d{4})-W(?P<week>\d{2})$")
_ONE_WEEK = dt.timedelta(days=7)


@dataclass(frozen=True, slots=True, order=True)
class Week:
    """One ISO week (``2024-W18``); its dates are calendar dates, its moments need a zone."""

    year: int
    number: int

    def __post_init__(self) -> None:
        last = dt.date(self.year, 12, 28).isocalendar().week  # 28 December is always in the last
        if not 1 <= self.number <= last:
            raise ValueError(f"{self.year} has ISO weeks 1 to {last}, not {self.number}")

    @property
    def label(self) -> str:
        return f"{self.year:04d}-W{self.number:02d}"

    @property
    def monday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 1)

    @property
    def sunday(self) -> dt.date:
        return dt.date.fromisocalendar(self.year, self.number, 7)

    def contains(self, day: dt.date) -> bool:
        return self.monday <= day <= self.sunday

    def bounds(self, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
        """``[start, end)`` as aware moments: local Monday 00:00 to the next Monday 00:00."""
        start = dt.datetime.combine(self.monday, dt.time(0), tzinfo=tz)
        end = dt.datetime.combine(self.monday + _ONE_WEEK, dt.time(0), tzinfo=tz)
        return start, end

    def previous(self, weeks: int = 1) -> Week:
        return week_of_date(self.monday - _ONE_WEEK * weeks)

    def __str__(self) -> str:
        return self.label


def parse_week(label: str) -> Week:
    """``2024-W18`` → `Week`; `ValueError` for anything else (``2024-18``, ``2024-W54``)."""
    match = _LABEL.match(label.strip())
    if match is None:
        raise ValueError(f"not an ISO week like 2024-W18: {label!r}")
    return Week(int(match["year"]), int(match["week"]))


def week_of_date(day: dt.date) -> Week:
    iso = day.isocalendar()
    return Week(iso.year, iso.week)


def week_of(moment: dt.datetime, tz: ZoneInfo) -> Week:
    """The ISO week a moment falls in on the team's wall clock."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"moment must be time-zone aware: {moment!r}")
    return week_of_date(moment.astimezone(tz).date())


def last_complete_week(now: dt.datetime, tz: ZoneInfo) -> Week:
    """The most recent week that has fully ended in the team's zone (the one before ``now``'s)."""
    return week_of(now, tz).previous()


def local_date(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    """The team's calendar date at a moment (naive moments are taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
    return aware.astimezone(tz).date()


def trend_weeks(last: Week, count: int) -> list[Week]:
    """``count`` consecutive weeks ending with ``last``, oldest first."""
    return [last.previous(back) for back in range(count - 1, -1, -1)]
