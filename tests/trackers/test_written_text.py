"""What the tracker adapters write, whatever text they are given: within each tracker's
length limits (cut with a visible note, never losing our marker or managed block), and
free of control and bidi characters."""

from __future__ import annotations

import datetime as dt

import pytest

from followthrough.adapters.trackers import github_body as gb
from followthrough.adapters.trackers.github import GitHubTracker
from followthrough.adapters.trackers.jira import JiraTracker
from followthrough.domain.tickets import FieldChanges, Marker, TicketFields, TicketSpec

DUE = dt.date(2024, 6, 1)
HUGE = "Rotate the certificates " * 5_000  # about 120 KB
CONTROLS = "\x1b\x07\x08\x00\x0b\x7f\x9b\u202e\u2066\u200f"


def spec(key: str, *, title: str, body: str, labels: tuple[str, ...] = ()) -> TicketSpec:
    return TicketSpec(
        marker=Marker(item_key=key),
        fields=TicketFields(title=title, due=DUE, labels=labels),
        body=body,
        postmortem_url="https://wiki.example.com/pm/1",
    )


def clean(text: str) -> bool:
    return not any(char in text for char in CONTROLS)


def test_github_cuts_a_huge_title_and_body_and_keeps_block_and_marker(
    github_tracker: GitHubTracker,
) -> None:
    ticket = github_tracker.create(spec("pm-1/huge", title=HUGE, body=HUGE))
    assert len(ticket.fields.title) <= 256
    assert ticket.fields.title.endswith("(shortened)")
    assert len(ticket.body) <= 65_536
    assert "(shortened)" in ticket.body
    assert ticket.marker == Marker("pm-1/huge")
    assert ticket.fields.due == DUE
    assert gb.managed_block(ticket.body) is not None
    assert "**Postmortem:** [https://wiki.example.com/pm/1]" in ticket.body
    retitled = github_tracker.update(ticket.ref, FieldChanges(title=HUGE + "!"))
    assert len(retitled.fields.title) <= 256
    rewritten = github_tracker.update(ticket.ref, FieldChanges(body=HUGE))
    assert len(rewritten.body) <= 65_536
    assert rewritten.marker == Marker("pm-1/huge")
    assert rewritten.fields.due == DUE


def test_jira_cuts_a_huge_summary_and_description_and_keeps_the_marker(
    jira_tracker: JiraTracker,
) -> None:
    ticket = jira_tracker.create(spec("pm-1/huge", title=HUGE, body=HUGE))
    assert len(ticket.fields.title) <= 255
    assert ticket.fields.title.endswith("(shortened)")
    read = jira_tracker.get(ticket.ref)
    assert read.fields.title == ticket.fields.title
    assert len(read.body) <= 32_767
    assert read.body.endswith("(shortened)")
    assert read.marker == Marker("pm-1/huge")  # the identity property is untouched


def test_titles_of_exactly_the_limit_are_not_cut(
    github_tracker: GitHubTracker, jira_tracker: JiraTracker
) -> None:
    assert github_tracker.create(spec("a", title="g" * 256, body="b")).fields.title == "g" * 256
    assert jira_tracker.create(spec("a", title="j" * 255, body="b")).fields.title == "j" * 255


@pytest.mark.parametrize("kind", ["github", "jira"])
def test_control_and_bidi_characters_never_reach_a_tracker(
    kind: str, github_tracker: GitHubTracker, jira_tracker: JiraTracker
) -> None:
    tracker = github_tracker if kind == "github" else jira_tracker
    dirty = f"Rotate\x1b[31m{CONTROLS} the certificates"
    ticket = tracker.create(
        spec(
            "pm-1/dirty",
            title=dirty,
            body=f"Why:{CONTROLS}\nline two\ttab",
            labels=(f"ops{CONTROLS}",),
        )
    )
    read = tracker.get(ticket.ref)
    assert read.fields.title == "Rotate[31m the certificates"
    assert clean(read.body)
    assert "line two\ttab" in read.body
    assert all(clean(label) for label in read.fields.labels)
    updated = tracker.update(
        ticket.ref, FieldChanges(title=dirty + "!", add_labels=(f"x{CONTROLS}",))
    )
    assert clean(updated.fields.title)
    assert all(clean(label) for label in updated.fields.labels)
    tracker.comment(ticket.ref, f"Reminder{CONTROLS}\nsecond line", marker=f"nudge{CONTROLS}")
    (comment,) = tracker.comments(ticket.ref)
    assert clean(comment.body)
    assert "second line" in comment.body
