"""The ``followthrough sandbox`` subcommand: serve the simulated vendors until interrupted.

Prints one JSON line ``{"jira": URL, "github": URL, "user": ..., "token": ...}`` once the
servers accept requests, then what the sandbox holds (projects, repositories, people), then
blocks until SIGINT/SIGTERM and saves state on the way out. Projects, repositories and people
can be added by flags or a seed file (see ``catalogue``); ``--list`` only prints them.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

from followthrough.sandbox.catalogue import (
    Seed,
    SeedError,
    apply_seed,
    describe,
    describe_text,
    load_seed_file,
    project_flag,
    repo_flag,
    user_flag,
)
from followthrough.sandbox.core import Sandbox, SimClock
from followthrough.sandbox.server import LOOPBACK_HOSTS

APP_ORDER = ("jira", "github")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register ``sandbox`` on a subparsers action; the handler is ``args.func(args)``."""
    parser = subparsers.add_parser(
        "sandbox",
        help="serve local Jira Cloud and GitHub simulators",
        description="Serve stateful Jira Cloud and GitHub REST simulators on loopback ports.",
    )
    parser.add_argument(
        "--port", type=int, default=0, help="base port: jira on N, github on N+1 (0: pick free)"
    )
    parser.add_argument("--state", type=Path, default=None, help="JSON state file to load/save")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="number seeding the token and fault injection (default: 0)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument(
        "--clock-skew",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="run the trackers' clock this far ahead of real time (negative: behind)",
    )
    _add_catalogue_options(parser)
    parser.set_defaults(func=run)


def _add_catalogue_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--jira-project",
        action="append",
        default=[],
        metavar="KEY",
        help="add a Jira project (repeatable), e.g. --jira-project SRE",
    )
    parser.add_argument(
        "--github-repo",
        action="append",
        default=[],
        metavar="OWNER/NAME",
        help="add a GitHub repository (repeatable), e.g. --github-repo acme/sre",
    )
    parser.add_argument(
        "--user",
        action="append",
        default=[],
        metavar="NAME[:ACCOUNTID]",
        help="add a person to both trackers (repeatable), e.g. --user 'Sam Rivera'",
    )
    parser.add_argument(
        "--seed-file",
        type=Path,
        default=None,
        metavar="FILE",
        help="YAML file of projects, repos and users to add (see the README)",
    )
    parser.add_argument(
        "--list", action="store_true", help="print the projects, repos and users, then exit"
    )


def seed_from(args: argparse.Namespace) -> Seed:
    """The additions asked for: the seed file first, then the flags."""
    seed = load_seed_file(args.seed_file) if args.seed_file is not None else Seed()
    seed.extend(
        Seed(
            projects=[project_flag(text) for text in args.jira_project],
            repos=[repo_flag(text) for text in args.github_repo],
            users=[user_flag(text) for text in args.user],
        )
    )
    return seed


def ports_for(base: int) -> dict[str, int]:
    """Per-app ports from a base port (empty when 0, meaning pick free ports)."""
    if base == 0:
        return {}
    return {name: base + offset for offset, name in enumerate(APP_ORDER)}


def run(args: argparse.Namespace) -> int:
    """Start the sandbox, print its JSON line and serve until a signal arrives."""
    if args.host not in LOOPBACK_HOSTS:
        print(f"sandbox: only loopback hosts are allowed, not {args.host!r}", file=sys.stderr)
        return 2
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    sandbox = Sandbox(
        state_file=args.state,
        seed=args.seed,
        ports=ports_for(args.port),
        host=args.host,
        clock=SimClock().skewed(args.clock_skew),
    )
    try:
        seed = seed_from(args)
        if args.list:
            sandbox.load()
            apply_seed(sandbox, seed)
            print(f"api user: {sandbox.user}  token: {sandbox.token}")
            print(describe_text(describe(sandbox)))
            return 0
    except SeedError as error:
        print(f"sandbox: {error}", file=sys.stderr)
        return 2
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        info = sandbox.start()
        apply_seed(sandbox, seed)
        sys.stdout.write(json.dumps(info) + "\n" + describe_text(describe(sandbox)) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
