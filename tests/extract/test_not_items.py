"""What is never an action item: timelines, metadata, impact, attendees, retrospective lists."""

from __future__ import annotations

import pytest

from tests.extract.helpers import md, titles

NOTHING_BUT_CONTEXT = """
# Cache outage

| Field | Value |
|---|---|
| Date | 2024-03-01 |
| Severity | SEV-2 |

## Impact

- 20% of checkouts failed for 40 minutes
- Add-to-cart latency doubled

## Timeline

| Time | Event |
|---|---|
| 10:00 | Alert fired |
| 10:05 | Rolled back the deploy |

- 10:10 restart the cache pods
- 10:20 add more capacity to the cluster

## Attendees

| Person | Role |
|---|---|
| Alice | Incident commander |

## What went well

- The rollback took two minutes

## What went wrong

- Add-on alerting was missing for the cache

## Lessons learned

- Always add a canary before a config change

## Postmortem checklist

- [ ] Schedule the review meeting
- [x] Share the document with the team
"""


def test_context_sections_give_no_items() -> None:
    pm = md(NOTHING_BUT_CONTEXT)
    assert titles(pm) == []
    assert pm.title == "Cache outage"
    assert [(f.code, f.line) for f in pm.findings] == [("no-action-items", 1)]


@pytest.mark.parametrize(
    "heading",
    ["Timeline", "Impact", "What went well", "What went wrong", "Lessons learned", "Root cause"],
)
def test_lists_under_context_headings_are_not_items(heading: str) -> None:
    pm = md(
        f"""
        # Cache outage

        ## {heading}

        - Add a canary before every config change
        - Page the database on-call sooner
        """
    )
    assert titles(pm) == []


def test_context_after_the_action_section_is_not_read() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        - Add an alert on queue depth

        ## Lessons learned

        - Always add a canary before a config change
        """
    )
    assert titles(pm) == ["Add an alert on queue depth"]


def test_prose_introducing_a_list_is_not_an_item() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        We agreed on the following during the review meeting:

        - Add an alert on queue depth

        These are tracked on the team board.
        """
    )
    assert titles(pm) == ["Add an alert on queue depth"]


def test_code_blocks_in_the_section_are_not_items() -> None:
    pm = md(
        """
        # Cache outage

        ## Action items

        - Add an alert on queue depth

        ```
        - this is a config snippet, not an item
        ```
        """
    )
    assert titles(pm) == ["Add an alert on queue depth"]
