"""Postmortem metadata (front matter, field lines, field tables) and multi-incident files."""

from __future__ import annotations

import datetime as dt

from followthrough.domain.model import Category, ItemStatus
from tests.extract.helpers import md, md_all, titles

FRONT_MATTER = """
---
title: Login outage
date: 2024-03-01
team: identity
severity: SEV-2
authors: [alice, bob]
status: published
action_items:
  - title: Add an alert on login errors
    owner: "@carol"
    due: 2024-04-01
    ticket: IDN-5
    status: done
  - title: Write the session-store runbook
    owner: dave
    due: 10 April
  - Rotate the signing key
---

# Login outage (draft heading)

The session store ran out of memory.
"""


def test_front_matter_metadata() -> None:
    pm = md(FRONT_MATTER, folder="platform")
    assert (pm.title, pm.date, pm.team, pm.severity, pm.authors, pm.status) == (
        "Login outage",
        dt.date(2024, 3, 1),
        "identity",
        "SEV-2",
        ("alice", "bob"),
        "published",
    )


def test_front_matter_action_items() -> None:
    pm = md(FRONT_MATTER)
    assert [(i.title, i.owner, i.due, i.ticket, i.status, i.category) for i in pm.action_items] == [
        (
            "Add an alert on login errors",
            "carol",
            dt.date(2024, 4, 1),
            "IDN-5",
            ItemStatus.DONE,
            Category.DETECTION,
        ),
        (
            "Write the session-store runbook",
            "dave",
            dt.date(2024, 4, 10),  # the year comes from the postmortem date
            None,
            ItemStatus.OPEN,
            Category.RESPONSE,
        ),
        ("Rotate the signing key", None, None, None, ItemStatus.OPEN, None),
    ]


def test_bold_date_line_and_bullet_fields() -> None:
    pm = md(
        """
        # Replica failover

        **Date:** 2024-03-01
        - **Team**: payments
        - **Severity**: SEV1

        ## Action items

        - Add an alert on replication lag (owner: @xia, due 10 May)
        """,
        folder="platform",
    )
    assert (pm.title, pm.date, pm.team, pm.severity) == (
        "Replica failover",
        dt.date(2024, 3, 1),
        "payments",
        "SEV1",
    )
    assert pm.action_items[0].due == dt.date(2024, 5, 10)


def test_two_column_field_value_table() -> None:
    pm = md(
        """
        # Replica failover

        | Field | Value |
        |---|---|
        | Date | 2024-03-01 |
        | Team | storage |
        | Severity | SEV-3 |
        | Authors | alice, bob |
        | Status | Draft |

        ## Action items

        - Add an alert on replication lag
        """
    )
    assert (pm.date, pm.team, pm.severity, pm.authors, pm.status) == (
        dt.date(2024, 3, 1),
        "storage",
        "SEV-3",
        ("alice", "bob"),
        "Draft",
    )
    assert titles(pm) == ["Add an alert on replication lag"]


def test_team_falls_back_to_the_folder_name() -> None:
    pm = md(
        """
        # Replica failover

        ## Action items

        - Add an alert on replication lag
        """,
        folder="platform",
    )
    assert pm.team == "platform"
    assert pm.date is None


def test_date_in_the_file_name_is_the_last_resort() -> None:
    pm = md(
        """
        # Replica failover

        ## Action items

        - Add an alert on replication lag (due 10 May)
        """,
        stem="2024-02-20-replica-failover",
    )
    assert pm.date == dt.date(2024, 2, 20)
    assert pm.action_items[0].due == dt.date(2024, 5, 10)


def test_attendee_table_is_not_the_title() -> None:
    pm = md(
        """
        # Replica failover

        ## Attendees

        | Name | Role |
        |---|---|
        | Alice | Incident commander |
        """
    )
    assert pm.title == "Replica failover"


MULTI = """
# Incidents in Q1

### Incident on 2024-01-02 - Checkout errors

The payment provider timed out.

#### Action items

- Add an alert on checkout errors (owner: @alice, due 10 Feb)

### Incident on 2024-02-14 - Search latency

#### Action items

- Put a cache in front of search (owner: @bob)
- Raise the search timeout to 5 s (owner: @bob)
"""


def test_several_incidents_in_one_file() -> None:
    first, second = md_all(MULTI, stem="q1")
    assert (first.id, first.title, first.date, first.path, first.line) == (
        "q1#2024-01-02",
        "Incident on 2024-01-02 - Checkout errors",
        dt.date(2024, 1, 2),
        "q1.md",
        3,
    )
    assert (second.id, second.title, second.date, second.path, second.line) == (
        "q1#2024-02-14",
        "Incident on 2024-02-14 - Search latency",
        dt.date(2024, 2, 14),
        "q1.md",
        11,
    )
    assert [(i.title, i.line, i.owner, i.due) for i in first.action_items] == [
        ("Add an alert on checkout errors", 9, "alice", dt.date(2024, 2, 10)),
    ]
    assert [(i.title, i.line, i.owner) for i in second.action_items] == [
        ("Put a cache in front of search", 15, "bob"),
        ("Raise the search timeout to 5 s", 16, "bob"),
    ]
    assert all(i.key.startswith("q1#2024-01-02:") for i in first.action_items)
    assert all(i.key.startswith("q1#2024-02-14:") for i in second.action_items)


def test_a_single_incident_heading_does_not_split_the_file() -> None:
    (pm,) = md_all(
        """
        # Checkout errors

        ### Incident on 2024-01-02 - Checkout errors

        #### Action items

        - Add an alert on checkout errors
        """,
        stem="one",
    )
    assert pm.id == "one"
    assert titles(pm) == ["Add an alert on checkout errors"]
