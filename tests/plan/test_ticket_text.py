"""The text the planner asks a tracker to write: titles within the tracker's limit, bodies
that show item text literally (no markup, mention, link or control character of its own)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from followthrough.domain.plan import OpKind
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import TITLE_LIMITS
from tests.plan.test_plan import TEAM, item, planned, run

GITHUB = replace(TEAM, tracker_kind="github", project="acme/ops")


@pytest.mark.parametrize("team", [TEAM, GITHUB], ids=["jira", "github"])
def test_a_long_title_is_cut_to_the_trackers_limit_with_a_note(team: TeamPolicy) -> None:
    long = item("Rotate " + "the certificates " * 40 + "now")
    (op,) = run(planned(long), team).operations
    assert op.kind == OpKind.CREATE
    assert op.spec is not None
    title = op.spec.fields.title
    assert TITLE_LIMITS[team.tracker_kind] - 20 < len(title) <= TITLE_LIMITS[team.tracker_kind]
    assert title.startswith("Rotate the certificates the certificates")
    assert title.endswith("… (shortened)")
    assert op.synced is not None
    assert op.synced["title"] == title
    assert long.title in op.spec.body  # the body keeps the whole title


def test_control_characters_never_reach_a_title() -> None:
    (op,) = run(planned(item("Rotate\x1b[2J the \u202ecertificates\x07"))).operations
    assert op.spec is not None
    assert op.spec.fields.title == "Rotate[2J the certificates"
