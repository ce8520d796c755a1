"""Every boundary of every scenario with every fault kind that fits it, one fault at a time.

Each schedule injects one fault while the scenario's steps run, restarts, runs the steady
cycle until it is quiet, and checks the invariants (`tests.sim.invariants`). Violations a
known defect explains are reproduced on their own in ``test_known_defects``; anything else
fails here with the case that shows it.
"""

from __future__ import annotations

import pytest

from tests.sim.conftest import SimulatorFor
from tests.sim.defects import unexplained
from tests.sim.scenarios import SCENARIOS


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
@pytest.mark.parametrize("tracker", ["jira", "github"])
def test_every_boundary_and_fault_keeps_the_promises(
    tracker: str, scenario: str, simulator_for: SimulatorFor
) -> None:
    simulator = simulator_for(tracker, "sqlite", scenario)
    assert simulator.reference.act_boundaries > 0
    broken = []
    for boundary, kind in simulator.single_faults():
        episode = simulator.play({boundary.number: kind})
        assert episode.injected, f"{kind} at {boundary} was not injected"
        left = unexplained(episode.violations, episode.injected, scenario)
        if left:
            broken.append(f"{simulator.label(boundary)} {kind.value}: {'; '.join(left)}")
    assert not broken, "\n".join(broken)
