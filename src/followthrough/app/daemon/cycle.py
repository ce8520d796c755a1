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

from followthrough.app.daemon.jobs import JobBody, JobOutcome, TeamOutcome, Waiting
from followthrough.app.daemon.report import ReportHook, ReportRequest
from followthrough.app.daemon.standing import team_standing
from followthrough.app.outcome import WriteFailure, error_text, plural
from followthrough.app.remind_command import remind_teams
from followthrough.app.sync_command import SyncRun, sync_teams, team_error
from followthrough.config import Config, TeamSettings
from followthrough.domain.plan import OpKind
from followthrough.domain.standing import Standing
from followthrough.engine.remind import RemindResult
from followthrough.engine.sync import SyncResult
from followthrough.ports import ReminderStore, Store, TrackerCalls

Clock = Callable[[], dt.datetime]
Log = Callable[..., None]
Work = tuple[list[TeamOutcome], list[str]]  # each team's outcome; sources/documents skipped
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
        listener: TrackerCalls | None = None,
    ) -> None:
        self._current = current
        self._clock = clock
        self._log = log
        self._should_stop = should_stop
        self._report = report
        self._out_dir = out_dir
        self._listener = listener

    def __call__(self, name: str) -> JobBody | None:
        kind, _, team = name.partition(":")
        runtime = self._current()
        teams = _teams(runtime.config, team or None)
        if teams is None or kind not in ("sync", "remind", "report"):
            return None
        run: Callable[[Runtime, Sequence[TeamSettings]], Work] = {
            "sync": self._sync,
            "remind": self._remind,
            "report": self._reports,
        }[kind]
        return lambda: self._timed(name, len(teams), lambda: run(runtime, teams))

    def _timed(self, name: str, expected: int, work: Callable[[], Work]) -> JobOutcome:
        started = self._clock()
        outcomes, problems = work()
        teams = tuple(outcomes)
        stopped = len(teams) < expected  # asked to stop: the rest is done next run
        skipped = next((t.summary for t in teams if t.summary.startswith("skipped")), None)
        return JobOutcome(
            job=name,
            ok=all(t.ok for t in teams) and not problems,
            started=started,
            finished=self._clock(),
            teams=teams,
            note=f"stopped after {len(teams)} of {expected} teams" if stopped else skipped,
            problems=tuple(problems),
        )

    def _sync(self, runtime: Runtime, teams: Sequence[TeamSettings]) -> Work:
        run = sync_teams(
            runtime.config,
            teams,
            store=runtime.store,
            clock=self._clock,
            log=self._log,
            should_stop=self._should_stop,
            listener=self._listener,
        )
        by_name = {team.name: team for team in teams}
        outcomes = [
            sync_outcome(
                result,
                run.failures_of(result),
                standing=self._standing(runtime, by_name[result.team], run),
            )
            for _kind, result in run.results
        ]
        return outcomes, run.problems

    def _standing(self, runtime: Runtime, team: TeamSettings, run: SyncRun) -> Standing | None:
        """Where the team's items stand now (for the gauges); ``None`` when it cannot be told."""
        if run.documents is None:
            return None
        try:
            return team_standing(team, run.documents.for_team(team), runtime.store, self._clock())
        except Exception as error:  # the gauges keep their last values; the sync stands
            self._log("team_standing_failed", team=team.name, error=error_text(error))
            return None

    def _remind(self, runtime: Runtime, teams: Sequence[TeamSettings]) -> Work:
        run = remind_teams(
            runtime.config,
            teams,
            store=cast(ReminderStore, runtime.store),  # the SQL stores keep the nudge log
            clock=self._clock,
            log=self._log,
            should_stop=self._should_stop,
            listener=self._listener,
        )
        done = {result.team: remind_outcome(result, run.failures) for result in run.results}
        for team, error in run.errors.items():
            done[team] = TeamOutcome(team, ok=False, summary=f"failed: {error}", error=error)
        return [done[team.name] for team in teams if team.name in done], []

    def _reports(self, runtime: Runtime, teams: Sequence[TeamSettings]) -> Work:
        if self._report is None:
            names = [team.name for team in teams]
            self._log("report_skipped", teams=names, reason="no report command available")
            return [
                TeamOutcome(name, ok=True, summary="skipped (no reports)") for name in names
            ], []
        outcomes = []
        for team in teams:
            if self._should_stop():
                break
            outcomes.append(self._report_team(runtime, team, self._report))
        return outcomes, []

    def _report_team(self, runtime: Runtime, team: TeamSettings, hook: ReportHook) -> TeamOutcome:
        request = ReportRequest(
            config=runtime.config,
            team=team,
            store=runtime.store,
            clock=self._clock,
            log=self._log,
            out_dir=self._out_dir,
            listener=self._listener,
        )
        try:
            return hook(request)
        except Exception as error:  # one team's report must not stop the other teams'
            message = error_text(error)
            self._log("team_report_failed", team=team.name, error=message)
            return TeamOutcome(team.name, ok=False, summary=f"failed: {message}", error=message)


def _teams(config: Config, team: str | None) -> list[TeamSettings] | None:
    if team is None:
        return list(config.teams.values())
    found = config.teams.get(team)
    return [found] if found is not None else None


def sync_outcome(
    result: SyncResult, failures: Sequence[WriteFailure] = (), *, standing: Standing | None = None
) -> TeamOutcome:
    """One team's sync, summed up; each failed write named with the tracker's reason."""
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
        summary += f"; stopped: {team_error(result.error)}"
    named = [f"{f.operation} {f.ticket or f.item}: {f.error}" for f in failures]
    error = "; ".join(([team_error(result.error)] if result.error else []) + named) or None
    if result.failed and error is None:
        error = f"{len(result.failed)} writes failed"
    return TeamOutcome(
        team=result.team,
        ok=result.ok,
        summary=summary,
        counts=counts,
        waiting=waiting,
        error=error,
        standing=standing,
    )


def remind_outcome(result: RemindResult, failures: Sequence[WriteFailure] = ()) -> TeamOutcome:
    """One team's reminders, summed up; each failed reminder named with its reason."""
    summary = f"{plural(result.posted, 'reminder')} posted"
    if result.failed:
        summary += f"; {len(result.failed)} failed (tried again next time)"
    reasons = {f.item: f.error for f in failures}
    named = [f"{ref}: {reasons[ref]}" if ref in reasons else ref for ref in result.failed]
    return TeamOutcome(
        team=result.team,
        ok=not result.failed,
        summary=summary,
        counts={
            "posted": result.posted,
            "escalated": result.escalated,
            "failed": len(result.failed),
        },
        error=f"reminders failed on {'; '.join(named)}" if result.failed else None,
    )
