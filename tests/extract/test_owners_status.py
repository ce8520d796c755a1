"""Owners from explicit positions, placeholders, and done/dropped markers."""

from __future__ import annotations

import pytest

from followthrough.domain.model import ActionItem, ItemStatus
from tests.extract.helpers import md, only_item


def _item_of(line: str) -> ActionItem:
    """The one item of a section holding just ``line``."""
    return only_item(md(f"# Cache outage\n\n## Action items\n\n{line}\n"))


@pytest.mark.parametrize(
    ("line", "title", "owner", "owner_text"),
    [
        ("- @alice: Add an alert on queue depth", "Add an alert on queue depth", "alice", "alice"),
        (
            "- Owner: @alice - Add an alert on queue depth",
            "Add an alert on queue depth",
            "alice",
            "@alice",
        ),
        (
            "- Add an alert on queue depth. Owner: @alice",
            "Add an alert on queue depth",
            "alice",
            "@alice",
        ),
        (
            "- Add an alert on queue depth (owner: erin)",
            "Add an alert on queue depth",
            "erin",
            "erin",
        ),
        (
            "- Add an alert on queue depth (assignee: @erin)",
            "Add an alert on queue depth",
            "erin",
            "@erin",
        ),
        (
            "- [Frank Li] Add an alert on queue depth",
            "Add an alert on queue depth",
            "Frank Li",
            "Frank Li",
        ),
        ("- Carol to add an alert on queue depth", "Add an alert on queue depth", "Carol", "Carol"),
        ("- Dave will add an alert on queue depth", "Add an alert on queue depth", "Dave", "Dave"),
        (
            "- Platform team to add an alert on queue depth",
            "Add an alert on queue depth",
            "Platform team",
            "Platform team",
        ),
    ],
)
def test_owner_positions(line: str, title: str, owner: str, owner_text: str) -> None:
    item = _item_of(line)
    assert (item.title, item.owner, item.owner_text) == (title, owner, owner_text)


def test_team_prefix_with_colon() -> None:
    item = _item_of("- Payments team: add an alert on queue depth")
    assert (item.title.casefold(), item.owner) == ("add an alert on queue depth", "Payments team")


def test_no_owner_is_guessed_from_names_in_the_text() -> None:
    item = _item_of("- Ask the Redis vendor about eviction under memory pressure")
    assert (item.owner, item.owner_text) == (None, None)


@pytest.mark.parametrize("placeholder", ["TBD", "TODO"])
def test_placeholder_owner_is_none_but_quoted(placeholder: str) -> None:
    item = _item_of(f"- Add an alert on queue depth (owner: {placeholder})")
    assert (item.title, item.owner, item.owner_text) == (
        "Add an alert on queue depth",
        None,
        placeholder,
    )


def test_placeholder_bracket_owner_is_none() -> None:
    item = _item_of("- [TBD] Add an alert on queue depth")
    assert (item.title, item.owner, item.owner_text) == ("Add an alert on queue depth", None, "TBD")


@pytest.mark.parametrize("placeholder", ["?", "n/a"])
def test_punctuated_placeholder_owner(placeholder: str) -> None:
    item = _item_of(f"- Add an alert on queue depth (owner: {placeholder})")
    assert (item.title, item.owner, item.owner_text) == (
        "Add an alert on queue depth",
        None,
        placeholder,
    )


def test_at_handle_subject_with_will() -> None:
    item = _item_of("- @gina will add an alert on queue depth")
    assert (item.title, item.owner) == ("Add an alert on queue depth", "gina")


def test_trailing_at_handle_is_the_owner() -> None:
    item = _item_of("- [ ] Add an alert on queue depth @alice")
    assert (item.title, item.owner) == ("Add an alert on queue depth", "alice")


def test_owner_field_naming_a_team() -> None:
    item = _item_of("- Add an alert on queue depth (owner: SRE team)")
    assert (item.title, item.owner) == ("Add an alert on queue depth", "SRE team")


@pytest.mark.parametrize(
    ("line", "status"),
    [
        ("- Add an alert on queue depth (done)", ItemStatus.DONE),
        ("- Add an alert on queue depth (completed 2024-04-02)", ItemStatus.DONE),
        ("- [DONE] Add an alert on queue depth", ItemStatus.DONE),
        ("- ✅ Add an alert on queue depth", ItemStatus.DONE),
        ("- **DONE** Add an alert on queue depth", ItemStatus.DONE),
        ("- Add an alert on queue depth **DONE**", ItemStatus.DONE),
        ("- ~~Add an alert on queue depth~~", ItemStatus.DROPPED),
        ("- Add an alert on queue depth (won't do)", ItemStatus.DROPPED),
        ("- [dropped] Add an alert on queue depth", ItemStatus.DROPPED),
        ("- **TODO** Add an alert on queue depth", ItemStatus.OPEN),
        ("- TODO: Add an alert on queue depth", ItemStatus.OPEN),
        ("- Add an alert on queue depth", ItemStatus.OPEN),
    ],
)
def test_state_markers_are_read_and_removed(line: str, status: ItemStatus) -> None:
    item = _item_of(line)
    assert (item.title, item.status) == ("Add an alert on queue depth", status)


@pytest.mark.parametrize(
    "line",
    [
        "- Reverted the cache eviction change",
        "- Alert when the payout queue has been stuck for 10 minutes",
        "- The retry budget has been raised to five attempts",
    ],
)
def test_past_tense_outcome_without_a_mark_stays_open(line: str) -> None:
    item = _item_of(line)
    assert item.status is ItemStatus.OPEN


def test_note_saying_it_was_done_marks_the_item_done() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        - Add an alert on queue depth
          - This has been deployed to production.
        """
    )
    assert only_item(pm).status is ItemStatus.DONE
