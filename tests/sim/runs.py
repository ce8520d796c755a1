"""The product's runs as a worker makes them, over the simulator's wrapped ports.

Each run is a restarted process: a fresh store connection, fresh tracker adapters and a fresh
engine. Teams are handled in turn by one engine, as ``sync_teams``, ``remind_teams`` and the
report job do, with no handler between teams: a team whose run raises stops the run, which
is what the isolation invariant looks for. A `Crash` ends the run; any other exception
escaping the engines is recorded as unhandled.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from followthrough.adapters.mail import ReportRenderer
from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.adapters.templates import CommentContext, ReminderTemplates
from followthrough.app.report_command import ReportJob, report_team_week
from followthrough.app.wiring import Documents, Trackers
from followthrough.config import Config, TeamSettings
from followthrough.config.settings import GlobalSettings
from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.extract import extract
from followthrough.domain.model import Postmortem
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.remind import PlannedReminder, ReminderPolicy
from followthrough.domain.report_period import Week
from followthrough.engine.remind import ReminderEngine, RemindResult, tickets_of_team
from followthrough.engine.sync import SyncEngine, SyncResult
from followthrough.ports import Link, Tracker, TrackerError
from followthrough.retry import RetryPolicy
from tests.sim.boundaries import Crash, Injected, Timeline
from tests.sim.scenarios import BROKEN, Remind, Report, Sync
from tests.sim.world import TeamSpec, World

UTC = zoneinfo.ZoneInfo("UTC")
_FAILED = re.compile(r"failed=[1-9]")
CALENDAR = BusinessCalendar(UTC, frozenset(range(5)), dt.time(8), dt.time(18), frozenset())
WEEK = Week(2026, 47)
SENDER = "followthrough@acme.example"
REPORT_CONFIG = Config(
    settings=GlobalSettings.model_validate(
        {
            "sources": [{"path": "postmortems"}],
            "smtp": {"host": "127.0.0.1", "security": "plain", "sender": SENDER},
        }
    )
)
TEMPLATES = ReminderTemplates()
RENDERER = ReportRenderer()  # compiled templates are shared: a restart changes nothing there
_PROJECTS = {
    "jira": {"payments": "OPS", "web": "PLAT", BROKEN: "GONE"},
    "github": {"payments": "acme/ops", "web": "acme/web", BROKEN: "acme/gone"},
}


def team_spec(kind: str, name: str) -> TeamSpec:
    return TeamSpec(name=name, kind=kind, project=_PROJECTS[kind][name])


def team_policy(team: TeamSpec) -> TeamPolicy:
    return TeamPolicy(
        name=team.name,
        tracker_kind=team.kind,
        project=team.project,
        directory=team.directory(),
        lead=team.account("bob"),
        soak_days=0,
        labels=("postmortem",),
    )


def reminder_policy(team: TeamSpec) -> ReminderPolicy:
    return ReminderPolicy(
        stale_days=14,
        backoff_days=(7, 14),
        escalate_after_nudges=0,
        escalate_after_overdue_days=14,
        lead=team.account("bob"),
    )


def postmortems(team: TeamSpec, text: str) -> list[Postmortem]:
    """The team's postmortem as the folder source reads it; ticket placeholders filled in.

    A first line ``<!-- file: NAME -->`` names the file (``NAME.md`` in the team's folder)."""
    first, missing = ("OPS-1", "OPS-999") if team.kind == "jira" else ("#1", "#999")
    text = text.replace("{ref}", first).replace("{missing}", missing)
    named = re.match(r"<!-- file: ([\w.-]+) -->\n", text)
    path = f"{team.name}/{named.group(1) if named else f'2026-11-10-{team.name}'}.md"
    doc = parse_markdown(text, path=path, folder=team.name, stem=Path(path).stem)
    return list(extract(doc))


@dataclass
class RunRecord:
    """How one run ended: each team's outcome, a crash, or an exception nobody handled."""

    step: str
    outcomes: dict[str, str] = field(default_factory=dict)
    crashed: bool = False
    unhandled: str | None = None
    stopped_at: str = ""  # the team whose turn it was when the run ended early
    injected: list[Injected] = field(default_factory=list)
    deliveries: dict[str, str] = field(default_factory=dict)
    waits: list[float] = field(default_factory=list)  # retry waits, in simulated seconds

    def settled(self) -> bool:
        """Ended normally with nothing left to retry (a team that can never work aside)."""
        if self.crashed or self.unhandled is not None:
            return False
        return not any(
            "error=True" in outcome or _FAILED.search(outcome) or outcome == "failed"
            for team, outcome in self.outcomes.items()
            if team != BROKEN
        )


def sync_outcome(result: SyncResult) -> str:
    applied = ",".join(f"{k}={v}" for k, v in sorted(result.applied.items()))
    return f"error={result.error is not None} applied[{applied}] failed={len(result.failed)}"


def remind_outcome(result: RemindResult) -> str:
    error = f" error={result.error.partition(':')[0]}" if result.error else ""
    return f"posted={result.posted} failed={len(result.failed)}{error}"


@dataclass
class Runner:
    """Runs steps of one scenario in one world, all on one timeline."""

    world: World
    teams: tuple[TeamSpec, ...]
    timeline: Timeline
    records: list[RunRecord] = field(default_factory=list)
    docs: dict[str, str] = field(default_factory=dict)  # the documents of the last sync

    def run(self, step: Sync | Remind | Report) -> RunRecord:
        """One run of a restarted process; how it ended is recorded, never raised."""
        record = RunRecord(step=type(step).__name__.lower())
        before = len(self.timeline.injected)
        self.records.append(record)
        try:
            self._body(step, record)
        except Crash:
            record.crashed = True
        except Exception as error:  # what escapes the engines is the finding
            record.unhandled = f"{type(error).__name__}: {error}"
            record.stopped_at = self.timeline.team
        finally:
            self.timeline.team = ""
        record.injected = self.timeline.injected[before:]
        return record

    def _body(self, step: Sync | Remind | Report, record: RunRecord) -> None:
        if isinstance(step, Sync):
            self._sync(step.docs, record)
        elif isinstance(step, Remind):
            self._remind(record)
        else:
            self._report(record)

    def _retry(self) -> RetryPolicy:
        """The engines' retry rules, waiting in simulated time (each wait is recorded)."""
        return RetryPolicy(attempts=4, sleep=self._wait, jitter=lambda: 0.0)

    def _wait(self, seconds: float) -> None:
        if self.records:
            self.records[-1].waits.append(seconds)
        self.world.advance(seconds)

    def _sync(self, docs: Mapping[str, str], record: RunRecord) -> None:
        self.docs = dict(docs)
        with self.world.store(self.timeline) as store:
            engine = SyncEngine(store=store, clock=self.world.clock.now, retry=self._retry())
            for team in self.teams:
                self.timeline.team = team.name
                tracker = self.world.tracker(team, self.timeline)
                result = engine.sync_team(
                    team_policy(team),
                    tracker,
                    postmortems(team, docs.get(team.name, "")),
                    read_roots=(team.name,),  # the team's folder is read in full
                )
                record.outcomes[team.name] = sync_outcome(result)

    def _remind(self, record: RunRecord) -> None:
        clock = self.world.clock.now
        with self.world.store(self.timeline) as store:
            lister = SyncEngine(store=store, clock=clock, retry=self._retry())
            engine = ReminderEngine(store=store, clock=clock, retry=self._retry())
            for team in self.teams:
                self.timeline.team = team.name
                tracker = self.world.tracker(team, self.timeline)
                try:  # as the remind command and job do: a team's listing fails that team
                    current = lister.current_tickets(team_policy(team), tracker, dry_run=False)
                except TrackerError as error:
                    record.outcomes[team.name] = f"error={type(error).__name__}"
                    continue
                tickets = tickets_of_team(store.links(team.name), {t.ref: t for t in current})
                result = engine.run_team(
                    team.name,
                    tracker,
                    tickets,
                    policy=reminder_policy(team),
                    calendar=CALENDAR,
                    render=_renderer(team, clock()),
                )
                record.outcomes[team.name] = remind_outcome(result)

    def _report(self, record: RunRecord) -> None:
        """As the report job does it: `ReportJob` and `report_team_week`, per team in turn."""
        with self.world.store(self.timeline) as store:
            job = ReportJob(
                config=REPORT_CONFIG,
                store=store,
                trackers=cast(Trackers, _TrackersOf(self)),
                documents=cast(Documents, _DocumentsOf(self)),
                clock=self.world.clock.now,
                mailer=self.world.mailer(self.timeline),
                renderer=RENDERER,
                lister=SyncEngine(store=store, clock=self.world.clock.now, retry=self._retry()),
            )
            for team in self.teams:
                self.timeline.team = team.name
                outcome = report_team_week(job, team_settings(team), WEEK, send=True)
                state = outcome.delivery.state if outcome.delivery else "not-sent"
                record.outcomes[team.name] = record.deliveries[team.name] = state


@dataclass(frozen=True, slots=True)
class _TrackersOf:
    """What the report job asks for a team's tracker: the runner's wrapped adapter."""

    runner: Runner

    def for_team(self, team: TeamSettings) -> Tracker:
        spec = next(t for t in self.runner.teams if t.name == team.name)
        return self.runner.world.tracker(spec, self.runner.timeline)


@dataclass(frozen=True, slots=True)
class _DocumentsOf:
    """The postmortems the report job reads: the documents of the last sync."""

    runner: Runner

    def for_team(self, team: TeamSettings) -> list[Postmortem]:
        spec = next(t for t in self.runner.teams if t.name == team.name)
        return postmortems(spec, self.runner.docs.get(team.name, ""))


def team_settings(team: TeamSpec) -> TeamSettings:
    """A team's configuration, for the report job."""
    target = (
        {"jira": {"project": team.project}}
        if team.kind == "jira"
        else {"github": {"repo": team.project}}
    )
    return TeamSettings.model_validate(
        {
            "name": team.name,
            "tracker": {"connection": "sandbox", **target},
            "timezone": "UTC",
            "directory": team.directory(),
            "reports": {"recipients": [f"{team.name}-leads@acme.example"]},
        }
    )


def _renderer(
    team: TeamSpec, now: dt.datetime
) -> Callable[[str, PlannedReminder, Link | None], str]:
    tracker_kind: Any = team.kind

    def render(action: str, reminder: PlannedReminder, link: Link | None) -> str:
        ticket = reminder.activity.ticket
        context = CommentContext(
            item_title=ticket.fields.title,
            today=now.date(),
            due=ticket.fields.due,
            owner=ticket.fields.assignee,
            lead=team.account("bob"),
        )
        if action == "escalation":
            return TEMPLATES.render_escalation(tracker_kind=tracker_kind, context=context)
        return TEMPLATES.render_nudge(tracker_kind=tracker_kind, context=context)

    return render
