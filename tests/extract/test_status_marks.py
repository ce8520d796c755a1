"""An item's status comes from explicit marks, never from how its outcome is worded.

Whatever the tense or voice of the outcome, and whatever status-like words sit inside the
sentence ("done", "fixed", "resolved", "has been" …), an unmarked item is open; every
explicit mark (checkbox, ✅, ``(done)``, ``DONE:``, strikethrough, a won't-do tag, a status
field or cell, a *Completed* group) sets the status it names.
"""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.domain.fields import split_fields
from followthrough.domain.model import ItemStatus
from tests.extract.helpers import md, only_item

SUBJECTS = (
    "the payout queue",
    "the cache warmer",
    "replica lag alerts",
    "the signing key",
    "tenant quotas",
    "the export job",
)
PAST = ("Reverted", "Fixed", "Added", "Resolved", "Shipped", "Deployed", "Completed", "Removed")
PARTICIPLES = ("fixed", "resolved", "done", "completed", "shipped", "deployed", "rotated")
PRESENT = ("Rotate", "Document", "Alert on", "Cap", "Rebuild", "Page on")
CONDITIONS = (
    "once the migration is done",
    "after the vendor bug is fixed",
    "until the incident is resolved",
    "when the rollout has been completed",
    "so that a done flag is kept per tenant",
)


def _wordings() -> st.SearchStrategy[str]:
    subject = st.sampled_from(SUBJECTS)
    return st.one_of(
        st.builds(lambda verb, s: f"{verb} {s}", st.sampled_from(PAST), subject),
        st.builds(
            lambda s, aux, p: f"{s[:1].upper()}{s[1:]} {aux} been {p}",
            subject,
            st.sampled_from(("has", "have", "has already", "have now")),
            st.sampled_from(PARTICIPLES),
        ),
        st.builds(
            lambda s, p: f"{s[:1].upper()}{s[1:]} was {p} by the on-call",
            subject,
            st.sampled_from(PARTICIPLES),
        ),
        st.builds(
            lambda verb, s, when: f"{verb} {s} {when}",
            st.sampled_from(PRESENT),
            subject,
            st.sampled_from(CONDITIONS),
        ),
        st.builds(
            lambda s, p: f"Alert when {s} has been {p} for ten minutes",
            subject,
            st.sampled_from(PARTICIPLES),
        ),
    )


def _status_of(section: str) -> ItemStatus:
    return only_item(md(f"# Payout delay\n\n{section}")).status


def _listed(line: str) -> str:
    return f"## Action items\n\n- {line}\n"


MARKS: tuple[tuple[str, Callable[[str], str], ItemStatus], ...] = (
    ("checked box", lambda t: _listed(f"[x] {t}"), ItemStatus.DONE),
    ("open box", lambda t: _listed(f"[ ] {t}"), ItemStatus.OPEN),
    ("check mark", lambda t: _listed(f"✅ {t}"), ItemStatus.DONE),
    ("done tag", lambda t: _listed(f"{t} (done)"), ItemStatus.DONE),
    ("DONE: prefix", lambda t: _listed(f"DONE: {t}"), ItemStatus.DONE),
    ("status field", lambda t: _listed(f"{t} — status: done"), ItemStatus.DONE),
    ("strikethrough", lambda t: _listed(f"~~{t}~~"), ItemStatus.DROPPED),
    ("won't-do tag", lambda t: _listed(f"{t} (won't do)"), ItemStatus.DROPPED),
    ("dropped tail", lambda t: _listed(f"{t} — dropped after review"), ItemStatus.DROPPED),
    (
        "status sub-bullet",
        lambda t: f"## Action items\n\n1. **{t}**\n   - Owner: @ravi\n   - Status: done\n",
        ItemStatus.DONE,
    ),
    (
        "status cell",
        lambda t: f"## Action items\n\n| Action | Status |\n|---|---|\n| {t} | Dropped |\n",
        ItemStatus.DROPPED,
    ),
    ("completed group", lambda t: f"## Action items\n\n### Completed\n\n- {t}\n", ItemStatus.DONE),
)


@settings(max_examples=150, deadline=None)
@given(outcome=_wordings())
def test_no_wording_of_the_outcome_sets_a_status(outcome: str) -> None:
    assert _status_of(_listed(outcome)) is ItemStatus.OPEN


@settings(max_examples=60, deadline=None)
@given(outcome=_wordings(), mark=st.sampled_from(MARKS))
def test_every_explicit_mark_sets_the_status_it_names(
    outcome: str, mark: tuple[str, Callable[[str], str], ItemStatus]
) -> None:
    name, render, status = mark
    assert _status_of(render(outcome)) is status, name


def test_a_status_in_capitals_after_the_last_field_is_the_item_s_status() -> None:
    found = split_fields("Accept the old token for 30 s. Owner: @ylinde DONE")
    assert found.status == ItemStatus.DONE
    assert found.first("owner") == "@ylinde"
    assert split_fields("Drain the relay WONTFIX").status == ItemStatus.DROPPED
    assert split_fields("Keep retrying until it is done").status is None  # prose, not a tag
