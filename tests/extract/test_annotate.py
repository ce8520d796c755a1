"""Ticket keys written back into Markdown in the document's own style, and read back unchanged."""

from __future__ import annotations

import pytest

from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.domain.annotate import TicketNote, annotate_markdown
from followthrough.domain.extract import extract
from followthrough.domain.model import ActionItem


def _items(text: str) -> list[ActionItem]:
    (pm,) = extract(parse_markdown(text, path="payments/pm.md", folder="payments", stem="pm"))
    return list(pm.action_items)


def _annotated(text: str, ticket: str = "OPS-41") -> str:
    notes = [TicketNote(item.line, item.title, ticket) for item in _items(text)[:1]]
    result = annotate_markdown(text, notes)
    assert not result.skipped, result.skipped
    return result.text


def _round_trip(text: str, ticket: str = "OPS-41") -> str:
    """Annotate the first item; it must keep its key and title and now name the ticket."""
    before = _items(text)[0]
    after_text = _annotated(text, ticket)
    after = _items(after_text)[0]
    assert (after.key, after.title) == (before.key, before.title)
    assert ticket in after.tickets, after_text
    assert annotate_markdown(after_text, [TicketNote(after.line, after.title, ticket)]).text == (
        after_text
    ), "annotating twice must change nothing"
    return after_text


def test_a_bullet_gets_the_key_after_its_text() -> None:
    text = "# Outage\n\n## Action items\n\n- Add an alert on queue depth (@ana)\n- Other\n"
    assert "- Add an alert on queue depth (@ana) (OPS-41)\n- Other\n" in _round_trip(text)


@pytest.mark.parametrize(
    ("line", "annotated"),
    [
        (
            "- Publish the template. Owner: @sara, due 2026-11-11",
            "- Publish the template. Owner: @sara, due 2026-11-11, ticket: OPS-41",
        ),
        (
            "- Publish the template; Owner: @sara; Due: 2026-11-11",
            "- Publish the template; Owner: @sara; Due: 2026-11-11; Ticket: OPS-41",
        ),
        (
            "- Publish the template (owner: @sara, due: 2026-11-11)",
            "- Publish the template (owner: @sara, due: 2026-11-11, ticket: OPS-41)",
        ),
    ],
)
def test_inline_fields_get_a_ticket_field_in_their_own_style(line: str, annotated: str) -> None:
    text = f"# Outage\n\n## Action items\n\n{line}\n"
    assert _round_trip(text).endswith(annotated + "\n")


def test_a_wrapped_bullet_gets_it_after_its_last_line() -> None:
    text = (
        "# Outage\n\n## Action items\n\n- Add an alert on queue depth so that the\n"
        "  on-call sees it first\n  - a note below\n"
    )
    assert "  on-call sees it first (OPS-41)\n  - a note below\n" in _round_trip(text)


def test_a_table_with_a_ticket_column_gets_the_key_in_that_cell() -> None:
    text = (
        "# Outage\n\n## Action items\n\n| Action | Owner | Ticket |\n|---|---|---|\n"
        "| Add an alert on queue depth | @ana | — |\n"
    )
    assert "| Add an alert on queue depth | @ana | OPS-41 |\n" in _round_trip(text)


def test_a_table_without_one_gets_it_after_the_action() -> None:
    text = (
        "# Outage\n\n## Action items\n\n| Action | Owner |\n|---|---|\n"
        "| Add an alert on queue depth | @ana |\n"
    )
    assert "| Add an alert on queue depth (OPS-41) | @ana |\n" in _round_trip(text)


def test_a_ticket_cell_naming_something_else_is_left_to_its_author() -> None:
    text = (
        "# Outage\n\n## Action items\n\n| Action | Owner | Ticket |\n|---|---|---|\n"
        "| Add an alert on queue depth | @ana | see the runbook |\n"
    )
    item = _items(text)[0]
    result = annotate_markdown(text, [TicketNote(item.line, item.title, "OPS-41")])
    assert result.text == text
    (skip,) = result.skipped
    assert "names “see the runbook”" in skip.reason


def test_an_empty_ticket_field_is_filled() -> None:
    text = "# Outage\n\n## Action items\n\n- Add an alert on queue depth. Owner: @ana; Ticket: —\n"
    assert "Owner: @ana; Ticket: OPS-41\n" in _annotated(text)


def test_field_sub_bullets_get_a_ticket_sub_bullet() -> None:
    text = (
        "# Outage\n\n## Action items\n\n1. **Expire stale build caches nightly**\n"
        "   - Owner: @ana\n   - Due: 2026-03-01\n2. **Next**\n"
    )
    assert "   - Due: 2026-03-01\n   - Ticket: OPS-41\n2. **Next**\n" in _round_trip(text)


def test_an_empty_ticket_sub_bullet_is_filled() -> None:
    text = (
        "# Outage\n\n## Action items\n\n1. **Expire stale build caches nightly**\n"
        "   - Owner: @ana\n   - Ticket: —\n   - Due: 2026-03-01\n"
    )
    assert "   - Owner: @ana\n   - Ticket: OPS-41\n   - Due: 2026-03-01\n" in _round_trip(text)


def test_crlf_line_endings_and_a_missing_final_newline_are_kept() -> None:
    text = "# Outage\r\n\r\n## Action items\r\n\r\n- Add an alert on queue depth"
    assert _round_trip(text).endswith("- Add an alert on queue depth (OPS-41)")
    text += "\r\n"
    assert _round_trip(text).endswith("- Add an alert on queue depth (OPS-41)\r\n")


def test_a_github_reference_is_written_whole() -> None:
    text = "# Outage\n\n## Action items\n\n- Add an alert on queue depth\n"
    assert "- Add an alert on queue depth (acme/ops#12)\n" in _round_trip(text, "acme/ops#12")


@pytest.mark.parametrize(
    ("line", "title", "reason"),
    [
        (5, "Rotate the signing keys", "no longer holds “Rotate the signing keys”"),
        (40, "Add an alert", "past the end of the document"),
        (1, "Add an alert", "front matter"),
    ],
)
def test_a_line_that_does_not_hold_the_item_is_skipped_with_why(
    line: int, title: str, reason: str
) -> None:
    text = "---\ndate: 2026-01-01\n---\n## Action items\n- Add an alert on queue depth\n"
    result = annotate_markdown(text, [TicketNote(line, title, "OPS-41")])
    assert result.text == text
    (skip,) = result.skipped
    assert reason in skip.reason


def test_several_items_in_one_document_each_get_their_own() -> None:
    text = (
        "# Outage\n\n## Action items\n\n1. **First item here**\n   - Owner: @ana\n"
        "2. **Second item here**\n   - Owner: @bo\n- Third item here\n"
    )
    notes = [
        TicketNote(5, "First item here", "OPS-1"),
        TicketNote(7, "Second item here", "OPS-2"),
        TicketNote(9, "Third item here", "OPS-3"),
    ]
    result = annotate_markdown(text, notes)
    assert not result.skipped
    assert [item.tickets[:1] for item in _items(result.text)] == [
        ("OPS-1",),
        ("OPS-2",),
        ("OPS-3",),
    ]
    assert result.text.splitlines()[4:] == [
        "1. **First item here**",
        "   - Owner: @ana",
        "   - Ticket: OPS-1",
        "2. **Second item here**",
        "   - Owner: @bo",
        "   - Ticket: OPS-2",
        "- Third item here (OPS-3)",
    ]
