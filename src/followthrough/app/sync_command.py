"""``followthrough sync``: read postmortems and trackers, print each team's plan, apply it."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import Progress, TaskID
from rich.table import Table

from followthrough.app.wiring import (
    open_configured_store,
    read_documents,
    team_policy,
    teams_selected,
    trackers_for,
    utc_now,
)
from followthrough.config import Config, ConfigError, TeamSettings, load_config
from followthrough.domain.plan import OpKind, Plan
from followthrough.engine.retry import RetryPolicy
from followthrough.engine.sync import BULK_CHUNK, SyncEngine, SyncResult, WriteProgress
from followthrough.logs import configure_logging, event_logger
from followthrough.output import printable
from followthrough.ports import Store

# Writes each operation costs, per tracker (Jira creates in bulk, 50 per call).
_WRITE_COST = {
    "jira": {OpKind.UPDATE: 3, OpKind.ADOPT: 3, OpKind.REKEY: 4, OpKind.ANNOTATE: 1},
    "github": {OpKind.UPDATE: 2, OpKind.ADOPT: 2, OpKind.REKEY: 3, OpKind.ANNOTATE: 1},
}
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
    parser = commands.add_parser("sync", help="create and reconcile one ticket per action item")
    parser.add_argument(
        "--config",
        help="global config file (default: config/followthrough.yaml, else the embedded default)",
    )
    parser.add_argument("--team", action="append", help="only this team (repeatable)")
    parser.add_argument(
        "--dry-run", action="store_true", help="print the plan and its API cost; change nothing"
    )
    parser.add_argument(
        "--once", action="store_true", help="one cycle (the default; the daemon repeats)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.set_defaults(func=run)


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
        return 2
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    store = open_configured_store(config)
    try:
        results = sync_teams(
            config,
            teams_selected(config, args.team),
            store=store,
            clock=utc_now,
            log=event_logger(logger),
            dry_run=args.dry_run,
            progress=None if args.dry_run else BarProgress(),
        )
    finally:
        store.close()
    render(results, dry_run=args.dry_run, fmt=args.format)
    return 1 if any(result.error for _, result in results) else 0


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
) -> list[tuple[str, SyncResult]]:
    """One sync cycle for ``teams``, each as (tracker kind, result); stops between teams."""
    docs = read_documents(config)
    results: list[tuple[str, SyncResult]] = []
    with trackers_for(config, clock=clock, sandbox_state=sandbox_state(config)) as trackers:
        engine = SyncEngine(
            store=store,
            clock=clock,
            retry=RetryPolicy(),
            log=log,
            progress=progress,
            should_stop=should_stop,
        )
        for team in teams:
            if should_stop():
                break
            tracker = trackers.for_team(team)
            result = engine.sync_team(
                team_policy(team),
                tracker,
                docs.for_team(team),
                unreadable=docs.unreadable(),
                dry_run=dry_run,
            )
            results.append((tracker.kind, result))
    return results


def write_cost(plan: Plan, kind: str) -> int:
    """Tracker writes a plan will cost (estimate; reads were already made to plan it)."""
    creates = len(plan.by_kind(OpKind.CREATE))
    cost = math.ceil(creates / BULK_CHUNK) if kind == "jira" and creates > 1 else creates
    table = _WRITE_COST[kind]
    return cost + sum(table.get(op.kind, 0) for op in plan.operations)


def render(results: list[tuple[str, SyncResult]], *, dry_run: bool, fmt: str) -> None:
    if fmt == "json":
        print(
            json.dumps([_json(kind, result, dry_run=dry_run) for kind, result in results], indent=2)
        )
        return
    console = Console()
    for kind, result in results:
        console.print(_table(result, kind))
        counts = Counter(op.kind.value for op in result.plan.operations)
        line = ", ".join(f"{n} {k}" for k, n in sorted(counts.items())) or "nothing to do"
        cost = write_cost(result.plan, kind)
        console.print(
            f"[bold]{result.team}[/bold]: {line}; API calls: {result.read_calls} reads made, "
            f"{'about ' + str(cost) + ' writes to apply' if dry_run else str(cost) + ' writes planned'}"
        )
        if not dry_run:
            console.print(
                f"  applied: {dict(result.applied) or 'nothing'}; failed: {len(result.failed)}"
            )
        for finding in result.plan.findings + tuple(result.findings):
            line = f"  {finding.path}:{finding.line}: {finding.code}: {finding.message}"
            console.print(_shown(line))
        if result.error:
            console.print(f"  [red]stopped: {_shown(str(result.error))}[/red]")


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


def _json(kind: str, result: SyncResult, *, dry_run: bool) -> dict[str, Any]:
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
        "failed": result.failed,
        "error": result.error,
        "findings": [
            {"code": f.code, "message": f.message, "path": f.path, "line": f.line, "item": f.item}
            for f in result.plan.findings + tuple(result.findings)
        ],
    }
