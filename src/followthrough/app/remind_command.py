"""``followthrough remind``: friendly reminders on stale and overdue action-item tickets."""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal, cast

from rich.console import Console
from rich.table import Table

from followthrough.adapters.templates import CommentContext, ReminderTemplates
from followthrough.app.clock_option import command_clock
from followthrough.app.sync_command import load, sandbox_state
from followthrough.app.wiring import (
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
from followthrough.engine.retry import RetryPolicy
from followthrough.engine.sync import SyncEngine
from followthrough.logs import configure_logging, event_logger
from followthrough.ports import Link, ReminderStore


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "remind", help="post gentle reminders on stale and overdue tickets"
    )
    parser.add_argument("--config", help="global config file (default: config/followthrough.yaml)")
    parser.add_argument("--team", action="append", help="only this team (repeatable)")
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


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 2
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    store = cast(ReminderStore, open_configured_store(config))  # the SQL stores keep the nudge log
    try:
        results = remind_teams(
            config,
            teams_selected(config, args.team),
            store=store,
            clock=command_clock(args, default=utc_now),
            log=event_logger(logger),
            dry_run=args.dry_run,
        )
    finally:
        store.close()
    render_results(results, dry_run=args.dry_run)
    return 1 if any(r.failed for r in results) else 0


def remind_teams(
    config: Config,
    teams: Sequence[TeamSettings],
    *,
    store: ReminderStore,
    clock: Callable[[], dt.datetime],
    log: Callable[..., None],
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
) -> list[RemindResult]:
    """One reminder run for ``teams``; stops between teams when ``should_stop`` says so."""
    results: list[RemindResult] = []
    with trackers_for(config, clock=clock, sandbox_state=sandbox_state(config)) as trackers:
        lister = SyncEngine(store=store, clock=clock)
        engine = ReminderEngine(store=store, clock=clock, retry=RetryPolicy(), log=log)
        for team in teams:
            if should_stop():
                break
            tracker, calendar = trackers.for_team(team), business_calendar(team)
            current = {
                t.ref: t
                for t in lister.current_tickets(team_policy(team), tracker, dry_run=dry_run)
            }
            tickets = tickets_of_team(store.links(team.name), current)
            results.append(
                engine.run_team(
                    team.name,
                    tracker,
                    tickets,
                    policy=reminder_policy(team),
                    calendar=calendar,
                    render=renderer(team, tracker.kind, calendar, clock()),
                    dry_run=dry_run,
                )
            )
    return results


def render_results(results: list[RemindResult], *, dry_run: bool) -> None:
    console = Console()
    for result in results:
        table = Table(title=f"{result.team}: reminders", title_justify="left")
        for column in ("ticket", "owner", "action", "reason", "next"):
            table.add_column(column, overflow="fold")
        for planned in result.planned:
            decision = planned.decision
            nxt = decision.next_at.isoformat(timespec="minutes") if decision.next_at else "—"
            table.add_row(
                planned.ref, planned.activity.owner or "—", decision.action, decision.reason, nxt
            )
        console.print(table)
        verb = "would post" if dry_run else "posted"
        wanted = sum(1 for p in result.planned if p.decision.action != "none")
        console.print(
            f"{result.team}: {verb} {wanted if dry_run else result.posted} reminders; failed: {len(result.failed)}"
        )
