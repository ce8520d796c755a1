"""The journal on PostgreSQL: a smaller set, crashes and lost answers at every write boundary.

PostgreSQL worlds cannot copy their journal, so each schedule rebuilds its prepared state
(a fresh schema); the set is kept small for that reason.
"""

from __future__ import annotations

import pytest

from tests.sim.boundaries import FaultKind
from tests.sim.conftest import SimulatorFor
from tests.sim.defects import unexplained

pytestmark = pytest.mark.postgres


@pytest.mark.parametrize("scenario", ["create-one", "remind"])
@pytest.mark.parametrize("tracker", ["jira", "github"])
def test_crashes_and_lost_answers_with_a_postgres_journal(
    tracker: str, scenario: str, simulator_for: SimulatorFor
) -> None:
    simulator = simulator_for(tracker, "postgres", scenario)
    assert simulator.reference.violations == []
    broken = []
    for boundary, kind in simulator.single_faults():
        if kind not in (FaultKind.CRASH, FaultKind.LOST):
            continue
        episode = simulator.play({boundary.number: kind})
        left = unexplained(episode.violations, episode.injected, scenario)
        if left:
            broken.append(f"{simulator.label(boundary)} {kind.value}: {'; '.join(left)}")
    assert not broken, "\n".join(broken)
