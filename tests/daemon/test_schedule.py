"""Next run times per team time zone, across daylight-saving changes, and the clocked scheduler."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

from followthrough.adapters.scheduler import ClockedScheduler
from followthrough.app.daemon.schedule import (
    DailyAt,
    Every,
    JobSpec,
    WeeklyAt,
    job_specs,
)
from followthrough.config import load_config
from tests.daemon.conftest import FakeClock

LONDON = zoneinfo.ZoneInfo("Europe/London")
NEW_YORK = zoneinfo.ZoneInfo("America/New_York")


def utc(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=dt.UTC)


def test_daily_reminder_follows_the_team_zone_across_the_spring_change() -> None:
    rule = DailyAt(dt.time(9, 30), LONDON)
    assert rule.next_after(utc(2026, 3, 27, 12)) == utc(2026, 3, 28, 9, 30)  # GMT
    assert rule.next_after(utc(2026, 3, 28, 10)) == utc(2026, 3, 29, 8, 30)  # BST from today
    assert rule.next_after(utc(2026, 10, 24, 9)) == utc(2026, 10, 25, 9, 30)  # GMT again


def test_same_instant_gives_each_team_its_own_morning() -> None:
    now = utc(2026, 7, 1, 0)
    assert DailyAt(dt.time(9, 30), LONDON).next_after(now) == utc(2026, 7, 1, 8, 30)
    assert DailyAt(dt.time(9, 30), NEW_YORK).next_after(now) == utc(2026, 7, 1, 13, 30)


def test_skipped_and_repeated_wall_times() -> None:
    # 02:30 does not exist on 8 March 2026 in New York: it runs at 03:30 EDT.
    gap = DailyAt(dt.time(2, 30), NEW_YORK).next_after(utc(2026, 3, 8, 0))
    assert gap == utc(2026, 3, 8, 7, 30)
    assert gap.astimezone(NEW_YORK).hour == 3
    # 01:30 happens twice on 1 November 2026: it runs once, the first time (EDT).
    twice = DailyAt(dt.time(1, 30), NEW_YORK)
    first = twice.next_after(utc(2026, 11, 1, 0))
    assert first == utc(2026, 11, 1, 5, 30)
    assert twice.next_after(first) == utc(2026, 11, 2, 6, 30)


def test_weekly_report_in_the_team_zone() -> None:
    rule = WeeklyAt(0, dt.time(8, 0), NEW_YORK)  # Mondays 08:00
    assert rule.next_after(utc(2026, 11, 24, 12)) == utc(2026, 11, 30, 13)  # EST
    assert rule.next_after(utc(2026, 3, 3)) == utc(2026, 3, 9, 12)  # EDT since Sunday
    assert rule.next_after(utc(2026, 11, 30, 13)) == utc(2026, 12, 7, 13)


def test_job_specs_from_the_example_configuration(workspace: Path) -> None:
    config = load_config(workspace / "config" / "followthrough.yaml")
    specs = {spec.name: spec for spec in job_specs(config)}
    assert set(specs) == {"sync", "remind:payments", "remind:web", "report:payments", "report:web"}
    assert specs["sync"].rule == Every(dt.timedelta(minutes=10))
    assert specs["remind:web"].rule == DailyAt(dt.time(9, 30), NEW_YORK)
    assert specs["report:payments"].rule == WeeklyAt(0, dt.time(8, 0), LONDON)


def test_clocked_scheduler_submits_due_jobs_by_the_injected_clock() -> None:
    clock = FakeClock(utc(2026, 3, 28, 8))
    submitted: list[str] = []
    scheduler = ClockedScheduler(clock)
    sync = JobSpec("sync", Every(dt.timedelta(minutes=10)), kind="sync", immediately=True)
    remind = JobSpec("remind:payments", DailyAt(dt.time(9, 30), LONDON), kind="remind")
    scheduler.replace_all([sync, remind], submitted.append, last_runs={})
    scheduler.run_pending()
    assert submitted == ["sync"]
    clock.advance(minutes=9)
    scheduler.run_pending()
    assert submitted == ["sync"]
    assert scheduler.idle_seconds == 60
    clock.advance(minutes=1)
    scheduler.run_pending()
    assert submitted == ["sync", "sync"]
    clock.now = utc(2026, 3, 28, 9, 30)
    scheduler.run_pending()
    assert submitted[-1] == "remind:payments"
    assert scheduler.next_runs()["remind:payments"] == utc(2026, 3, 29, 8, 30)


def test_rebuilt_schedule_keeps_the_sync_rhythm() -> None:
    clock = FakeClock(utc(2026, 1, 5, 12))
    scheduler = ClockedScheduler(clock)
    sync = JobSpec("sync", Every(dt.timedelta(minutes=10)), kind="sync", immediately=True)
    scheduler.replace_all([sync], lambda _n: None, last_runs={"sync": utc(2026, 1, 5, 11, 55)})
    assert scheduler.next_runs()["sync"] == utc(2026, 1, 5, 12, 5)
