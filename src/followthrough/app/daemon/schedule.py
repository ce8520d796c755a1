"""When the worker's jobs run: zone-aware rules, and the ``schedule`` library on an injected clock.

Sits under ``daemon``. Rules are pure (``next_after(moment)``), so next run times per team time
zone — across daylight-saving changes — are computed and tested without waiting. The
``schedule`` scheduler is driven by the same injected clock: the daemon's loop (or a test)
calls `ClockedScheduler.run_pending` (``adapters.scheduler``), and due jobs hand their name
to a submit callable.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from followthrough.config import Config, TeamSettings

Clock = Callable[[], dt.datetime]


class Rule(Protocol):
    """A recurrence: the first instant strictly after a moment (aware, UTC)."""

    def next_after(self, moment: dt.datetime) -> dt.datetime: ...

    def describe(self) -> str: ...


@dataclass(frozen=True, slots=True)
class Every:
    """Every ``interval``, counted from the end of the previous run."""

    interval: dt.timedelta

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(dt.UTC) + self.interval

    def describe(self) -> str:
        return f"every {int(self.interval.total_seconds() // 60)} min"


def local_instant(day: dt.date, at: dt.time, zone: zoneinfo.ZoneInfo) -> dt.datetime:
    """``at`` on ``day`` in ``zone``, in UTC.

    A wall time skipped by a spring-forward change runs as late as the change (02:30 becomes
    03:30); a wall time that happens twice in autumn runs the first time (``fold=0``).
    """
    wall = dt.datetime.combine(day, at.replace(tzinfo=None), tzinfo=zone)
    return wall.astimezone(dt.UTC)


@dataclass(frozen=True, slots=True)
class DailyAt:
    """Every day at a wall-clock time in a time zone (e.g. 09:30 in Europe/London)."""

    at: dt.time
    zone: zoneinfo.ZoneInfo

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        day = moment.astimezone(self.zone).date() - dt.timedelta(days=1)
        while (candidate := local_instant(day, self.at, self.zone)) <= moment:
            day += dt.timedelta(days=1)
        return candidate

    def describe(self) -> str:
        return f"daily {self.at:%H:%M} {self.zone.key}"


@dataclass(frozen=True, slots=True)
class WeeklyAt:
    """Once a week, on ``weekday`` (0 = Monday) at a wall-clock time in a time zone."""

    weekday: int
    at: dt.time
    zone: zoneinfo.ZoneInfo

    def next_after(self, moment: dt.datetime) -> dt.datetime:
        day = moment.astimezone(self.zone).date() - dt.timedelta(days=1)
        while True:
            if day.weekday() == self.weekday:
                candidate = local_instant(day, self.at, self.zone)
                if candidate > moment:
                    return candidate
            day += dt.timedelta(days=1)

    def describe(self) -> str:
        day = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[self.weekday]
        return f"weekly {day} {self.at:%H:%M} {self.zone.key}"


@dataclass(frozen=True, slots=True)
class JobSpec:
    """One scheduled job: its name (``sync``, ``remind:<team>``, ``report:<team>``) and rule."""

    name: str
    rule: Rule
    kind: str  # "sync", "remind" or "report"
    team: str | None = None
    immediately: bool = False  # first run at start rather than at the rule's next instant


def job_specs(config: Config) -> list[JobSpec]:
    """The jobs a configuration asks for: one sync, and per team reminders and a report."""
    plan = config.settings.schedule
    specs = [
        JobSpec(
            name="sync",
            kind="sync",
            rule=Every(dt.timedelta(minutes=plan.sync_every_minutes)),
            immediately=True,
        )
    ]
    for team in config.teams.values():
        if team.reminders.enabled:
            specs.append(
                JobSpec(
                    name=f"remind:{team.name}",
                    kind="remind",
                    team=team.name,
                    rule=DailyAt(plan.remind_at, team.tz),
                )
            )
        specs.append(report_spec(team, config))
    return specs


def report_spec(team: TeamSettings, config: Config) -> JobSpec:
    """The weekly report of a team, in its zone, at its own day and time or the global ones."""
    plan = config.settings.schedule
    weekday = team.report_weekday(plan.report_weekday).number
    at = team.reports.at or plan.report_at
    return JobSpec(
        name=f"report:{team.name}",
        kind="report",
        team=team.name,
        rule=WeeklyAt(weekday, at, team.tz),
    )
