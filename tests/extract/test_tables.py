"""Action-item tables: any column order, synonymous names, empty and template rows."""

from __future__ import annotations

import datetime as dt

import pytest

from followthrough.domain.model import Category, ItemStatus
from tests.extract.helpers import html, md, only_item, titles


def test_table_with_every_column_in_an_unusual_order() -> None:
    pm = md(
        """
        # Disk outage

        ## Action items

        | Due date | Assignee | Description | Jira | Status | Kind | Priority |
        |---|---|---|---|---|---|---|
        | 2024-05-01 | @alice | Add an alert on disk usage | OPS-12 | Done | Detection | P1 |
        | May 10, 2024 | Bob Smith | Write the restore runbook | https://acme.atlassian.net/browse/OPS-13 | Open | Recovery | High |
        """
    )
    first, second = pm.action_items
    assert (first.title, first.line, first.owner, first.due) == (
        "Add an alert on disk usage",
        7,
        "alice",
        dt.date(2024, 5, 1),
    )
    assert (first.ticket, first.status, first.category, first.priority) == (
        "OPS-12",
        ItemStatus.DONE,
        Category.DETECTION,
        "P1",
    )
    assert (second.title, second.line, second.owner, second.due) == (
        "Write the restore runbook",
        8,
        "Bob Smith",
        dt.date(2024, 5, 10),
    )
    assert (second.ticket, second.status, second.category, second.priority) == (
        "OPS-13",
        ItemStatus.OPEN,
        Category.RESPONSE,
        "High",
    )


@pytest.mark.parametrize(
    ("action", "owner", "due", "ticket"),
    [
        ("Action", "Owner", "Due", "Ticket"),
        ("Description", "Assignee", "Due date", "Bug"),
        ("Item", "Who", "Deadline", "Jira"),
        ("Action item", "Owner", "Target date", "Issue"),
        ("Task", "DRI", "ETA", "Tracking"),
    ],
)
def test_column_synonyms(action: str, owner: str, due: str, ticket: str) -> None:
    item = only_item(
        md(
            f"""
            # Disk outage

            ## Follow-ups

            | {ticket} | {due} | {owner} | {action} |
            |---|---|---|---|
            | OPS-12 | 2024-05-01 | @alice | Pin the client library version |
            """
        )
    )
    assert (item.title, item.owner, item.due, item.ticket, item.line) == (
        "Pin the client library version",
        "alice",
        dt.date(2024, 5, 1),
        "OPS-12",
        7,
    )


@pytest.mark.parametrize(
    ("header", "cell", "category"),
    [
        ("Type", "Detective", Category.DETECTION),
        ("Kind", "Preventive", Category.PREVENTION),
        ("Category", "Mitigate", Category.RESPONSE),
        ("Type", "Comms", Category.COMMUNICATION),
    ],
)
def test_category_column(header: str, cell: str, category: Category) -> None:
    item = only_item(
        md(
            f"""
            # Disk outage

            ## Action items

            | Action | Owner | {header} |
            |---|---|---|
            | Pin the client library version | @alice | {cell} |
            """
        )
    )
    assert item.category is category


@pytest.mark.parametrize(
    ("cell", "status"),
    [
        ("Done", ItemStatus.DONE),
        ("Closed", ItemStatus.DONE),
        ("Complete", ItemStatus.DONE),
        ("**DONE**", ItemStatus.DONE),
        ("Won't do", ItemStatus.DROPPED),
        ("Dropped", ItemStatus.DROPPED),
        ("Canceled", ItemStatus.DROPPED),
        ("**TODO**", ItemStatus.OPEN),
        ("In progress", ItemStatus.OPEN),
        ("", ItemStatus.OPEN),
    ],
)
def test_status_column(cell: str, status: ItemStatus) -> None:
    item = only_item(
        md(
            f"""
            # Disk outage

            ## Action items

            | Action | Owner | Status |
            |---|---|---|
            | Pin the client library version | @alice | {cell} |
            """
        )
    )
    assert item.status is status


@pytest.mark.parametrize("cell", ["TBD", "TODO", "?", "n/a", "-"])
def test_placeholder_owner_cell_is_none(cell: str) -> None:
    pm = md(
        f"""
        # Disk outage

        ## Action items

        | Action | Owner | Due |
        |---|---|---|
        | Pin the client library version | {cell} | 2024-05-01 |
        """
    )
    item = only_item(pm)
    assert (item.owner, item.owner_text) == (None, cell)
    assert [f.code for f in pm.findings] == ["missing-owner"]


def test_done_and_todo_written_in_the_bug_column_are_states() -> None:
    pm = md(
        """
        # Disk outage

        ## Action items

        | Action | Owner | Bug |
        |---|---|---|
        | Pin the client library version | @alice | **DONE** [OPS-1](https://acme.atlassian.net/browse/OPS-1) |
        | Bump the consumer pool to 20 workers | @bob | **TODO** OPS-2 |
        """
    )
    assert [(i.title, i.ticket, i.status) for i in pm.action_items] == [
        ("Pin the client library version", "OPS-1", ItemStatus.DONE),
        ("Bump the consumer pool to 20 workers", "OPS-2", ItemStatus.OPEN),
    ]


def test_empty_and_template_rows_give_nothing() -> None:
    pm = md(
        """
        # Disk outage

        ## Action items

        | Action | Owner | Due | Ticket |
        |---|---|---|---|
        | Example: add an alert when the disk is 90% full | @jane | 2024-01-01 | OPS-1 |
        | ${action} | ${owner} | ${due} | ${ticket} |
        | <describe the action> | <name> | <date> | <link> |
        | | | | |
        | Pin the client library version | @alice | 2024-05-01 | OPS-12 |
        """
    )
    assert titles(pm) == ["Pin the client library version"]
    assert pm.action_items[0].line == 11


def test_table_outside_a_section_needs_an_action_column() -> None:
    pm = md(
        """
        # Disk outage

        | Action | Owner |
        |---|---|
        | Pin the client library version | @alice |

        | Service | Owner |
        |---|---|
        | checkout | @bob |
        """
    )
    assert titles(pm) == ["Pin the client library version"]
    assert pm.action_items[0].owner == "alice"


def test_html_table_with_synonymous_columns() -> None:
    pm = html(
        """
        <html><body>
        <h1>Disk outage</h1>
        <h2>Remediation</h2>
        <table>
          <tr><th>Who</th><th>Item</th><th>Deadline</th><th>Issue</th><th>Status</th></tr>
          <tr><td>Carol</td><td>Pin the client library version</td><td>2024-06-01</td>
              <td><a href="https://github.com/acme/pay/pull/43">PR</a></td><td>Closed</td></tr>
          <tr><td></td><td></td><td></td><td></td><td></td></tr>
          <tr><td>&lt;name&gt;</td><td>Example action</td><td></td><td></td><td></td></tr>
        </table>
        </body></html>
        """
    )
    item = only_item(pm)
    assert (item.title, item.owner, item.due, item.ticket, item.status, item.line) == (
        "Pin the client library version",
        "Carol",
        dt.date(2024, 6, 1),
        "acme/pay#43",
        ItemStatus.DONE,
        6,
    )
