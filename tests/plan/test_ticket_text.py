"""The text the planner asks a tracker to write: titles within the tracker's limit, bodies
that show item text literally (no markup, mention, link or control character of its own)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from followthrough.domain.plan import LinkState, OpKind
from followthrough.domain.policy import TeamPolicy
from followthrough.domain.tickets import TITLE_LIMITS
from tests.plan.test_plan import PM, TEAM, item, planned, run

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


HOSTILE_TITLE = (
    "h1. Ping @org/team and @alice {color:red}now{color} [~accountid:557058:abc] "
    "[click|https://evil.example] <img src=x onerror=alert(1)> **bold** #1 GH-2"
)


def hostile_body(team: TeamPolicy) -> str:
    hostile = item(
        HOSTILE_TITLE,
        owner="@org/team",
        notes=("<script>x</script> [~accountid:1] @bob", "bq. quoted"),
    )
    linked = replace(PM, url="https://wiki.example.com/pm/payments/pm-1.md")
    (op,) = run(planned(hostile, pm=linked), team).operations
    assert op.spec is not None
    return op.spec.body


@pytest.mark.parametrize("team", [TEAM, GITHUB], ids=["jira", "github"])
def test_item_text_in_a_body_carries_no_markup_mention_or_reference(team: TeamPolicy) -> None:
    body = hostile_body(team)
    for mention in ("@org/team", "@alice", "@bob", " #1", "GH-2"):
        assert mention not in body, mention
    for bare in (r"<img", r"<script", r"\{color", r"\[~accountid", r"\[click", r"\*\*bold"):
        assert re.search(r"(?<!\\)" + bare, body) is None, bare
    assert not any(line.startswith(("h1.", "bq.")) for line in body.splitlines())
    url = "https://wiki.example.com/pm/payments/pm-1.md"
    ours = f"]({url})" if team.tracker_kind == "github" else f"|{url}]"
    assert ours in body  # our own link back to the postmortem stays a link


@pytest.mark.parametrize("team", [TEAM, GITHUB], ids=["jira", "github"])
def test_the_removal_note_shows_the_postmortem_path_without_mentions(team: TeamPolicy) -> None:
    gone = item("Alert on pool usage")
    links = {
        gone.key: LinkState(
            ticket_ref="OPS-1", postmortem_id=PM.id, synced={"path": "pm/@org/team <b>.md"}
        )
    }
    (op,) = run([], team, links=links).operations
    assert op.kind == OpKind.ANNOTATE
    assert op.text is not None
    assert "@org/team" not in op.text
    assert "<b>" not in op.text
    assert "org/team" in op.text
