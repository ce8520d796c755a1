"""The quick pre-check of `is_field_line` never turns away a line the field classifier reads."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from followthrough.domain import fields

# Words and marks of every field form, and prose around them.
_PIECES = (
    "Owner", "owner", "owned by", "assigned to", "assignee", "DRI", "Due", "due", "deadline",
    "ETA", "target", "by", "before", "on", "Priority", "prio", "P1", "p3", "high", "low", "medium",
    "Ticket", "tracking", "jira", "issue", "PR", "Bug", "bug", "OPS-412", "#12", "acme/ops#7",
    "https://jira.example/browse/OPS-1", "[PAY-7](https://x.example/7)", "Status", "state",
    "done", "Done", "completed", "fixed", "resolved", "shipped", "finished", "dropped",
    "won't do", "wontfix", "won't fix", "cancelled", "canceled", "not planned", "obsolete",
    "rejected", "no longer needed", "open", "todo", "to do", "in progress", "ongoing",
    "planned", "not started", "blocked", "✅", "❌", "@ravi", "@m.ortiz", "Dana Whitfield",
    "2025-03-01", "Mar 3", "3 March 2025", "Q2", "end of quarter", "eow", "after review",
    "in favour of v2", "the", "queue", "alert", "123456", ":", "=", ",", ";", "·", "|", "—",
    " - ", "(", ")", ".", "**",
)  # fmt: skip


def _without_precheck(text: str) -> bool:
    """`is_field_line` with its pre-check taken out: the classifier alone."""
    text = text.strip()
    return bool(text) and fields._holds_only_fields(text)


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(_PIECES), min_size=1, max_size=5))
def test_the_precheck_changes_no_answer(pieces: list[str]) -> None:
    text = " ".join(pieces)
    assert fields.is_field_line(text) == _without_precheck(text), text


_LONE_FIELDS = (
    "done", "completed", "complete", "fixed", "resolved", "shipped", "finished", "dropped",
    "won't do", "wont fix", "wontfix", "cancelled", "canceled", "not planned", "obsolete",
    "rejected", "no longer needed", "open", "todo", "to do", "in progress", "ongoing", "planned",
    "not started", "blocked", "assigned to Dana", "owned by @ravi", "assignee @ravi", "dri @ravi",
    "target 2025-03-01", "eta Q2", "deadline eow", "prio p1", "high priority", "Bug 123456",
)  # fmt: skip


def test_every_status_word_and_unlabelled_field_alone_is_a_field_line() -> None:
    for text in _LONE_FIELDS:
        for spelled in (text, text[:1].upper() + text[1:], text.upper()):
            assert fields.is_field_line(spelled), spelled
