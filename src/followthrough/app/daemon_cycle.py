"""The bodies of the worker's jobs: sync, reminders and reports, summed up per team.

Sits under ``daemon``, above the commands' reusable functions (`sync_teams`, `remind_teams`)
and the report hook. Each body reads the configuration and store current when it starts, and
stops between teams when asked to (shutdown, or leadership lost).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import cast

from followthrough.app.daemon_jobs import JobBody, JobOutcome, TeamOutcome, Waiting
from followthrough.app.daemon_report import ReportHook, ReportRequest
from followthrough.app.remind_command import remind_teams
from followthrough.app.sync_command import sync_teams
from followthrough.config import Config, TeamSettings
from followthrough.domain.plan import OpKind
from followthrough.engine.remind import RemindResult
from followthrough.engine.sync import SyncResult
from followthrough.ports import ReminderStore, Store

Clock = Callable[[], dt.datetime]
Log = Callable[..., None]
_DONE = {
    "create": "created",
    "update": "updated",
    "adopt": "adopted",
    "rekey": "re-keyed",
    "annotate": "annotated",
}


@dataclass(frozen=True, slots=True)
class Runtime:
    """What a job works with: the configuration in force and its store."""

    config: Config
    store: Store


class JobBodies:
    """Builds the body of a job from its name (``sync``, ``remind[:team]``, ``report[:team]``)."""

    def __init__(
        self,
        *,
        current: Callable[[], Runtime],
        clock: Clock,
        log: Log,
        should_stop: Callable[[], bool],
        report: ReportHook | None,
        out_dir: Path | None = None,
    ) -> None:
        self._current = current
        self._clock = clock
        self._log = log
        self._should_stop = should_stop
        self._report = report
        self._out_dir = out_dir

    def __call__(self, name: str) -> JobBody | None:
        kind, _, team = name.partition(":")
        runtime = self._current()
        teams = _teams(runtime.config, team or None)
        if teams is None or kind not in ("sync", "remind", "report"):
            return None
        run = {"sync": self._sync, "remind": self._remind, "report": self._reports}[kind]
        return lambda: self._timed(name, len(teams), lambda: run(runtime, teams))

    def _timed(self, name: str, expected: int, work: Callable[[], list[TeamOutcome]]) -> JobOutcome:
        started = self._clock()
        teams = tuple(work())
        stopped = len(teams) < expected  # asked to stop: the rest is done next run
        skipped = next((t.summary for t in teams if t.summary.startswith("skipped")), None)
        return JobOutcome(
            job=name,
            ok=all(t.ok for t in teams),
            started=started,
            finished=self._clock(),
            teams=teams,
            note=f"stopped after {len(teams)} of {expected} teams" if stopped else skipped,
        )

    def _sync(self, runtime: Runtime, teams: Sequence[TeamSettings]) -> list[TeamOutcome]:
        results = sync_teams(
            runtime.config,
            teams,
            store=runtime.store,
            clock=self._clock,
            log=self._log,
            should_stop=self._should_stop,
        )
        return [sync_outcome(result) for _kind, result in results]

    def _remind(self, runtime: Runtime, teams: Sequence[TeamSettings]) -> list[TeamOutcome]:
        results = remind_teams(
            runtime.config,
            teams,
            store=cast(ReminderStore, runtime.store),  # the SQL stores keep the nudge log
            clock=self._clock,
            log=self._log,
            should_stop=self._should_stop,
        )
        return [remind_outcome(result) for result in results]

    def _reports(self, runtime: Runtime, teams: Sequence[TeamSettings]) -> list[TeamOutcome]:
        if self._report is None:
            names = [team.name for team in teams]
            self._log("report_skipped", teams=names, reason="no report command available")
            return [TeamOutcome(name, ok=True, summary="skipped (no reports)") for name in names]
        outcomes = []
        for team in teams:
            if self._should_stop():
                break
            request = ReportRequest(
                config=runtime.config,
                team=team,
                store=runtime.store,
                clock=self._clock,
                log=self._log,
                out_dir=self._out_dir,
            )
            outcomes.append(self._report(request))
        return outcomes


def _teams(config: Config, team: str | None) -> list[TeamSettings] | None:
    if team is None:
        return list(config.teams.values())
    found = config.teams.get(team)
    return [found] if found is not None else None


def sync_outcome(result: SyncResult) -> TeamOutcome:
    """One team's sync, summed up."""
    waiting = tuple(
        Waiting(item=op.item_key, title=op.title, until=op.until)
        for op in result.plan.operations
        if op.kind == OpKind.WAIT
    )
    counts = {**result.applied, "failed": len(result.failed), "waiting": len(waiting)}
    done = ", ".join(f"{n} {_DONE.get(k, k)}" for k, n in sorted(result.applied.items()))
    summary = f"{done or 'no changes'}; {len(waiting)} waiting for soak"
    if result.failed:
        summary += f"; {len(result.failed)} failed (retried next cycle)"
    if result.error:
        summary += f"; stopped: {result.error}"
    return TeamOutcome(
        team=result.team,
        ok=result.ok,
        summary=summary,
        counts=counts,
        waiting=waiting,
        error=result.error,
    )


def remind_outcome(result: RemindResult) -> TeamOutcome:
    """One team's reminders, summed up."""
    summary = f"{result.posted} reminders posted"
    if result.failed:
        summary += f"; {len(result.failed)} failed (tried again next time)"
    return TeamOutcome(
        team=result.team,
        ok=not result.failed,
        summary=summary,
        counts={"posted": result.posted, "failed": len(result.failed)},
        error=f"reminders failed on {', '.join(result.failed)}" if result.failed else None,
    )
