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
from followthrough.app.daemon import Daemon, DaemonOptions, Parts
from followthrough.app.daemon_cycle import JobBodies, Runtime
from followthrough.app.daemon_jobs import JobBook, JobOutcome
from followthrough.app.daemon_metrics import metrics_for_daemon
from followthrough.app.daemon_report import find_report_hook
from followthrough.app.leader import leadership_for
from followthrough.app.sync_command import load
from followthrough.app.wiring import open_configured_store, utc_now
from followthrough.config import Config, load_config
from followthrough.logs import configure_logging, event_logger

NOT_LEADER = 3


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "run", help="the worker: sync, reminders and reports on schedule, with health endpoints"
    )
    parser.add_argument(
        "--config",
        help="global config file (default: config/followthrough.yaml, else the embedded default)",
    )
    parser.add_argument(
        "--once", action="store_true", help="one full cycle (sync, reminders, report), then exit"
    )
    parser.add_argument("--port", type=int, help="HTTP port (default: http.port; 0: any)")
    parser.add_argument(
        "--host",
        default="0.0.0.0",  # noqa: S104 - probes and scrapes reach the container from outside
        help="HTTP address to bind (default: all interfaces)",
    )
    parser.add_argument(
        "--grace", type=float, default=20.0, help="seconds a stop waits for the job in progress"
    )
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load(args)
    if config is None:
        return 2
    logger = configure_logging(fmt=config.settings.log.format, level=config.settings.log.level)
    log = event_logger(logger)
    try:
        clock = worker_clock(config, default=utc_now)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    if args.once:
        return run_once(config, log=log, out_dir=Path("out"), clock=clock)
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
        leadership=leadership_for(_dsn(config), clock=clock, log=log),
        metrics=metrics_for_daemon(),
        load=load_config,
        report=find_report_hook(),
    )
    daemon = Daemon(config, parts=parts, clock=clock, log=log, options=options)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: daemon.request_stop())
    code = daemon.serve(on_listening=lambda port: _announce(port, options.host))
    if code != 0:  # a job is still running on the worker thread: do not wait for it
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
    return code


def _announce(port: int, host: str) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else host  # noqa: S104 - compared, not bound
    print(json.dumps({"http": f"http://{shown}:{port}", "pid": os.getpid()}), flush=True)


def run_once(
    config: Config,
    *,
    log: Callable[..., None],
    out_dir: Path,
    clock: Callable[[], dt.datetime] = utc_now,
) -> int:
    """One sync, one reminder run and one report for every team; 0 when all succeeded."""
    leadership = leadership_for(_dsn(config), clock=clock, log=log)
    if leadership.refresh() != "leader":
        print("another replica holds leadership: nothing done", file=sys.stderr)
        leadership.close()
        return NOT_LEADER
    store = open_configured_store(config)
    try:
        bodies = JobBodies(
            current=lambda: Runtime(config=config, store=store),
            clock=clock,
            log=log,
            should_stop=lambda: False,
            report=find_report_hook(),
            out_dir=out_dir,
        )
        book = JobBook(clock=clock, log=log)
        outcomes = [_run(book, bodies, name) for name in ("sync", "remind", "report")]
    finally:
        store.close()
        leadership.close()
    print_summary(outcomes, teams=sorted(config.teams))
    return 0 if all(outcome.ok for outcome in outcomes) else 1


def _run(book: JobBook, bodies: JobBodies, name: str) -> JobOutcome:
    body = bodies(name)
    assert body is not None  # every job name here covers all teams
    return book.run(name, body)


def print_summary(outcomes: Sequence[JobOutcome], *, teams: Sequence[str]) -> None:
    """A short human summary: one line per team, then any files written."""
    labels = {"sync": "sync", "remind": "reminders", "report": "report"}
    for team in teams:
        parts: list[str] = []
        for outcome in outcomes:
            found = next((t for t in outcome.teams if t.team == team), None)
            label = labels.get(outcome.job, outcome.job)
            if found is None:
                parts.append(f"{label}: not run ({outcome.error or 'stopped'})")
            else:
                parts.append(f"{label}: {'ok' if found.ok else 'FAILED'}, {found.summary}")
        print(f"{team}: " + " · ".join(parts))
    files = [f for outcome in outcomes for t in outcome.teams for f in t.files]
    for file in files:
        print(f"wrote {file}")
