"""Reasoning as if it were another moment: ``--at TIME`` and the worker's ``FOLLOWTHROUGH_CLOCK_AT``.

``sync --dry-run``, ``remind --dry-run`` and ``report`` take ``--at 2026-12-07T09:00+01:00``:
their clock starts at that moment and runs on from there, so soak times, due dates, business
hours and the report week are judged as they would be then. A real write (``sync`` or
``remind`` without ``--dry-run``, ``report --send``) is refused: a ticket, a nudge or an
e-mail stamped with a pretend time would lie to the people who read it.

The worker reads ``FOLLOWTHROUGH_CLOCK_AT`` for tests and demos, and only when every tracker
connection is the sandbox (the embedded one, or a loopback URL such as the standalone one).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import time
from collections.abc import Callable, Mapping
from urllib.parse import urlsplit

from followthrough.config import Config, SandboxConnection

Clock = Callable[[], dt.datetime]
CLOCK_ENV = "FOLLOWTHROUGH_CLOCK_AT"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
AT_HELP = (
    "reason as if it were this moment, ISO 8601 with a zone, e.g. 2026-12-07T09:00+01:00 "
    "(default: now; previews only: refused on real writes)"
)


def parse_at(text: str) -> dt.datetime:
    """An aware datetime from ISO 8601 text; a time without a zone is ambiguous, so refused."""
    try:
        moment = dt.datetime.fromisoformat(text.strip())
    except ValueError as error:
        raise argparse.ArgumentTypeError(
            f"{text!r} is not an ISO 8601 time, e.g. 2026-12-07T09:00+01:00"
        ) from error
    if moment.tzinfo is None:
        raise argparse.ArgumentTypeError(
            f"{text!r} has no time zone: add one, e.g. {text.strip()}Z or {text.strip()}+01:00"
        )
    return moment


def add_at_option(parser: argparse.ArgumentParser) -> None:
    """``--at TIME`` on a command's parser."""
    parser.add_argument("--at", type=parse_at, default=None, metavar="TIME", help=AT_HELP)


def at_refusal(args: argparse.Namespace) -> str | None:
    """The one-line refusal when ``--at`` is combined with a real write, else None."""
    if getattr(args, "at", None) is None:
        return None
    command = getattr(args, "command", "")
    if command in ("sync", "remind") and not getattr(args, "dry_run", False):
        return f"{command}: --at only previews: add --dry-run (a real write happens now)"
    if command == "report" and getattr(args, "send", False):
        return "report: --at cannot be combined with --send (a report mailed now describes now)"
    return None


def starting_at(moment: dt.datetime, *, monotonic: Callable[[], float] = time.monotonic) -> Clock:
    """A clock that reads ``moment`` now and advances with real time from there."""
    began = monotonic()
    start = moment.astimezone(dt.UTC)
    return lambda: start + dt.timedelta(seconds=monotonic() - began)


def command_clock(args: argparse.Namespace, *, default: Clock) -> Clock:
    """The clock a command reasons with: from ``--at`` when given, else ``default``."""
    moment = getattr(args, "at", None)
    return default if moment is None else starting_at(moment)


def worker_clock(
    config: Config, *, default: Clock, environ: Mapping[str, str] | None = None
) -> Clock:
    """The worker's clock: ``FOLLOWTHROUGH_CLOCK_AT`` with the sandbox, else ``default``.

    Raises ``ValueError`` with a one-line message for a bad value or a real tracker.
    """
    text = (os.environ if environ is None else environ).get(CLOCK_ENV, "").strip()
    if not text:
        return default
    try:
        moment = parse_at(text)
    except argparse.ArgumentTypeError as error:
        raise ValueError(f"{CLOCK_ENV}: {error}") from error
    real = [name for name, conn in config.settings.trackers.items() if not _sandboxed(conn)]
    if real:
        raise ValueError(
            f"{CLOCK_ENV} is only for the sandbox; unset it "
            f"(tracker connection(s) {', '.join(real)} are real)"
        )
    return starting_at(moment)


def _sandboxed(connection: object) -> bool:
    if isinstance(connection, SandboxConnection):
        return True
    url = str(getattr(connection, "url", ""))
    return (urlsplit(url).hostname or "") in LOOPBACK
