"""Business hours in the team's zone: weekends, holidays, DST changes, and zones far apart."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.domain.calendar import BusinessCalendar
from tests.remind.helpers import CAL, LONDON, NEW_YORK, TOKYO, local

UTC = dt.UTC


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=UTC)


def test_open_inside_hours_on_a_weekday_only() -> None:
    assert CAL.is_open(local(2026, 11, 10, 9, 0))
    assert CAL.is_open(local(2026, 11, 10, 16, 59))
    assert not CAL.is_open(local(2026, 11, 10, 17, 0))  # the end is exclusive
    assert not CAL.is_open(local(2026, 11, 10, 8, 59))
    assert not CAL.is_open(local(2026, 11, 14, 11, 0))  # Saturday


def test_next_open_is_the_moment_itself_when_open() -> None:
    at = local(2026, 11, 10, 11, 30)
    assert CAL.next_open(at) == at
    assert CAL.next_open(at).tzinfo == UTC


def test_friday_evening_waits_for_monday_morning() -> None:
    assert CAL.next_open(local(2026, 11, 13, 17, 0)) == local(2026, 11, 16, 9, 0)


def test_london_autumn_change_moves_opening_by_an_hour_in_utc() -> None:
    # Clocks went back on Sunday 25 October 2026: 09:00 is 08:00Z before and 09:00Z after.
    assert CAL.is_open(utc(2026, 10, 23, 8, 30))  # 09:30 BST
    assert not CAL.is_open(utc(2026, 10, 26, 8, 30))  # 08:30 GMT
    assert CAL.next_open(utc(2026, 10, 24, 12)) == utc(2026, 10, 26, 9)
    assert CAL.next_open(utc(2026, 10, 22, 17)) == utc(2026, 10, 23, 8)


def test_new_york_spring_change() -> None:
    # Clocks went forward on Sunday 8 March 2026: 09:00 is 14:00Z before and 13:00Z after.
    ny = BusinessCalendar(tz=NEW_YORK)
    assert ny.next_open(utc(2026, 3, 6, 12)) == utc(2026, 3, 6, 14)
    assert ny.next_open(utc(2026, 3, 7, 0)) == utc(2026, 3, 9, 13)
    assert not ny.is_open(utc(2026, 3, 9, 12, 59))
    assert ny.is_open(utc(2026, 3, 9, 13, 0))


def test_opening_inside_a_spring_gap_opens_when_the_gap_ends() -> None:
    night = BusinessCalendar(
        tz=NEW_YORK, days=frozenset(range(7)), start=dt.time(2, 30), end=dt.time(5)
    )
    # 02:30 never shows on 8 March 2026; the clock jumps from 02:00 EST to 03:00 EDT (07:00Z).
    assert night.next_open(utc(2026, 3, 8, 5)) == utc(2026, 3, 8, 7)
    assert night.is_open(utc(2026, 3, 8, 7))
    assert not night.is_open(utc(2026, 3, 8, 6, 59))


def test_the_same_instant_is_open_in_london_and_closed_in_tokyo() -> None:
    instant = utc(2026, 11, 10, 14, 30)
    tokyo = BusinessCalendar(tz=TOKYO)
    assert CAL.is_open(instant)
    assert not tokyo.is_open(instant)  # 23:30 in Tokyo
    assert tokyo.next_open(instant) == utc(2026, 11, 11, 0)  # 09:00 JST


def test_holidays_are_skipped() -> None:
    christmas = BusinessCalendar(
        tz=LONDON, holidays=frozenset({dt.date(2026, 12, 25), dt.date(2026, 12, 28)})
    )
    assert christmas.next_open(local(2026, 12, 24, 17, 30)) == local(2026, 12, 29, 9)
    assert not christmas.is_open(local(2026, 12, 28, 11))


def test_business_days_between() -> None:
    friday, tuesday = local(2026, 11, 13, 15), local(2026, 11, 17, 10)
    assert CAL.business_days_between(friday, tuesday) == 2  # Monday and Tuesday
    holiday = BusinessCalendar(tz=LONDON, holidays=frozenset({dt.date(2026, 11, 16)}))
    assert holiday.business_days_between(friday, tuesday) == 1
    assert CAL.business_days_between(tuesday, friday) == 0


def test_next_week_open_and_iso_week_are_local() -> None:
    sunday_night_utc = utc(2026, 11, 15, 23, 30)  # already Monday in Tokyo
    tokyo = BusinessCalendar(tz=TOKYO)
    assert CAL.iso_week(sunday_night_utc) == (2026, 46)
    assert tokyo.iso_week(sunday_night_utc) == (2026, 47)
    assert CAL.next_week_open(local(2026, 11, 12)) == local(2026, 11, 16, 9)


def test_naive_times_and_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="time-zone aware"):
        CAL.is_open(dt.datetime(2026, 11, 10, 10))  # noqa: DTZ001
    with pytest.raises(ValueError, match="start before"):
        BusinessCalendar(tz=LONDON, start=dt.time(17), end=dt.time(9))
    with pytest.raises(ValueError, match="weekday numbers"):
        BusinessCalendar(tz=LONDON, days=frozenset({7}))
    closed = BusinessCalendar(tz=LONDON, days=frozenset({0}), holidays=frozenset())
    assert closed.next_open(local(2026, 11, 10)) == local(2026, 11, 16, 9)


ZONES = st.sampled_from(
    [LONDON, NEW_YORK, TOKYO, ZoneInfo("Australia/Sydney"), ZoneInfo("Asia/Kolkata")]
)


@st.composite
def calendars(draw: st.DrawFn) -> BusinessCalendar:
    start = draw(st.integers(0, 22))
    end = draw(st.integers(start + 1, 23))
    days = draw(st.frozensets(st.integers(0, 6), min_size=1))
    holidays = draw(
        st.frozensets(st.dates(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), max_size=20)
    )
    return BusinessCalendar(
        tz=draw(ZONES), days=days, start=dt.time(start), end=dt.time(end), holidays=holidays
    )


MOMENTS = st.datetimes(dt.datetime(2026, 1, 1), dt.datetime(2027, 6, 30), timezones=st.just(UTC))  # noqa: DTZ001


@settings(max_examples=300, deadline=None)
@given(calendar=calendars(), at=MOMENTS)
def test_next_open_is_the_earliest_open_moment(calendar: BusinessCalendar, at: dt.datetime) -> None:
    found = calendar.next_open(at)
    assert found >= at
    assert calendar.is_open(found)
    if found > at:
        assert not calendar.is_open(found - dt.timedelta(seconds=1))
