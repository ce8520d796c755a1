"""The weekly period honours the team's time zone."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from followthrough.domain.report import nudge_counts
from followthrough.domain.report_period import Week, last_complete_week, parse_week, week_of

from .helpers import AUCKLAND, W18, FakeNudge, empty_inputs

UTC = ZoneInfo("UTC")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def test_monday_half_past_midnight_in_auckland_is_still_last_week_in_utc():
    moment = dt.datetime(2024, 5, 6, 0, 30, tzinfo=AUCKLAND)  # Sunday 12:30 UTC
    assert week_of(moment, AUCKLAND).label == "2024-W19"
    assert week_of(moment, UTC).label == "2024-W18"
    assert last_complete_week(moment, AUCKLAND).label == "2024-W18"
    assert last_complete_week(moment, UTC).label == "2024-W17"


def test_sunday_evening_in_los_angeles_is_already_next_week_in_utc():
    moment = dt.datetime(2024, 5, 5, 20, 0, tzinfo=LOS_ANGELES)  # Monday 03:00 UTC
    assert week_of(moment, LOS_ANGELES).label == "2024-W18"
    assert week_of(moment, UTC).label == "2024-W19"


def test_bounds_are_local_midnights():
    start, end = W18.bounds(AUCKLAND)
    assert start.astimezone(UTC) == dt.datetime(2024, 4, 28, 12, tzinfo=UTC)
    assert end - start == dt.timedelta(days=7)
    assert (W18.monday, W18.sunday) == (dt.date(2024, 4, 29), dt.date(2024, 5, 5))


def test_nudges_counted_in_the_team_week():
    nudges = [
        FakeNudge("nudge", "posted", dt.datetime(2024, 4, 28, 13, tzinfo=UTC)),  # Mon 01:00 NZ
        FakeNudge("nudge", "posted", dt.datetime(2024, 5, 5, 13, tzinfo=UTC)),  # next Mon NZ
    ]
    in_auckland = replace(empty_inputs(), tz=AUCKLAND, nudges=nudges)
    assert nudge_counts(in_auckland) == (1, 0)
    assert nudge_counts(replace(in_auckland, tz=UTC)) == (1, 0)  # both Sundays in UTC


def test_week_labels():
    assert parse_week("2020-W53") == Week(2020, 53)
    assert str(W18.previous(18)) == "2023-W52"
    for bad in ("2021-W53", "2024-18", "2024-W00", "W18"):
        with pytest.raises(ValueError, match="week"):
            parse_week(bad)
