"""The same items read the same whatever carries their fields.

One set of items (title, owner, due, ticket, status) is rendered as Markdown bullets with
inline tails, Markdown sub-bullet fields, a Markdown table, heading items with a field line,
an HTML list and an HTML table; every rendering must extract to the same items.
"""

from __future__ import annotations

import datetime as dt
import html as markup
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.domain.model import Postmortem
from tests.extract.helpers import html, md

VERBS = ("Rotate", "Document", "Cap", "Rebuild", "Split", "Throttle", "Page on", "Shard", "Pin")
OBJECTS = (
    "the cache warmer",
    "replica lag",
    "webhook retries",
    "the signing key",
    "queue depth",
    "the export job",
    "tenant quotas",
    "the resolver pool",
)
SUFFIXES = ("", " per tenant", " before each deploy", " in the runbook index", " nightly")
HANDLES = ("ines", "ravi", "m.ortiz", "kofi", "tariq", "amelie", "lou-b")
PROJECTS = ("OPS", "CORE", "PAY", "DB", "HOOK")


@dataclass(frozen=True)
class Item:
    title: str
    owner: str | None
    due: dt.date | None
    ticket: str | None
    status: str


_items = st.builds(
    Item,
    title=st.builds(
        lambda v, o, s: f"{v} {o}{s}",
        st.sampled_from(VERBS),
        st.sampled_from(OBJECTS),
        st.sampled_from(SUFFIXES),
    ),
    owner=st.none() | st.sampled_from(HANDLES),
    due=st.none() | st.dates(dt.date(2025, 1, 1), dt.date(2027, 12, 31)),
    ticket=st.none()
    | st.builds(lambda p, n: f"{p}-{n}", st.sampled_from(PROJECTS), st.integers(1, 9999)),
    status=st.sampled_from(("open", "done", "dropped")),
)
ITEM_SETS = st.lists(_items, min_size=1, max_size=4, unique_by=lambda item: item.title)
SEPARATORS = (" — ", " – ", " · ", " | ", "; ", " - ")

HEAD = "# Cache outage\n\n## Action items\n\n"
HTML_HEAD = "<html><body><h1>Cache outage</h1><h2>Action items</h2>\n"


def _labelled(item: Item) -> list[tuple[str, str]]:
    pairs = []
    if item.owner:
        pairs.append(("Owner", f"@{item.owner}"))
    if item.due:
        pairs.append(("Due", item.due.isoformat()))
    if item.ticket:
        pairs.append(("Ticket", item.ticket))
    return pairs


def _status_word(item: Item) -> str:
    return {"open": "Open", "done": "Done", "dropped": "Dropped"}[item.status]


def inline_tails(items: list[Item], separator: str) -> Postmortem:
    lines = []
    for item in items:
        box = {"open": "[ ] ", "done": "[x] ", "dropped": ""}[item.status]
        title = f"~~{item.title}~~" if item.status == "dropped" else item.title
        tail = []
        if item.owner:
            tail.append(f"owner @{item.owner}")
        if item.due:
            tail.append(f"due {item.due.isoformat()}")
        if item.ticket:
            tail.append(item.ticket)
        lines.append(f"- {box}{separator.join([title, *tail])}")
    return md(HEAD + "\n".join(lines) + "\n")


def sub_bullets(items: list[Item], separator: str) -> Postmortem:
    lines = []
    for number, item in enumerate(items, start=1):
        lines.append(f"{number}. **{item.title}**")
        fields = _labelled(item)
        if item.status != "open":
            fields.append(("Status", _status_word(item)))
        lines.extend(f"   - {key}: {value}" for key, value in fields)
    return md(HEAD + "\n".join(lines) + "\n")


def markdown_table(items: list[Item], separator: str) -> Postmortem:
    rows = ["| Action | Owner | Due | Ticket | Status |", "|---|---|---|---|---|"]
    rows.extend(
        f"| {item.title} | {'@' + item.owner if item.owner else ''} | "
        f"{item.due.isoformat() if item.due else ''} | {item.ticket or ''} | "
        f"{_status_word(item)} |"
        for item in items
    )
    return md(HEAD + "\n".join(rows) + "\n")


def heading_items(items: list[Item], separator: str) -> Postmortem:
    parts = []
    for item in items:
        fields = [*_labelled(item), ("Status", _status_word(item))]
        line = separator.join(f"**{key}:** {value}" for key, value in fields)
        parts.append(f"### {item.title}\n\n{line}\n")
    return md(HEAD + "\n".join(parts))


def html_list(items: list[Item], separator: str) -> Postmortem:
    entries = []
    for item in items:
        title = markup.escape(item.title)
        title = f"<s>{title}</s>" if item.status == "dropped" else title
        fields = ", ".join(f"{key.lower()}: {value}" for key, value in _labelled(item))
        group = f" ({fields})" if fields else ""
        mark = " (done)" if item.status == "done" else ""
        entries.append(f"<li>{title}{group}{mark}</li>")
    return html(HTML_HEAD + "<ul>\n" + "\n".join(entries) + "\n</ul></body></html>")


def html_table(items: list[Item], separator: str) -> Postmortem:
    rows = [
        "<tr><th>Action item</th><th>Owner</th><th>Due date</th><th>Jira</th><th>Status</th></tr>"
    ]
    rows.extend(
        f"<tr><td>{markup.escape(item.title)}</td><td>{'@' + item.owner if item.owner else ''}"
        f"</td><td>{item.due.isoformat() if item.due else ''}</td><td>{item.ticket or ''}</td>"
        f"<td>{_status_word(item)}</td></tr>"
        for item in items
    )
    return html(HTML_HEAD + "<table>" + "\n".join(rows) + "</table></body></html>")


CARRIERS: tuple[Callable[[list[Item], str], Postmortem], ...] = (
    inline_tails,
    sub_bullets,
    markdown_table,
    heading_items,
    html_list,
    html_table,
)


def _read(pm: Postmortem) -> list[Item]:
    return [
        Item(item.title, item.owner, item.due, item.ticket, item.status.value)
        for item in pm.action_items
    ]


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(items=ITEM_SETS, separator=st.sampled_from(SEPARATORS))
def test_every_carrier_gives_the_same_items(items: list[Item], separator: str) -> None:
    for carrier in CARRIERS:
        assert _read(carrier(items, separator)) == items, carrier.__name__
