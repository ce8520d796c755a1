"""Finding the action-item section: heading synonyms, setext headings, labels, plain lines, groups."""

from __future__ import annotations

import pytest

from followthrough.domain.model import Category, ItemStatus
from tests.extract.helpers import lines, md, titles

TWO_ITEMS = ["Add an alert on queue depth", "Remove the nightly cron job"]


@pytest.mark.parametrize(
    "heading",
    [
        "Action items",
        "Action Items:",
        "ACTION ITEMS",
        "Follow-ups",
        "Follow-up actions",
        "Followups",
        "Remediation",
        "Remediation items",
        "Corrective and preventative actions",
        "Corrective and Preventative Measures",
        "Corrective & preventive measures",
        "Review actions",
        "Next steps",
        "Priority actions",
        "5. Action items",
        "**Action items**",
        "Action items (owners in brackets)",
    ],
)
def test_atx_heading_synonyms_open_the_section(heading: str) -> None:
    pm = md(
        f"""
        # Queue outage

        ## {heading}

        - Add an alert on queue depth
        - Remove the nightly cron job
        """
    )
    assert titles(pm) == TWO_ITEMS
    assert lines(pm) == [5, 6]
    assert pm.has_action_section


@pytest.mark.parametrize("underline", ["=====", "-----"])
def test_setext_heading_opens_the_section(underline: str) -> None:
    pm = md(
        f"""
        Queue outage
        ============

        Follow-ups
        {underline}

        - Add an alert on queue depth
        - Remove the nightly cron job
        """
    )
    assert titles(pm) == TWO_ITEMS
    assert lines(pm) == [7, 8]


def test_bold_label_inside_a_list_holds_its_sub_bullets() -> None:
    pm = md(
        """
        # Queue outage

        - **Summary**: the queue filled up
        - **Review actions**:
          - Add an alert on queue depth
          - Remove the nightly cron job
        - **Attendees**: alice, bob
        """
    )
    assert titles(pm) == TWO_ITEMS
    assert lines(pm) == [5, 6]


def test_bold_label_ending_a_list_takes_the_next_list() -> None:
    pm = md(
        """
        # Queue outage

        - **Summary**: the queue filled up
        - **Next steps**:

        * Add an alert on queue depth
        * Remove the nightly cron job
        """
    )
    assert titles(pm) == TWO_ITEMS
    assert lines(pm) == [6, 7]


def test_bold_label_followed_by_sibling_bullets_in_the_same_list() -> None:
    pm = md(
        """
        # Queue outage

        - **Summary**: the queue filled up
        - **Review actions**:
        - Add an alert on queue depth
        - Remove the nightly cron job
        """
    )
    assert titles(pm) == TWO_ITEMS


def test_plain_line_opens_the_section() -> None:
    pm = md(
        """
        # Queue outage

        Action Items

        - Add an alert on queue depth
        - Remove the nightly cron job
        """
    )
    assert titles(pm) == TWO_ITEMS
    assert lines(pm) == [5, 6]


def test_section_ends_at_the_next_heading_of_the_same_level() -> None:
    pm = md(
        """
        # Queue outage

        ## Action items

        - Add an alert on queue depth

        ## Appendix

        - Remove the nightly cron job
        """
    )
    assert titles(pm) == ["Add an alert on queue depth"]


@pytest.mark.parametrize(
    ("group", "category"),
    [
        ("Detection", Category.DETECTION),
        ("Detective", Category.DETECTION),
        ("Prevention", Category.PREVENTION),
        ("Preventive", Category.PREVENTION),
        ("Response", Category.RESPONSE),
        ("Recovery", Category.RESPONSE),
        ("Communication", Category.COMMUNICATION),
    ],
)
def test_sub_heading_group_gives_the_category(group: str, category: Category) -> None:
    # The item's own words name no category, so only the group can give it.
    pm = md(
        f"""
        # Queue outage

        ## Action items

        ### {group}

        - Pin the client library version
        """
    )
    assert titles(pm) == ["Pin the client library version"]
    assert pm.action_items[0].category is category
    assert pm.action_items[0].status is ItemStatus.OPEN


def test_bold_paragraph_label_inside_the_section_is_a_group() -> None:
    pm = md(
        """
        # Queue outage

        ## Action items

        **Communication**

        - Pin the client library version
        """
    )
    assert pm.action_items[0].category is Category.COMMUNICATION


def test_completed_group_marks_its_items_done() -> None:
    pm = md(
        """
        # Queue outage

        ## Action items

        ### Immediate actions (completed)

        - Pin the client library version

        ### Planned

        - Bump the consumer pool to 20 workers
        """
    )
    assert titles(pm) == ["Pin the client library version", "Bump the consumer pool to 20 workers"]
    assert [i.status for i in pm.action_items] == [ItemStatus.DONE, ItemStatus.OPEN]
    assert pm.action_items[0].horizon == "Immediate actions"


@pytest.mark.parametrize(
    "heading",
    ["What went wrong", "Questions", "Open questions", "Investigation", "Notes to the owner"],
)
def test_non_item_headings_inside_the_section_give_nothing(heading: str) -> None:
    pm = md(
        f"""
        # Queue outage

        ## Action items

        - Add an alert on queue depth

        ### {heading}

        - Why did the consumer stall for an hour
        - The pager was silenced during the deploy
        """
    )
    assert titles(pm) == ["Add an alert on queue depth"]


def test_one_group_per_sub_heading_with_lines() -> None:
    pm = md(
        """
        # Queue outage

        ## Action items

        ### Detection

        - Pin the client library version

        ### Prevention

        - Bump the consumer pool to 20 workers
        """
    )
    assert [(i.title, i.line, i.category) for i in pm.action_items] == [
        ("Pin the client library version", 7, Category.DETECTION),
        ("Bump the consumer pool to 20 workers", 11, Category.PREVENTION),
    ]
