"""Command line for configuration: ``followthrough config check|schema``.

Sits with the CLI, above the loader: ``add_parser`` adds the subcommands and the handlers
return exit codes. Secrets are shown only as set or unset.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from followthrough.config.loader import Config, load_config
from followthrough.config.problems import EMBEDDED, ConfigError
from followthrough.config.schema import schemas
from followthrough.config.settings import (
    FolderSource,
    GitHubConnection,
    JiraConnection,
    SmtpSettings,
)
from followthrough.output import printable

DEFAULT_FILE = Path("config/followthrough.yaml")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``config check`` and ``config schema`` to the top-level subcommands."""
    parser = subparsers.add_parser("config", help="check the configuration or print its schema")
    commands = parser.add_subparsers(dest="config_command", metavar="COMMAND", required=True)
    check = commands.add_parser(
        "check",
        help="validate the global file, every team file and the environment",
        epilog="example: followthrough config check --config config/followthrough.yaml\n\n"
        "exit status: 0 the configuration is valid; 2 it is not (each problem is printed as"
        " file:line: key: reason).",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument(
        "--config",
        type=Path,
        metavar="FILE",
        help=f"the global file (default: {DEFAULT_FILE} when it exists, else the embedded default)",
    )
    check.set_defaults(func=run_check)
    schema = commands.add_parser(
        "schema",
        help="JSON Schema of the global and team files",
        epilog="example: followthrough config schema --part team --out team.schema.json",
    )
    schema.add_argument(
        "--out", type=Path, metavar="FILE", help="write here (default: standard output)"
    )
    schema.add_argument(
        "--part",
        choices=("global", "team"),
        help="only one schema, for an editor's $schema (default: both)",
    )
    schema.set_defaults(func=run_schema)


def config_path(given: Path | None) -> Path | None:
    """The global file to read: the one given, ``config/followthrough.yaml``, or ``None``."""
    if given is not None:
        return given
    return DEFAULT_FILE if DEFAULT_FILE.is_file() else None


def run_check(args: argparse.Namespace) -> int:
    """Print every problem as ``file:line: key: reason`` (exit 2: a configuration error, as
    for every command), or a summary (exit 0)."""
    path = config_path(args.config)
    try:
        config = load_config(path)
    except ConfigError as exc:
        for problem in exc.problems:
            print(printable(str(problem)))
        count = len(exc.problems)
        print(f"{count} problem{'s' if count != 1 else ''} in the configuration", file=sys.stderr)
        return 2
    print("\n".join(summary(config)))
    return 0


def run_schema(args: argparse.Namespace) -> int:
    """Print or write the JSON Schemas."""
    everything = schemas()
    chosen: dict[str, Any] = everything[args.part] if args.part else everything
    text = json.dumps(chosen, indent=2, sort_keys=False) + "\n"
    if args.out is None:
        sys.stdout.write(text)
    else:
        args.out.write_text(text, encoding="utf-8")
    return 0


def summary(config: Config) -> list[str]:
    """A short account of a valid configuration (secrets as set/unset only)."""
    settings = config.settings
    lines = [f"configuration OK: {config.file or EMBEDDED}"]
    lines.append("sources: " + "; ".join(_source(s) for s in settings.sources))
    lines.append(f"trackers ({len(settings.trackers)}):")
    lines.extend(f"  {name}: {_connection(c)}" for name, c in settings.trackers.items())
    store = settings.store
    if store.dsn is not None:
        lines.append("store: postgresql (dsn set)")
    else:
        lines.append(f"store: sqlite {_shown(store.sqlite_path)} (dsn unset)")
    lines.append(f"smtp: {_smtp(settings.smtp)}")
    lines.append(f"teams ({len(config.teams)}):")
    for name, team in config.teams.items():
        lines.append(
            f"  {name}: {team.tracker.kind} {team.tracker.project} via {team.tracker.connection},"
            f" {team.timezone}, {len(team.directory)} directory entries,"
            f" lead {team.lead or 'none'}"
        )
    return lines


def _source(source: Any) -> str:
    if isinstance(source, FolderSource):
        linked = f", linked as {source.base_url}/…" if source.base_url else ", no links back"
        return f"{_shown(source.path)} (folder{linked})"
    spec = source.github
    return f"{spec.repo}@{spec.ref}:{spec.path or '/'} (github via {spec.connection})"


def _connection(connection: Any) -> str:
    if isinstance(connection, JiraConnection):
        return (
            f"jira {connection.deployment} {connection.url}, user {connection.user or 'none'}, "
            f"token {_set(connection.token)}, search lag {connection.search_lag_seconds:g}s"
        )
    if isinstance(connection, GitHubConnection):
        return f"github {connection.url}, token {_set(connection.token)}"
    return "sandbox (embedded simulator)"


def _smtp(smtp: SmtpSettings | None) -> str:
    if smtp is None:
        return "not configured"
    return (
        f"{smtp.host}:{smtp.port} {smtp.security}, user {smtp.username or 'none'}, "
        f"password {_set(smtp.password)}, sender {smtp.sender}"
    )


def _set(secret: object | None) -> str:
    return "unset" if secret is None else "set"


def _shown(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
