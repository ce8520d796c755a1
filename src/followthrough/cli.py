"""Command line: ``followthrough extract|lint|sandbox …``. Parses arguments, wires adapters, prints."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.app.outcome import EXIT_OK, EXIT_USAGE, UsageError, epilog
from followthrough.build import describe
from followthrough.domain.lint import LintPolicy
from followthrough.domain.model import Postmortem, Severity
from followthrough.output import (
    all_findings,
    extract_document,
    lint_github,
    lint_json,
    lint_text,
    printable,
)


def _reader(args: argparse.Namespace) -> DocumentReader:
    cache = None if args.no_cache else Path(args.cache_dir)
    return DocumentReader(policy=LintPolicy(), cache_dir=cache)


def _add_source_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="PATH", help="postmortem files or folders (recursive)"
    )
    parser.add_argument(
        "--cache-dir",
        default=".followthrough-cache",
        metavar="DIR",
        help="where parsed results are kept (default: .followthrough-cache)",
    )
    parser.add_argument("--no-cache", action="store_true", help="parse every file again")


def _cmd_extract(args: argparse.Namespace) -> int:
    postmortems = list(_reader(args).read(args.paths))
    if args.format == "json":
        print(extract_document(postmortems))
    else:
        _print_table(postmortems)
    return 0


def _print_table(postmortems: Sequence[Postmortem]) -> None:
    console = Console()
    for pm in postmortems:
        where = f"{pm.path} · {pm.team or 'no team'} · {pm.date or 'no date'}"
        table = Table(
            title=f"{_shown(pm.title)}  [dim]{_shown(where)}[/dim]",
            title_justify="left",
            expand=False,
        )
        for column in ("line", "status", "outcome", "owner", "due", "ticket", "category"):
            table.add_column(column, overflow="fold")
        for item in pm.action_items:
            table.add_row(
                str(item.line),
                item.status.value,
                _shown(item.title),
                _shown(item.owner or "—"),
                str(item.due or "—"),
                _shown(item.ticket or "—"),
                item.category or "—",
            )
        console.print(table)


def _shown(text: str) -> str:
    """Document text in a table: printed as written, no markup, no terminal controls."""
    return escape(printable(text))


def _cmd_lint(args: argparse.Namespace) -> int:
    reader = _reader(args)
    postmortems = list(reader.read(args.paths))
    if args.archive:
        from followthrough.domain.recurrence import flag_earlier_promises  # noqa: PLC0415

        archive = list(reader.read(args.archive))
        postmortems = [
            flag_earlier_promises(pm, archive, policy=reader.policy) for pm in postmortems
        ]
    findings = all_findings(postmortems)
    rendered = {"text": lint_text, "github": lint_github, "json": lint_json}[args.format](findings)
    if rendered:
        print(rendered)
    errors = sum(1 for f in findings if f.severity == Severity.ERROR)
    if args.format == "text":
        warnings = len(findings) - errors
        print(
            f"{len(postmortems)} postmortems, {errors} errors, {warnings} warnings", file=sys.stderr
        )
    return 1 if errors else 0


EXTRACTION_COMMANDS = frozenset({"extract", "lint"})


def build_parser(*, extraction_only: bool = False) -> argparse.ArgumentParser:
    """Every command's parser; with ``extraction_only`` just ``extract`` and ``lint``, so that
    they start without loading tracker clients, database drivers or the simulator."""
    parser = argparse.ArgumentParser(
        prog="followthrough",
        description="Postmortem action items, followed through.",
        epilog=epilog("followthrough run --once   (one full cycle on the bundled examples)"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=describe())
    commands = parser.add_subparsers(dest="command", required=True)
    extract = commands.add_parser(
        "extract",
        help="list the action items of postmortems",
        epilog=epilog("followthrough extract examples/ --format json"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source_options(extract)
    extract.add_argument(
        "--format", choices=("json", "table"), default="table", help="(default: table)"
    )
    extract.set_defaults(handler=_cmd_extract)
    lint = commands.add_parser(
        "lint",
        help="report items without owner, due date or clear outcome",
        epilog="example: followthrough lint examples/ --format github\n\n"
        "exit status: 0 no error-level finding; 1 some document has one (each is printed as"
        " path:line: code: message); 2 a usage error.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_source_options(lint)
    lint.add_argument(
        "--format",
        choices=("text", "json", "github"),
        default="text",
        help="text lines, JSON, or GitHub Actions annotations (default: text)",
    )
    lint.add_argument(
        "--archive",
        action="append",
        metavar="PATH",
        help="earlier postmortems (files or folders, repeatable): an item promised there"
        " before and still open or dropped gets an earlier-promises finding (default: none)",
    )
    lint.set_defaults(handler=_cmd_lint)
    if not extraction_only:
        _add_sandbox(commands)
    return parser


def _add_sandbox(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    # Imported here so that extraction commands do not load the simulator's modules.
    from followthrough.sandbox import command  # noqa: PLC0415

    command.add_parser(commands)
    from followthrough.config import command as config_command  # noqa: PLC0415

    config_command.add_parser(commands)
    from followthrough.app import sync_command  # noqa: PLC0415

    sync_command.add_parser(commands)
    from followthrough.app import remind_command  # noqa: PLC0415

    remind_command.add_parser(commands)
    from followthrough.app import report_command  # noqa: PLC0415

    report_command.add_parser(commands)
    from followthrough.app import run_command  # noqa: PLC0415

    run_command.add_parser(commands)
    from followthrough.app import check_command, clock_option  # noqa: PLC0415

    check_command.add_parser(commands)
    from followthrough.app import annotate_command  # noqa: PLC0415

    annotate_command.add_parser(commands)
    for name in ("sync", "remind", "report"):
        clock_option.add_at_option(commands.choices[name])


def _at_refusal(args: argparse.Namespace) -> str | None:
    if args.command in EXTRACTION_COMMANDS:
        return None
    from followthrough.app.clock_option import at_refusal  # noqa: PLC0415

    return at_refusal(args)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``followthrough`` console script (exit statuses: see `app.outcome`)."""
    given = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser(extraction_only=bool(given) and given[0] in EXTRACTION_COMMANDS)
    args = parser.parse_args(given)
    refusal = _at_refusal(args)
    if refusal is not None:
        print(refusal, file=sys.stderr)
        return 2
    try:
        handler = getattr(args, "handler", None) or args.func
        return int(handler(args))
    except BrokenPipeError:
        return EXIT_OK
    except UsageError as error:
        print(f"followthrough {args.command}: {error}", file=sys.stderr)
        return EXIT_USAGE
