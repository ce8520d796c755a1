"""Fields attached to an item, one test per way writers attach them, and status from marks only."""

from __future__ import annotations

import datetime as dt

from followthrough.domain.model import ItemStatus
from tests.extract.helpers import md, only_item


def _fields(pm_text: str) -> list[tuple[str, str | None, dt.date | None, str | None, str]]:
    return [(i.title, i.owner, i.due, i.ticket, i.status.value) for i in md(pm_text).action_items]


def test_fields_as_sub_bullets_under_a_numbered_bold_title() -> None:
    assert _fields(
        """
        # Build farm slowdown

        ## Action items

        1. **Expire stale build caches nightly**
           - Owner: @kofi
           - Due: 2025-03-14
           - Ticket: BLD-77
        2. **Cap the cache size per runner**
           - Owner: @amelie
           - Due: 2025-03-21
        """
    ) == [
        ("Expire stale build caches nightly", "kofi", dt.date(2025, 3, 14), "BLD-77", "open"),
        ("Cap the cache size per runner", "amelie", dt.date(2025, 3, 21), None, "open"),
    ]


def test_fields_as_sub_bullets_under_a_bulleted_bold_title() -> None:
    pm = md(
        """
        # Build farm slowdown

        ## Follow-ups

        - **Warm the cache after each release**
          - Owner: Kofi Mensah
          - Due: 2025-04-01
        """
    )
    item = only_item(pm)
    assert (item.title, item.owner, item.due, item.notes) == (
        "Warm the cache after each release",
        "Kofi Mensah",
        dt.date(2025, 4, 1),
        (),
    )


def test_a_field_line_under_a_heading_item() -> None:
    assert _fields(
        """
        # Webhook storm

        ## Action items

        ### Throttle webhook retries per tenant

        **Owner:** @ines · **Due:** 2025-05-02 · **Tracking:** <https://jira.example.com/browse/HOOK-9>

        ### Shed load before the queue fills

        Owner: @tomas | Due: 2025-05-09 | Ticket: HOOK-12
        """
    ) == [
        ("Throttle webhook retries per tenant", "ines", dt.date(2025, 5, 2), "HOOK-9", "open"),
        ("Shed load before the queue fills", "tomas", dt.date(2025, 5, 9), "HOOK-12", "open"),
    ]


def test_parenthesised_groups() -> None:
    assert _fields(
        """
        # Deploy incident

        ## Action items

        - Add a canary check before each deploy (@ravi, due 2025-02-14) CORE-311
        - Rotate the deploy signing key (@m.ortiz due: 2025-03-01)
        """
    ) == [
        ("Add a canary check before each deploy", "ravi", dt.date(2025, 2, 14), "CORE-311", "open"),
        ("Rotate the deploy signing key", "m.ortiz", dt.date(2025, 3, 1), None, "open"),
    ]


def test_dash_separated_tails() -> None:
    assert _fields(
        """
        # Replica lag

        ## Action items

        - Page on replica lag — owner @ines — due 2025-04-30 — DB-88
        - Rebuild the lagging replica – owner @tomas – due 2025-05-07
        """
    ) == [
        ("Page on replica lag", "ines", dt.date(2025, 4, 30), "DB-88", "open"),
        ("Rebuild the lagging replica", "tomas", dt.date(2025, 5, 7), None, "open"),
    ]


def test_bare_trailing_tokens() -> None:
    item = only_item(
        md(
            """
            # Failover drill

            ## Action items

            - Document the failover drill in the runbook index @tariq due 2025-06-30 OPS-412
            """
        )
    )
    assert (item.title, item.owner, item.due, item.ticket) == (
        "Document the failover drill in the runbook index",
        "tariq",
        dt.date(2025, 6, 30),
        "OPS-412",
    )


def test_bare_trailing_tokens_with_their_labels() -> None:
    """A label without a colon goes with its value: "owner @ana" is one field, and a field
    after it no longer hides the due date before it."""
    assert _fields(
        """
        # Failover drill

        ## Action items

        - Fix the failover flag owner @ana due 2025-05-01
        - Fix the failover flag due 2025-05-02 owner @ana
        - Rotate the replica keys owned by @sec-team by 2025-06-01
        - Reindex the search cluster assigned to Keiko Tanaka
        - Retire the old runbook ticket OPS-12
        - Escalate to the owner @ana
        - Close the ticket OPS-13
        """
    ) == [
        ("Fix the failover flag", "ana", dt.date(2025, 5, 1), None, "open"),
        ("Fix the failover flag", "ana", dt.date(2025, 5, 2), None, "open"),
        ("Rotate the replica keys", "sec-team", dt.date(2025, 6, 1), None, "open"),
        ("Reindex the search cluster", "Keiko Tanaka", None, None, "open"),
        ("Retire the old runbook", None, None, "OPS-12", "open"),
        # After "the", "owner" and "ticket" are the sentence's nouns.
        ("Escalate to the owner", "ana", None, None, "open"),
        ("Close the ticket", None, None, "OPS-13", "open"),
    ]


def test_strikethrough_on_the_title_only_then_fields_and_a_reason() -> None:
    assert _fields(
        """
        # Queue saturation

        ## Action items

        - ~~Shard the queue by tenant~~ — owner @ravi — dropped after review
        - ~~Move the queue to a managed service~~ — superseded by the tenant quotas
        """
    ) == [
        ("Shard the queue by tenant", "ravi", None, None, "dropped"),
        ("Move the queue to a managed service", None, None, None, "dropped"),
    ]


def test_metadata_lines_holding_several_pairs() -> None:
    ledger = md(
        """
        # Ledger double posting

        Date: 2025-01-09 · Owner: Priya Nandakumar · Team: ledger

        ## Action items

        - Make posting idempotent
        """
    )
    billing = md(
        """
        # Invoice run stalled

        Team: billing · Status: Draft

        ## Action items

        - Alert on a stalled invoice run
        """
    )
    assert (ledger.team, ledger.date, ledger.authors) == (
        "ledger",
        dt.date(2025, 1, 9),
        ("Priya Nandakumar",),
    )
    assert (billing.team, billing.status) == ("billing", "Draft")


def test_a_status_word_inside_another_field_does_not_make_the_item_done() -> None:
    assert _fields(
        """
        # Cache outage

        ## Action items

        - Document the rollback — due: when the migration is done
        - Clean up the feature flags | owner: @lena | category: prevention | ticket: DONE-14
        """
    ) == [
        ("Document the rollback", None, None, None, "open"),
        ("Clean up the feature flags", "lena", None, "DONE-14", "open"),
    ]


def test_an_open_item_worded_in_the_past_tense_or_with_has_been_stays_open() -> None:
    pm = md(
        """
        # Payout delay

        ## Action items

        - Alert when the payout queue has been stuck for 10 minutes
        - Fixed thresholds have been replaced by per-tenant ones in the staging config
        - Reverted deploys get a follow-up review within a week
        """
    )
    assert [i.status for i in pm.action_items] == [ItemStatus.OPEN] * 3


def test_a_lone_status_word_or_unlabelled_field_as_a_sub_bullet_is_the_items_field() -> None:
    # The same words set off in the item's tail are fields; under the item they are too.
    assert _fields(
        """
        # Queue backlog

        ## Action items

        - **Shard the queue by tenant**
          - Won't do
        - **Add a dead-letter queue**
          - Shipped
        - **Alert on consumer lag**
          - Cancelled
        - **Document the replay steps**
          - assigned to Dana Whitfield
          - target 2025-05-02
          - Bug 123456
        - **Resize the broker disks**
          - Blocked
        """
    ) == [
        ("Shard the queue by tenant", None, None, None, "dropped"),
        ("Add a dead-letter queue", None, None, None, "done"),
        ("Alert on consumer lag", None, None, None, "dropped"),
        ("Document the replay steps", "Dana Whitfield", dt.date(2025, 5, 2), "bug 123456", "open"),
        ("Resize the broker disks", None, None, None, "open"),
    ]
