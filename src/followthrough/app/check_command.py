"""``followthrough check``: a read-only preflight of trackers, sources and SMTP, with fixes.

Exit status: 0 when every check passed (warnings allowed), 1 when any failed, 2 for a
configuration or usage error. Nothing is written anywhere (see ``preflight``).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict

from rich.console import Console
from rich.table import Table

from followthrough.app.outcome import epilog
from followthrough.app.preflight import (
    CheckResult,
    check_smtp,
    check_sources,
    probes_for,
    team_file,
)
from followthrough.app.preflight_team import TeamCheck
from followthrough.app.report_command import smtp_mailer
from followthrough.app.sync_command import add_config_option, add_team_option, load, sandbox_state
from followthrough.app.wiring import teams_selected
from followthrough.config import Config, TeamSettings

_STYLE = {"ok": "green", "fail": "bold red", "warn": "yellow", "skip": "dim"}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help="ask trackers, sources and SMTP whether sync, remind and report can work (read-only)",
        description=(
            "Read-only preflight: each team's project or repository exists and the token may "
            "write there, the issue type and done/won't-do transitions exist, every directory "
            "entry and lead is assignable, labels are valid, every source can be read, and SMTP "
            "accepts the login. Exit 0: all passed; 1: some check failed; 2: configuration error."
        ),
        epilog=epilog("followthrough check --config config/followthrough.yaml --team payments"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    add_team_option(parser)
    parser.add_argument(
        "--format", choices=("table", "json"), default="table", help="output (default: table)"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 2
    try:
        teams = teams_selected(config, args.team)
    except KeyError as error:
        print(f"check: {error.args[0]}", file=sys.stderr)
        return 2
    rows = check_everything(config, teams)
    render(rows, fmt=args.format)
    return 1 if any(row.status == "fail" for row in rows) else 0


def check_everything(config: Config, teams: Sequence[TeamSettings]) -> list[CheckResult]:
    """Sources, then each team's tracker target, then SMTP."""
    rows = check_sources(config)
    with probes_for(config, sandbox_state=sandbox_state(config)) as probes:
        for team in teams:
            check = TeamCheck(config, team, probes.for_team(team), team_file(config, team))
            rows.extend(check.rows())
    rows.append(check_smtp(config, mailer=smtp_mailer))
    return rows


def render(rows: Sequence[CheckResult], *, fmt: str) -> None:
    if fmt == "json":
        print(json.dumps([asdict(row) for row in rows], indent=2))
        return
    table = Table(title="followthrough check", title_justify="left")
    for column in ("result", "where", "check", "detail", "fix"):
        table.add_column(column, overflow="fold")
    for row in rows:
        style = _STYLE[row.status]
        table.add_row(f"[{style}]{row.status}[/{style}]", row.scope, row.check, row.detail, row.fix)
    console = Console()
    console.print(table)
    failed = sum(1 for row in rows if row.status == "fail")
    warned = sum(1 for row in rows if row.status == "warn")
    console.print(f"{len(rows)} checks: {failed} failed, {warned} warnings")
