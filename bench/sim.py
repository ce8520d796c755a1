"""Random multi-fault schedules through the deterministic fault simulator (``tests/sim``).

Usage: python bench/sim.py [--schedules 10000] [--seed 0] [--faults 3] [--show 5]

Builds one world per tracker (an in-process sandbox, a SimClock, a SQLite journal on a RAM
disk when there is one, a loopback SMTP relay) and plays schedule ``i`` with seed
``seed + i`` on the scenarios in turn (every scenario on Jira and on GitHub): several faults
(crash, lost answer, 429/500/503/401/403/404 refusals, delays past or inside the search lag)
at random boundaries of the faulted steps and the first recovery runs, then recovery to
quiescence and the invariant checks. The first ``--show`` violating schedules, and as many
of those no known defect explains, are printed with their seed, faults and violations, so
any of them can be replayed exactly.

The last line is one JSON object: scenarios (scenario x tracker pairs), boundaries (their
faultable boundaries in all), schedules, violations (schedules that broke an invariant, of
which ``unexplained`` are not accounted for by a defect known in ``tests/sim/defects.py``),
and seconds.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the simulator lives in tests/

from tests.sim.defects import unexplained
from tests.sim.scenarios import SCENARIOS
from tests.sim.simulate import RANDOM_FAULTS, Episode, Simulator
from tests.sim.world import World

TRACKERS = ("jira", "github")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--schedules", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", type=int, default=RANDOM_FAULTS, help="faults per schedule")
    parser.add_argument("--show", type=int, default=5, help="violating schedules to print")
    args = parser.parse_args()
    started = time.monotonic()
    ram = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="ft-bench-sim-", dir=ram if ram.is_dir() else None))
    worlds = {kind: World(kind=kind, store_kind="sqlite", workdir=root / kind) for kind in TRACKERS}
    try:
        figures = run(worlds, args)
    finally:
        for world in worlds.values():
            world.close()
    figures["seconds"] = round(time.monotonic() - started, 1)
    print(json.dumps(figures))
    return 1 if figures["violations"] else 0


def run(worlds: dict[str, World], args: argparse.Namespace) -> dict[str, int | float]:
    pairs = [(kind, name) for kind in TRACKERS for name in sorted(SCENARIOS)]
    simulators = {pair: Simulator(worlds[pair[0]], SCENARIOS[pair[1]]) for pair in pairs}
    boundaries = sum(s.reference.act_boundaries for s in simulators.values())
    print(f"{len(pairs)} scenarios, {boundaries} boundaries; {args.schedules} schedules")
    violations = unexplained_count = 0
    for number in range(args.schedules):
        seed = args.seed + number
        kind, name = pairs[number % len(pairs)]
        simulator = simulators[(kind, name)]
        episode = simulator.play(
            simulator.random_schedule(random.Random(seed), args.faults), seed=seed
        )
        if not episode.violations:
            continue
        violations += 1
        left = unexplained(episode.violations, episode.injected, name)
        unexplained_count += bool(left)
        if violations <= args.show or (left and unexplained_count <= args.show):
            show(seed, kind, episode, left)
    return {
        "scenarios": len(pairs),
        "boundaries": boundaries,
        "schedules": args.schedules,
        "violations": violations,
        "unexplained": unexplained_count,
    }


def show(seed: int, kind: str, episode: Episode, left: list[str]) -> None:
    known = "" if left else " (known defects)"
    print(f"seed {seed} on {kind}{known}: {episode.describe()}")
    for violation in episode.violations:
        print(f"    {violation}")


if __name__ == "__main__":
    raise SystemExit(main())
