"""Reading one action item's text: owner, due date, tickets, state and the outcome itself.

Fields attached to the item (owner, due, ticket, status, priority, category — in tails,
parentheses, field lines) are read by `followthrough.domain.fields`; this module adds the
positions that belong to the sentence itself (``[name]`` prefix, ``@x:``, ``X to …``), the
state marks (checkbox, ✅, ``DONE:``, ``(done)``, strikethrough) and the title. Owners are
never guessed from responders or authors, and a status never from the outcome's wording.
"""

from __future__ import annotations

import re
from typing import Final

from followthrough.domain.fields import Field, category_of_value, title_and_fields
from followthrough.domain.model import Category, ItemStatus
from followthrough.domain.values import BRACKETED_MENTION, find_tickets, normalise_priority

# The states, read once: compiled, each ``ItemStatus.DONE`` in a function is an attribute
# lookup on the enum class.
_DONE: Final = ItemStatus.DONE
_DROPPED: Final = ItemStatus.DROPPED
_OPEN: Final = ItemStatus.OPEN

_CHECKBOX: Final = re.compile(r"^\[(?P<mark>[ xX-]?)\](?![\[(])\s*")  # "[-]": cancelled
_DONE_PREFIX: Final = re.compile(
    r"^(?:(?:✅|✔️?|☑️?)(?:\s*(?:done|DONE|Done|completed|Completed)\b:?)?|"
    r"(?:\*\*)?[\[(](?:done|DONE|Done)[\])](?:\*\*)?:?|\*\*(?:DONE|Done)\*\*:?|"
    r"DONE:?)\s*"
)
_DROPPED_PREFIX: Final = re.compile(
    r"^(?:(?:❌|🚫)(?:\s*(?:dropped|won['’]?t do|wontfix)\b:?)?|"
    r"(?:\*\*)?[\[(](?:dropped|won['’]?t do|wontfix)[\])](?:\*\*)?:?)\s*",
    re.I,
)
_TODO_PREFIX: Final = re.compile(
    r"^(?:\*\*TODO\*\*|\[TODO\]|TODO:?|(?-i:AI|ACTION)(?:\s+\([^()]{0,40}\))?:)\s+", re.I
)
_DONE_PARENTHESIS: Final = (
    r"\((?:already\s+)?(?:done|completed?|fixed|resolved|shipped)(?:\s+[^)]*)?\)(?:\*\*)?\.?\s*$"
)
_DONE_SUFFIX: Final = re.compile(
    r"\s*(?:\*\*)?" + _DONE_PARENTHESIS + r"|\s*\*\*(?:DONE|Done)\*\*\.?\s*$|"
    r"(?-i:\s*[-–—]?\s*\bDONE\b)\.?\s*$|"
    # "… - done" is a mark; "… once the migration is done" is the outcome's own wording.
    r"\s*[-–—]\s*done\.?\s*$",
    re.I,
)
# The part of `_DONE_SUFFIX` that can end in ")": starting at its "(", it is searched for fast.
_DONE_PARENTHESIS_ONLY: Final = re.compile(_DONE_PARENTHESIS, re.I)
_DONE_INLINE: Final = re.compile(r"\bDONE in\b|\(Done\)|\[[^\]]*\((?:done|Done)\)\]")
_DROPPED_PARENTHESIS: Final = r"\((?:won['’]?t\s+do|wontfix|dropped|cancel+ed|not\s+planned|no\s+longer\s+needed)[^)]*\)\.?\s*$"
_DROPPED_SUFFIX: Final = re.compile(r"\s*" + _DROPPED_PARENTHESIS, re.I)
_DROPPED_PARENTHESIS_ONLY: Final = re.compile(_DROPPED_PARENTHESIS, re.I)
_STRUCK: Final = re.compile(r"^~~(?P<inner>.+)~~\s*(?P<rest>.*)$", re.S)
_PRIORITY_TOKEN: Final = re.compile(r"[\[(]\s*(P[0-4])\s*[\])]|\bpriority\s*[:=]\s*(\w+)", re.I)
# The start of `_PRIORITY_TOKEN`'s bracketed form.
_BRACKETED_PRIORITY: Final = re.compile(r"[\[(]\s*[Pp][0-4]")
_BRACKET_OWNER: Final = re.compile(r"^\[(?P<owner>[A-Za-z][\w .'-]{0,30}?\??)\]\s+(?![(\[])")
_AT_OWNER: Final = re.compile(r"^@(?P<owner>[\w-]+)\s*[:,-]?\s+(?:(?:to|will|should)\s+)?")
# "@Chloe Martin to add …", "@Priya Raman raise …": a person mentioned by name (Azure DevOps,
# Quip, Teams), then the verb.
_AT_NAME_OWNER: Final = re.compile(
    r"^@(?P<owner>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){1,2})\s+(?:(?:to|will|should)\s+)?(?=[a-z])"
)
_TRAILING_AT_OWNER: Final = re.compile(r"\s+@(?P<owner>[\w-]+)\s*$")
_SUBJECT_OWNER: Final = re.compile(
    r"^(?P<owner>@[\w-]+(?:/[\w.-]+)?|[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?(?:\s+[Tt]eam)?)"
    r"\s+(?:to|will|should)\s+"
    r"(?P<verb>[a-z]\w+)\b"
)
_TEAM_PREFIX: Final = re.compile(r"^(?P<owner>[A-Z][\w-]*(?:\s+[A-Z][\w-]*)?\s+team)\s*:\s+", re.I)
_PAREN_OWNER: Final = re.compile(
    r"\s*\((?P<owner>[A-Z][a-z]+)\s+(?:call(?:s|ing)?\s+for|to|will|owns?|is\s+on|drives?)\b[^)]*\)"
)
_NOT_SUBJECTS: Final = frozenset(
    (
        "need needs ability access way time move plan want also try start continue remember set "
        "switch how going able this that these those it we they what when where which who there "
        "here add make ensure look work change team something someone anyone everyone nothing "
        "reach opt allow use used using failure failures attempt attempts option options decide "
        "refactor update upgrade migrate investigate consider evaluate document write create "
        "improve review run build fix test verify check keep the a an and or if in on for with "
        "speak talk get find ask contact follow raise send go put take give bring turn stop "
        "begin learn tell help push pull roll design nobody noone leads lead owners owner "
        "clients client users user customers customer operators nodes validators developers "
        "people engineers jobs job pods services tools tooling "
    ).split()
)
_GENERIC_LINK_TEXT: Final = re.compile(
    r"^(?:pr|prs|issue|issues|ticket|jira|bug|link|here|pull request|this|commit|done|"
    r"follow along here|tracking issue|github issue|gh issue|#\d+|[\w.-]+/[\w.-]+#\d+|"
    r"[A-Z][A-Z0-9]+-\d+|bug \d+)$",
    re.I,
)
_REF: Final = r"(?:[A-Z][A-Z0-9_]+-\d+|(?:[\w.-]+/[\w.-]+)?#\d+|[Bb]ug\s+\d+)"
_TRAILING_REFS: Final = re.compile(
    r"(?:\s*[\(\[]\s*" + _REF + r"(?:\s*,\s*" + _REF + r")*\s*[\)\]])+\s*$|"
    r"(?:[\s,;:–—-]+" + _REF + r")+\s*$"
)
_CREATED: Final = (
    r"\((?:an?\s+)?(?:issue|ticket|bug|jira)\s+(?:has\s+been\s+|was\s+)?"
    r"(?:created|filed|opened|raised)\)"
)
_CREATED_MARKER: Final = re.compile(r"\s*" + _CREATED, re.I)
# The marker from its "(": a pattern that opens with a literal is searched for fast, where
# the whitespace before it would have every position tried.
_CREATED_MARKER_ONLY: Final = re.compile(_CREATED, re.I)
_DONE_NOTE: Final = re.compile(
    r"^(?:this|that|it)\s+(?:has|have)\s+(?:now\s+)?been\s+(?:done|completed|fixed|implemented|"
    r"resolved|deployed)\b|^(?:done|completed)\b",
    re.I,
)


# C0 and C1 control characters (tab and newline excepted) and the bidi embeddings, overrides
# and isolates: they drive terminals or reorder what a reader sees, and say nothing.
_INVISIBLE: Final = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


# `_INVISIBLE` in UTF-8, searched in what is left once tab, newline and printable ASCII
# are deleted: a scan of the document's few other bytes instead of all its characters.
_VISIBLE_ASCII: Final = bytes([0x09, 0x0A, *range(0x20, 0x7F)])
_INVISIBLE_UTF8: Final = re.compile(
    rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2(?:\x80[\xaa-\xae]|\x81[\xa6-\xa9])"
)


# The ASCII characters of `_INVISIBLE`: all that ASCII text can hold of it, each looked for
# on its own (a search for one character is a fast scan of memory, not a look at each one).
_INVISIBLE_ASCII: Final = tuple(chr(code) for code in (*range(0x09), *range(0x0B, 0x20), 0x7F))


def has_invisible(text: str) -> bool:
    """Does ``text`` hold a control character or a bidi override that `visible_text` drops?"""
    if text.isascii():
        return any(char in text for char in _INVISIBLE_ASCII)
    rest = text.encode(errors="surrogatepass").translate(None, _VISIBLE_ASCII)
    return bool(rest) and _INVISIBLE_UTF8.search(rest) is not None


def visible_text(text: str) -> str:
    """``text`` without control characters or bidi overrides (tab and newline are kept)."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


class ItemText:
    """The parts of one item's text (a plain class: compiled, it is made without running
    Python code, as a named tuple's constructor does)."""

    def __init__(
        self,
        title: str,
        *,
        status: ItemStatus | None = None,
        owner_text: str | None = None,
        due_text: str | None = None,
        tickets: tuple[str, ...] = (),
        priority: str | None = None,
        notes: tuple[str, ...] = (),
        explanation: str | None = None,
        category: Category | None = None,
    ) -> None:
        self.title = title
        self.status = status
        self.owner_text = owner_text
        self.due_text = due_text
        self.tickets = tickets
        self.priority = priority
        self.notes = notes
        self.explanation = explanation
        self.category = category


# An item is a sentence or a short paragraph; past this length its text is not read, which
# also keeps the patterns below (some quadratic on pathological text) within milliseconds.
MAX_ITEM_TEXT: Final = 2_000


def read_item(raw: str, links: tuple[str, ...] = (), notes: tuple[str, ...] = ()) -> ItemText:
    """Split an item's Markdown-like text into outcome, owner, due, tickets and state.

    ``notes`` are its sub-bullets: a note that says the work was done marks the item done.
    """
    whole = _one_line(_as_plain_markdown(raw[:MAX_ITEM_TEXT]))
    text, attached = title_and_fields(whole)
    box = _CHECKBOX.match(text) if text.startswith("[") else None
    body = text[box.end() :] if box else text
    struck = _STRUCK.match(body) if body.startswith("~~") else None
    reason = None
    if struck and struck.group("rest"):
        # "~~Shard the queue~~ — superseded by v2" (after a check box, too): the struck
        # words are the title.
        box_mark = text[: box.end()] if box else ""
        text, reason = f"{box_mark}~~{struck.group('inner')}~~", struck.group("rest")
    status, text = _status_markers(text)
    owners: list[str] = []
    due = priority = None
    category = None
    labelled = _prose_references_blanked(whole)
    own_tickets: list[str] = []
    keyed = False
    if attached:  # else nothing is attached, as for most items
        attached_status, first, owners, own_tickets, keyed = _attached(attached)
        status = attached_status or status
        due = first.get("due")
        if "priority" in first:
            priority = normalise_priority(first["priority"])
        if "category" in first:
            category = category_of_value(first["category"])
        # The attached ticket fields are part of the text already; only a bare "#12" in one
        # may have been blanked there as prose.
        hashed = [value for value in own_tickets if "#" in value]
        if hashed:
            labelled = " ".join([labelled, *hashed])
    owner, text = (", ".join(owners), text) if owners else _owner(text)
    priority_match = (
        None if priority or not _may_name_priority(text) else _PRIORITY_TOKEN.search(text)
    )
    if priority_match:
        priority = normalise_priority(priority_match.group(1) or priority_match.group(2))
        text = _cut(text, priority_match)
    tickets = find_tickets(labelled, links)
    if own_tickets and len(tickets) > 1:
        # A ticket attached to the item is its own; one named in its sentence ("similar to
        # CHK-99 last year") may be another item's, and comes after. A ticket a key names
        # ("Jira: MOB-907") comes before one that only stands there, such as the id an
        # incident tool gives its follow-ups ("**FU-42** · …").
        own = find_tickets(" ".join(own_tickets))
        if tickets[0] in find_tickets(text) or (keyed and own and own[0] != tickets[0]):
            tickets = tuple(dict.fromkeys([t for t in own if t in tickets] + list(tickets)))
    title, explanation = _title_and_explanation(text)
    if reason:
        explanation = plain_text(reason.lstrip(" -–—:;,|·")) or explanation
    if notes and status is None and _says_done(notes):
        status = _DONE
    return ItemText(
        title,
        status=status,
        owner_text=owner,
        due_text=due,
        tickets=tickets,
        priority=priority,
        notes=notes,
        explanation=explanation,
        category=category,
    )


def _as_plain_markdown(raw: str) -> str:
    """The item's text with what tools and editors add written as the Markdown the rest of
    this module reads: a list's title link around it, field lines of a plain-text mail, inline
    HTML, note-taking apps' fields, links, mentions and tags."""
    if raw.startswith("[["):
        whole = _WHOLE_LINK.fullmatch(raw)
        if whole:  # "[[Cancelled] Move the rules](…/DispForm.aspx?ID=15)": a list's title link
            raw = whole.group(1)
    if "\n" in raw:
        if " - " in raw:  # a plain-text mail's "Owner - Ines" and "ETA - 6/6" lines
            raw = _DASHED_KEY.sub(r"\1: ", raw)
        if ":" in raw:
            raw = _key_lines_set_apart(raw)
    if "<" in raw:
        raw = _inline_html_as_text(raw)
    if (
        "#" in raw
        or "[[" in raw
        or "::" in raw
        or "](mention:" in raw
        or (not raw.isascii() and not _TASKS_MARKS.isdisjoint(raw))
    ):
        raw = _note_taking_marks(raw)
    return raw


# HTML written inside Markdown: a line break sets fields apart as a line does, formatting
# tags say nothing ("… dashboards<br><sub>owner: @kpatel · due 2025-06-01</sub>").
_HTML_BREAK: Final = re.compile(r"\s*<br\s*/?>\s*", re.I)
_HTML_FORMATTING: Final = re.compile(
    r"</?(?:sub|sup|small|b|i|em|strong|u|mark|kbd|span|font|ins)"
    r"(?:\s+[\w-]+=(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s<>'\"]+))*\s*>",
    re.I,
)


def _inline_html_as_text(raw: str) -> str:
    if "@<" in raw:  # "@<Ravi Menon>": how an Azure DevOps wiki mentions a person
        raw = BRACKETED_MENTION.sub(r"@\1", raw)
    return _HTML_FORMATTING.sub("", _HTML_BREAK.sub(" · ", raw))


def _attached(
    fields: list[Field],
) -> tuple[ItemStatus | None, dict[str, str], list[str], list[str], bool]:
    """In one pass over an item's attached fields: the first status one gives, the first value
    of each other kind, every owner, every ticket field's value, those a key names first (and
    a done status's that names where it was done), and whether a key named one."""
    status: ItemStatus | None = None
    first: dict[str, str] = {}
    owners: list[str] = []
    tickets: list[str] = []
    keyed = 0  # tickets a key names go first
    for kind, value, value_status, labelled in fields:
        if status is None:
            status = value_status
        if kind == "owner":
            owners.append(value)
        elif kind == "ticket":
            tickets.insert(keyed, value) if labelled else tickets.append(value)
            keyed += labelled
        elif kind == "status" and value_status == _DONE and "#" in value:
            tickets.append(value)  # "done in #882": where the work was done
        elif kind not in first:
            first[kind] = value
    return status, first, owners, tickets, keyed > 0


def _says_done(notes: tuple[str, ...]) -> bool:
    """Does a note say that the work was done?"""
    return any(_DONE_NOTE.match(_one_line(note[:MAX_ITEM_TEXT])) for note in notes)


def _may_name_priority(text: str) -> bool:
    """Cheap pre-check for `_PRIORITY_TOKEN`: "priority", or a bracket before a "P" and a digit.

    ASCII text lower-cased holds "priority" exactly where the case-insensitive pattern finds
    it; other text may spell it with a letter that only Unicode case folding equates.
    """
    if not text.isascii():
        return "(" in text or "[" in text or "pr" in text.lower()
    return "priority" in text.lower() or (
        ("(" in text or "[" in text) and _BRACKETED_PRIORITY.search(text) is not None
    )


def _key_lines_set_apart(raw: str) -> str:
    """An item whose last lines (two or more) each open with a field's key ("Owner: Ines",
    "ETA: 6/6/2025") with those lines set apart as fields, as a line break sets them apart."""
    lines = raw.split("\n")
    first = next((n for n in range(1, len(lines)) if _KEY_LINE.match(lines[n])), None)
    keyed = [line for line in lines[first:] if line.strip()] if first is not None else []
    if len(keyed) < 2 or not all(_KEY_LINE.match(line) for line in keyed):
        return raw
    head = "\n".join(lines[:first]).rstrip(" \t\\")
    return " · ".join([head, *(line.strip(" \t\\") for line in lines[first:] if line.strip())])


# The keys a field line under an item opens with ("Owner: Ines", "ETA - 6/6/2025").
_LINE_KEYS: Final = r"owner|owners|assignee|eta|due|due date|deadline|ticket|jira|status"
_KEY_LINE: Final = re.compile(r"[ \t]*(?:" + _LINE_KEYS + r"|tickets)\s*:", re.I)
_DASHED_KEY: Final = re.compile(r"(?m)^[ \t]*(" + _LINE_KEYS + r") - ", re.I)
# An item that is one link whose words open with a bracketed tag.
_WHOLE_LINK: Final = re.compile(r"\[(\[[^\[\]\n]{1,40}\][^\[\]\n]{1,500})\]\([^()\s]{0,500}\)")
_OUTLINE_MENTION: Final = re.compile(r"@\[([^\[\]\n]{1,80})\]\(mention://[^)\s]{0,300}\)")
_BALLOT_BOXES: Final = {"☐": ItemStatus.OPEN, "☒": ItemStatus.DONE, "☑": ItemStatus.DONE}
_BOX_STATES: Final = {"x": ItemStatus.DONE, "X": ItemStatus.DONE, "-": ItemStatus.DROPPED}

# How note-taking apps write an item's fields (Obsidian's Tasks and Dataview, wikis' page
# links and tags), as the fields and words the rest of this module reads.
# A wiki's page link, ``[[Page]]`` or ``[[Page|alias]]`` (not ``[[a]](#cmnt1)``, a link).
_PAGE_LINK: Final = re.compile(r"\[\[([^\[\]\n|]{1,200})(?:\|[^\[\]\n]{0,200})?\]\](?!\()")
_INLINE_FIELD: Final = re.compile(
    r"[\[(]([A-Za-z][\w -]{0,30})::\s*((?:\[\[[^\[\]\n]{1,200}\]\]|[^\[\]()\n]){1,200})[\])]"
)
_TASKS_DATE: Final = re.compile(r"\s*([📅⏳🛫➕✅❌])\ufe0f?\s*(\d{4}-\d{2}-\d{2})")
_TASKS_DATE_AS: Final = {
    "📅": " · due {}",
    "✅": " ✅",
    "❌": " ❌",
}  # ⏳ 🛫 ➕: not when it is due
_TASKS_PRIORITY: Final = re.compile(r"\s*([🔺⏫🔼🔽⏬])\ufe0f?")
_TASKS_MARKS: Final = frozenset("📅⏳🛫➕✅❌🔺⏫🔼🔽⏬")
_TASKS_PRIORITY_AS: Final = {"🔺": "P0", "⏫": "P1", "🔼": "P2", "🔽": "P3", "⏬": "P4"}
# Tags that file an item ("#action", "#team/payments") are no words of it.
_FILING_TAG: Final = re.compile(
    r"(?<![\w&#])#(?:(?:action|actions|action-?item|todo|task|follow-?up|ai)\b(?![/-])"
    r"|[A-Za-z][\w-]*/[\w/-]+)",
    re.I,
)


# A link to a person's page standing after the outcome, among fields, names its owner, as a
# mention does ("… 📅 2025-06-13 [[Wei Zhang]] OBS-512"); in a sentence it is words.
_PERSON: Final = re.compile(r"[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){1,2}")
_ONLY_FIELDS: Final = re.compile(r"(?:\s+|·[^·]*|✅|❌|[A-Z][A-Z0-9]{1,9}-\d{1,7}\b|\([^()]*\))*")
_LINKING_WORDS: Final = frozenset("in into to on see from with of the at for by and or".split())


def _note_taking_marks(raw: str) -> str:
    if "](mention:" in raw:  # Outline: "@[Hannah Lee](mention://<team>/user/<id>)"
        raw = _OUTLINE_MENTION.sub(r"@\1", raw)
    if "::" in raw:
        raw = _INLINE_FIELD.sub(_inline_field, raw)
    if "#" in raw:
        raw = _FILING_TAG.sub("", raw)
    if not raw.isascii() and not _TASKS_MARKS.isdisjoint(raw):
        raw = _TASKS_DATE.sub(lambda m: _TASKS_DATE_AS.get(m[1], "").format(m[2]), raw)
        raw = _TASKS_PRIORITY.sub(lambda m: f" · {_TASKS_PRIORITY_AS[m[1]]}", raw)
    if "[[" in raw:
        raw = _PAGE_LINK.sub(lambda m: _page_link(m, raw), raw)
    return raw


def _inline_field(field: re.Match[str]) -> str:
    """Dataview's ``[owner:: [[Lena Fischer]]]`` as ``(owner: Lena Fischer)``; the dates the
    Tasks plugin keeps of a task's life (created, started, completed) are no field of it."""
    if field[1].strip().lower() in _LIFE_DATES:
        return ""
    return f"({field[1]}: {page_links_as_words(field[2])})"


_LIFE_DATES: Final = frozenset(
    "created start started scheduled completion completed cancelled".split()
)


def page_links_as_words(text: str) -> str:
    """``text`` with each page link written as the page's name."""
    return _PAGE_LINK.sub(_link_target, text) if "[[" in text else text


def _link_target(link: re.Match[str]) -> str:
    return link[1]


def _page_link(link: re.Match[str], text: str) -> str:
    target = link[1].strip()
    before = text[: link.start()].split()
    if (
        _PERSON.fullmatch(target)
        and _ONLY_FIELDS.fullmatch(text, link.end())
        and (not before or before[-1].lower() not in _LINKING_WORDS)
    ):
        return f" · @{target}" + (" · " if text[link.end() :].strip() else "")
    return target


def _one_line(raw: str) -> str:
    if _single_spaced(raw):
        return raw  # its only whitespace is single spaces between words already (no line break)
    return " ".join(raw.replace("\\\n", " ").split())


# A bare "#12" or "GH-12" names a ticket only where a reader sees a ticket label: alone,
# as a leading "#12:" label, in brackets "(#12)", or trailing "… #12" (not after "about",
# "and", "in" …). In running prose it is talk about some other ticket, and taking it would
# let one item's text claim another item's ticket.
# (Each look-behind follows the first character, so that a search skips to a "#" or "G".)
_BARE_REFERENCE: Final = re.compile(r"#(?<![\w/&]#)\d{1,6}\b|G(?<![\w/-]G)H-\d+(?![\w-])")
# Bounded and possessive quantifiers keep every search linear in the text, whatever the text.
_ANY_REF: Final = r"(?:#\d{1,9}|[A-Z][A-Z0-9_]{1,9}-\d{1,9}|[\w.-]{1,100}/[\w.-]{1,100}#\d{1,9})"
_REF_RUN: Final = _ANY_REF + r"(?:(?:\s*+[,;&]\s*+|\s++)" + _ANY_REF + r")*"
_BRACKETED_REFS: Final = re.compile(r"[(\[]\s*+" + _REF_RUN + r"\s*+[)\]]")
_LEADING_LABEL: Final = re.compile(
    r"\W{0,3}" + _ANY_REF + r"(?:\s*+\([^)]*+\))?\s*+\]?(?:\[[^\]]*+\])?\s*+:"
)
_TOKEN: Final = re.compile(r"\S+")
_REF_TOKEN: Final = re.compile(r"[(\[]*" + _ANY_REF + r"[)\],;.:!?]*|&")
_WORD_EDGES: Final = "\"'“”‘’()[]{},;:.!?*_`"
_CONNECTIVES: Final = frozenset(
    "about and or in on of for from with to at by than as like after before into via vs versus "
    "against under over between behind since until without".split()
)


def _prose_references_blanked(text: str) -> str:
    """The text with every bare ``#N`` / ``GH-N`` outside a ticket position blanked out."""
    if "#" not in text and "GH-" not in text:
        return text
    labelled = bytearray(len(text))
    for begin, end in _ticket_positions(text):
        labelled[begin:end] = b"\x01" * (end - begin)
    return _BARE_REFERENCE.sub(lambda m: m[0] if labelled[m.start()] else " " * len(m[0]), text)


def _ticket_positions(text: str) -> list[tuple[int, int]]:
    """Where references label the item: bracketed, a leading label, the trailing run."""
    spans = [m.span() for m in _BRACKETED_REFS.finditer(text)]
    leading = _LEADING_LABEL.match(text)
    if leading:
        spans.append(leading.span())
    tokens = list(_TOKEN.finditer(text))
    first = len(tokens)
    while first > 0 and _REF_TOKEN.fullmatch(tokens[first - 1][0]):
        first -= 1
    if first < len(tokens):
        before = tokens[first - 1][0].strip(_WORD_EDGES).lower() if first > 0 else ""
        if before not in _CONNECTIVES:  # "… about #1 and GH-2" is prose, not a label
            spans.append((tokens[first].start(), len(text)))
    return spans


def _status_markers(text: str) -> tuple[ItemStatus | None, str]:
    status: ItemStatus | None = None
    checkbox = _CHECKBOX.match(text) if text.startswith("[") else None
    if checkbox:
        status = _BOX_STATES.get(checkbox.group("mark"), _OPEN)
        text = text[checkbox.end() :]
    elif text[:1] in _BALLOT_BOXES:  # "☐ Move the migration", "☒ Halted the rollout"
        status = _BALLOT_BOXES[text[0]]
        text = text[1:].lstrip()
    struck = _STRUCK.match(text) if text.startswith("~~") else None
    if struck:
        return _DROPPED, f"{struck.group('inner')} {struck.group('rest')}".strip()
    # Each mark is looked for in what the ones before left (called directly: compiled, a call
    # through a table of functions goes through Python's calling convention).
    text, status = _unmarked(text, status, _done_prefix(text), _DONE)
    text, status = _unmarked(text, status, _dropped_prefix(text), _DROPPED)
    text, status = _unmarked(text, status, _done_suffix(text), _DONE)
    text, status = _unmarked(text, status, _dropped_suffix(text), _DROPPED)
    first = text[:1]
    todo = (
        _TODO_PREFIX.match(text)
        if first in _TODO_STARTS and (first != "A" or text.startswith(("AI", "ACTION")))
        else None
    )
    if todo:
        text = text[todo.end() :]
        status = status or _OPEN
    if status is None and _may_say_done_inline(text) and _DONE_INLINE.search(text):
        status = _DONE
    return status, text


# The suffix patterns are tried only on text whose ending they can match, and only from
# where a match can start; before a full search (which tries every position), a text that
# ends in ")" is searched for the parenthesis alone, which only ever starts at a "(".
def _done_suffix(text: str) -> re.Match[str] | None:
    ending = _ending(text)
    if ending.endswith(")"):
        start = _suffix_start(text)
        if _DONE_PARENTHESIS_ONLY.search(text, start) is None:
            return None
        return _DONE_SUFFIX.search(text, start)
    if ending.endswith("**") or ending[-4:].lower() == "done":
        return _DONE_SUFFIX.search(text, _suffix_start(text))
    return None


def _dropped_suffix(text: str) -> re.Match[str] | None:
    if not _ending(text).endswith(")"):
        return None
    start = _suffix_start(text)
    if _DROPPED_PARENTHESIS_ONLY.search(text, start) is None:
        return None
    return _DROPPED_SUFFIX.search(text, start)


def _ending(text: str) -> str:
    """The text a suffix mark ends in: trailing whitespace and one final full stop dropped."""
    ending = text.rstrip()
    return ending[:-1] if ending.endswith(".") else ending


def _suffix_start(text: str) -> int:
    """Where a suffix mark starts at the earliest: it holds no ``)`` but the text's last."""
    return text.rfind(")", 0, max(text.rfind(")"), 0)) + 1


def _may_say_done_inline(text: str) -> bool:
    """Cheap pre-check for `_DONE_INLINE`: each of its forms holds one of these."""
    return "(Done)" in text or "(done)" in text or "DONE in" in text


# The characters each prefix mark can start with (no other letter folds to "t" or "T").
_DONE_STARTS: Final = "✅✔☑[(*D"
_DROPPED_STARTS: Final = "❌🚫[(*"
_TODO_STARTS: Final = "*[tTA"


def _done_prefix(text: str) -> re.Match[str] | None:
    return _DONE_PREFIX.match(text) if text[:1] in _DONE_STARTS else None


def _dropped_prefix(text: str) -> re.Match[str] | None:
    return _DROPPED_PREFIX.match(text) if text[:1] in _DROPPED_STARTS else None


def _unmarked(
    text: str, status: ItemStatus | None, mark: re.Match[str] | None, marked: ItemStatus
) -> tuple[str, ItemStatus | None]:
    """The text without ``mark`` (if found) and the status with the one it gives (a done
    status stays)."""
    if mark is None:
        return text, status
    return _cut(text, mark), status if status == _DONE else marked


def _owner(text: str) -> tuple[str | None, str]:
    first = text[:1]
    # Each prefix is tried only where it can match: "[name]", "@name", "X team:".
    for pattern in (
        _BRACKET_OWNER if first == "[" else None,
        _AT_NAME_OWNER if first == "@" else None,
        _AT_OWNER if first == "@" else None,
        _TEAM_PREFIX if ":" in text else None,
    ):
        match = pattern.match(text) if pattern else None
        if match and not _NOT_OWNERS.fullmatch(match.group("owner")):
            rest = text[match.end() :]
            return match.group("owner").strip(), rest[:1].upper() + rest[1:]
    match = _trailing_at_owner(text)
    if match:
        return match.group("owner"), text[: match.start()]
    match = (
        _SUBJECT_OWNER.match(text)
        if (first == "@" or "A" <= first <= "Z") and _may_name_a_subject(text)
        else None
    )
    if match and match.group("owner").split()[0].lower() not in _NOT_SUBJECTS:
        rest = text[match.start("verb") :]
        return match.group("owner"), rest[:1].upper() + rest[1:]
    match = _PAREN_OWNER.search(text) if "(" in text else None
    if match:
        return match.group("owner"), _cut(text, match)
    return None, text


def _may_name_a_subject(text: str) -> bool:
    """Cheap pre-check for `_SUBJECT_OWNER`: the subject is one to three words, so its "to",
    "will" or "should" is the second, third or fourth word."""
    verbs = text.split(None, 4)[1:4]
    return "to" in verbs or "will" in verbs or "should" in verbs


def _trailing_at_owner(text: str) -> re.Match[str] | None:
    """`_TRAILING_AT_OWNER`, tried where alone it can start: the spaces before the last "@"."""
    at = text.rfind("@")
    start = len(text[:at].rstrip()) if at > 0 else at
    return _TRAILING_AT_OWNER.match(text, start) if 0 <= start < at else None


def _cut(text: str, match: re.Match[str]) -> str:
    return (text[: match.start()] + " " + text[match.end() :]).strip()


_NOT_OWNERS: Final = re.compile(r"[xX ]?|done|todo|dropped", re.I)
_BOLD_TITLE: Final = re.compile(r"^\*\*(?P<title>[^*]+?)\*\*\s*[:.\-–—]?\s*(?P<rest>.*)$")


def _title_and_explanation(text: str) -> tuple[str, str | None]:
    bold = _BOLD_TITLE.match(text) if text.startswith("**") else None
    if bold and bold.group("rest") and not bold.group("rest").startswith(("(", "[")):
        return plain_text(bold.group("title")).rstrip(":").strip(), plain_text(bold.group("rest"))
    return _first_sentence(plain_text(text))


# The look-behinds follow the full stop, so that a search skips from one full stop to the next.
_SENTENCE_BREAK: Final = re.compile(
    r"\.(?<!\be\.g\.)(?<!\bi\.e\.)(?<!\betc\.)(?<!\bvs\.)(?<!\bca\.)\s+(?=[A-Z])"
)


def _first_sentence(text: str) -> tuple[str, str | None]:
    """Long multi-sentence items: the first sentence is the outcome, the rest explains it."""
    match = _SENTENCE_BREAK.search(text) if len(text) > 90 else None
    if match is None or len(text[: match.start()].split()) < 3:
        return text.rstrip("."), None
    return text[: match.start()], text[match.end() :]


def plain_text(text: str) -> str:
    """Markdown-like inline text as the words a reader sees, tickets and URLs removed."""
    text = text[:MAX_ITEM_TEXT]
    if "`" not in text:
        return _tidy(_words(text))
    parts = _CODE_SPAN.split(text)
    return _tidy(
        "".join(
            part[1:-1] if part.startswith("`") and len(part) > 1 else _words(part) for part in parts
        )
    )


# Each rewrite below runs only when the characters it needs are present: most text has no
# markup, and skipping a substitution that cannot match leaves the text unchanged.
_CODE_SPAN: Final = re.compile(r"(`[^`]*`)")
_EMPTY_BRACKETS: Final = re.compile(r"\(\s*[,;]?\s*\)|\[\s*\]")
# Applied after whitespace is collapsed to single spaces: the same as dropping each run of
# whitespace before a punctuation mark first, and a search that skips from space to space.
_SPACE_BEFORE_PUNCT: Final = re.compile(r" ([,.;:!?])")


def _tidy(out: str) -> str:
    if _may_end_in_reference(out):
        out = _TRAILING_REFS.sub(_cut_trailing_refs, out)
    if "(" in out and _CREATED_MARKER_ONLY.search(out):
        out = _CREATED_MARKER.sub("", out)
    if "(" in out or "[" in out:
        out = _EMPTY_BRACKETS.sub("", out)
    if not _single_spaced(out):
        out = " ".join(out.split())
    # A substitution with a template costs more than a search even where nothing matches;
    # the search skips from space to space, faster than a look at every character for a mark.
    if _SPACE_BEFORE_PUNCT.search(out):
        out = _SPACE_BEFORE_PUNCT.sub(r"\1", out)
    return out.strip(" -–—:;,|·").lstrip(". ").strip()


def _single_spaced(text: str) -> bool:
    """Whether ``" ".join(text.split())`` is ``text``: its only whitespace is single spaces
    between other characters (of the whitespace, a printable text holds only the space)."""
    return (
        text.isprintable()
        and "  " not in text
        and not text.startswith(" ")
        and not text.endswith(" ")
    )


_JIRA_KEY_CHARACTERS: Final = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_"


def _may_end_in_reference(out: str) -> bool:
    """Cheap pre-check for `_TRAILING_REFS`: the text ends in a number (then perhaps ")" or
    "]") after "#", after a space ("bug 12") or after a Jira project key and "-"."""
    end = out.rstrip()
    if end.endswith((")", "]")):
        end = end[:-1].rstrip()
    digits = len(end)
    while digits and end[digits - 1].isdecimal():
        digits -= 1
    if digits == len(end) or digits == 0:
        return False
    before = end[digits - 1]
    if before == "#" or before.isspace():
        return True
    if before != "-":
        return False
    stem = end[: digits - 1]
    key = stem[len(stem.rstrip(_JIRA_KEY_CHARACTERS)) : -1]  # a key letter has more after it
    return any("A" <= character <= "Z" for character in key)


def _cut_trailing_refs(found: re.Match[str]) -> str:
    """Trailing references go, unless the sentence runs into them ("… about #1 and GH-2")."""
    words = found.string[: found.start()].split()
    bracketed = found.group(0).lstrip().startswith(("(", "["))
    if words and words[-1].lower() in _CONNECTIVES and not bracketed:
        return found.group(0)
    return ""


_LEADING_REF_LABEL: Final = re.compile(
    r"^\s*(?:\[[^\]]+\](?:\[[^\]]*\])?|" + _REF + r"(?:\s*\([^)]*\))?)\s*:\s+"
)
_IMAGE: Final = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_BRACKETED_LINK: Final = re.compile(r"\[\[([^\]]*)\]\([^)]*\)\]")
_LINK: Final = re.compile(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\[[^\]]*\]")
_ANGLE_URL: Final = re.compile(r"<https?://[^>]+>")
_PAREN_URL: Final = re.compile(r"\(\s*(?:see\s+)?https?://[^)\s]+\s*\)")
_BARE_URL: Final = re.compile(r"(?:[-–—:]\s*)?https?://\S+")
_EMPHASIS: Final = re.compile(r"\*\*|__|(?<!\w)[*_](?=\S)|(?<=\S)[*_](?!\w)")


def _words(text: str) -> str:
    escaped = "\\" in text
    if escaped:  # "invoice\_id", "\#billing": an escaped mark is the mark itself
        text = _ESCAPED.sub(lambda m: chr(_ESCAPE_BASE + ord(m[1])), text)
    # "[GH-103]: add healthchecks" / "GH-101 (Done): create …": the label is the ticket.
    out = _LEADING_REF_LABEL.sub("", text) if ":" in text else text
    if "[" in out:
        if "![" in out:
            out = _IMAGE.sub("", out)
        if "[[" in out:
            out = _BRACKETED_LINK.sub(r"[\1]", out)
        out = _LINK.sub(_link_words, out)
    if "http" in out:
        if "<" in out:
            out = _ANGLE_URL.sub("", out)
        if "(" in out:
            out = _PAREN_URL.sub("", out)
        out = _BARE_URL.sub("", out)
    if "*" in out or "_" in out:
        out = _EMPHASIS.sub("", out)
    if "~~" in out:
        out = out.replace("~~", "")
    return out.translate(_UNESCAPE) if escaped else out


# Markdown's backslash escapes: each escaped mark stands in the private use area while markup
# is read, so that no pattern takes it for markup, then is written back.
_ESCAPED: Final = re.compile(r"\\([!-/:-@\[-`{-~])")
_ESCAPE_BASE: Final = 0xE000
_UNESCAPE: Final = {_ESCAPE_BASE + code: chr(code) for code in range(33, 127)}


def _link_words(match: re.Match[str]) -> str:
    words = (match.group(1) if match.group(1) is not None else match.group(2) or "").strip()
    if _GENERIC_LINK_TEXT.match(words):
        return ""
    return words
