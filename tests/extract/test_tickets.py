"""Ticket references in items: keys, URLs, cross-repo and bare numbers, reference links."""

from __future__ import annotations

import pytest

from tests.extract.helpers import md, only_item, titles


@pytest.mark.parametrize(
    ("text", "tickets"),
    [
        ("Add an alert on queue depth OPS-12", ("OPS-12",)),
        ("Add an alert on queue depth https://acme.atlassian.net/browse/OPS-13", ("OPS-13",)),
        (
            "Add an alert on queue depth (https://github.com/acme/infra/issues/14)",
            ("acme/infra#14",),
        ),
        ("Add an alert on queue depth https://github.com/acme/infra/pull/15", ("acme/infra#15",)),
        ("Add an alert on queue depth acme/infra#16", ("acme/infra#16",)),
        ("Add an alert on queue depth #17", ("#17",)),
        ("Add an alert on queue depth (bug 123456)", ("bug 123456",)),
        (
            "Add an alert on queue depth [OPS-21](https://acme.atlassian.net/browse/OPS-21)",
            ("OPS-21",),
        ),
        ("Add an alert on queue depth (OPS-22, OPS-23)", ("OPS-22", "OPS-23")),
    ],
)
def test_ticket_forms(text: str, tickets: tuple[str, ...]) -> None:
    item = only_item(md(f"# Queue outage\n\n## Action items\n\n- {text}\n"))
    assert (item.title, item.tickets, item.ticket) == (
        "Add an alert on queue depth",
        tickets,
        tickets[0],
    )


def test_reference_style_link_is_resolved() -> None:
    item = only_item(
        md(
            """
            # Queue outage

            ## Action items

            - Add an alert on queue depth [#18][t18]

            [t18]: https://github.com/acme/infra/issues/18
            """
        )
    )
    assert (item.title, item.tickets) == ("Add an alert on queue depth", ("acme/infra#18",))


@pytest.mark.parametrize("placeholder", ["n/a", "TODO", "-"])
def test_placeholder_tracking_field_is_no_ticket(placeholder: str) -> None:
    item = only_item(
        md(
            f"# Queue outage\n\n## Action items\n\n- Add an alert on queue depth. Ticket: {placeholder}\n"
        )
    )
    assert (item.title, item.ticket, item.tickets) == ("Add an alert on queue depth", None, ())


@pytest.mark.parametrize("placeholder", ["n/a", "TODO", "-"])
def test_placeholder_ticket_cell_is_no_ticket(placeholder: str) -> None:
    item = only_item(
        md(
            f"""
            # Queue outage

            ## Action items

            | Action | Owner | Ticket |
            |---|---|---|
            | Add an alert on queue depth | @alice | {placeholder} |
            """
        )
    )
    assert (item.ticket, item.tickets) == (None, ())


def test_parenthesised_placeholder_ticket_field_is_removed() -> None:
    item = only_item(
        md("# Queue outage\n\n## Action items\n\n- Add an alert on queue depth (ticket: TODO)\n")
    )
    assert (item.title, item.tickets) == ("Add an alert on queue depth", ())


def test_item_that_is_only_a_ticket_reference_is_still_an_item() -> None:
    pm = md(
        """
        # Queue outage

        ## Action items

        - OPS-19
        - https://github.com/acme/infra/issues/20
        - [OPS-21](https://acme.atlassian.net/browse/OPS-21)
        """
    )
    assert titles(pm) == ["OPS-19", "acme/infra#20", "OPS-21"]
    assert [i.ticket for i in pm.action_items] == ["OPS-19", "acme/infra#20", "OPS-21"]
    assert [i.line for i in pm.action_items] == [5, 6, 7]


def test_words_that_look_like_keys_are_not_tickets() -> None:
    item = only_item(
        md("# Queue outage\n\n## Action items\n\n- Move the TLS-1 ciphers to UTF-8 safe names\n")
    )
    assert item.tickets == ()


@pytest.mark.parametrize(
    "text",
    [
        "Ping the on-call about #1 and GH-2",
        "Ping the on-call about #1 and #2 before the rollout",
        "Fix the crash reported in #12 for the pool",
        "Compare GH-4 with the staging alerts",
        "Raise the pool limit (as discussed in #7) before Friday",
    ],
)
def test_bare_numbers_in_running_prose_are_not_tickets(text: str) -> None:
    item = only_item(md(f"# Queue outage\n\n## Action items\n\n- {text}\n"))
    assert item.tickets == ()
    assert item.ticket is None


@pytest.mark.parametrize(
    ("text", "tickets"),
    [
        ("Add an alert on queue depth (#17)", ("#17",)),
        ("Add an alert on queue depth [#17, #18]", ("#17", "#18")),
        ("Add an alert on queue depth, see #17", ("#17",)),
        ("#17: Add an alert on queue depth", ("#17",)),
        ("[GH-17]: Add an alert on queue depth", ("GH-17",)),
        ("Add an alert on queue depth. Ticket: #17", ("#17",)),
        ("Add an alert on queue depth (tracking: GH-17)", ("GH-17",)),
        ("Add an alert on queue depth about #1, tracking: #17", ("#17",)),
    ],
)
def test_bare_numbers_in_ticket_positions_are_tickets(text: str, tickets: tuple[str, ...]) -> None:
    item = only_item(md(f"# Queue outage\n\n## Action items\n\n- {text}\n"))
    assert item.tickets == tickets


def test_prose_reference_keeps_its_words_in_the_title() -> None:
    item = only_item(
        md("# Queue outage\n\n## Action items\n\n- Ping the on-call about #1 and GH-2\n")
    )
    assert item.title == "Ping the on-call about #1 and GH-2"


def test_table_action_cell_prose_is_no_ticket_but_the_ticket_cell_is() -> None:
    pm = md(
        """
        # Queue outage

        ## Action items

        | Action | Owner | Ticket |
        |---|---|---|
        | Ping the on-call about #1 and GH-2 | @bob | |
        | Add an alert on queue depth | @alice | #3 |
        """
    )
    assert [i.tickets for i in pm.action_items] == [(), ("#3",)]
