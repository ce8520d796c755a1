"""Finding action items in a document's blocks: sections, groups, lists, tables, labels.

The walk yields `Candidate`s (text plus what the surrounding structure says about it);
`extract` turns them into `ActionItem`s. Sections are found by heading synonyms, by a plain
line, or by a bold label inside a list; items outside any section come only from explicit
``Action point:`` / ``**Action item:**`` labels and from action-item tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Final

from followthrough.domain.document import (
    Block,
    Heading,
    ListBlock,
    ListEntry,
    Paragraph,
    Table,
    Text,
    Value,
    refuse_change,
    value_fields,
)
from followthrough.domain.fields import is_dashed_field, is_field_line, is_labelled_field
from followthrough.domain.sections import (
    GroupTraits,
    group_traits,
    heading_words,
    is_action_heading,
    is_inline_label,
    is_non_item_heading,
)
from followthrough.domain.tables import TableRow, is_action_table, table_rows

# Singular only: "Action Items: the section lists …" introduces, "Action item: do X" commits.
_LABELLED: Final = re.compile(
    r"^(?P<struck>~~)?(?:(?:\*\*|__)?action\s+(?:point|item)\s*(?::(?:\*\*|__)?|(?:\*\*|__)\s*:)"
    # Meeting notes' labels, in capitals: "AI:", "ACTION:", "ACTION (no owner yet):",
    # "TODO(akosua):", which names the owner.
    r"|(?-i:AI|ACTION(?:\s+\([^()\n]{1,40}\))?|TODO(?:\((?P<who>[\w.-]{1,40})\))?):)\s+",
    re.I,
)
_PSEUDO_BULLET: Final = re.compile(r"^\s*(?:[-*•·]|\*\*)\s+(?=\S)")
_BOLD_LABEL: Final = re.compile(r"^(?:\*\*|__)(?P<label>[^*_]+?)(?:\*\*|__)\s*:?\s*$")
_INSTRUCTION: Final = re.compile(
    r"\b(?:should\s+be\s+(?:achievable|in\s+the\s+form)|each\s+action\s+item|these\s+are\s+only|"
    r"sample\s+sub-?headings|copy\s+these|list\s+(?:the|all)\s+action|template)\b|^<.*>$|^\$\{",
    re.I,
)
_NOTHING_TO_DO: Final = re.compile(
    r"\b(?:accepted\s+risk|no\s+(?:new\s+|further\s+)?(?:action\s+items?|actions?|follow[\s-]*ups?)"
    r"(?:\s+(?:are\s+)?(?:needed|required|planned))?)\b|^(?:none|n/a|nothing)\b",
    re.I,
)
_SENTENCE_LINE: Final = re.compile(r"^[A-Z0-9`*\[].{8,}$")


class Candidate(Value):
    """Text that is an action item, with the traits of the group it sits in."""

    __slots__ = ("notes", "row", "text", "title_override", "traits")
    text: Text
    traits: GroupTraits
    notes: tuple[Text, ...]
    row: TableRow | None
    title_override: str | None

    def __init__(
        self,
        text: Text,
        traits: GroupTraits,
        notes: tuple[Text, ...] = (),
        row: TableRow | None = None,
        title_override: str | None = None,
    ) -> None:
        self.text = text
        self.traits = traits
        self.notes = notes
        self.row = row
        self.title_override = title_override

    def _values(self) -> tuple[object, ...]:
        return (self.text, self.traits, self.notes, self.row, self.title_override)

    def __setattr__(self, name: str, value: object) -> None:
        refuse_change(name)

    def __delattr__(self, name: str) -> None:
        refuse_change(name)


value_fields(Candidate, ("text", "traits", "notes", "row", "title_override"))


@dataclass(slots=True)
class WalkResult:
    candidates: list[Candidate] = field(default_factory=list)
    sections: int = 0


def walk(blocks: Sequence[Block]) -> WalkResult:
    """Every action-item candidate in ``blocks``, in document order."""
    result = WalkResult()
    candidates = result.candidates
    count = len(blocks)
    index = 0
    while index < count:
        block = blocks[index]
        # Paragraphs and headings come first and most often: each is tried as a section
        # start, then (a paragraph) as a labelled item.
        if isinstance(block, Paragraph):
            raw = block.text.raw
            if len(raw) >= 80 and raw[:1] not in _LABEL_OPENINGS:
                index += 1  # prose: a section line is short or bold, a label opens as one
                continue
            following = blocks[index + 1] if index + 1 < count else None
            if (
                isinstance(following, ListBlock)
                and raw.rstrip().endswith((":", "*", "_"))
                and _ends_with_section_label(raw)
            ):
                # "Postmortem review done, thanks all. Action items:" over a list
                result.sections += 1
                candidates.extend(_section([following], GroupTraits(), 7))
                index += 2
                continue
            if not _is_section_line(raw):
                text = _without_callout_icon(block.text)
                if _is_labelled(text.raw) and not _says_none(text.raw):
                    notes = _list_notes(following) if isinstance(following, ListBlock) else ()
                    candidates.append(_labelled(text, GroupTraits(), notes))
                index += 1
                continue
            level, traits = 7, GroupTraits()  # the section runs to the next heading
        elif isinstance(block, Heading):
            if not is_action_heading(block.text.raw):
                index += 1
                continue
            level, traits = block.level, group_traits(block.text.raw)
        else:
            if isinstance(block, ListBlock):
                following = blocks[index + 1] if index + 1 < count else None
                candidates.extend(_outside_list(block, following, result))
            elif isinstance(block, Table):
                candidates.extend(_outside_table(block, result))
            index += 1
            continue
        end = _section_end(blocks, index + 1, level)
        result.sections += 1
        candidates.extend(_section(blocks[index + 1 : end], traits, level))
        index = end
    return result


def _is_section_line(line: str) -> bool:
    """A one-line paragraph that opens an action-item section (``**Follow-ups**``)."""
    bold = line.startswith(("**", "__"))
    if len(line) >= 80 and not bold:
        return False
    if "\n" in line:
        return False
    label = _BOLD_LABEL.match(line) if bold else None
    words = label.group("label") if label else line
    return len(words) < 80 and is_action_heading(words)


def _ends_with_section_label(raw: str) -> bool:
    """Whether a paragraph of several lines or sentences ends with a label that opens a
    section ("… thanks all. Action items:", a chat message's last line "*Action items*")."""
    last = raw.rstrip().rsplit("\n", 1)[-1].strip()
    if last == raw.strip() and ". " not in last:
        return False  # a paragraph of one label is a section line, read as one
    sentence = _SENTENCE_BREAK.split(last)[-1].strip(" *_")
    if last.endswith(":"):
        sentence = sentence.rstrip(":").strip(" *_")
    elif not last.startswith(("*", "_")):
        return False
    return 0 < len(sentence) < 60 and is_action_heading(sentence)


_SENTENCE_BREAK: Final = re.compile(r"(?<=[.!?])\s+")


def _section_end(blocks: Sequence[Block], start: int, level: int) -> int:
    for index in range(start, len(blocks)):
        block = blocks[index]
        if isinstance(block, Heading) and block.level <= level:
            return index
        if level == 7 and isinstance(block, Paragraph) and _is_bold_heading(block.text.raw):
            return index  # a section opened by a bold line ends at the next such line
    return len(blocks)


def _is_bold_heading(raw: str) -> bool:
    """A bold line standing for a heading that holds no items (``**What went well**``) or
    opens another action section."""
    label = _BOLD_LABEL.match(raw) if raw[:2] in ("**", "__") else None
    if label is None:
        return False
    words = label.group("label")
    return is_non_item_heading(words) or is_action_heading(words)


def _outside_list(block: ListBlock, following: Block | None, result: WalkResult) -> list[Candidate]:
    """Items of a list outside any section: under its ``**Review actions**:`` labels."""
    labels = list(_labels_in(block))
    if not labels:
        return []
    found = list(_inline_labels(block))
    result.sections += len(labels)
    bare_label_last = labels[-1] is block.entries[-1] and _is_bare_label(labels[-1])
    if bare_label_last and isinstance(following, ListBlock):
        found.extend(_list_items(following, GroupTraits()))
    return found


def _outside_table(table: Table, result: WalkResult) -> list[Candidate]:
    """Items of an action-item table outside any section, when a column names actions."""
    if is_action_table(table) and _has_action_column_named(table):
        result.sections += 1
        return _table(table, GroupTraits())
    return []


def _has_action_column_named(table: Table) -> bool:
    return any(_ACTION_WORD.search(cell.raw) for cell in table.header)


_ACTION_WORD: Final = re.compile(r"action", re.I)


def _is_labelled(raw: str) -> bool:
    """``Action item: …`` or ``**Action point:** …``: a label commits to one item."""
    first = raw[:1]
    if first not in _LABEL_OPENINGS or (first in "T~" and not raw.startswith(("TODO", "~~"))):
        return False
    return _LABELLED.match(raw) is not None


_LABEL_OPENINGS: Final = frozenset("*_aAT~")  # what _LABELLED can match first, "a" in any case


def _labels_in(block: ListBlock) -> Iterator[ListEntry]:
    for entry in block.entries:
        if is_inline_label(_label_words(entry.text.raw)) or _is_toggle_label(entry):
            yield entry
        for child in entry.children:
            if isinstance(child, ListBlock):
                yield from _labels_in(child)


# "- **Action items**: none. The host is being replaced anyway": the label says there are none.
_SAYS_NONE: Final = re.compile(r"(?:none|n/a|nothing|tbd)\b\s*(?:[.:;,—–-]|$)", re.I)


def _is_toggle_label(entry: ListEntry) -> bool:
    """``- Follow-up actions`` over a sub-list: a label written plain (a Notion toggle)."""
    raw = entry.text.raw
    return (
        len(raw) < 60
        and "\n" not in raw
        and any(isinstance(child, ListBlock) for child in entry.children)
        and is_inline_label(raw.strip().rstrip(":"))
    )


def _is_bare_label(entry: ListEntry) -> bool:
    """``- **Review actions**:`` with nothing after it and no sub-list (the list follows unindented)."""
    rest = _BOLD_LABEL_PREFIX.sub("", entry.text.raw, count=1).strip()
    return not rest and not any(isinstance(child, ListBlock) for child in entry.children)


_BOLD_LABEL_PREFIX: Final = re.compile(r"^(?:\*\*|__)[^*_]+?(?:\*\*|__)\s*:?\s*")
_LEADING_BOLD: Final = re.compile(r"^(?:\*\*|__)(?P<label>[^*_]+?)(?:\*\*|__)\s*:?")
_EMPTY_BOX: Final = re.compile(r"\[[ xX]?\]")


def _label_words(raw: str) -> str:
    head = raw.split("\n", 1)[0]
    match = _LEADING_BOLD.match(head) if head.startswith(("**", "__")) else None
    return match.group("label") if match else ""


def _inline_labels(block: ListBlock) -> Iterator[Candidate]:
    """``- **Review actions**:`` entries: their sub-list (or their own text) holds the items.

    A bare label followed by unindented bullets in the same list owns those bullets, up to
    the next ``**Label**:`` entry.
    """
    entries = block.entries
    for position, entry in enumerate(entries):
        if is_inline_label(_label_words(entry.text.raw)) and _is_bare_label(entry):
            for sibling in entries[position + 1 :]:
                if _label_words(sibling.text.raw):
                    break
                if sibling.text.raw.strip():
                    yield _entry_candidate(sibling, GroupTraits())
    for entry in _labels_in(block):
        rest = _BOLD_LABEL_PREFIX.sub("", entry.text.raw, count=1).strip()
        if rest and not _is_toggle_label(entry) and not _SAYS_NONE.match(rest):
            yield Candidate(
                text=Text(rest, entry.text.line, entry.text.links), traits=GroupTraits()
            )
        for child in entry.children:
            if isinstance(child, ListBlock):
                yield from _list_items(child, GroupTraits())


# The icon a callout opens with ("> 💡 **Action item:** …", a Notion or Confluence callout).
_CALLOUT_ICON: Final = re.compile(r"^[^\w\s*_\[(<~`@#>!-]+\s+")


def _without_callout_icon(text: Text) -> Text:
    raw = text.raw
    if not raw or raw[0].isalnum() or raw[0] in "*_[(<~`@#>!-":
        return text
    icon = _CALLOUT_ICON.match(raw)
    return Text(raw[icon.end() :], text.line, text.links) if icon else text


def _says_none(raw: str) -> bool:
    """``Action items: none.``, ``**Follow-ups:** n/a``: a label of action items that says
    there are none."""
    label, colon, rest = raw.partition(":")
    if not colon or len(label) > 60:
        return False
    label = label.strip(" *_")
    if not (is_action_heading(label) or _LABELLED.match(raw)):
        return False
    return _SAYS_NONE.match(rest.strip(" *_")) is not None


def _labelled(text: Text, traits: GroupTraits, notes: tuple[Text, ...]) -> Candidate:
    label = _LABELLED.match(text.raw)
    assert label is not None  # only a labelled text is read as one
    raw = (label.group("struck") or "") + text.raw[label.end() :]
    if label.group("who"):  # "TODO(akosua): cap …": the owner the label names
        raw = f"{raw} — @{label.group('who')}"
    return Candidate(text=Text(raw, text.line, text.links), traits=traits, notes=notes)


def _list_notes(block: ListBlock) -> tuple[Text, ...]:
    return tuple(entry.text for entry in block.entries if entry.text.raw)


def _section(blocks: Sequence[Block], traits: GroupTraits, level: int) -> list[Candidate]:
    """Items of one section: its direct content, then its sub-headings as groups or items."""
    candidates: list[Candidate] = []
    runs = _runs_by_heading(blocks)
    # Prose becomes items only in a section that has no list or table anywhere (otherwise
    # it is an introduction or an explanation of the listed items) and that does not say
    # it holds none ("No action items.", "Action items: none."): then prose says why.
    prose_allowed = not any(_has_items(run) or _says_nothing_to_do(run) for _, run in runs)
    for position, (heading, run) in enumerate(runs):
        if heading is None:
            candidates.extend(_run(run, traits, prose_allowed=prose_allowed))
            continue
        if is_non_item_heading(heading.text.raw):
            continue
        inner = group_traits(heading.text.raw).under(traits)
        direct_child = heading.level == min(h.level for h, _ in runs if h is not None)
        following = runs[position + 1][0] if position + 1 < len(runs) else None
        if following is not None and following.level > heading.level:
            direct_child = False  # it has sub-headings: a group, not an item
        if _is_item_heading(heading, run, direct_child=direct_child, level=level):
            candidates.append(_heading_item(heading, run, traits))
        else:
            candidates.extend(_run(run, inner, prose_allowed=prose_allowed))
    return candidates


def _says_nothing_needed(raw: str) -> bool:
    """Whether ``raw`` holds a `_NOTHING_TO_DO` phrase.

    The pattern opens with a word boundary, so the regex engine tries it at every position of
    a long paragraph; an ASCII text (whose letters the case-insensitive pattern matches only in
    their two ASCII cases) lacking each form's words once lower-cased is passed over first.
    """
    if raw.isascii():
        lowered = raw.lower()
        if not (
            "accepted" in lowered
            or "action" in lowered
            or "follow" in lowered
            or lowered.startswith(("none", "n/a", "nothing"))
        ):
            return False
    return _NOTHING_TO_DO.search(raw) is not None


def _says_nothing_to_do(blocks: Sequence[Block]) -> bool:
    return any(
        isinstance(b, Paragraph) and (_says_nothing_needed(b.text.raw) or _says_none(b.text.raw))
        for b in blocks
    )


def _has_items(blocks: Sequence[Block]) -> bool:
    return any(
        isinstance(b, ListBlock) or (isinstance(b, Table) and is_action_table(b)) for b in blocks
    )


def _runs_by_heading(blocks: Sequence[Block]) -> list[tuple[Heading | None, list[Block]]]:
    """Split a section's blocks at each heading; a skipped heading also skips its sub-headings."""
    runs: list[tuple[Heading | None, list[Block]]] = [(None, [])]
    skip_below: int | None = None
    for block in blocks:
        if isinstance(block, Heading):
            if skip_below is not None and block.level > skip_below:
                continue
            skip_below = block.level if is_non_item_heading(block.text.raw) else None
            runs.append((block, []))
        elif skip_below is None:
            runs[-1][1].append(block)
    return runs


_ITEM_HEADING: Final = re.compile(
    r"^(?:AI|A|Action(?:\s+item)?|Item|#)\s*-?\s*\d+\s*[:.)-]\s*\S", re.I
)


def _is_item_heading(heading: Heading, run: list[Block], *, direct_child: bool, level: int) -> bool:
    if _ITEM_HEADING.match(heading_words(heading.text.raw) or heading.text.raw):
        return True
    if level == 7 or not direct_child or is_action_heading(heading.text.raw):
        return False
    has_items = any(isinstance(block, ListBlock | Table) for block in run)
    first = run[0] if run else None
    if isinstance(first, Paragraph) and _is_field_paragraph(first.text):
        return True  # a heading with its own owner, due … line is an item, whatever it names
    if group_traits(heading.text.raw) != GroupTraits():
        return False
    if any(isinstance(block, Paragraph) and _NUMBERED_ITEM.match(block.text.raw) for block in run):
        return False  # a group of numbered items ("### Engineering", then "AI-1: …")
    return not has_items and any(isinstance(block, Paragraph) for block in run)


def _heading_item(heading: Heading, run: list[Block], traits: GroupTraits) -> Candidate:
    paragraphs = [block.text for block in run if isinstance(block, Paragraph)]
    fields = [text for text in paragraphs if _is_field_paragraph(text)]
    notes = tuple(text for text in paragraphs if not _is_field_paragraph(text))
    title = re.sub(_ITEM_HEADING.pattern[:-3], "", heading_words(heading.text.raw), flags=re.I)
    title = title.strip() or heading_words(heading.text.raw)
    text = with_fields(Text(title, heading.text.line, heading.text.links), fields)
    links = text.links + tuple(link for note in notes for link in note.links)
    return Candidate(
        text=Text(text.raw, text.line, links),
        traits=traits,
        notes=notes,
        # A struck heading ("### ~~Shard the queue~~") is a dropped item: its text keeps the
        # mark, its title the words.
        title_override=" ".join(title.replace("~~", " ").split()) or None,
    )


def _is_field_paragraph(text: Text) -> bool:
    """A paragraph whose every line holds only fields (``**Owner:** @x · **Due:** …``)."""
    return all(is_field_line(line) for line in text.raw.split("\n") if line.strip())


def _run(blocks: Sequence[Block], traits: GroupTraits, *, prose_allowed: bool) -> list[Candidate]:
    """Items of a run of blocks under one heading; prose counts only where there is no list."""
    has_list = not prose_allowed
    candidates: list[Candidate] = []
    current = traits
    numbered_run = sum(1 for b in blocks if isinstance(b, ListBlock) and b.ordered) >= 2
    after_numbered = False
    skip: set[int] = set()  # lists already read as the fields of the item above them
    for position, block in enumerate(blocks):
        if position in skip:
            continue
        if isinstance(block, ListBlock) and not block.ordered and after_numbered and candidates:
            # "1. **Title**" then an unindented "- detail" list: Markdown ends the numbered
            # list there, but the author meant details (or fields) of the numbered item.
            last = candidates[-1]
            merged = _with_field_list(last, block)
            if merged is not None:
                candidates[-1] = merged
                continue
            notes = last.notes + tuple(e.text for e in block.entries if e.text.raw)
            candidates[-1] = Candidate(last.text, last.traits, notes, last.row, last.title_override)
            continue
        if not isinstance(block, ListBlock):
            after_numbered = False
        if isinstance(block, ListBlock):
            after_numbered = (
                block.ordered and (numbered_run or _bold_titled(block)) and not _has_sublists(block)
            )
            candidates.extend(_list_items(block, current))
        elif isinstance(block, Table) and is_action_table(block):
            candidates.extend(_table(block, current))
        elif isinstance(block, Paragraph):
            following = blocks[position + 1] if position + 1 < len(blocks) else None
            raw = block.text.raw
            label = _BOLD_LABEL.match(raw.strip())
            if label and not _NUMBERED_ITEM.match(raw) and not _labels_a_non_item_list(raw):
                current = group_traits(label.group("label")).under(traits)
                continue
            if isinstance(following, ListBlock) and _labels_a_group(raw):
                # "Already done during the response:" over a list, as a mail writes a heading
                current = group_traits(raw.strip().rstrip(":")).under(traits)
                continue
            found, took_next = _paragraph_run_items(block, current, has_list, following)
            if took_next:
                skip.add(position + 1)
            candidates.extend(found)
    return candidates


def _paragraph_run_items(
    block: Paragraph, traits: GroupTraits, has_list: bool, following: Block | None
) -> tuple[list[Candidate], bool]:
    """A paragraph's items in a run, and whether it took the list after it: the fields of a
    numbered item ("**Action 1 — Pin the image**" over "- Owner: …"), or the list a label
    says holds no items ("Related incidents:" over links)."""
    if _labels_a_non_item_list(block.text.raw):
        return [], isinstance(following, ListBlock)
    found = _paragraph_items(block, traits, has_list=has_list, following=following)
    if found and isinstance(following, ListBlock) and _NUMBERED_ITEM.match(block.text.raw):
        merged = _with_field_list(found[-1], following)
        if merged is not None:
            return [*found[:-1], merged], True
    return found, False


def _with_field_list(candidate: Candidate, block: ListBlock) -> Candidate | None:
    """The candidate with an unordered list of its fields under it, if the list holds only
    fields."""
    if block.ordered or not _holds_only_fields(block):
        return None
    fields = [entry.text for entry in block.entries if entry.text.raw.strip()]
    return Candidate(
        with_fields(candidate.text, fields),
        candidate.traits,
        candidate.notes,
        candidate.row,
        candidate.title_override,
    )


def _labels_a_group(raw: str) -> bool:
    """A plain line that ends in a colon and names a group of actions ("Done during the
    incident:")."""
    line = raw.strip()
    return line.endswith(":") and _is_section_line(line)


def _labels_a_non_item_list(raw: str) -> bool:
    """A line standing for a heading that holds no items ("Related incidents:",
    "**Participants**")."""
    line = raw.strip()
    if "\n" in line or len(line) > 60:
        return False
    label = _BOLD_LABEL.match(line)
    if label:
        return is_non_item_heading(label.group("label"))
    return line.endswith(":") and is_non_item_heading(line[:-1].strip(" *_"))


def _has_sublists(block: ListBlock) -> bool:
    return any(isinstance(c, ListBlock) for e in block.entries for c in e.children)


def _bold_titled(block: ListBlock) -> bool:
    return all(_BOLD_TITLE.match(e.text.raw) for e in block.entries)


_BOLD_TITLE: Final = re.compile(r"^(?:\*\*|__)[^*_]+(?:\*\*|__)")


def _paragraph_items(
    block: Paragraph, traits: GroupTraits, *, has_list: bool, following: Block | None
) -> list[Candidate]:
    text = block.text
    labelled = _without_callout_icon(text)
    if _is_labelled(labelled.raw):
        if _says_none(labelled.raw):
            return []  # "Action items: none." says there are none
        notes = _list_notes(following) if isinstance(following, ListBlock) else ()
        return [_labelled(labelled, traits, notes)]
    lines = _lines_of(text)
    if lines and _NUMBERED_ITEM.match(lines[0].raw):
        return [Candidate(text=item, traits=traits) for item in _numbered_items(lines)]
    if len(lines) > 1 and all(_PSEUDO_BULLET.match(line.raw) for line in lines[1:]):
        return [
            Candidate(text=_unbulleted(line), traits=traits)
            for line in lines
            if _PSEUDO_BULLET.match(line.raw)
        ]
    if len(lines) == 1 and _PSEUDO_BULLET.match(lines[0].raw):
        return [Candidate(text=_unbulleted(lines[0]), traits=traits)]
    if has_list or _INSTRUCTION.search(text.raw) or text.raw.rstrip().endswith(":"):
        return []
    if _says_nothing_needed(text.raw) or _says_none(text.raw):
        return []  # "No action items: this is an accepted risk" says why, it is not an item
    if len(lines) > 1 and all(_SENTENCE_LINE.match(line.raw) for line in lines):
        return [Candidate(text=line, traits=traits) for line in lines]
    return [Candidate(text=text, traits=traits)]


# "AI-1: …", "A2. …", "Action item 3 - …": an item numbered by its writer, in a paragraph.
# Bold too ("**AI-1: Enforce one promotion per line.**", "**Action 1 — Pin the image**").
_NUMBERED_ITEM: Final = re.compile(
    r"^(?P<bold>\*\*|__)?(?:AI|A|Action(?:\s+item)?|Item)\s*-?\s*\d+\s*[:.)—–-]\s+(?=\S)"
)


def _numbered_items(lines: list[Text]) -> list[Text]:
    """A paragraph's numbered items: each starts at a line with its number, the lines after
    it up to the next such line continue it."""
    items: list[Text] = []
    for line in lines:
        label = _NUMBERED_ITEM.match(line.raw)
        if label:
            rest = line.raw[label.end() :]
            bold = label.group("bold")
            if bold:  # the label opened the bold words: they close where the title ends
                rest = rest.replace(bold, "", 1)
            items.append(Text(rest, line.line, line.links))
        elif items:
            last = items[-1]
            items[-1] = Text(f"{last.raw}\n{line.raw}", last.line, last.links + line.links)
    return items


def _unbulleted(line: Text) -> Text:
    """A ``- …`` line written without a list (a ``<br>``-separated export) as its item text."""
    return Text(_PSEUDO_BULLET.sub("", line.raw, count=1), line.line, line.links)


def _lines_of(text: Text) -> list[Text]:
    """A paragraph's lines, each with the links written on it (not the paragraph's others:
    one line's ticket is not another's)."""
    raws = text.raw.split("\n")
    links = _links_by_line(raws, text.links) if text.links else [()] * len(raws)
    lines: list[Text] = []
    for offset, (line, own) in enumerate(zip(raws, links, strict=True)):
        stripped = line.strip()
        if stripped:
            number = text.line + offset if text.lines_follow_source else text.line
            lines.append(Text(stripped, number, own))
    return lines


def _links_by_line(raws: list[str], links: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Each link on the line that writes it out, in order; a link not written out (a
    reference-style ``[text][ref]``) on the next line from there that holds a ``]``."""
    found: list[list[str]] = [[] for _ in raws]
    cursor = 0
    for link in links:
        at = next((k for k in range(cursor, len(raws)) if link in raws[k]), None)
        if at is None:
            at = next((k for k in range(cursor, len(raws)) if "]" in raws[k]), None)
        if at is not None:
            found[at].append(link)
            cursor = at
    return [tuple(own) for own in found]


def _list_items(block: ListBlock, traits: GroupTraits) -> Iterator[Candidate]:
    for entry in block.entries:
        raw = entry.text.raw.strip()
        if not raw or (raw[0] == "[" and _EMPTY_BOX.fullmatch(raw)):
            continue
        if raw[:1] in "TtAaOo" and _ABOUT_THE_ITEMS.match(raw):
            continue  # "The AI / ACTION lines above are also action items": a note on them
        if not entry.children:
            yield _entry_candidate(entry, traits)
            continue
        counts = {
            id(child): _leading_fields(child)
            for child in entry.children
            if isinstance(child, ListBlock)
        }
        sublists = [
            child
            for child in entry.children
            if isinstance(child, ListBlock) and not counts[id(child)]
        ]
        label = _BOLD_LABEL.match(raw) if sublists else None
        if sublists and (raw.endswith(":") or label or _is_short_name(raw)):
            inner = group_traits(label.group("label") if label else raw).under(traits)
            for sub in sublists:
                yield from _list_items(sub, inner)
            continue
        yield _entry_candidate(entry, traits, counts)


# An entry that speaks of the items rather than being one.
_ABOUT_THE_ITEMS: Final = re.compile(
    r"(?:the|these|those|all|other|any)\b[^.;]{0,80}?\b(?:"
    r"(?:action\s+items|follow[\s-]*ups)\s+(?:above|below|in\s+the\s+notes|are\s+(?:also\s+)?"
    r"(?:tracked|listed|above|below|not\b))"
    r"|(?:are|were)\s+(?:also\s+)?(?:action\s+items|follow[\s-]*ups)\b)",
    re.I,
)


def _is_short_name(raw: str) -> bool:
    return len(raw.split()) <= 3 and not _SENTENCE_END.search(raw)


_SENTENCE_END: Final = re.compile(r"[.!?]$")


def _entry_candidate(
    entry: ListEntry, traits: GroupTraits, counts: dict[int, int] | None = None
) -> Candidate:
    """A list entry as an item: the field entries opening its sub-list are its fields."""
    text, bulleted = _without_bulleted_lines(entry.text)
    if not entry.children and not bulleted:
        return Candidate(text=text, traits=traits)
    fields: list[Text] = []
    notes: list[Text] = list(bulleted)
    for child in entry.children:
        if isinstance(child, ListBlock):
            count = counts[id(child)] if counts is not None else _leading_fields(child)
            entries = [sub for sub in child.entries if sub.text.raw.strip()]
            fields.extend(sub.text for sub in entries[:count])
            notes.extend(sub.text for sub in entries[count:])
        elif isinstance(child, Paragraph):
            note, trailing = _trailing_fields(child.text)
            if note is not None:
                notes.append(note)
            fields.extend(trailing)
    return Candidate(text=with_fields(text, fields), traits=traits, notes=tuple(notes))


def _without_bulleted_lines(text: Text) -> tuple[Text, list[Text]]:
    """An entry's text without the lines under it written as bullets of their own ("◦ needs an
    API key", pasted from a document whose sub-list became plain lines), and those lines as
    notes."""
    raw = text.raw
    if "\n" not in raw or not any(mark in raw for mark in _LINE_BULLETS):
        return text, []
    lines = raw.split("\n")
    first = 1
    while first < len(lines) and not lines[first].lstrip().startswith(_LINE_BULLETS):
        first += 1
    rest = lines[first:]
    if not rest or not all(line.lstrip().startswith(_LINE_BULLETS) for line in rest):
        return text, []
    notes = [Text(line.lstrip()[1:].strip(), text.line, ()) for line in rest]
    return Text("\n".join(lines[:first]), text.line, text.links), notes


_LINE_BULLETS: Final = ("◦", "•", "▪", "‣", "○")


def _trailing_fields(text: Text) -> tuple[Text | None, list[Text]]:
    """A paragraph under an item whose last lines hold only fields: the note above them, and
    those lines (``… explanation.`` then ``Owner: @okafor · Due: 2025-02-14 · SRCH-880``)."""
    lines = text.raw.split("\n")
    first = len(lines)
    while first > 0 and is_field_line(lines[first - 1]):
        first -= 1
    if first == len(lines):
        return text, []
    step = 1 if text.lines_follow_source else 0
    links = _links_by_line(lines, text.links) if text.links else [()] * len(lines)
    fields = [
        Text(lines[offset].strip(), text.line + offset * step, links[offset])
        for offset in range(first, len(lines))
    ]
    if first == 0:
        return None, fields
    own = tuple(link for offset in range(first) for link in links[offset])
    return Text("\n".join(lines[:first]), text.line, own, text.lines_follow_source), fields


def _leading_fields(block: ListBlock) -> int:
    """How many entries opening a sub-list are the item's fields (``- Owner: @kofi`` …).

    A sub-list of nothing but fields is all fields; otherwise it must open with a labelled
    field (``Owner:``, ``Due:`` …), and the field entries up to the first other one count.
    """
    entries = [entry for entry in block.entries if entry.text.raw.strip()]
    count = 0
    for entry in entries:
        if entry.children or not is_field_line(entry.text.raw):
            break
        count += 1
    if count == len(entries) or (count and is_labelled_field(entries[0].text.raw)):
        return count
    return 0


def _holds_only_fields(block: ListBlock) -> bool:
    entries = [entry for entry in block.entries if entry.text.raw.strip()]
    return bool(entries) and _leading_fields(block) == len(entries)


def with_fields(text: Text, fields: Sequence[Text]) -> Text:
    """The item's text with its field lines appended, each one separated segment (a field
    whose value is a dash, ``Ticket: —``, is left out: its dash would read as a separator)."""
    if not fields:
        return text
    lines = [field.raw.replace("\n", " ; ") for field in fields if not is_dashed_field(field.raw)]
    raw = " ; ".join([text.raw, *lines])
    links = text.links + tuple(link for field in fields for link in field.links)
    return Text(raw, text.line, links, text.lines_follow_source)


def _table(table: Table, traits: GroupTraits) -> list[Candidate]:
    return [Candidate(text=row.action, traits=traits, row=row) for row in table_rows(table)]
