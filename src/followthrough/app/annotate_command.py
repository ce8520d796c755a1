"""``followthrough annotate [PATH …] [--write]``: write each item's ticket key into its document.

Once an item has a ticket, the postmortem should say so. For every document of a folder
source, the journal's links say which ticket each item has; items whose document does not
name it yet get it written beside them in the document's own style (`domain.annotate`).
Without ``--write`` the command prints the change as a unified diff and touches nothing;
with it, each file is replaced whole (a temporary file, then a rename), and only if it has
not changed since it was read. Items that cannot be annotated (an HTML export, an entry in
the front matter, a line that changed, a ticket cell naming something else) are named with
their file and line, and make the exit status 1.
"""

from __future__ import annotations

import argparse
import difflib
import os
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from followthrough.app.outcome import EXIT_FAILED, EXIT_OK, EXIT_USAGE, epilog
from followthrough.app.sync_command import add_config_option, add_team_option, load
from followthrough.app.wiring import (
    open_configured_store,
    read_documents,
    team_policy,
    teams_selected,
)
from followthrough.domain.annotate import TicketNote, annotate_markdown, missing_keys
from followthrough.output import printable


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "annotate",
        help="write each item's ticket key into its postmortem",
        description=(
            "Show (or, with --write, make) the edits that put each item's ticket key into"
            " its document, in the document's own style: a table's ticket cell, a"
            " `- Ticket:` sub-bullet beside other field bullets, or `(KEY)` after the item."
        ),
        epilog=epilog("followthrough annotate postmortems/payments --write"),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    add_team_option(parser)
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PATH",
        help="only documents under these files or folders (default: every folder source)",
    )
    parser.add_argument(
        "--write", action="store_true", help="edit the files in place (default: show the diff)"
    )
    parser.set_defaults(func=run)


@dataclass
class _Plan:
    """Per document, the tickets to write; and every item that cannot take its ticket."""

    notes: dict[str, list[TicketNote]] = field(default_factory=lambda: defaultdict(list))
    problems: list[str] = field(default_factory=list)


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return EXIT_USAGE
    teams = teams_selected(config, args.team)
    limits = [Path(path).resolve() for path in args.paths]
    missing = [path for path in args.paths if not Path(path).exists()]
    if missing:
        for path in missing:
            print(f"{printable(path)}: no such file or folder", file=sys.stderr)
        return EXIT_USAGE
    docs = read_documents(config)
    plan = _Plan()
    store = open_configured_store(config)
    try:
        for team in teams:
            tickets = {key: link.ticket_ref for key, link in store.links(team.name).items()}
            policy = team_policy(team)
            for pm in docs.for_team(team):
                if limits and not any(_under(pm.path, limit) for limit in limits):
                    continue
                for note in missing_keys(pm, tickets, policy):
                    if pm.path.lower().endswith((".html", ".htm", ".html.erb")):
                        plan.problems.append(
                            f"{pm.path}:{note.line}: not annotated: an HTML export; add"
                            f" {note.ticket} where the document is written"
                        )
                    elif note not in plan.notes[pm.path]:
                        plan.notes[pm.path].append(note)
    finally:
        store.close()
    return _apply(plan, write=args.write)


def _under(path: str, limit: Path) -> bool:
    resolved = Path(path).resolve()
    return resolved == limit or resolved.is_relative_to(limit)


def _apply(plan: _Plan, *, write: bool) -> int:
    written = files = 0
    problems = list(plan.problems)
    for path, notes in sorted(plan.notes.items()):
        try:
            before = Path(path).read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError) as error:
            problems.append(f"{path}:1: not annotated: cannot read it ({error})")
            continue
        result = annotate_markdown(before, notes)
        problems += [
            f"{path}:{skip.note.line}: not annotated with {skip.note.ticket}: {skip.reason}"
            for skip in result.skipped
        ]
        if result.text == before:
            continue
        if write:
            failure = _replace(Path(path), before, result.text)
            if failure:
                problems.append(f"{path}:1: not annotated: {failure}")
                continue
        else:
            for line in difflib.unified_diff(
                before.splitlines(keepends=True),
                result.text.splitlines(keepends=True),
                fromfile=f"a/{path}",
                tofile=f"b/{path}",
            ):
                print(printable(line.rstrip("\r\n")))
        written += len(result.written)
        files += 1
    for problem in problems:
        print(printable(problem))
    verb = "wrote" if write else "would write"
    print(f"annotate: {verb} {written} ticket key(s) into {files} document(s)", end="")
    print(f"; {len(problems)} item(s) not annotated" if problems else "")
    return EXIT_FAILED if problems else EXIT_OK


def _replace(path: Path, before: str, after: str) -> str | None:
    """Write ``after`` over ``path`` unless someone changed it since it was read."""
    if path.read_bytes().decode("utf-8", errors="replace") != before:
        return "it changed while being annotated; run annotate again"
    mode = path.stat().st_mode
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(after)
        os.chmod(temp, mode & 0o7777)
        os.replace(temp, path)
    except OSError as error:
        Path(temp).unlink(missing_ok=True)
        return f"cannot write it ({error.strerror or error})"
    return None
