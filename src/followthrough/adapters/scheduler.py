"""The ``schedule`` library driven by an injected clock: the worker's job timer.

The daemon's loop (or a test) calls `ClockedScheduler.run_pending`; a job is due when its
`rule` says so on the injected clock, and then hands its name to a submit callable. What a
job is and when it recurs is the app's (`ScheduledJob`); this module only keeps time.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Protocol

import schedule

Clock = Callable[[], dt.datetime]


class Recurrence(Protocol):
    """When a job comes next: the first instant strictly after a moment."""

    def next_after(self, moment: dt.datetime) -> dt.datetime: ...


class ScheduledJob(Protocol):
    """A job as the scheduler needs it."""

    @property
    def name(self) -> str: ...
    @property
    def rule(self) -> Recurrence: ...
    @property
    def immediately(self) -> bool: ...


class ClockedJob(schedule.Job):
    """A ``schedule`` job whose due time comes from a `Rule` and an injected clock."""

    def __init__(self, scheduler: ClockedScheduler, spec: ScheduledJob, clock: Clock) -> None:
        super().__init__(interval=1, scheduler=scheduler)
        self.unit = "seconds"  # unused: the rule decides; set so ``repr`` works
        self.spec = spec
        self._clock = clock

    @property
    def should_run(self) -> bool:
        assert self.next_run is not None
        return self._clock() >= self.next_run

    def _schedule_next_run(self) -> None:
        self.next_run = self.spec.rule.next_after(self._clock())


class ClockedScheduler(schedule.Scheduler):
    """A ``schedule`` scheduler whose jobs read the injected clock instead of the wall clock."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self._clock = clock

    def add(
        self,
        spec: ScheduledJob,
        submit: Callable[[str], object],
        *,
        last: dt.datetime | None = None,
    ) -> ClockedJob:
        """Register ``spec``; when due, ``submit(spec.name)`` is called (it must not block)."""
        job = ClockedJob(self, spec, self._clock)
        job.do(submit, spec.name)
        now = self._clock()
        if spec.immediately:
            job.next_run = now if last is None else max(now, spec.rule.next_after(last))
        else:
            job.next_run = spec.rule.next_after(now)
        return job

    def replace_all(
        self,
        specs: Iterable[ScheduledJob],
        submit: Callable[[str], object],
        *,
        last_runs: dict[str, dt.datetime],
    ) -> None:
        """Swap every job for ``specs`` (after a configuration reload), keeping their rhythm."""
        self.clear()
        for spec in specs:
            self.add(spec, submit, last=last_runs.get(spec.name))

    def next_runs(self) -> dict[str, dt.datetime]:
        """Each job's next due time, by job name."""
        return {
            job.spec.name: job.next_run
            for job in self.jobs
            if isinstance(job, ClockedJob) and job.next_run is not None
        }

    @property
    def idle_seconds(self) -> float | None:
        upcoming: dt.datetime | None = self.next_run
        if upcoming is None:
            return None
        return (upcoming - self._clock()).total_seconds()
