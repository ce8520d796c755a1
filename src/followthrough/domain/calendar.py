"""A team's business calendar: when reminders may be sent, in the team's own time zone.

Pure (the standard library's ``zoneinfo`` only). Every moment taken or returned is time-zone
aware; opening hours are wall-clock times in the team's zone, so a DST change moves them
with the clocks. A start time that falls into a spring-forward gap opens when the gap ends.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

SEARCH_DAYS = 3660  # a calendar with no open moment in ten years is a configuration mistake
_ONE_DAY = dt.timedelta(days=1)
_PRECISION = dt.timedelta(seconds=1)


def require_aware(moment: dt.datetime, what: str = "moment") -> None:
    """Refuse naive datetimes: the time zone of a reminder is never a guess."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be time-zone aware: {moment!r}")


@dataclass(frozen=True, slots=True)
class BusinessCalendar:
    """Business days (``0`` = Monday), daily hours ``[start, end)`` and holidays, in ``tz``."""

    tz: ZoneInfo
    days: frozenset[int] = frozenset(range(5))
    start: dt.time = dt.time(9)
    end: dt.time = dt.time(17)
    holidays: frozenset[dt.date] = field(default_factory=frozenset)

    def __post_init__(self) -> None:
        if not self.days or not self.days <= frozenset(range(7)):
            raise ValueError(f"business days must be weekday numbers 0-6: {sorted(self.days)}")
        if self.start.tzinfo is not None or self.end.tzinfo is not None:
            raise ValueError("business hours are wall-clock times without a time zone")
        if not self.start < self.end:
            raise ValueError(f"business hours must start before they end: {self.start}-{self.end}")

    def local(self, at: dt.datetime) -> dt.datetime:
        """``at`` on the team's wall clock."""
        require_aware(at)
        return at.astimezone(self.tz)

    def is_business_day(self, day: dt.date) -> bool:
        """A working weekday that is not a holiday."""
        return day.weekday() in self.days and day not in self.holidays

    def is_open(self, at: dt.datetime) -> bool:
        """Whether ``at`` falls on a business day, inside business hours, in the team's zone."""
        local = self.local(at)
        wall = local.time().replace(tzinfo=None)
        return self.is_business_day(local.date()) and self.start <= wall < self.end

    def next_open(self, at: dt.datetime) -> dt.datetime:
        """The earliest moment ``>= at`` inside business hours, in UTC."""
        day = self.local(at).date()
        for _ in range(SEARCH_DAYS):
            if self.is_business_day(day):
                candidate = max(self._opening(day), at.astimezone(dt.UTC))
                if self.is_open(candidate):
                    return candidate
            day += _ONE_DAY
        raise ValueError(f"no business hours within {SEARCH_DAYS} days of {at.isoformat()}")

    def business_days_between(self, a: dt.datetime, b: dt.datetime) -> int:
        """Business days after ``a``'s local date up to and including ``b``'s (0 if ``b <= a``)."""
        first, last = self.local(a).date(), self.local(b).date()
        count, day = 0, first + _ONE_DAY
        while day <= last:
            count += self.is_business_day(day)
            day += _ONE_DAY
        return count

    def start_of_day(self, day: dt.date) -> dt.datetime:
        """Local midnight of ``day`` (or the first moment after it, on a DST gap), in UTC."""
        return self._wall(day, dt.time(0))

    def next_week_open(self, at: dt.datetime) -> dt.datetime:
        """The first open moment of the ISO week after ``at``'s (team's zone)."""
        today = self.local(at).date()
        monday = today + dt.timedelta(days=7 - today.weekday())
        return self.next_open(self.start_of_day(monday))

    def iso_week(self, at: dt.datetime) -> tuple[int, int]:
        """``(ISO year, ISO week)`` of ``at`` in the team's zone."""
        year, week, _ = self.local(at).isocalendar()
        return year, week

    def _opening(self, day: dt.date) -> dt.datetime:
        return self._wall(day, self.start)

    def _wall(self, day: dt.date, wall: dt.time) -> dt.datetime:
        """The first moment the wall clock reads ``wall`` or later on ``day``, in UTC."""
        naive = dt.datetime.combine(day, wall)
        early = naive.replace(tzinfo=self.tz, fold=0).astimezone(dt.UTC)
        if _wall_clock(early, self.tz) == naive:
            return early
        # A spring-forward gap: ``wall`` never shows; the gap ends between the two readings.
        late, before = early, naive.replace(tzinfo=self.tz, fold=1).astimezone(dt.UTC)
        while late - before > _PRECISION:
            middle = before + (late - before) / 2
            if _wall_clock(middle, self.tz) >= naive:
                late = middle
            else:
                before = middle
        return late.replace(microsecond=0) + (_PRECISION if late.microsecond else dt.timedelta())


def _wall_clock(moment: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    return moment.astimezone(tz).replace(tzinfo=None)
