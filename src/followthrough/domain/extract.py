"""Extraction: a parsed document → one `Postmortem` per incident, with its action items.

Flow: split multi-incident files → read metadata → walk blocks for candidates → read each
candidate's text (owner, due, tickets, state) → key it → lint it.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import Any, Final, NamedTuple, TypeVar

from followthrough.domain.categorize import infer_category
from followthrough.domain.document import (
    Block,
    Heading,
    ListBlock,
    ListEntry,
    Paragraph,
    SourceDocument,
    SourceProblem,
    Table,
    Text,
)
from followthrough.domain.itemtext import ItemText, plain_text, read_item, visible_text
from followthrough.domain.keys import item_key
from followthrough.domain.lint import LintPolicy, lint_findings
from followthrough.domain.metadata import Metadata, date_from_name, read_metadata
from followthrough.domain.model import ActionItem, ItemStatus, Postmortem
from followthrough.domain.sections import heading_words
from followthrough.domain.tables import category_of_cell, status_of_cell
from followthrough.domain.values import (
    find_tickets,
    is_placeholder,
    normalise_owner,
    normalise_priority,
    parse_calendar_date,
)
from followthrough.domain.walk import Candidate, walk

_WORD_CHARACTER: Final = re.compile(r"\w")
_TEMPLATE_PLACEHOLDER: Final = re.compile(r"^(?:\$\{.*\}|<[^>]*>|\.\.\.|…|\[[^\]]*\])$")
# What a _TEMPLATE_PLACEHOLDER can open with.
_PLACEHOLDER_OPENINGS: Final = frozenset("$<.…[")
# A template's example item: "e.g. Add monitoring — <owner> — YYYY-MM-DD", "Example: …".
_TEMPLATE_EXAMPLE: Final = re.compile(r"(?:e\.g\.|eg[.:]|example\s*:|for\s+example\b)", re.I)
# A template's field placeholders ("YYYY-MM-DD", "<owner>"), each form searched alone: the
# tag's opening "<" is a literal the regex engine skips to, which one pattern of both lacks.
_TEMPLATE_DATE: Final = re.compile(r"\bYYYY-MM-DD\b", re.I)
_TEMPLATE_TAG: Final = re.compile(r"<(?:owner|name|person|date|due(?:\s+date)?|ticket|team)>", re.I)
# Placeholders are short ("TBD", "n/a", "[team member]"): a longer title is none.
_LONGEST_PLACEHOLDER: Final = 20
# What each of their forms starts with, lower-cased.
_TEMPLATE_EXAMPLE_STARTS: Final = ("e.g", "eg.", "eg:", "exa", "for")
# The characters that lower-case to the first letter of one of them (no other character's
# lower case starts with "e" or "f").
_TEMPLATE_EXAMPLE_OPENINGS: Final = frozenset("eEfF")


def _is_template(title: str, raw: str) -> bool:
    """A template's example or placeholder item, not one of the team's."""
    if (
        title[:1] in _TEMPLATE_EXAMPLE_OPENINGS
        and title[:3].lower() in _TEMPLATE_EXAMPLE_STARTS
        and _TEMPLATE_EXAMPLE.match(title)
    ):
        return True
    if not ("<" in raw or "yyyy" in raw or "YYYY" in raw):
        return False
    # Case-insensitive, "Y", "M" and "D" match only their own two cases: a text with the
    # date form holds "yyyy-mm-dd" once lower-cased.
    return _TEMPLATE_TAG.search(raw) is not None or (
        "yyyy-mm-dd" in raw.lower() and _TEMPLATE_DATE.search(raw) is not None
    )


_INCIDENT_ID: Final = re.compile(r"\b((?:PM|INC|IR|SEV)[-_]?\d{2,}(?:-\d+)?)\b", re.I)
_INCIDENT_HEADING: Final = re.compile(r"^incident\b.*?(\d{4}-\d{2}-\d{2})", re.I)


def extract(doc: SourceDocument, *, policy: LintPolicy | None = None) -> tuple[Postmortem, ...]:
    """Every postmortem in a parsed document, items extracted and linted.

    Control characters and bidi overrides are dropped from all text first, so no title,
    owner or note carries them to a terminal, a tracker or a report.
    """
    lint = policy or LintPolicy()
    # Front matter is always cleaned: YAML escapes ("\u202e") make characters the file
    # does not hold.
    visible = doc.blocks if doc.visible_only else _visible_blocks(doc.blocks)
    front = _visible_value(doc.front_matter)
    base_id = str(front.get("id") or doc.stem or doc.path)
    postmortems: list[Postmortem] = []
    parts = _incidents(visible)
    # A file of several incidents names its team once, above them ("Owning team: …").
    first = parts[0][0]
    team = _team_above(visible, first, front) if first is not None else None
    for heading, blocks, outline in parts:
        if heading is None:
            pm_id = base_id
        else:
            pm_id = f"{base_id}#{_incident_date(heading.text.raw) or heading.text.line}"
        postmortems.append(
            _postmortem(
                doc, front, blocks, outline, pm_id=pm_id, heading=heading, policy=lint, team=team
            )
        )
    return _unique_ids(postmortems)


def _team_above(blocks: tuple[Block, ...], first: Heading, front: Mapping[str, Any]) -> str | None:
    """The team a file of incidents names in its front matter or above the first incident."""
    above = next(index for index, block in enumerate(blocks) if block is first)
    return read_metadata(blocks[:above], front).team


def _visible_blocks(blocks: tuple[Block, ...]) -> tuple[Block, ...]:
    return tuple(_visible_block(block) for block in blocks)


def _visible_block(block: Block) -> Block:
    if isinstance(block, Heading):
        text = _visible(block.text)
        return block if text is block.text else Heading(block.level, text)
    if isinstance(block, Paragraph):
        text = _visible(block.text)
        return block if text is block.text else Paragraph(text)
    if isinstance(block, ListBlock):
        entries = tuple(
            ListEntry(text=_visible(entry.text), children=_visible_blocks(entry.children))
            for entry in block.entries
        )
        return ListBlock(block.ordered, entries, block.line)
    if isinstance(block, Table):
        return Table(
            tuple(_visible(cell) for cell in block.header),
            tuple(tuple(_visible(cell) for cell in row) for row in block.rows),
            block.line,
        )
    return block


def _visible(text: Text) -> Text:
    clean = visible_text(text.raw)
    if clean is text.raw:
        return text
    return Text(clean, text.line, text.links, text.lines_follow_source)


def _visible_value(value: Any) -> Any:
    """Front matter with control characters dropped from every string in it."""
    if isinstance(value, str):
        return visible_text(value)
    if isinstance(value, dict):
        return {_visible_value(key): _visible_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_visible_value(item) for item in value]
    return value


_Named = TypeVar("_Named")


def _unique_ids(postmortems: list[Postmortem]) -> tuple[Postmortem, ...]:
    return tuple(
        _numbered_repeats(postmortems, lambda pm: pm.id, lambda pm, id_: replace(pm, id=id_))
    )


def _numbered_repeats(
    values: Sequence[_Named],
    name_of: Callable[[_Named], str],
    renamed: Callable[[_Named, str], _Named],
) -> list[_Named]:
    """Values in order, the second and later with the same name renamed ``<name>~n``."""
    seen: dict[str, int] = {}
    out: list[_Named] = []
    for value in values:
        name = name_of(value)
        count = seen.get(name, 0) + 1
        seen[name] = count
        out.append(value if count == 1 else renamed(value, f"{name}~{count}"))
    return out


def _incident_date(heading: str) -> str | None:
    """The date of an ``Incident on <date>`` heading (``None``: not such a heading)."""
    # The date's dashes are the heading's own (its words are its characters less markup,
    # numbering and parentheticals, joined by spaces): a heading without one has no date.
    return _incident_date_of(heading) if "-" in heading else None


@lru_cache(maxsize=4096)
def _incident_date_of(heading: str) -> str | None:
    match = _INCIDENT_HEADING.match(heading_words(heading))
    return match.group(1) if match else None


class _Outline(NamedTuple):
    """What several passes read from a run of blocks, collected in one pass."""

    headings: list[tuple[int, Heading]]  # with their positions
    texts: list[str]  # of headings and paragraphs, in order


def _outline(blocks: Sequence[Block]) -> _Outline:
    headings: list[tuple[int, Heading]] = []
    texts: list[str] = []
    for index, block in enumerate(blocks):
        if isinstance(block, Paragraph):
            texts.append(block.text.raw)
        elif isinstance(block, Heading):
            headings.append((index, block))
            texts.append(block.text.raw)
    return _Outline(headings, texts)


def _incidents(
    blocks: Sequence[Block],
) -> list[tuple[Heading | None, Sequence[Block], _Outline]]:
    """Split a file holding several incidents at its ``Incident on <date>`` headings."""
    outline = _outline(blocks)
    headings = [(i, b) for i, b in outline.headings if _incident_date(b.text.raw) is not None]
    levels = {b.level for _, b in headings}
    if len(headings) < 2 or len(levels) != 1:
        return [(None, blocks, outline)]
    level = levels.pop()
    parts: list[tuple[Heading | None, Sequence[Block], _Outline]] = []
    for position, (start, heading) in enumerate(headings):
        stop = headings[position + 1][0] if position + 1 < len(headings) else len(blocks)
        for end in range(start + 1, stop):
            candidate = blocks[end]
            if isinstance(candidate, Heading) and candidate.level < level:
                stop = end
                break
        part = blocks[start + 1 : stop]
        parts.append((heading, part, _outline(part)))
    return parts


def _postmortem(
    doc: SourceDocument,
    front: Mapping[str, Any],
    blocks: Sequence[Block],
    outline: _Outline,
    *,
    pm_id: str,
    heading: Heading | None,
    policy: LintPolicy,
    team: str | None = None,
) -> Postmortem:
    """The linted postmortem; table rows that held something but no readable action are
    reported with the document's own problems."""
    meta = read_metadata(blocks, front if heading is None else {})
    title = _title(doc, outline.headings, meta, heading)
    date = meta.date or date_from_name(doc.stem, title)
    found = walk(blocks)
    items, lost = _items(found.candidates, pm_id=pm_id, reference=date)
    items = _with_unique_keys(
        items + _front_matter_items(front, pm_id=pm_id, reference=date, line=doc.front_matter_line)
    )
    line = heading.text.line if heading else 1
    has_action_section = found.sections > 0 or bool(items)
    accepted_risk = _mentions_accepted_risk(outline.texts)
    action_items = tuple(items)
    return Postmortem(
        id=pm_id,
        path=doc.path,
        title=title,
        line=line,
        team=meta.team or team or doc.folder,
        date=date,
        severity=meta.severity,
        incident_id=meta.incident_id or _incident_id_from_name(doc.stem),
        authors=meta.authors,
        status=meta.status,
        topics=meta.topics,
        action_items=action_items,
        has_action_section=has_action_section,
        extra={"accepted_risk": "yes"} if accepted_risk else {},
        findings=lint_findings(
            action_items,
            path=doc.path,
            line=line,
            has_action_section=has_action_section,
            accepted_risk=accepted_risk,
            policy=policy,
            problems=(*doc.problems, *lost),
        ),
    )


def _title(
    doc: SourceDocument,
    headings: list[tuple[int, Heading]],
    meta: Metadata,
    heading: Heading | None,
) -> str:
    if heading is not None:
        return plain_text(heading.text.raw)
    if meta.title:
        return meta.title
    # The first of the highest headings that has words; a heading's words are read only
    # when it would be the highest so far.
    title: str | None = None
    top: tuple[int, int] | None = None
    for _, block in headings:
        rank = (block.level, block.text.line)
        if top is None or rank < top:
            words = plain_text(block.text.raw)
            if words:
                title, top = words, rank
    return title or doc.stem or doc.path


def _incident_id_from_name(stem: str) -> str | None:
    # The pattern opens with a word boundary, so the regex engine tries it at every position.
    # It matches an ASCII name's letters only in their two ASCII cases: such a name without
    # one of its prefixes once lower-cased is passed over.
    if stem.isascii():
        lowered = stem.lower()
        if not ("pm" in lowered or "inc" in lowered or "ir" in lowered or "sev" in lowered):
            return None
    match = _INCIDENT_ID.search(stem)
    return match.group(1).upper() if match else None


_ACCEPTED_RISK_WORDS: Final = r"accepted\s+risk"
_NO_ACTIONS_WORDS: Final = (
    r"no\s+(?:(?:new\s+)?action\s+items|follow[\s-]*ups?\s+(?:needed|required))"
)
_ACCEPTED_RISK: Final = re.compile(f"{_ACCEPTED_RISK_WORDS}|{_NO_ACTIONS_WORDS}", re.I)
# Each half alone, for lower-case text.
_ACCEPTED_RISK_PHRASE: Final = re.compile(_ACCEPTED_RISK_WORDS)
_NO_ACTIONS_PHRASE: Final = re.compile(_NO_ACTIONS_WORDS)


def _mentions_accepted_risk(texts_of_blocks: list[str]) -> bool:
    # One search over all texts; NUL separators keep a match from spanning two blocks.
    texts = "\0".join(texts_of_blocks)
    if not texts.isascii():
        return _ACCEPTED_RISK.search(texts) is not None
    # ASCII text: lower-casing it is exactly what the case-insensitive match would do. Each
    # search starts at a literal word, which the regex engine skips to: far cheaper than
    # trying the alternation at every letter.
    lowered = texts.lower()
    if "accepted" in lowered and _ACCEPTED_RISK_PHRASE.search(lowered) is not None:
        return True
    return "no" in lowered and _NO_ACTIONS_PHRASE.search(lowered) is not None


def _items(
    candidates: Sequence[Candidate], *, pm_id: str, reference: dt.date | None
) -> tuple[list[ActionItem], tuple[SourceProblem, ...]]:
    items: list[ActionItem] = []
    lost: list[SourceProblem] = []
    for candidate in candidates:
        item = _item(candidate, pm_id=pm_id, reference=reference)
        if item is None:
            if candidate.row is not None:
                lost.append(_unreadable_row(candidate))
            continue
        items.append(item)
    return items, tuple(lost)


def _with_unique_keys(items: list[ActionItem]) -> list[ActionItem]:
    """Items in order, the second and later with the same key (the same words) keyed ``~n``:
    items in the text and in front matter alike, so no two items of a postmortem share a key."""
    return _numbered_repeats(items, lambda item: item.key, lambda item, key: replace(item, key=key))


def _unreadable_row(candidate: Candidate) -> SourceProblem:
    raw = " ".join(candidate.text.raw.split())
    shown = f"“{raw[:59]}…”" if len(raw) > 60 else f"“{raw}”" if raw else "nothing"
    message = (
        f"this table row's action reads as {shown}, not as an outcome (markup dropped?); "
        "write the action as plain text"
    )
    return SourceProblem("unreadable-item", message, candidate.text.line)


def _item(candidate: Candidate, *, pm_id: str, reference: dt.date | None) -> ActionItem | None:
    notes = candidate.notes
    parsed = read_item(
        candidate.text.raw, candidate.text.links, tuple(n.raw for n in notes) if notes else ()
    )
    row = candidate.row
    title = (
        candidate.title_override or parsed.title or (parsed.tickets[0] if parsed.tickets else "")
    )
    first = title[:1]
    if (
        not title
        # A title opening with a letter or a digit holds a word character (``\w`` is exactly
        # a character `str.isalnum` accepts, or "_") and opens no placeholder: neither
        # pattern need be tried.
        or (
            not first.isalnum()
            and (
                not _WORD_CHARACTER.search(title)
                or (first in _PLACEHOLDER_OPENINGS and _TEMPLATE_PLACEHOLDER.match(title))
            )
        )
        or (len(title) < _LONGEST_PLACEHOLDER and is_placeholder(title))
        or _is_template(title, candidate.text.raw)
    ):
        return None
    owner_text = (
        (row.owner if row and row.owner else None) or parsed.owner_text or candidate.traits.owner
    )
    due_text = (row.due if row and row.due else None) or parsed.due_text
    tickets = _tickets(parsed, candidate)
    status = _status(parsed, candidate)
    category = (
        (row.category if row else None)
        or parsed.category
        or candidate.traits.category
        or infer_category(title)
        or infer_category(parsed.explanation or "")
    )
    priority = normalise_priority(row.priority) if row and row.priority else parsed.priority
    return ActionItem(
        key=item_key(pm_id, title),
        title=title,
        line=candidate.text.line,
        owner=normalise_owner(owner_text),
        due=parse_calendar_date(due_text, reference=reference) if due_text else None,
        ticket=tickets[0] if tickets else None,
        status=status,
        category=category,
        priority=priority,
        owner_text=owner_text,
        due_text=due_text,
        horizon=candidate.traits.horizon,
        tickets=tickets,
        notes=tuple(plain_text(n.raw) for n in notes) if notes else (),
    )


def _tickets(parsed: ItemText, candidate: Candidate) -> tuple[str, ...]:
    if candidate.row and candidate.row.ticket:
        cell = candidate.row.ticket
        return tuple(dict.fromkeys(find_tickets(cell.raw, cell.links) + parsed.tickets))
    return parsed.tickets


# The state of an item nothing marks otherwise (a module constant: compiled, reading the
# enum's attribute for every item costs far more).
_OPEN: Final = ItemStatus.OPEN


def _status(parsed: ItemText, candidate: Candidate) -> ItemStatus:
    if candidate.row and candidate.row.status:
        return candidate.row.status
    return parsed.status or candidate.traits.status or _OPEN


def _front_matter_items(
    front: Mapping[str, Any], *, pm_id: str, reference: dt.date | None, line: int
) -> list[ActionItem]:
    """Structured ``action_items:`` in front matter: strings or mappings with named fields."""
    entries = front.get("action_items") or front.get("actions") or []
    if not isinstance(entries, list):
        return []
    items: list[ActionItem] = []
    for entry in entries:
        fields = entry if isinstance(entry, dict) else {"title": str(entry)}
        title_text = str(
            fields.get("title") or fields.get("action") or fields.get("description") or ""
        )
        parsed = read_item(title_text)
        if not parsed.title:
            continue
        owner_text = _field_text(fields, "owner", "assignee", "who") or parsed.owner_text
        due_text = _field_text(fields, "due", "due_date", "deadline") or parsed.due_text
        ticket_text = _field_text(fields, "ticket", "issue", "jira", "tracking")
        tickets = find_tickets(ticket_text) if ticket_text else parsed.tickets
        status_text = _field_text(fields, "status", "state")
        category_text = _field_text(fields, "category", "type", "kind")
        items.append(
            ActionItem(
                key=item_key(pm_id, parsed.title),
                title=parsed.title,
                line=line,
                owner=normalise_owner(owner_text),
                due=_front_matter_date(fields, reference)
                or (parse_calendar_date(due_text, reference=reference) if due_text else None),
                ticket=tickets[0] if tickets else None,
                status=(status_of_cell(status_text) if status_text else None)
                or parsed.status
                or _OPEN,
                category=(category_of_cell(category_text) if category_text else None)
                or infer_category(parsed.title),
                priority=normalise_priority(_field_text(fields, "priority")) or parsed.priority,
                owner_text=owner_text,
                due_text=due_text,
                tickets=tickets,
            )
        )
    return items


def _field_text(fields: Mapping[str, Any], *names: str) -> str | None:
    for name in names:
        value = fields.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _front_matter_date(fields: Mapping[str, Any], reference: dt.date | None) -> dt.date | None:
    for name in ("due", "due_date", "deadline"):
        value = fields.get(name)
        if isinstance(value, dt.date):
            return value
    return None
