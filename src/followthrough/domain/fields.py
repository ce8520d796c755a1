"""Fields attached to an action item, wherever its writer put them.

One rule reads them all: the item's text is cut into segments at the separators people use
(``·``, ``|``, ``—``, ``–``, a spaced ``-``, ``;``, ``,``, line breaks, parentheses), each
segment is classified as a field (owner, due, ticket, status, priority, category) or not, and
the title is what remains. A segment is a field when it says so: a ``Key:`` label, or a form
that can only be a field — a lone ``@handle``, ``due <date>``, a ticket reference, ``P1``,
a status word such as ``done`` or ``dropped after review``. Fields are taken from the head and
the tail of the text and from parentheses; a name in the middle of a sentence stays prose.

The same classifier says whether a whole line (a sub-bullet, the line under a heading item)
holds nothing but fields, so walking a document can attach it to its item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import takewhile
from typing import Final, NamedTuple, TypeGuard

from followthrough.domain.model import Category, ItemStatus
from followthrough.domain.values import SERVICENOW_RECORD, WEEKDAY

# The states, read once: compiled, each ``ItemStatus.DONE`` in a function is an attribute
# lookup on the enum class.
_DONE: Final = ItemStatus.DONE
_DROPPED: Final = ItemStatus.DROPPED
_OPEN: Final = ItemStatus.OPEN

_KEYS: Final[dict[str, str]] = {
    **dict.fromkeys(
        ("owner", "owners", "owned by", "assignee", "assigned to", "who", "dri", "responsible"),
        "owner",
    ),
    **dict.fromkeys(
        ("due", "due date", "due by", "deadline", "target", "target date", "eta", "by when"),
        "due",
    ),
    **dict.fromkeys(
        ("ticket", "tickets", "tracking", "tracked in", "tracker", "jira", "issue", "bug"),
        "ticket",
    ),
    **dict.fromkeys(("status", "state"), "status"),
    **dict.fromkeys(("priority", "prio"), "priority"),
    **dict.fromkeys(("category", "type", "kind"), "category"),
}
_KEY_WORDS: Final = "|".join(sorted((re.escape(key) for key in _KEYS), key=len, reverse=True))
# "Owner: x", "**Owner:** x", "**Owner**: x", "owner = x", "owner:: x" (Dataview, Logseq).
_LABELLED: Final = re.compile(
    r"^(?:\*\*|__)?\s*(?P<key>"
    + _KEY_WORDS
    + r")\s*(?:(?:\*\*|__)\s*(?:::?|=)|(?:::?|=)\s*(?:\*\*|__)?)"
    r"\s*(?P<value>.*)$",
    re.I | re.S,
)
# A person's handle, or a GitHub team's (``@acme/messaging``).
_HANDLE: Final = r"@[\w][\w.+-]*\w(?:/\w[\w.-]*\w)?|@\w"
_HANDLES: Final = re.compile(
    r"^(?:" + _HANDLE + r")(?:\s*(?:,|&|\band\b|/)\s*(?:" + _HANDLE + r"))*$"
)
_NAME: Final = r"(?:" + _HANDLE + r"|[A-Z][\w.'-]*(?:\s+(?:&\s+)?[A-Z][\w.'-]*){0,2}(?:\s+team)?)"
_MONTH: Final = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE: Final = (
    WEEKDAY  # "Fri Jun 20", "Friday, 20 June": a weekday may open a date
    + r"(?:\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|\d{1,2}[/.]\d{1,2}(?:[/.]\d{2,4})?|"
    r"\d{1,2}/(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)/\d{2,4}|"  # Jira: 17/Apr/26
    + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?(?:,?\s+\d{4})?|\d{1,2}(?:st|nd|rd|th)?\s+"
    + _MONTH
    + r"(?:,?\s+\d{4})?|q[1-4](?:\s+\d{4})?|(?:end\s+of|next)\s+(?:the\s+)?\w+|eo[wmq])"
)
# Unlabelled forms: only what cannot be read as anything but a field.
_UNLABELLED: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (
        re.compile(
            # The key in any case, the name as names are written ("No owner yet" names nobody).
            r"^(?:owner|owned\s+by|assigned\s+to|assignee|dri)\s+(?P<value>(?-i:" + _NAME + r"))$",
            re.I,
        ),
        "owner",
    ),
    # A mention of a person by name, as Notion writes it: "@Olu Adeyemi".
    (re.compile(r"^@(?P<value>[A-Z][\w.'-]+(?:\s+[A-Z][\w.'-]+){1,2})$"), "owner"),
    # Nobody, said where an owner goes ("— unassigned —"): a field that names no one.
    (re.compile(r"^(?P<value>unassigned|not\s+assigned|no\s+owner(?:\s+yet)?)$", re.I), "owner"),
    (
        re.compile(
            r"^(?:(?:due|deadline|eta|target)(?:\s+(?:by|on))?\s+|(?:by|before)\s+|@)(?P<value>"
            + _DATE
            + r")$",
            re.I,
        ),
        "due",
    ),
    (
        re.compile(r"^(?:priority|prio)\s+(?P<value>p[0-4]|high|medium|low|critical)$", re.I),
        "priority",
    ),
    (re.compile(r"^(?P<value>p[0-4])$|^(?P<value2>high|low|medium)\s+priority$", re.I), "priority"),
)
# Possessive quantifiers and a separator required between references keep every match
# linear, whatever the text ("acme/ops#12acme/ops#12…" has no second reading to try).
_REF: Final = (
    r"(?:[A-Z][A-Z0-9_]{1,9}+-\d{1,7}+|(?:[\w.-]++/[\w.-]++|AB)?#\d{1,7}+|[Bb]ug\s++\d{3,}+"
    r"|" + SERVICENOW_RECORD + r")"
)
_URL: Final = r"<?https?://[^\s>)]++>?"
# A link whose words only name a ticket ("[PAY-7](…)", "[PR](…)"); other link text is prose.
_LINK: Final = (
    r"\[(?:#?(?:" + _REF + r"|\d{1,7})|pr|ticket|issue|jira|bug|link|tracking(?:\s+issue)?|here"
    r"|https?://[^\]\s]{1,300})\]"
    r"\(\s*https?://[^)\s]+\s*\)"
)
_TICKETS: Final = re.compile(
    r"^(?:(?:ticket|tracking|jira|issue|pr)\s+)?(?:"
    + _REF
    + "|"
    + _URL
    + "|"
    + _LINK
    + r")(?:(?:\s*+[,&]\s*+|\s++/\s++|\s++)(?:"
    + _REF
    + "|"
    + _URL
    + "|"
    + _LINK
    + r"))*$",
    re.I,
)
# The words of each state, wherever a state is written (a field, a status cell).
DONE_WORDS: Final = r"done|completed?|closed|fixed|resolved|shipped|finished"
DROPPED_WORDS: Final = (
    r"dropped|won['’]?t\s+(?:do|fix)|wontfix|cancel+ed|not\s+planned|obsolete|rejected|"
    r"no\s+longer\s+needed|de-?scoped|superseded|not\s+doing"
)
# Deferred, postponed or blocked work is still to be done.
OPEN_WORDS: Final = (
    r"open|todo|to\s+do|in\s+progress|ongoing|planned|not\s+started|blocked|deferred|"
    r"postponed|on\s+hold|not\s+(?:yet\s+)?(?:done|completed?|finished)|carried\s+over|"
    r"still\s+open"
)
_DONE_MARK: Final = r"✅|✔️?|☑️?"
_DROPPED_MARK: Final = r"❌|🚫"
# A status segment: the word, then at most a date, a reference or a link, and a short
# reason in parentheses ("Deferred (needs a capacity plan)").
_STATUS_ALONE: Final = re.compile(
    r"^(?:"
    + _DONE_MARK
    + "|"
    + _DROPPED_MARK
    + r")?\s*(?P<word>"
    + DONE_WORDS
    + "|"
    + DROPPED_WORDS
    + "|"
    + OPEN_WORDS
    + r")(?:\s+(?:on\s+|in\s+)?(?:"
    + _DATE
    + "|"
    + _REF
    + "|"
    + _LINK
    + r"))?(?:\s*\([^()\n]{1,120}\))?[.!]?$",
    re.I,
)
_STATUS_REASON: Final = re.compile(
    r"^(?P<word>"
    + DROPPED_WORDS
    + "|"
    + OPEN_WORDS
    + "|"
    + DONE_WORDS
    + r")\s*(?:[:,]|\s(?:in|on|at|after|since|because|as|per|by|with|during|until|in\s+favou?r\s+of)"
    r"\b|\s[—–-])\s*\S",
    re.I,
)
# "… - this has already been done": a note on the item's state, set apart from its outcome.
_STATUS_NOTE: Final = re.compile(
    r"^(?:this|that|it)\s+(?:has|have|was)\s+(?:already\s+|now\s+)?been\s+(?:"
    + DONE_WORDS
    + r"|implemented|deployed)$",
    re.I,
)
_STATUS_MARK: Final = re.compile(r"^(?:" + _DONE_MARK + r")$|^(?P<dropped>" + _DROPPED_MARK + r")$")
_DONE_WORD: Final = re.compile(r"^(?:" + _DONE_MARK + r")?\s*(?:" + DONE_WORDS + r")\b", re.I)
_DROPPED_WORD: Final = re.compile(
    r"^(?:" + _DROPPED_MARK + r")?\s*(?:" + DROPPED_WORDS + r")\b", re.I
)
_CATEGORY_VALUE: Final[tuple[tuple[re.Pattern[str], Category], ...]] = (
    (re.compile(r"^(?:detect|monitor|alert)", re.I), Category.DETECTION),
    (re.compile(r"^(?:prevent|fix|repair)", re.I), Category.PREVENTION),
    (re.compile(r"^(?:mitigat|respon|recover|process)", re.I), Category.RESPONSE),
    (re.compile(r"^(?:communicat|comms)", re.I), Category.COMMUNICATION),
)

# Hard separators between segments. A spaced hyphen or dash, a middle dot, a pipe, a
# semicolon, a comma (not the one in a date), a line break; with the whitespace around it.
_DATE_COMMA: Final = r"(?!\s*(?:\d{4}\b|" + _MONTH + r"\s+\d))"
_SEPARATOR_MARK: Final = r"\n|[·•|;]|\s[—–-]{1,2}\s|—|(?<!day)," + _DATE_COMMA
# That is ``\s*(?:mark)\s*``, written to open with one character class so that the regex
# engine skips straight to the characters a separator can start with: whitespace (followed by
# a mark, or itself a line break or the space before a dash) or the mark's own character.
_SEPARATOR: Final = re.compile(
    r"[\s·•|;—,](?:(?<=\s)(?:\s*(?:" + _SEPARATOR_MARK + r")|(?<=\n)|[—–-]{1,2}\s)"
    r"|(?<=[·•|;—])|(?<=,)(?<!day,)" + _DATE_COMMA + r")\s*",
    re.I,
)
# A character every separator holds; where the first one is, the first separator is close.
_SEPARATOR_HINT: Final = re.compile(r"[\n·•|;—,–-](?<!\S[–-])")


def _separators(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Where the separators in ``text[offset:]`` are, in order.

    Each holds one of `_SEPARATOR_HINT`'s characters and starts at the run of whitespace
    before it (or at it): from where the last one ended, the pattern is tried there alone, not
    at every space on the way; where it fails, no separator starts before that character's end.
    """
    spans: list[tuple[int, int]] = []
    if not _may_hold_a_hint(text):
        return spans
    position = offset
    while (hint := _SEPARATOR_HINT.search(text, position)) is not None:
        start = hint.start()
        while start > position and text[start - 1].isspace():
            start -= 1
        found = _SEPARATOR.match(text, start)
        if found is None:
            position = hint.end()
        else:
            spans.append(found.span())
            position = found.end()
    if ":" in text:  # in "Jira: – · Status: Done" the dash is the value ("none")
        return [span for span in spans if not _follows_a_colon(text, span[0])]
    return spans


def _may_hold_a_hint(text: str) -> bool:
    """Cheap pre-check for `_SEPARATOR_HINT`, whose character class the regex engine tests at
    every position: a printable ASCII text holds one only as a ",", ";" or "|", or as a "-"
    after a space (its only whitespace) or opening the text."""
    if not text.isascii() or not text.isprintable():
        return True
    return "," in text or ";" in text or "|" in text or " -" in text or text.startswith("-")


def _follows_a_colon(text: str, start: int) -> bool:
    """Whether a separator starting at ``start`` comes right after a key's colon."""
    before = text[max(0, start - 2) : start]
    return before.endswith(":") or (before[:1] == ":" and before[1:].isspace())


# Inside a segment, fields may follow one another with only a space between them
# ("@m.ortiz due: 2025-03-01", "index @tariq due 2025-06-30 OPS-412").
_KEY_AT: Final = re.compile(r"(?:\*\*|__)?(?:" + _KEY_WORDS + r")\b", re.I)
# Every spelling of a key's first word a writer uses: "owner", "Owner", "OWNER".
_KEY_STARTS: Final = tuple(
    {
        form
        for key in _KEYS
        for form in (key.split()[0], key.split()[0].title(), key.split()[0].upper())
    }
)
# The same, grouped by their first two characters (every form has two): only the group that
# a word's first two characters name can start it.
_KEY_STARTS_BY_PAIR: Final[dict[str, tuple[str, ...]]] = {
    pair: tuple(form for form in _KEY_STARTS if form.startswith(pair))
    for pair in {form[:2] for form in _KEY_STARTS}
}
_BY_DATE: Final = re.compile(r"(?:by|before)\s+" + _DATE + r"(?![\w-])", re.I)
_HANDLE_AT: Final = re.compile(r"(?:" + _HANDLE + r")\b")
_REF_AT: Final = re.compile(_REF + r"\b")
_LINK_AT: Final = re.compile(r"\[[^\]]{0,60}\]\(https?://")


# What may follow the whitespace before a field, a cheap superset of what `_soft_start` accepts:
# a field's first character, a capital, a letter outside ASCII, a key's first word, or any
# letter when the text holds a "#" (a lowercase "acme/ops#12").
def _key_start(form: str) -> str:
    """A pattern for ``form``, a key's first word; one that is no key by itself ("by") with the
    rest of the keys it starts ("by when")."""
    if form in _KEYS:
        return re.escape(form)
    rests = sorted(re.escape(key[len(form) :]) for key in _KEYS if key.startswith(form))
    return re.escape(form) + "(?i:" + "|".join(rests) + ")"


# By their first letter, which opens the pattern.
_LOWER_KEY_STARTS: Final[dict[str, list[str]]] = {}
for _form in sorted(form for form in _KEY_STARTS if form.islower()):
    _LOWER_KEY_STARTS.setdefault(_form[0], []).append(_key_start(_form)[1:])
# One character class, then alternatives that each open with a letter: the regex engine
# passes over those that cannot start where the next word does with one comparison each.
_MAY_START: Final = r"[(@\[*_#A-Z\x80-\U0010ffff]|<https?://|https?://|by\s|before\s|" + "|".join(
    f"{letter}(?:{'|'.join(rests)})" for letter, rests in _LOWER_KEY_STARTS.items()
)
# Before a field: a whole run of whitespace, or (in a one-line tail) a single space.
# Each opens with what it consumes first, for the regex engine to skip straight to it.
_SOFT_RUN: Final = re.compile(r"\s(?<![\s:=*_]\s)\s*+(?=" + _MAY_START + ")")
_SOFT_RUN_HASHED: Final = re.compile(r"\s(?<![\s:=*_]\s)\s*+(?=[a-z]|" + _MAY_START + ")")
_SOFT_SPACE: Final = re.compile(r" (?<![:=*_] )(?=" + _MAY_START + ")")
_SOFT_SPACE_HASHED: Final = re.compile(r" (?<![:=*_] )(?=[a-z]|" + _MAY_START + ")")


def _soft_bounds(text: str) -> list[int]:
    """Where a field may start after a mere space: before an ``@handle``, a ``Key``, a ticket
    reference, ``(`` or a link (not right after ``Key:``). Each is the whitespace's start."""
    runs = _SOFT_RUN_HASHED if "#" in text else _SOFT_RUN
    return [
        space.start()
        for space in runs.finditer(text)
        if _soft_start(text, space.start(), space.end())
    ]


def _space_candidates(text: str, floor: int) -> list[int]:
    """The spaces in ``text[floor:]`` that `_soft_start` may accept, in order."""
    spaces = _SOFT_SPACE_HASHED if "#" in text else _SOFT_SPACE
    return [space.start() for space in spaces.finditer(text, floor)]


_LIST_JOINS: Final = (" and", " &", ",", "/", " +")


def _soft_start(text: str, start: int, end: int) -> bool:
    """Whether the whitespace ``text[start:end]`` is followed by the start of a field."""
    if start == 0 or end >= len(text) or text[start - 1] in ":=*_":
        return False
    first = text[end]
    if first.isalpha():
        return _word_starts_field(text, end, first)
    if first == "(":
        return True
    if first == "<":
        return text.startswith(("<http://", "<https://"), end)
    if first == "@":
        # "@lena and @marco" is one list of owners.
        joined = text.endswith(_LIST_JOINS, 0, start)
        return not joined and _HANDLE_AT.match(text, end) is not None
    if first == "[":
        return _LINK_AT.match(text, end) is not None
    if first in "*_":
        return _KEY_AT.match(text, end) is not None
    if first == "#":
        return _REF_AT.match(text, end) is not None
    return False


def _word_starts_field(text: str, end: int, first: str) -> bool:
    """Whether the word at ``end`` opens a field: a key, an address, "by <date>", a reference."""
    starts = _KEY_STARTS_BY_PAIR.get(text[end : end + 2])
    if starts is not None and text.startswith(starts, end) and _KEY_AT.match(text, end):
        return True
    if first in "hH" and text.startswith(("http://", "https://"), end):
        return True  # an address
    if (  # "by <date>", "before <date>"
        first in "bB"
        and text[end + 1 : end + 2] in ("y", "Y", "e", "E")
        and _BY_DATE.match(text, end) is not None
    ):
        return True
    if first.isupper():
        # A reference opening with a capital has a capital, a digit or "_" next ("OPS-12",
        # "CHG0040198", "AB#12"), is a "Bug 123", or holds a "#" ("Acme/ops#12").
        if (
            text[end + 1 : end + 2] not in _REF_SECOND_CHARACTERS
            and first != "B"
            and text.find("#", end) == -1
        ):
            return False
        return _REF_AT.match(text, end) is not None
    if text.find("#", end, end + 60) != -1:
        return _REF_AT.match(text, end) is not None
    return False


_REF_SECOND_CHARACTERS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")


def _soft_split(text: str) -> list[str]:
    """``text`` cut at its soft boundaries, empty pieces left out."""
    bounds = _soft_bounds(text)
    if not bounds:
        return [text] if text.strip() else []
    pieces: list[str] = []
    last = 0
    for bound in bounds:
        pieces.append(text[last:bound])
        last = bound
    pieces.append(text[last:])
    return [piece for piece in pieces if piece.strip()]


# A parenthesised group; a Markdown link's "(url)" inside it is part of the group.
_PAREN_REST: Final = r"((?:[^()]|(?<=\])\([^()\s]{0,300}\)){1,300})\)"
_PAREN: Final = re.compile(r"\s*(?<!\])\(" + _PAREN_REST)
# The same group from its "(" on: a pattern that opens with a literal is found by a quick scan.
_PAREN_OPEN: Final = re.compile(r"\((?<!\]\()" + _PAREN_REST)
_EMPHASIS: Final = re.compile(r"^(?:\*\*|__)(.*)(?:\*\*|__)$", re.S)
_BOLD_STATE: Final = re.compile(
    r"^(\*\*|__)(" + "|".join((DONE_WORDS, DROPPED_WORDS, OPEN_WORDS)) + r")\1(?=\s)", re.I
)
# A lone handle or reference after these words is part of the sentence ("sync with @ravi",
# "the bug in CORE-12").
_IN_PROSE: Final = frozenset(
    "with to by from ask ping cc tell and or for of thank thanks via about in on at than as "
    "like after before into vs versus against under over between since until see".split()
)
# What one of the field forms needs: without any of it the text has no fields. A cheap
# superset of what `read_field` accepts, built from the same words, so that it never turns
# away a line the classifier would read ("- Won't do" under an item is its status).
_FIELD_HINT: Final = re.compile(
    r"[@:(|·•;=#✅✔☑❌🚫—–,\n]|\s-\s|[A-Z][A-Z0-9_]+-\d|\bbug\s|\bp[0-4]\b|\b(?:"
    r"owner|owned|assigned|assignee|dri|due|deadline|eta|target|by|before|priority|prio|high|"
    r"low|medium|" + "|".join((DONE_WORDS, DROPPED_WORDS, OPEN_WORDS)) + r")\b",
    re.I,
)


class Field(NamedTuple):
    """One field read from an item: its kind (owner, due, …), its text as written, the state
    a status field gives, and whether a key named it (``Jira: MOB-907``)."""

    kind: str
    value: str
    status: ItemStatus | None = None
    labelled: bool = False


@dataclass(frozen=True, slots=True)
class ItemFields:
    """An item's text split into its title text and the fields attached to it."""

    title: str
    fields: tuple[Field, ...] = ()

    def first(self, kind: str) -> str | None:
        return next((f.value for f in self.fields if f.kind == kind), None)

    @property
    def status(self) -> ItemStatus | None:
        return next((f.status for f in self.fields if f.status is not None), None)


def category_of_value(value: str) -> Category | None:
    """The category a ``Category:`` field's value names, if any."""
    return next((cat for pattern, cat in _CATEGORY_VALUE if pattern.match(value)), None)


_GROUP_NAME: Final = re.compile(r"\(\?P<\w+>")


def _alternative(name: str, *patterns: re.Pattern[str]) -> str:
    """``patterns`` as one named alternative of a larger pattern, each with its own flags; the
    names of their own groups are left out."""
    forms = []
    for pattern in patterns:
        flags = ("i" if pattern.flags & re.I else "") + ("s" if pattern.flags & re.S else "")
        source = _GROUP_NAME.sub("(?:", pattern.pattern)
        forms.append(f"(?{flags}:{source})" if flags else f"(?:{source})")
    return f"(?P<{name}>{'|'.join(forms)})"


def _field_forms(*, comma_separated: bool) -> re.Pattern[str]:
    """Every form of a field but the labelled one as one pattern, its alternatives in the order
    `read_field` tries them: the one that matches names the form (``lastgroup``)."""
    status: tuple[re.Pattern[str], ...] = (_STATUS_ALONE, _STATUS_MARK)
    if not comma_separated:
        status += (_STATUS_REASON, _STATUS_NOTE)
    return re.compile(
        "|".join(
            (
                _alternative("handles", _HANDLES),
                *(
                    _alternative(f"unlabelled{index}", p)
                    for index, (p, _) in enumerate(_UNLABELLED)
                ),
                _alternative("tickets", _TICKETS),
                _alternative("status", *status),
            )
        )
    )


_FIELD_FORMS: Final = _field_forms(comma_separated=False)
# A segment set off by a comma is strict about status: no reason, no note.
_FIELD_FORMS_COMMA: Final = _field_forms(comma_separated=True)
_UNLABELLED_BY_NAME: Final = {
    f"unlabelled{index}": (pattern, kind) for index, (pattern, kind) in enumerate(_UNLABELLED)
}


def read_field(segment: str, *, comma_separated: bool = False) -> Field | None:
    """The field ``segment`` holds entirely, or ``None`` when it is (also) prose."""
    return _read_field(segment, comma_separated)


# Fields are written from a small vocabulary (a team's owners, "Status: done", "P1"): the
# same segments recur item after item.
@lru_cache(maxsize=1024)
def _read_field(segment: str, comma_separated: bool) -> Field | None:
    text = segment.strip().strip(".").strip()
    if not text:
        return None
    if text.startswith(("**", "__")):
        text = _without_emphasis(text)
    # A label needs its ":" or "=": without one, the text is not even tried as a label.
    labelled = _LABELLED.match(text) if ":" in text or "=" in text else None
    if labelled:
        key = _key_word(labelled.group("key"))
        kind = _KEYS[key]
        value = labelled.group("value").strip().strip("*_").strip()
        if kind == "owner" and ". " in value:  # "Owner: Piotr Zielinski. The provider …"
            value = _SENTENCE_START.split(value, maxsplit=1)[0].rstrip(".")
        if kind == "owner" and "," in value:  # "owner: unassigned, Q4 2025": owners only
            value = _owners_only(value)
        if not value or not _plausible(kind, key, value):
            return None
        return Field(kind, value, _status_value(value) if kind == "status" else None, True)
    form = (_FIELD_FORMS_COMMA if comma_separated else _FIELD_FORMS).match(text)
    if form is None and "**" in text:  # "due **July 18, 2025**": the value in bold
        text = text.replace("**", "")
        form = (_FIELD_FORMS_COMMA if comma_separated else _FIELD_FORMS).match(text)
    if form is None:
        return None
    name = form.lastgroup
    if name == "handles":
        return Field("owner", text)
    if name == "tickets":
        return Field("ticket", text)
    if name == "status":
        return Field("status", text, _status_value(text))
    pattern, kind = _UNLABELLED_BY_NAME[str(name)]
    match = pattern.match(text)
    assert match is not None  # the same pattern matched as part of the whole
    return Field(kind, next(v for v in match.groupdict().values() if v))


def _owners_only(value: str) -> str:
    """A labelled owner list up to the first part that names no one (a horizon, a date)."""
    parts = [part.strip() for part in value.split(",")]
    kept = list(takewhile(_MORE_OWNER.fullmatch, parts))
    return ", ".join(kept) if kept else value


def _without_emphasis(text: str) -> str:
    """A segment in bold as a whole, or opening with a bold state word ("**descoped** by
    Growth Eng on …"), without the bold."""
    emphasis = _EMPHASIS.match(text)
    if emphasis and "**" not in emphasis.group(1):
        return emphasis.group(1).strip()
    word = _BOLD_STATE.match(text)
    return word.group(2) + text[word.end() :] if word else text


# Where a new sentence starts after a name: a capitalised word and a lower-case one, or a mark
# ("J. R. Smith" goes on).
_SENTENCE_START: Final = re.compile(r"\.\s+(?=[A-Z][a-z]+\s+[a-z]|[^\w\s@(])")
_PLACEHOLDER_VALUE: Final = re.compile(r"^(?:tbd|tba|n/?a|none|-+|—|–|\?+|todo|unknown)$", re.I)
_ANY_REF: Final = re.compile(_REF)
_DATE_AT: Final = re.compile(_DATE, re.I)
_OPEN_WORD: Final = re.compile(r"^(?:" + OPEN_WORDS + r")\b", re.I)


def _key_word(written: str) -> str:
    """The key as `_KEYS` spells it, for a key `_LABELLED` matched as written.

    The match ignores case the way Unicode folds it, so "ſtatus" (long s) or "Tİcket" (dotted
    capital I) match a key that ``lower()`` does not turn them into: those are looked up by
    matching each key the same way.
    """
    key = written.lower()
    if key in _KEYS:
        return key
    for word in _KEYS:
        if re.fullmatch(re.escape(word), written, re.I):
            return word
    raise AssertionError(f"{written!r} matched no key")  # pragma: no cover - _LABELLED's keys


def _plausible(kind: str, key: str, value: str) -> bool:
    """Keys that are also common words ("Issue: …", "Type: …", "Target: …") need a value of their kind."""
    if kind == "ticket":
        return bool(
            _PLACEHOLDER_VALUE.match(value) or _TICKETS.match(value) or _ANY_REF.search(value)
        )
    if kind == "category":
        return bool(_PLACEHOLDER_VALUE.match(value)) or any(
            pattern.match(value) for pattern, _ in _CATEGORY_VALUE
        )
    if key.startswith("target"):
        return bool(_PLACEHOLDER_VALUE.match(value) or _DATE_AT.match(value) or value[:1].isdigit())
    return True


def _status_value(text: str) -> ItemStatus | None:
    plain = text.strip().strip("*_`~.").strip()
    mark = _STATUS_MARK.match(plain)
    if mark:  # a mark alone: ✅ done, ❌ dropped
        return _DROPPED if mark.group("dropped") else _DONE
    if _DROPPED_WORD.match(plain):
        return _DROPPED
    if _DONE_WORD.match(plain) or _STATUS_NOTE.match(plain):
        return _DONE
    if _OPEN_WORD.match(plain):
        return _OPEN
    return None


def is_field_line(text: str) -> bool:
    """True when ``text`` (a sub-bullet, a line under a heading) holds only fields."""
    text = text.strip()
    if not text or not _FIELD_HINT.search(text):
        return False
    return _holds_only_fields(text)


def is_dashed_field(text: str) -> bool:
    """``Ticket: —``: a labelled field whose value, a dash, says there is none (and would
    read as a separator once the field is joined to other text)."""
    whole = read_field(text) if ":" in text else None
    return whole is not None and _DASHES.fullmatch(whole.value) is not None


_DASHES: Final = re.compile(r"[-—–]+")


def _holds_only_fields(text: str) -> bool:
    """`is_field_line` without its pre-check: every segment of ``text`` is a field."""
    if is_dashed_field(text):
        return True  # "Ticket: —": a dash that says "none", not a separator
    parts = _split_at(text)
    # A line of its own is strict about status: "Fixed in v2" there is a note, not a mark.
    for index, (_, part, _) in enumerate(parts):
        if not segment_fields(part, comma_separated=True):
            # "Status: dropped — not justified by one incident": the rest is the reason.
            starts = [(start, True) for start, _, _ in parts[:index]]
            return _status_after(text, starts) is not None
    return bool(parts)


def _is_status(found: Field | None) -> TypeGuard[Field]:
    return found is not None and found.kind == "status"


def segment_fields(segment: str, *, comma_separated: bool = False) -> list[Field] | None:
    """Every field of ``segment`` when it holds only fields (one, or several split by spaces)."""
    pieces = _soft_split(segment)
    if len(pieces) > 1:
        split = _soft_fields(pieces, comma_separated=comma_separated)
        if split is not None:
            return split
    found = read_field(segment, comma_separated=comma_separated)
    return [found] if found else None


def _soft_fields(pieces: list[str], *, comma_separated: bool) -> list[Field] | None:
    out: list[Field] = []
    for piece in pieces:
        piece_text = piece.strip()
        paren = _PAREN.fullmatch(piece_text) if piece_text.startswith("(") else None
        if paren:
            inner = _group_fields(_split(paren.group(1)))
            if not inner:
                return None
            out.extend(inner)
            continue
        found = read_field(piece, comma_separated=comma_separated)
        if found is None:
            return None
        out.append(found)
    return out


def is_labelled_field(text: str) -> bool:
    """True when ``text`` holds only fields and opens with a ``Key:`` label."""
    return bool(_LABELLED.match(text.strip())) and is_field_line(text)


def _split(text: str) -> list[tuple[str, bool]]:
    return [(part, comma) for _, part, comma in _split_at(text)]


def _split_at(text: str) -> list[tuple[int, str, bool]]:
    """The segments of ``text``: where each starts, its text, and whether a comma set it off."""
    parts: list[tuple[int, str, bool]] = []
    start = 0
    comma = False
    for begin, end in _separators(text):
        if begin > start or text[start:begin].strip():
            parts.append((start, text[start:begin], comma))
        comma = text[begin:end].strip() == ","
        start = end
    if text[start:].strip():
        parts.append((start, text[start:], comma))
    return [(at, part, flag) for at, part, flag in parts if part.strip()]


# A status written in capitals at the very end, as a Confluence status lozenge or a tag is:
# capitals only, so "… until it is done" stays prose.
_SHOUTED_WORDS: Final = (
    "DONE", "COMPLETE", "COMPLETED", "FIXED", "RESOLVED", "SHIPPED", "DROPPED", "WONTFIX",
    "WON'T DO", "CANCELED", "CANCELLED", "IN PROGRESS", "NOT STARTED", "TO DO", "TODO",
    "BLOCKED", "ONGOING",
)  # fmt: skip
_SHOUTED_MARKS: Final = ("✅", "✔️", "✔", "☑️", "☑", "❌", "🚫")
_SHOUTED_STATUS: Final = re.compile(
    r"(?<=\S)\s+("
    + "|".join(re.escape(word) for word in _SHOUTED_WORDS + _SHOUTED_MARKS)
    + r")\.?\s*$"
)
# How a text with a shouted status (or a status mark) ends, once trailing whitespace is cut.
_SHOUTED_ENDS: Final = (
    _SHOUTED_WORDS + tuple(word + "." for word in _SHOUTED_WORDS) + _SHOUTED_MARKS
)
# The same by their last two characters (the last one alone for a one-character mark): only
# the few a text's own last characters name can be how it ends.
_SHOUTED_ENDS_BY_TAIL: Final[dict[str, tuple[str, ...]]] = {
    tail: tuple(end for end in _SHOUTED_ENDS if end[-2:] == tail)
    for tail in {end[-2:] for end in _SHOUTED_ENDS}
}


def _ends_shouted(text: str) -> bool:
    """Whether ``text``, trailing whitespace cut, ends with one of `_SHOUTED_ENDS`."""
    ending = text.rstrip()
    for tail in (ending[-2:], ending[-1:]):
        ends = _SHOUTED_ENDS_BY_TAIL.get(tail)
        if ends is not None and ending.endswith(ends):
            return True
    return False


# A state shouted after the outcome, then its reason ("Migrate to OIDC WON'T DO Agreed in
# review: out of scope"). "DONE" or "COMPLETED" inside a sentence ("the DONE criteria") is a
# word of it: those two only before a capital. Looked for only where one of the words is.
_SHOUTED_BEFORE_A_REASON: Final = re.compile(
    r"(?<=\S)\s+(?P<state>WON['’]T (?:DO|FIX)|CANCELL?ED|NOT DOING|DESCOPED|DROPPED|"
    r"(?:DONE|COMPLETED?)(?=\s+[A-Z*_(\[]))\s+(?P<reason>\S.*)$"
)
_SHOUTED_REASON_HINTS: Final = (
    "WON",
    "CANCEL",
    "NOT DOING",
    "DESCOPED",
    "DROPPED",
    "DONE",
    "COMPLETE",
)


def _shouted_state_set_apart(text: str) -> str:
    """A shouted state and its reason set apart from the outcome, as a writer sets a status
    field apart (a state shouted last, with no reason, is read as `_SHOUTED_STATUS`)."""
    found = _SHOUTED_BEFORE_A_REASON.search(text)
    if found is None or len(text[: found.start()].split()) < 3:
        return text
    return f"{text[: found.start()]} — {found.group('state')} — {found.group('reason')}"


def split_fields(text: str) -> ItemFields:
    """The fields attached to an item's (one-line) text, and the title text that remains.

    Fields are read from the head of the text, from its tail, and from any parenthesised
    group that holds nothing but fields; the title keeps its own words and punctuation.
    """
    title, fields = title_and_fields(text)
    return ItemFields(title, tuple(fields))


def title_and_fields(text: str) -> tuple[str, list[Field]]:
    """`split_fields` as a title and a list, for a reader that goes through the fields once."""
    fields: list[Field] = []
    # Each hint holds an "O" or an "E": two scans for one character turn most texts away.
    if ("O" in text or "E" in text) and any(word in text for word in _SHOUTED_REASON_HINTS):
        text = _shouted_state_set_apart(text)
    shouted = _SHOUTED_STATUS.search(text) if _ends_shouted(text) else None
    if shouted and text[: shouted.start()].rstrip(" *_").endswith((":", "=")):
        shouted = None  # "Ticket: TODO": the word is the field's value
    if shouted:  # "… Owner: @ylinde DONE": a status lozenge after the last field's value
        fields.append(Field("status", shouted.group(1), _status_value(shouted.group(1))))
        text = text[: shouted.start()]
    if "(" in text:
        text = _paren_groups(text, fields)
    text = _tail(text, fields)
    if (
        text.find(":", 0, 40) != -1
        or text.find("=", 0, 40) != -1
        or (text[:1] in _HEAD_STARTS and _may_open_with_a_field(text))
    ):
        text = _head(text, fields)
    if ":" in text or "=" in text:
        text = _middle(text, fields)
    return (text.strip() if fields else text), fields


def _middle(text: str, fields: list[Field]) -> str:
    """``Fix X — Owner: Dana — agreed in the review``: a labelled field set off on both sides
    is the item's wherever it stands (an unlabelled one there is the sentence's)."""
    parts = _split_at(text)
    if len(parts) < 3:
        return text  # the head and the tail have been read
    found: list[Field] = []
    cuts: list[tuple[int, int]] = []  # each from the segment's start to the next one's
    for index in range(1, len(parts) - 1):
        at, part, comma = parts[index]
        if not _LABELLED.match(part.strip()):
            continue
        read = segment_fields(part, comma_separated=comma)
        if read:
            found.extend(read)
            cuts.append((at, parts[index + 1][0]))
    if not cuts:
        return text
    fields.extend(found)
    out: list[str] = []
    last = 0
    for at, after in cuts:
        out.append(text[last:at])
        last = after
    out.append(text[last:])
    return "".join(out)


def _paren_groups(text: str, fields: list[Field]) -> str:
    out: list[str] = []
    last = 0
    end = 0  # where the previous group ended
    for match in _PAREN_OPEN.finditer(text):
        start = match.start()  # the group takes the whitespace before it (as `_PAREN` does)
        while start > end and text[start - 1].isspace():
            start -= 1
        end = match.end()
        found = _group_fields(_split(match.group(1)))
        if not found:
            continue
        if any(f.kind == "status" for f in found) and text[end:].strip():
            continue  # "(fixed in v2.3)" inside a sentence speaks of something else
        fields.extend(found)
        out.append(text[last:start])
        last = end
    out.append(text[last:])
    return "".join(out)


# "owner: alice, bob": a bare name after an owner field, set off by a comma, is one more owner.
# Another owner after a comma: a handle, a user name or a name; not a horizon or a date
# ("owner: unassigned, Q4 2025").
_MORE_OWNER: Final = re.compile(r"(?!Q[1-4]\b|H[12]\b|\d)(?:@?[\w.'-]+|" + _NAME + ")")


def _group_fields(parts: list[tuple[str, bool]]) -> list[Field] | None:
    """The fields of a run of segments (a parenthesised group), or ``None`` if one is prose."""
    out: list[Field] = []
    named: str | None = None  # a person's name standing alone in the group
    for part, comma in parts:
        found = segment_fields(part, comma_separated=comma)
        if found is None:
            if comma and out and out[-1].kind == "owner" and _MORE_OWNER.fullmatch(part.strip()):
                out[-1] = Field("owner", f"{out[-1].value}, {part.strip()}")
                continue
            if named is None and _FULL_NAME.fullmatch(part.strip()):
                named = part.strip()
                out.append(Field("owner", named))
                continue
            return None
        out.extend(found)
    if named is not None and (len(out) < 2 or sum(f.kind == "owner" for f in out) > 1):
        return None  # a name alone, or beside an owner, is the sentence's
    return out


# "(Keiko Tanaka, due 28 Mar 2025)": beside other fields, a full name is the owner.
_FULL_NAME: Final = re.compile(r"[A-Z][a-z][\w.'-]*(?:\s+[A-Z][a-z][\w.'-]*){1,2}")


def _tail(text: str, fields: list[Field]) -> str:
    """Peel fields off the end: whole segments first, then space-separated trailing tokens."""
    taken: list[Field] = []
    names: list[str] = []  # bare names waiting for the owner field they continue
    kept = text
    spans = _tail_separators(text)
    index = len(spans)
    while index:
        index -= 1
        start, end = spans[index]
        segment = text[end:]
        comma = text[start:end].strip() == ","
        found = segment_fields(segment, comma_separated=comma)
        if found is None and _is_due_in_a_field_run(text, spans, index, taken):
            found = [Field("due", segment.strip().rstrip("."))]
        if found is None:
            if comma and _MORE_OWNER.fullmatch(segment.strip()):
                names.append(segment.strip())
                text = text[:start]
                continue
            # "— dropped, out of scope for Q4": a status and its reason, set off by more
            # separators of its own.
            starts = [(end, text[start:end].strip() == ",") for start, end in spans[:index]]
            reason = _status_after(text, starts)
            if reason is None:
                # Fields end the text, or the segment that prose follows ("… @olu due
                # 2025-03-01 — note: the alert was late").
                before = len(taken)
                kept = _tail_tokens(kept, taken)
                if len(taken) == before:
                    kept = _tokens_before_prose(kept, spans[: index + 1], taken)
                return _finish_tail(kept, taken, fields)
            index, status = reason
            start = spans[index][0]
            found = [status]
        if names:
            if found[-1].kind != "owner":
                break
            more = ", ".join(reversed(names))
            found[-1] = Field("owner", f"{found[-1].value}, {more}")
            names.clear()
        taken.extend(reversed(found))
        text = text[:start]
        kept = text
    return _finish_tail(_tail_tokens(kept, taken), taken, fields)


# A calendar date written out in full, with its year.
_FULL_DATE: Final = re.compile(
    r"\d{4}[-/.]\d{1,2}[-/.]\d{1,2}|"
    + _MONTH
    + r"\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{1,2}(?:st|nd|rd|th)?\s+"
    + _MONTH
    + r",?\s+\d{4}",
    re.I,
)


def _is_due_in_a_field_run(
    text: str, spans: list[tuple[int, int]], index: int, taken: list[Field]
) -> bool:
    """``— @abrenner — 2025-04-15 — CHK-902``: a bare date among the item's fields is its due
    date (alone, or beside prose, a date says nothing of what it is)."""
    segment = text[spans[index][1] :].strip().rstrip(".")
    if not segment[:1].isalnum() or not _FULL_DATE.fullmatch(segment):
        return False
    if taken:
        return True
    if index == 0:
        return False  # what comes before is the title
    before = text[spans[index - 1][1] : spans[index][0]]
    return segment_fields(before, comma_separated=False) is not None


def _finish_tail(text: str, taken: list[Field], fields: list[Field]) -> str:
    # Taken from the end, the fields go in the text's order (an index loop: compiled, a
    # reversed() iterator is made and read through Python's protocol).
    for index in range(len(taken) - 1, -1, -1):
        fields.append(taken[index])
    return text


def _tokens_before_prose(text: str, spans: list[tuple[int, int]], taken: list[Field]) -> str:
    """Trailing fields of the latest segment, of those that end at one of ``spans``, that has
    any; ``text`` without them."""
    for start, _ in reversed(spans):
        if start >= len(text):
            continue
        found: list[Field] = []
        before = _tail_tokens(text[:start], found)
        if found:
            taken.extend(found)
            # The fields were the whole segment: the separator before them goes too.
            return before.rstrip().rstrip(_SEPARATOR_ENDS).rstrip() + text[start:]
    return text


_SEPARATOR_ENDS: Final = "·•|;—–-,"


def _status_after(text: str, starts: list[tuple[int, bool]]) -> tuple[int, Field] | None:
    """The latest of ``starts`` from which the rest of ``text`` is one status field, its
    reason included, and that field; each start says whether its segment is held to a
    comma's (or a line's) strictness. Cheap when the text names no status."""
    if not starts or not _MAY_NAME_STATUS.search(text, starts[0][0]):
        return None
    for index in range(len(starts) - 1, -1, -1):
        start, strict = starts[index]
        found = read_field(text[start:], comma_separated=strict)
        if _is_status(found):
            return index, found
    return None


# Every status field names a state or is labelled: without one of these words it is none.
_MAY_NAME_STATUS: Final = re.compile(
    r"\b(?:status|state|" + "|".join((DONE_WORDS, DROPPED_WORDS, OPEN_WORDS)) + r")\b|[✅✔☑❌🚫]",
    re.I,
)


# Fields are short: a separator or boundary further than this from the end does not start one.
_TAIL_WINDOW: Final = 240


def _tail_separators(text: str) -> list[tuple[int, int]]:
    """Where the separators in the text's tail window are (not at its very start), in order."""
    spans = _separators(text, max(0, len(text) - _TAIL_WINDOW))
    return spans[1:] if spans and spans[0][0] == 0 else spans


# Trailing fields split by spaces are short: "(owner: Hannah Lee; due: 2025-03-07; …)".
_TAIL_PIECES: Final = 120
_TAIL_CHARS: Final = re.compile(r"[@(\[:#=0-9]")
# (A date after "by" has a digit, but for these; an address has its ":".)
_TAIL_WORDS: Final = (
    "owner", "owned", "assign", "dri ", "prio", "due", "eta ", "deadline", "target", "by next",
    "by end", "by eo",
)  # fmt: skip


def _may_end_in_fields(text: str) -> bool:
    """Cheap test of the text's last characters: every field form needs one of these characters
    or words."""
    if _TAIL_CHARS.search(text, max(0, len(text) - _TAIL_PIECES)):
        return True
    lowered = text[-_TAIL_PIECES:].lower()
    return any(word in lowered for word in _TAIL_WORDS)


def _tail_tokens(text: str, taken: list[Field]) -> str:
    """``… in the runbook index @tariq due 2025-06-30 OPS-412``: trailing fields split by spaces."""
    if not _may_end_in_fields(text):
        return text
    bounds = _space_candidates(text, max(0, len(text) - _TAIL_PIECES))
    while bounds:
        start = bounds.pop()
        if not _soft_start(text, start, start + 1):
            continue
        piece = text[start:].strip()
        paren = _PAREN.fullmatch(piece) if piece.startswith("(") else None
        if paren:
            inner = _group_fields(_split(paren.group(1)))
            if not inner:
                return text
            taken.extend(reversed(inner))
            text = text[:start]
            continue
        if _runs_over_a_separator(piece):
            return text  # a field's value does not run over a separator: the tail was prose
        found = read_field(piece)
        if found is None:
            # "(@ravi, due 2025-02-14)" holds a boundary of its own: try the next one back.
            if ")" in piece and "(" not in piece:
                continue
            return text
        if found.kind == "status":
            return text
        label = _label_before(text, bounds, start, found)
        if label is not None:  # "… owner @ana", "… assigned to @ana": the label goes too
            start = bounds[label]
            del bounds[label:]
        elif found.kind in ("owner", "ticket"):
            before = text[:start].rsplit(None, 1)
            if not before or before[-1].strip("*_,;:").lower() in _IN_PROSE:
                return text
        taken.append(found)
        text = text[:start]
    return text


def _label_before(text: str, bounds: list[int], piece: int, found: Field) -> int | None:
    """Where the label of ``found`` starts, when a candidate just before it labels it ("owner"
    or "owned by" before "@ana", "ticket" before "OPS-12"); not when prose leads into the
    label ("… to the owner @ana"). ``piece`` is where ``found`` starts."""
    for index in range(len(bounds) - 1, -1, -1):
        start = bounds[index]
        if piece - start > _LONGEST_LABEL:
            return None
        if text[start:piece].strip(" \t*_:").lower() not in _KEYS:
            continue
        labelled = read_field(text[start:].strip())
        if (
            labelled is None
            or labelled.kind != found.kind
            or labelled.status != found.status
            or not labelled.value.endswith(found.value)
        ):
            continue
        before = text[:start].rsplit(None, 1)
        if not before or before[-1].strip("*_,;:").lower() in _LEADS_INTO_A_LABEL:
            return None
        return index
    return None


# A label is one of the keys, written with a space or a colon before the value.
_LONGEST_LABEL: Final = max(map(len, _KEYS)) + 3
# Words after which "owner", "due" and the like are the sentence's nouns, not a label.
_LEADS_INTO_A_LABEL: Final = _IN_PROSE | {
    "the",
    "a",
    "an",
    "its",
    "their",
    "our",
    "his",
    "her",
    "new",
}


def _runs_over_a_separator(text: str) -> bool:
    """Whether ``text`` holds a separator other than a comma (a list of owners, a date's)."""
    return any(text[begin:end].strip() != "," for begin, end in _separators(text))


def _head(text: str, fields: list[Field]) -> str:
    """``Owner: @alice - Add an alert …``, ``**FU-41** · High · Alert when …``: fields that
    open the text (labelled ones, or a lone reference or priority), each up to a separator."""
    taken: list[Field] = []
    box = _CHECK_BOX.match(text)  # "- [ ] **FU-41** · …": the box stays in front
    if box:
        text = text[box.end() :]
    while _LABELLED.match(text) or text[:1] in _HEAD_STARTS:
        match = _SEPARATOR.search(text)
        if match is None or match.start() == 0:
            break
        segment = text[: match.start()].strip()
        if _LABELLED.match(segment):
            found = segment_fields(segment)
        elif match.start() <= _LONGEST_HEAD:
            lone = read_field(segment)
            if lone is None and _PRIORITY_WORD.fullmatch(segment.strip("*_")):
                lone = Field("priority", segment.strip("*_"))  # "High · …", as a column
            found = [lone] if lone is not None and lone.kind in ("ticket", "priority") else None
        else:
            found = None
        if found is None:
            break
        taken.extend(found)
        text = text[match.end() :]
    fields[:0] = taken
    return box.group() + text if box else text


_CHECK_BOX: Final = re.compile(r"\[[ xX]?\]\s+")
# What a lone reference or priority opening an item can start with ("**FU-41**", "P1", "#12"),
# and how far into the text its separator comes at the most.
_HEAD_STARTS: Final = frozenset("*_#[ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_LONGEST_HEAD: Final = 28
_PRIORITY_WORD: Final = re.compile(r"critical|urgent|highest|high|medium|low|lowest", re.I)
# A cheap test that the text may open with such a field (after a check box, in bold or a link).
_MAY_OPEN_WITH_A_FIELD: Final = re.compile(
    r"(?:\[[ xX]?\]\s+)?(?:\*\*|__)?\[?(?:[A-Z][A-Z0-9_]+-\d|#\d|P[0-4]\b|"
    + _PRIORITY_WORD.pattern
    + r"\b)",
    re.I,
)
# What "P1" and the priority words open with, lower-cased.
_PRIORITY_OPENINGS: Final = frozenset(
    (*(word[:2] for word in _PRIORITY_WORD.pattern.split("|")), "p0", "p1", "p2", "p3", "p4")
)


def _may_open_with_a_field(text: str) -> bool:
    """`_MAY_OPEN_WITH_A_FIELD` for a text opening with one of `_HEAD_STARTS`. One opening with
    a capital (and another ASCII character) opens with "P1" or a priority word only if it
    opens with one's first two letters, and with a reference only if its first "-" has no
    space before it: most texts are turned away without the pattern."""
    opening = text[:2]
    if (
        "A" <= opening[:1] <= "Z"
        and opening.isascii()
        and opening.lower() not in _PRIORITY_OPENINGS
    ):
        dash = text.find("-")
        if dash == -1 or text.find(" ", 0, dash) != -1:
            return False
    return _MAY_OPEN_WITH_A_FIELD.match(text) is not None
