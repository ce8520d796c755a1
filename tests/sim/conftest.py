"""Fixtures for the fault simulator: one world per tracker and store, shared by the session.

Worlds keep their journal on a RAM disk when there is one (it is still a real SQLite file,
just without the disk's fsync cost); each simulator restores its own prepared snapshot.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from tests.sim.scenarios import SCENARIOS
from tests.sim.simulate import Simulator
from tests.sim.world import PG_DSN, World

SimulatorFor = Callable[[str, str, str], Simulator]


def _postgres_ready() -> None:
    try:
        with psycopg.connect(PG_DSN, connect_timeout=2):
            return
    except psycopg.Error as error:
        reason = f"PostgreSQL is not reachable at {PG_DSN}: {type(error).__name__}"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run these tests")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def simulator_for() -> Iterator[SimulatorFor]:
    """``simulator_for(tracker, store, scenario)``: built once, reused by every test."""
    ram = Path("/dev/shm")
    root = Path(tempfile.mkdtemp(prefix="ft-sim-", dir=ram if ram.is_dir() else None))
    worlds: dict[tuple[str, str], World] = {}
    simulators: dict[tuple[str, str, str], Simulator] = {}

    def build(kind: str, store: str, scenario: str) -> Simulator:
        if store == "postgres":
            _postgres_ready()
        world = worlds.get((kind, store))
        if world is None:
            world = World(kind=kind, store_kind=store, workdir=root / f"{kind}-{store}")
            worlds[(kind, store)] = world
        key = (kind, store, scenario)
        if key not in simulators:
            simulators[key] = Simulator(world, SCENARIOS[scenario])
        return simulators[key]

    yield build
    for world in worlds.values():
        world.close()
