"""Item shapes: plain and bold-titled bullets, wrapped lines, notes, numbered and task lists, headings."""

from __future__ import annotations

import datetime as dt

from followthrough.domain.model import ItemStatus
from tests.extract.helpers import lines, md, only_item, titles


def test_plain_bullets_are_items_with_their_lines() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        - Add a rate limit to the login endpoint
        - Pin the client library version
        - Bump the consumer pool to 20 workers
        """
    )
    assert titles(pm) == [
        "Add a rate limit to the login endpoint",
        "Pin the client library version",
        "Bump the consumer pool to 20 workers",
    ]
    assert lines(pm) == [5, 6, 7]
    assert all(item.status is ItemStatus.OPEN for item in pm.action_items)


def test_bold_title_with_explanation_takes_the_bold_part() -> None:
    item = only_item(
        md(
            """
            # Cache outage

            ## Action items

            - **Cap the retry budget**: the client retried forever and doubled the load.
            """
        )
    )
    assert item.title == "Cap the retry budget"
    assert item.line == 5


def test_wrapped_continuation_lines_join_the_title() -> None:
    item = only_item(
        md(
            """
            # Cache outage

            ## Action items

            - Add a rate limit to the
              public login endpoint
            """
        )
    )
    assert item.title == "Add a rate limit to the public login endpoint"
    assert item.line == 5


def test_nested_bullets_are_notes_not_items() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        - **Cap the retry budget**: the client retried forever
          - see the load graph from the incident
          - needs a client release
        - Pin the client library version
        """
    )
    assert titles(pm) == ["Cap the retry budget", "Pin the client library version"]
    assert pm.action_items[0].notes == (
        "see the load graph from the incident",
        "needs a client release",
    )
    assert pm.action_items[1].notes == ()


def test_numbered_list_items() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        1. Add a rate limit to the login endpoint
        2. Pin the client library version
        """
    )
    assert titles(pm) == [
        "Add a rate limit to the login endpoint",
        "Pin the client library version",
    ]
    assert lines(pm) == [5, 6]


def test_numbered_list_written_all_with_one() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        1. Add a rate limit to the login endpoint
        1. Pin the client library version
        1. Bump the consumer pool to 20 workers
        """
    )
    assert titles(pm) == [
        "Add a rate limit to the login endpoint",
        "Pin the client library version",
        "Bump the consumer pool to 20 workers",
    ]
    assert lines(pm) == [5, 6, 7]


def test_task_list_states_and_empty_boxes() -> None:
    pm = md(
        "# Cache outage\n\n## Action items\n\n"
        "- [x] Pin the client library version\n"
        "- [ ] Add a rate limit to the login endpoint\n"
        "- [ ] \n"
        "- [ ]\n"
        "- [X] Bump the consumer pool to 20 workers\n"
    )
    assert [(i.title, i.status, i.line) for i in pm.action_items] == [
        ("Pin the client library version", ItemStatus.DONE, 5),
        ("Add a rate limit to the login endpoint", ItemStatus.OPEN, 6),
        ("Bump the consumer pool to 20 workers", ItemStatus.DONE, 9),
    ]


HEADING_ITEMS = """
# Cache outage

## Action items

### AI-1: Add an alert on disk usage

Owner: @alice
Due: 2024-05-01
Tracking: OPS-12

### AI-2: Document the failover procedure

Owner: @bob

Due: 10 May 2024

Tracking: https://github.com/acme/infra/issues/88
"""


def test_one_heading_per_item_with_field_lines() -> None:
    pm = md(HEADING_ITEMS)
    assert [(i.title, i.line, i.owner, i.due) for i in pm.action_items] == [
        ("Add an alert on disk usage", 5, "alice", dt.date(2024, 5, 1)),
        ("Document the failover procedure", 11, "bob", dt.date(2024, 5, 10)),
    ]
    assert "OPS-12" in pm.action_items[0].tickets
    assert "acme/infra#88" in pm.action_items[1].tickets


def test_heading_item_label_is_not_a_ticket() -> None:
    pm = md(HEADING_ITEMS)
    assert [(i.ticket, i.tickets) for i in pm.action_items] == [
        ("OPS-12", ("OPS-12",)),
        ("acme/infra#88", ("acme/infra#88",)),
    ]


def test_heading_item_owner_is_not_the_postmortem_author() -> None:
    assert md(HEADING_ITEMS).authors == ()


def test_heading_items_without_labels_under_the_section() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        ### Cap the retry budget

        The client retried forever and doubled the load.

        ### Pin the client library version

        Owner: @carol
        """
    )
    assert [(i.title, i.line, i.owner) for i in pm.action_items] == [
        ("Cap the retry budget", 5, None),
        ("Pin the client library version", 9, "carol"),
    ]
