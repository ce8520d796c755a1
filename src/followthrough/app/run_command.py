"""``followthrough run``: the long-running worker, or one full cycle with ``--once``.

Sits at the top of the app layer: loads the configuration once, configures logging, builds
the daemon's parts (store, leadership, metrics, report hook) and installs the signal handlers.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from followthrough.app.clock_option import worker_clock
from followthrough.app.daemon.core import Daemon, DaemonOptions, Parts
from followthrough.app.daemon.cycle import JobBodies, Runtime
from followthrough.app.daemon.jobs import JobBook, JobOutcome
from followthrough.app.daemon.leader import kept_fresh, leadership_for
from followthrough.app.daemon.metrics import metrics_for_daemon
from followthrough.app.daemon.report import find_report_hook
from followthrough.app.outcome import EXIT_FAILED, EXIT_OK, EXIT_USAGE, epilog, plural
from followthrough.app.report_command import DEFAULT_OUT
from followthrough.app.sync_command import add_config_option, load
from followthrough.app.wiring import open_configured_store, pg_timeouts, utc_now
from followthrough.config import Config, load_config
from followthrough.logs import configure_logging, event_logger

NOT_LEADER = 3
ONCE_OUT = DEFAULT_OUT


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "run",
        help="the worker: sync, reminders and reports on schedule, with health endpoints",
        description="The long-running worker, or one full cycle with --once.",
        epilog=epilog("followthrough run --once")
        + "\nrun --once only: 3 another replica is the leader, so nothing was done here.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add_config_option(parser)
    parser.add_argument(
        "--once",
        action="store_true",
        help=f"one full cycle (sync, reminders, report files in {ONCE_OUT}/), then exit",
    )
    parser.add_argument(
        "--port",
        type=_port,
        help="HTTP port (default: http.port from the config, 8080; 0: any free port)",
    )
    parser.add_argument(
        "--host", help="HTTP address to bind (default: http.host, which defaults to 127.0.0.1)"
    )
    parser.add_argument(
        "--grace",
        type=float,
        default=20.0,
        metavar="SECONDS",
        help="how long a stop waits for the job in progress (default: 20)",
    )
    parser.set_defaults(func=run)


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return EXIT_USAGE
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    log = event_logger(logger)
    try:
        clock = worker_clock(config, default=utc_now)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.once:
        return run_once(config, log=log, out_dir=Path(ONCE_OUT), clock=clock)
    options = DaemonOptions(host=args.host, port=args.port, grace=dt.timedelta(seconds=args.grace))
    return run_daemon(config, log=log, options=options, clock=clock)


def _dsn(config: Config) -> str | None:
    dsn = config.settings.store.dsn
    return dsn.get_secret_value() if dsn is not None else None


def run_daemon(
    config: Config,
    *,
    log: Callable[..., None],
    options: DaemonOptions,
    clock: Callable[[], dt.datetime] = utc_now,
) -> int:
    """Serve until SIGTERM or SIGINT; the exit status."""
    parts = Parts(
        store=open_configured_store(config),
        leadership=leadership_for(_dsn(config), clock=clock, log=log, timeouts=pg_timeouts(config)),
        metrics=metrics_for_daemon(),
        load=load_config,
        report=find_report_hook(),
    )
    daemon = Daemon(config, parts=parts, clock=clock, log=log, options=options)

    def listening(url: str) -> None:
        # Only once the port is ours: a refused port ends the command with its usual handlers.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda _signum, _frame: daemon.request_stop())
        _announce(url)

    code = daemon.serve(on_listening=listening)
    if code != 0:  # a job is still running on the worker thread: do not wait for it
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _announce(url: str) -> None:
    print(json.dumps({"http": url, "pid": os.getpid()}), flush=True)


def run_once(
    config: Config,
    *,
    log: Callable[..., None],
    out_dir: Path,
    clock: Callable[[], dt.datetime] = utc_now,
) -> int:
    """One sync, one reminder run and one report for every team; 0 when all succeeded."""
    store = open_configured_store(config)  # a journal that cannot be used: one line, exit 2
    leadership = leadership_for(_dsn(config), clock=clock, log=log, timeouts=pg_timeouts(config))
    if leadership.refresh() != "leader":
        print("another replica holds leadership: nothing done", file=sys.stderr)
        leadership.close()
        store.close()
        return NOT_LEADER
    try:
        bodies = JobBodies(
            current=lambda: Runtime(config=config, store=store),
            clock=clock,
            log=log,
            should_stop=lambda: not leadership.is_leader(),
            report=find_report_hook(),
            out_dir=out_dir,
        )
        book = JobBook(clock=clock, log=log)
        with kept_fresh(leadership):
            outcomes = [_run(book, bodies, name) for name in ("sync", "remind", "report")]
    finally:
        store.close()
        leadership.close()
    print_summary(outcomes, teams=sorted(config.teams))
    return EXIT_OK if all(outcome.ok for outcome in outcomes) else EXIT_FAILED


def _run(book: JobBook, bodies: JobBodies, name: str) -> JobOutcome:
    body = bodies(name)
    assert body is not None  # every job name here covers all teams
    return book.run(name, body)


def print_summary(outcomes: Sequence[JobOutcome], *, teams: Sequence[str]) -> None:
    """A short human summary: one line per team (and what failed), files, skipped sources."""
    labels = {"sync": "sync", "remind": "reminders", "report": "report"}
    for team in teams:
        parts: list[str] = []
        failures: list[str] = []
        for outcome in outcomes:
            found = next((t for t in outcome.teams if t.team == team), None)
            label = labels.get(outcome.job, outcome.job)
            if found is None:
                parts.append(f"{label}: not run ({outcome.error or 'stopped'})")
                continue
            parts.append(f"{label}: {'ok' if found.ok else 'FAILED'}, {found.summary}")
            if not found.ok and found.error:
                failures.append(f"  {label} failed: {found.error}")
        print(f"{team}: " + " · ".join(parts))
        for line in failures:
            print(line)
    for file in [f for outcome in outcomes for t in outcome.teams for f in t.files]:
        print(f"wrote {file}")
    for line in dict.fromkeys(p for outcome in outcomes for p in outcome.problems):
        print(line)
    print(closing_line(outcomes))


def closing_line(outcomes: Sequence[JobOutcome]) -> str:
    """``run --once: all done``, or which jobs failed for which teams."""
    failed = []
    for outcome in outcomes:
        teams = [t.team for t in outcome.teams if not t.ok]
        if outcome.error:
            failed.append(f"{outcome.job} failed: {outcome.error}")
        elif teams:
            failed.append(f"{outcome.job} failed for {', '.join(teams)}")
        elif outcome.problems:
            failed.append(
                f"{outcome.job}: {plural(len(outcome.problems), 'source or document', 'sources or documents')} skipped"
            )
    return "run --once: " + ("not all done: " + "; ".join(failed) if failed else "all done")
