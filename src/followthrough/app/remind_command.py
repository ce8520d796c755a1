"""``followthrough remind``: friendly reminders on stale and overdue action-item tickets."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, cast

from rich.console import Console
from rich.table import Table

from followthrough.adapters.templates import CommentContext, ReminderTemplates
from followthrough.app.clock_option import command_clock
from followthrough.app.outcome import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    FailureLog,
    WriteFailure,
    epilog,
    error_text,
    one_line,
    plural,
)
from followthrough.app.sync_command import (
    add_config_option,
    add_team_option,
    load,
    sandbox_state,
    team_error,
)
from followthrough.app.wiring import (
    COMMAND_RETRY,
    Trackers,
    open_configured_store,
    team_policy,
    teams_selected,
    trackers_for,
    utc_now,
)
from followthrough.config import Config, TeamSettings
from followthrough.domain.calendar import BusinessCalendar
from followthrough.domain.remind import PlannedReminder, ReminderPolicy
from followthrough.engine.remind import ReminderEngine, RemindResult, tickets_of_team
from followthrough.engine.sync import SyncEngine
from followthrough.logs import configure_logging, event_logger
from followthrough.ports import Link, ReminderStore, TrackerCalls
from followthrough.retry import RetryPolicy


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "remind",
        help="post gentle reminders on stale and overdue tickets",
        description="Reminders on stale and overdue tickets, journalled so none is doubled.",
        epilog=epilog("followthrough remind --team web --dry-run"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    add_team_option(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="who would be reminded, why, and when next"
    )
    parser.set_defaults(func=run)


def reminder_policy(team: TeamSettings) -> ReminderPolicy:
    settings = team.reminders
    return ReminderPolicy(
        enabled=settings.enabled,
        stale_days=settings.stale_days,
        due_soon_days=settings.due_soon_days,
        first_after_days=settings.first_after_days,
        backoff_days=tuple(settings.backoff_days),
        max_per_owner_per_week=settings.max_per_owner_per_week,
        escalate_after_nudges=settings.escalate_after_nudges,
        escalate_after_overdue_days=settings.escalate_after_overdue_days,
        snooze_label=settings.snooze_label,
        lead=team.lead_id(),
    )


def business_calendar(team: TeamSettings) -> BusinessCalendar:
    start, end = team.reminders.hours
    return BusinessCalendar(
        team.tz, team.reminders.weekdays, start, end, frozenset(team.reminders.holidays)
    )


def renderer(
    team: TeamSettings, kind: str, calendar: BusinessCalendar, clock: dt.datetime
) -> Callable[[str, PlannedReminder, Link | None], str]:
    templates = ReminderTemplates(
        Path(team.reminders.templates_dir) if team.reminders.templates_dir else None
    )

    def render(action: str, reminder: PlannedReminder, link: Link | None) -> str:
        ticket = reminder.activity.ticket
        quiet = (clock - reminder.activity.quiet_since).days
        context = CommentContext(
            item_title=ticket.fields.title,
            today=calendar.local(clock).date(),
            due=ticket.fields.due,
            postmortem_title=str(link.synced.get("postmortem") or link.synced.get("path"))
            if link
            else None,
            owner=ticket.fields.assignee,
            lead=team.lead_id(),
            quiet_days=quiet,
        )
        tracker_kind: Literal["jira", "github"] = "jira" if kind == "jira" else "github"
        if action == "escalation":
            return templates.render_escalation(tracker_kind=tracker_kind, context=context)
        return templates.render_nudge(tracker_kind=tracker_kind, context=context)

    return render


@dataclass
class RemindRun:
    """One reminder run over some teams: each team's result, and the teams that failed."""

    results: list[RemindResult] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)  # team → why it stopped
    failures: list[WriteFailure] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not any(result.failed for result in self.results)

    @property
    def exit_status(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return EXIT_USAGE
    teams = teams_selected(config, args.team)
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    store = cast(ReminderStore, open_configured_store(config))  # the SQL stores keep the nudge log
    try:
        outcome = remind_teams(
            config,
            teams,
            store=store,
            clock=command_clock(args, default=utc_now),
            log=event_logger(logger),
            dry_run=args.dry_run,
            retry=COMMAND_RETRY,
        )
    finally:
        store.close()
    render_results(outcome, dry_run=args.dry_run, names=owner_names(teams))
    return outcome.exit_status


def owner_names(teams: Sequence[TeamSettings]) -> dict[str, dict[str, str]]:
    """Per team, tracker id → the first name the directory gives it (as people read it)."""
    names: dict[str, dict[str, str]] = {}
    for team in teams:
        by_id: dict[str, str] = {}
        for name, ident in team.directory.items():
            by_id.setdefault(ident, name)
        names[team.name] = by_id
    return names


def remind_teams(
    config: Config,
    teams: Sequence[TeamSettings],
    *,
    store: ReminderStore,
    clock: Callable[[], dt.datetime],
    log: Callable[..., None],
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    retry: RetryPolicy | None = None,
    listener: TrackerCalls | None = None,
) -> RemindRun:
    """One reminder run for ``teams``; stops between teams when ``should_stop`` says so. One
    team's failure (its tracker refuses, an unexpected error) never stops the others."""
    failures = FailureLog(log)
    outcome = RemindRun(failures=failures.writes)
    with trackers_for(
        config, clock=clock, sandbox_state=sandbox_state(config), listener=listener
    ) as trackers:
        lister = SyncEngine(store=store, clock=clock, retry=retry or RetryPolicy())
        engine = ReminderEngine(
            store=store, clock=clock, retry=retry or RetryPolicy(), log=failures
        )
        for team in teams:
            if should_stop():
                break
            try:
                result = _remind_team(team, trackers, lister, engine, clock=clock, dry_run=dry_run)
            except Exception as error:  # one team's trouble must not stop the other teams
                outcome.errors[team.name] = error_text(error)
                log("team_remind_failed", team=team.name, error=outcome.errors[team.name])
                continue
            if result.error is not None:  # the tracker refused the team: the engine stopped
                outcome.errors[team.name] = one_line(result.error)
                log("team_remind_failed", team=team.name, error=outcome.errors[team.name])
                continue
            outcome.results.append(result)
    return outcome


def _remind_team(
    team: TeamSettings,
    trackers: Trackers,
    lister: SyncEngine,
    engine: ReminderEngine,
    *,
    clock: Callable[[], dt.datetime],
    dry_run: bool,
) -> RemindResult:
    tracker, calendar = trackers.for_team(team), business_calendar(team)
    current = {
        t.ref: t for t in lister.current_tickets(team_policy(team), tracker, dry_run=dry_run)
    }
    tickets = tickets_of_team(engine.store.links(team.name), current)
    return engine.run_team(
        team.name,
        tracker,
        tickets,
        policy=reminder_policy(team),
        calendar=calendar,
        render=renderer(team, tracker.kind, calendar, clock()),
        dry_run=dry_run,
    )


def render_results(
    outcome: RemindRun, *, dry_run: bool, names: Mapping[str, Mapping[str, str]] | None = None
) -> None:
    console = Console()
    for result in outcome.results:
        directory = (names or {}).get(result.team, {})
        table = Table(title=f"{result.team}: reminders", title_justify="left")
        for column in ("ticket", "owner", "action", "reason", "next"):
            table.add_column(column, overflow="fold")
        for planned in result.planned:
            decision = planned.decision
            nxt = decision.next_at.isoformat(timespec="minutes") if decision.next_at else "—"
            owner = planned.activity.owner
            shown = directory.get(owner, owner) if owner else "—"
            table.add_row(planned.ref, shown, decision.action, decision.reason, nxt)
        console.print(table)
        for line in remind_lines(outcome, result, dry_run=dry_run):
            console.print(line, markup=False, highlight=False, soft_wrap=True)
    for team, error in outcome.errors.items():
        console.print(
            f"{team}: FAILED: {team_error(error)}", markup=False, highlight=False, soft_wrap=True
        )
    console.print(
        closing_line(outcome, dry_run=dry_run), markup=False, highlight=False, soft_wrap=True
    )


def remind_lines(outcome: RemindRun, result: RemindResult, *, dry_run: bool) -> list[str]:
    """A team's count line, then one line per reminder that could not be posted."""
    wanted = sum(1 for p in result.planned if p.decision.action != "none")
    verb = "would post" if dry_run else "posted"
    count = wanted if dry_run else result.posted
    lines = [f"{result.team}: {verb} {plural(count, 'reminder')}; failed: {len(result.failed)}"]
    for ref in result.failed:
        failure = next((f for f in reversed(outcome.failures) if f.item == ref), None)
        said = team_error(failure.error) if failure else "not posted"
        lines.append(f"  failed: reminder on {ref}: {said}")
    return lines


def closing_line(outcome: RemindRun, *, dry_run: bool) -> str:
    """The last line: done, or which teams and reminders failed."""
    failed = sum(len(result.failed) for result in outcome.results)
    parts = []
    if outcome.errors:
        parts.append(f"{plural(len(outcome.errors), 'team')} failed ({', '.join(outcome.errors)})")
    if failed:
        parts.append(f"{plural(failed, 'reminder')} failed")
    if parts:
        return "remind: not all done: " + "; ".join(parts)
    verb = "planned" if dry_run else "done"
    return f"remind: {plural(len(outcome.results), 'team')} {verb}"
