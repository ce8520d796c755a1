"""``followthrough sync``: read postmortems and trackers, print each team's plan, apply it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from followthrough.app.clock_option import command_clock
from followthrough.app.outcome import (
    EXIT_FAILED,
    EXIT_OK,
    EXIT_USAGE,
    FailureLog,
    WriteFailure,
    epilog,
    error_text,
    plural,
)
from followthrough.app.preflight import planned_owner_problems
from followthrough.app.wiring import (
    COMMAND_RETRY,
    Documents,
    Trackers,
    open_configured_store,
    read_documents,
    team_policy,
    teams_selected,
    trackers_for,
    utc_now,
)
from followthrough.app.write_back import write_back_team
from followthrough.config import Config, ConfigError, TeamSettings, load_config
from followthrough.domain.plan import Operation, OpKind, Plan
from followthrough.engine.sync import BULK_CHUNK, SyncEngine, SyncResult, WriteProgress
from followthrough.logs import configure_logging, event_logger
from followthrough.output import printable
from followthrough.ports import Store, TrackerCalls
from followthrough.retry import RetryPolicy

# Writes each operation costs, per tracker (Jira creates in bulk, 50 per call).
_WRITE_COST = {
    "jira": {OpKind.UPDATE: 1, OpKind.ADOPT: 1, OpKind.REKEY: 2, OpKind.ANNOTATE: 1},
    "github": {OpKind.UPDATE: 1, OpKind.ADOPT: 2, OpKind.REKEY: 3, OpKind.ANNOTATE: 1},
}
_DONE = {
    "create": "created",
    "update": "updated",
    "adopt": "adopted",
    "rekey": "re-keyed",
    "annotate": "annotated",
}
_ERROR_PREFIXES = (
    ("TicketNotFoundError: ", "not found: "),
    ("TrackerPermanentError: ", "tracker refused: "),
    ("TrackerTemporaryError: ", "tracker not answering: "),
)
_ERROR_HINTS = (
    (" 401", "check the connection's token and user"),
    (" 403", "check the token's permissions on this project"),
    (" 404", "check the project or repository in the team file"),
)
_SHOWN = (
    OpKind.CREATE,
    OpKind.ADOPT,
    OpKind.UPDATE,
    OpKind.REKEY,
    OpKind.ANNOTATE,
    OpKind.WAIT,
    OpKind.HOLD,
)


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "sync",
        help="create and reconcile one ticket per action item",
        description="One reconcile cycle per team: the plan, its API cost, then the writes.",
        epilog=epilog("followthrough sync --team payments --dry-run"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    add_team_option(parser)
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan and its API cost; change nothing"
    )
    parser.add_argument(
        "--format",
        choices=("table", "json"),
        default="table",
        help="table for people, json for scripts (default: table)",
    )
    parser.set_defaults(func=run)


def add_config_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="global config file (default: config/followthrough.yaml when it exists,"
        " else the embedded default)",
    )


def add_team_option(parser: argparse.ArgumentParser, extra: str = "") -> None:
    parser.add_argument(
        "--team",
        action="append",
        metavar="NAME",
        help=f"only this team (repeatable; default: every team){extra}",
    )


def load(args: argparse.Namespace) -> Config | None:
    path = Path(args.config) if args.config else Path("config/followthrough.yaml")
    try:
        return load_config(path if (args.config or path.exists()) else None)
    except ConfigError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        return None


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return EXIT_USAGE
    teams = teams_selected(config, args.team)
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    store = open_configured_store(config)
    try:
        outcome = sync_teams(
            config,
            teams,
            store=store,
            clock=command_clock(args, default=utc_now),
            log=event_logger(logger),
            dry_run=args.dry_run,
            progress=None if args.dry_run else BarProgress(),
            retry=COMMAND_RETRY,
        )
    finally:
        store.close()
    render(outcome, dry_run=args.dry_run, fmt=args.format, directories=_directories(teams))
    if args.dry_run:
        report_refused_owners(config, outcome.results, fmt=args.format)
    return outcome.exit_status


def _directories(teams: Sequence[TeamSettings]) -> dict[str, dict[str, str]]:
    return {team.name: dict(team.directory) for team in teams}


def report_refused_owners(
    config: Config, results: list[tuple[str, SyncResult]], *, fmt: str
) -> None:
    """Owners the plan would assign but the tracker would refuse (``followthrough check``'s test)."""
    lines = planned_owner_problems(
        config, [result for _, result in results], sandbox_state=sandbox_state(config)
    )
    for line in lines:
        print(line, file=sys.stderr if fmt == "json" else sys.stdout)


class BarProgress:
    """A progress bar on stderr for applies of many writes (short ones show nothing)."""

    SHOWN_FROM = 20

    def __init__(self) -> None:
        self._bar: Progress | None = None
        self._task: TaskID | None = None

    def start(self, team: str, writes: int) -> None:
        if writes < self.SHOWN_FROM:
            return
        self._bar = Progress(console=Console(stderr=True), transient=True)
        self._task = self._bar.add_task(f"{team}: applying", total=writes)
        self._bar.start()

    def advance(self) -> None:
        if self._bar is not None and self._task is not None:
            self._bar.advance(self._task)

    def finish(self) -> None:
        if self._bar is not None:
            self._bar.stop()
        self._bar, self._task = None, None


def sandbox_state(config: Config) -> Path:
    """Where the embedded sandbox keeps its state: beside the SQLite journal."""
    return Path(config.settings.store.sqlite_path).with_name("sandbox.json")


@dataclass
class SyncRun:
    """One sync over some teams: each team's result, its refused writes, skipped sources."""

    results: list[tuple[str, SyncResult]]
    problems: list[str] = field(default_factory=list)  # sources skipped, documents unread
    notices: list[str] = field(default_factory=list)  # what write-back did, one line each
    failures: list[WriteFailure] = field(default_factory=list)
    documents: Documents | None = None  # the postmortems this run read

    @property
    def ok(self) -> bool:
        return not self.problems and all(result.ok for _, result in self.results)

    @property
    def exit_status(self) -> int:
        return EXIT_OK if self.ok else EXIT_FAILED

    def failures_of(self, result: SyncResult) -> list[WriteFailure]:
        failed = set(result.failed)
        return [f for f in self.failures if f.item in failed]


def sync_teams(
    config: Config,
    teams: Sequence[TeamSettings],
    *,
    store: Store,
    clock: Callable[[], dt.datetime],
    log: Callable[..., None],
    dry_run: bool = False,
    should_stop: Callable[[], bool] = lambda: False,
    progress: WriteProgress | None = None,
    retry: RetryPolicy | None = None,
    listener: TrackerCalls | None = None,
) -> SyncRun:
    """One sync cycle for ``teams``; stops between teams. One team's failure (a tracker that
    refuses, an unexpected error) is that team's result and never stops the others.
    ``listener`` hears of every tracker call."""
    docs = read_documents(config)
    failures = FailureLog(log)
    run = SyncRun(results=[], problems=docs.problems(), failures=failures.writes, documents=docs)
    with trackers_for(
        config, clock=clock, sandbox_state=sandbox_state(config), listener=listener
    ) as trackers:
        engine = SyncEngine(
            store=store,
            clock=clock,
            retry=retry or RetryPolicy(),
            log=failures,
            progress=progress,
            should_stop=should_stop,
        )
        for team in teams:
            if should_stop():
                break
            run.results.append(
                _sync_team(engine, trackers, team, docs, dry_run=dry_run, failures=failures)
            )
            if team.write_back != "off" and run.results[-1][1].error is None:
                written = write_back_team(config, team, docs, store, dry_run=dry_run)
                run.notices += written.lines
                run.problems += written.problems
                for line in written.lines:  # the worker shows no table: its log says it
                    log("write_back", team=team.name, result=line)
                for line in written.problems:
                    log("write_back_failed", team=team.name, error=line)
    return run


def _sync_team(
    engine: SyncEngine,
    trackers: Trackers,
    team: TeamSettings,
    docs: Documents,
    *,
    dry_run: bool,
    failures: FailureLog,
) -> tuple[str, SyncResult]:
    try:
        tracker = trackers.for_team(team)
        result = engine.sync_team(
            team_policy(team),
            tracker,
            docs.for_team(team),
            unreadable=docs.unreadable(),
            read_roots=docs.read_roots,
            dry_run=dry_run,
        )
    except Exception as error:  # a defect in one team's path must not stop the other teams
        message = error_text(error)
        failures("team_sync_failed", team=team.name, error=message)
        empty = Plan(team=team.name, operations=())
        failed = failures.of_team(team.name)  # writes refused before it stopped stay named
        return team.tracker.kind, SyncResult(
            team=team.name, plan=empty, error=message, failed=failed
        )
    return tracker.kind, result


def write_cost(plan: Plan, kind: str) -> int:
    """Tracker writes a plan will cost (estimate; reads were already made to plan it)."""
    creates = len(plan.by_kind(OpKind.CREATE))
    cost = math.ceil(creates / BULK_CHUNK) if kind == "jira" and creates > 1 else creates
    table = _WRITE_COST[kind]
    return cost + sum(table.get(op.kind, 0) for op in plan.operations)


def render(
    outcome: SyncRun,
    *,
    dry_run: bool,
    fmt: str,
    directories: Mapping[str, Mapping[str, str]] | None = None,
) -> None:
    if fmt == "json":
        print(json.dumps(_json_run(outcome, dry_run=dry_run), indent=2))
        return
    console = Console()
    names = directories or {}
    for kind, result in outcome.results:
        console.print(_table(result, kind))
        for line in team_lines(
            outcome, result, kind, dry_run=dry_run, directory=names.get(result.team, {})
        ):
            console.print(printable(line), markup=False, highlight=False, soft_wrap=True)
    for line in [*outcome.notices, *outcome.problems]:
        console.print(printable(line), markup=False, highlight=False, soft_wrap=True)
    console.print(
        closing_line(outcome, dry_run=dry_run), markup=False, highlight=False, soft_wrap=True
    )


def team_lines(
    outcome: SyncRun,
    result: SyncResult,
    kind: str,
    *,
    dry_run: bool,
    directory: Mapping[str, str],
) -> list[str]:
    """The summary of one team: plan, cost, what was applied, what failed and why."""
    if result.error and not result.plan.operations:
        failed = [f"  {failure_line(item, None, outcome, directory)}" for item in result.failed]
        return [f"{result.team}: FAILED: {team_error(result.error)}", *failed]
    counts = Counter(op.kind.value for op in result.plan.operations)
    planned = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing to do"
    cost = write_cost(result.plan, kind)
    writes = plural(cost, "write")
    lines = [
        f"{result.team}: {planned}; API calls: {plural(result.read_calls, 'read')} made, "
        + (f"about {writes} to apply" if dry_run else f"{writes} planned")
    ]
    if not dry_run:
        lines.append(f"  applied: {applied_text(result.applied)}; failed: {len(result.failed)}")
    by_key = {op.item_key: op for op in result.plan.operations}
    for item in result.failed:
        lines.append("  " + failure_line(item, by_key.get(item), outcome, directory))
    for finding in result.plan.findings + tuple(result.findings):
        if finding.code == "tracker-error" and not finding.path:
            continue  # the same error as the team's, shown once below
        where = f"{finding.path}:{finding.line}: " if finding.path else ""
        lines.append(f"  {where}{finding.code}: {finding.message}")
    if result.error:
        lines.append(f"  FAILED: {team_error(result.error)}")
    return lines


def applied_text(applied: Mapping[str, int]) -> str:
    """``3 updated, 1 created`` (or ``nothing``)."""
    done = [f"{n} {_DONE.get(k, k)}" for k, n in sorted(applied.items()) if n]
    return ", ".join(done) or "nothing"


def failure_line(
    item: str, op: Operation | None, outcome: SyncRun, directory: Mapping[str, str]
) -> str:
    """One refused write: what, which item, whom it assigned, and the tracker's words."""
    failure = next((f for f in reversed(outcome.failures) if f.item == item), None)
    what = op.kind.value if op else (failure.operation if failure else "write")
    ticket = (op.ticket_ref if op else None) or (failure.ticket if failure else None)
    title = f" “{op.title}”" if op and op.title else f" {item}"
    owner = _assignee(op)
    owner_text = ""
    if owner:
        names = [name for name, ident in directory.items() if ident == owner]
        owner_text = f" (owner {names[0]} → {owner})" if names else f" (assignee {owner})"
    error = team_error(failure.error) if failure else "failed"
    return f"failed: {what}{' ' + ticket if ticket else ''}{title}{owner_text}: {error}"


def _assignee(op: Operation | None) -> str | None:
    if op is None:
        return None
    if op.spec is not None:
        return op.spec.fields.assignee
    return op.changes.assignee if op.changes is not None else None


def team_error(text: str) -> str:
    """A team's stopping error in a person's words, with what to check."""
    for prefix, said in _ERROR_PREFIXES:
        if text.startswith(prefix):
            text = said + text[len(prefix) :]
            break
    for status, hint in _ERROR_HINTS:
        if status in text:
            return f"{text} ({hint})"
    return text


def closing_line(outcome: SyncRun, *, dry_run: bool) -> str:
    """The last line: done, or what was not (teams, writes, sources and documents)."""
    failed = [r.team for _, r in outcome.results if r.error]
    writes = sum(len(r.failed) for _, r in outcome.results)
    parts = []
    if failed:
        parts.append(f"{plural(len(failed), 'team')} failed ({', '.join(failed)})")
    if writes:
        parts.append(f"{plural(writes, 'write')} failed")
    if outcome.problems:
        parts.append(
            f"{plural(len(outcome.problems), 'source or document', 'sources or documents')} skipped"
        )
    verb = "planned" if dry_run else "synced"
    if not parts:
        return f"sync: {plural(len(outcome.results), 'team')} {verb}"
    return "sync: not all done: " + "; ".join(parts)


def _table(result: SyncResult, kind: str) -> Table:
    table = Table(title=f"{result.team} ({kind})", title_justify="left")
    for column in ("operation", "ticket", "item", "reason"):
        table.add_column(column, overflow="fold")
    for op in result.plan.operations:
        if op.kind in _SHOWN:
            ticket = op.ticket_ref or ("—" if op.kind != OpKind.WAIT else f"on {op.until}")
            table.add_row(op.kind.value, _shown(ticket), _shown(op.title), _shown(op.reason))
    return table


def _shown(text: str) -> str:
    """Text from documents or trackers, printed as written: no markup, no terminal controls."""
    return escape(printable(text))


def _json_run(outcome: SyncRun, *, dry_run: bool) -> dict[str, Any]:
    return {
        "ok": outcome.ok,
        "exit_status": outcome.exit_status,
        "dry_run": dry_run,
        "teams": [
            _json(outcome, kind, result, dry_run=dry_run) for kind, result in outcome.results
        ],
        "skipped": outcome.problems,
        "write_back": outcome.notices,
    }


def _failed_json(outcome: SyncRun, result: SyncResult) -> list[dict[str, Any]]:
    """Each failed item once, with the operation, ticket and the tracker's words when known."""
    known = {f.item: f for f in outcome.failures_of(result)}
    return [
        {
            "item": item,
            "operation": known[item].operation if item in known else None,
            "ticket": known[item].ticket if item in known else None,
            "error": known[item].error if item in known else None,
        }
        for item in dict.fromkeys(result.failed)
    ]


def _json(outcome: SyncRun, kind: str, result: SyncResult, *, dry_run: bool) -> dict[str, Any]:
    return {
        "team": result.team,
        "tracker": kind,
        "dry_run": dry_run,
        "operations": [
            {
                "kind": op.kind.value,
                "item": op.item_key,
                "ticket": op.ticket_ref,
                "title": op.title,
                "reason": op.reason,
                "until": op.until.isoformat() if op.until else None,
            }
            for op in result.plan.operations
        ],
        "read_calls": result.read_calls,
        "write_cost": write_cost(result.plan, kind),
        "applied": result.applied,
        "failed": _failed_json(outcome, result),
        "error": result.error,
        "findings": [
            {"code": f.code, "message": f.message, "path": f.path, "line": f.line, "item": f.item}
            for f in result.plan.findings + tuple(result.findings)
        ],
    }
