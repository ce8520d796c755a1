"""The ``followthrough sandbox`` subcommand: serve the simulated vendors until interrupted.

Prints one JSON line ``{"jira": URL, "github": URL, "user": ..., "token": ...}`` once the
servers accept requests, then blocks until SIGINT/SIGTERM and saves state on the way out.
"""

from __future__ import annotations

import argparse
import json
import signal
import sys
import threading
from pathlib import Path
from types import FrameType

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
    parser.add_argument("--seed", type=int, default=0, help="seed for tokens and fault injection")
    parser.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    parser.add_argument(
        "--clock-skew",
        type=float,
        default=0.0,
        metavar="SECONDS",
        help="run the trackers' clock this far ahead of real time (negative: behind)",
    )
    parser.set_defaults(func=run)


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
    previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        info = sandbox.start()
        sys.stdout.write(json.dumps(info) + "\n")
        sys.stdout.flush()
        while not stop.wait(0.5):
            pass
    finally:
        sandbox.stop()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
