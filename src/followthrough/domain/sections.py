"""What headings and labels mean: which start an action-item section, which name a group.

The vocabulary comes from real postmortems and the templates organisations publish
(`Action Items`, `Corrective and Preventative Measures`, `- **Review actions**:` …).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from followthrough.domain.memo import remember
from followthrough.domain.model import Category, ItemStatus

_ACTION_HEADING: Final = re.compile(
    r"^(?:(?:preventive|preventative|detective|response|recovery|mitigation|detection|"
    r"communication|priority|other|planned|open|outstanding|remaining|immediate|"
    r"(?:short|long|longer|medium|mid)[\s-]*term)\s+)?"
    r"(?:action\s*items?|actions?\s+points?|actionables?|follow[\s-]*ups?"
    r"(?:\s+(?:improvements?|actions?(?:\s+items?)?|items?|tasks?|work))?|followup\s+actions?"
    r"|(?:root\s+cause\s+)?remediations?(?:\s+(?:items?|actions?|plan))?"
    r"|corrective(?:\s+(?:and|&)\s+prevent(?:at)?ive)?\s+(?:actions?|measures?)"
    r"|prevent(?:at)?ive\s+(?:actions?|measures?)|review\s+actions?|actions\s+following\s+review"
    r"|next\s+steps?|recommendations?|(?:future|technical|process|documentation)\s+improvements?"
    r"|lessons\s+learned\s+and\s+future\s+improvements?|how\s+(?:are\s+)?we(?:'re|\s+are)?\s+"
    r"preventing\s+(?:it|this)(?:\s+from\s+happening\s+again)?|(?:short[\s-]*term|immediate)\s+"
    r"fix(?:es)?"
    r"|long[\s-]*term\s+(?:solutions?|fix(?:es)?)|(?:priority|other)\s+actions?|actions"
    r"|action\s+plan|(?:follow[\s-]*up\s+)?tasks|to[\s-]?dos"
    r"|(?:already\s+)?(?:done|completed)\s+during\s+the\s+(?:incident|outage|response)"
    r"|what\s+we(?:'re|\s+are)\s+(?:doing|changing)(?:\s+about\s+it)?"
    r"|what\s+we(?:'ll|\s+will)\s+(?:do|change)(?:\s+next)?)"
    r"(?:\s+(?:&|and)\s+follow[\s-]*ups?)?(?:\s+from\b.*)?$",
    re.I,
)
_INLINE_LABEL: Final = re.compile(
    r"^(?:context\s*/\s*resolution\s*/\s*)?(?:review\s+actions?|actions\s+following\s+review|"
    r"follow[\s-]*up\s+actions?|followup\s+actions?|action\s+items?|next\s+steps?)$",
    re.I,
)
_NON_ITEM_HEADING: Final = re.compile(
    r"^(?:what\s+went\s+(?:well|wrong|poorly|badly)|where\s+we\s+got\s+lucky|questions?\b.*|"
    r"open\s+questions?|investigation|notes?\s+to\s+the\s+owner|timeline|lessons?(?:\s+learned)?|"
    r"(?:root\s+)?causes?|contributing\s+factors?|impact|summary|background|resolution|"
    r"stabili[sz]ation\s+steps|detection\s+and\s+response|trigger|attendees|participants|"
    r"responders|thanks|appendix\b.*|supporting\s+information|stats|glossary|references?|"
    r"potential\s+learnings|key\s+takeaways|derp\s+checklist|conclusion|discussion|links?|"
    r"related(?:\s+(?:incidents?|links|pages|documents|tickets))?|resources|see\s+also|"
    r"further\s+reading|attachments)$",
    re.I,
)
_CATEGORY_WORDS: tuple[tuple[re.Pattern[str], Category], ...] = (
    (
        re.compile(r"\b(detect(?:ion|ive)?|monitor(?:ing)?|alert(?:ing|s)?|observability)\b", re.I),
        Category.DETECTION,
    ),
    (re.compile(r"\b(prevent(?:ion|ive|ative)?|process|technical)\b", re.I), Category.PREVENTION),
    (
        re.compile(r"\b(respon(?:se|d)|recover(?:y)?|mitigat(?:e|ion|ive)|escalation)\b", re.I),
        Category.RESPONSE,
    ),
    (
        re.compile(r"\b(communicat(?:ion|ions|e)|comms|stakeholders?|status\s+page)\b", re.I),
        Category.COMMUNICATION,
    ),
)
_DONE_GROUP: Final = re.compile(
    r"\b(completed?|done|finished|resolved|already\s+(?:done|taken))\b", re.I
)
_DROPPED_GROUP: Final = re.compile(
    r"\b(won['’]?t\s+do|dropped|cancel+ed|rejected|not\s+planned)\b", re.I
)
_HORIZON: Final = re.compile(
    r"\b(immediate|short[\s-]*term|medium[\s-]*term|mid[\s-]*term|long[\s-]*term|"
    r"short[\s-]*medium\s+term|next\s+\d+\s+(?:days?|weeks?|months?)|"
    r"Q[1-4]\s*\d{4}(?:\s*[-–]\s*Q[1-4]\s*\d{4})?)\b",
    re.I,
)


_MARKUP: Final = re.compile(r"[*_`#]+")
_MARKUP_CHARS: Final = frozenset("*_`#")
_HEADING_LINK: Final = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_NUMBERING: Final = re.compile(r"^\s*(?:\d+(?:\.\d+)*[.)]?|[IVX]+\.)\s+")
_PARENTHETICAL: Final = re.compile(r"\s*\([^)]*\)\s*")


# What was found of each heading (or label) read: the same headings and labels come back in
# every document and every pass. Plain dictionaries, read in the compiled build without a
# call (`memo`).
_WORDS: Final[dict[str, str]] = {}
_ACTION_HEADINGS: Final[dict[str, bool]] = {}
_INLINE_LABELS: Final[dict[str, bool]] = {}
_NON_ITEM_HEADINGS: Final[dict[str, bool]] = {}


def heading_words(text: str) -> str:
    """A heading as words: markup, numbering, trailing colon and parentheticals removed."""
    words = _WORDS.get(text)
    if words is None:
        words = remember(_WORDS, text, _heading_words(text))
    return words


def _heading_words(text: str) -> str:
    # Each rewrite runs only when the characters it needs are present.
    if " #" in text:  # "Follow-up actions #action #postmortem": tags file the section
        text = _TRAILING_TAGS.sub("", text)
    words = text if _MARKUP_CHARS.isdisjoint(text) else _MARKUP.sub("", text)
    if "](" in words:
        words = _HEADING_LINK.sub(r"\1", words)
    first = words.lstrip()[:1]
    if first and (first.isdigit() or first in "IVX"):
        words = _NUMBERING.sub("", words)
    if "(" in words:
        words = _PARENTHETICAL.sub(" ", words)
    words = " ".join(words.split())
    if words and not words[0].isalnum():  # "🛠️ Action items", "✅ Done", "» Follow-ups"
        words = _LEADING_SYMBOLS.sub("", words)
    return words.rstrip(":").strip()


_TRAILING_TAGS: Final = re.compile(r"(?:\s+#[A-Za-z][\w/-]*)+\s*$")
# Emoji, their variation selectors and joiners, and other symbols a heading may open with.
_LEADING_SYMBOLS: Final = re.compile(r"^[^\w(\[]+")


def is_action_heading(text: str) -> bool:
    """Does this heading (or plain line) open an action-item section?"""
    found = _ACTION_HEADINGS.get(text)
    if found is None:
        words = heading_words(text)
        found = remember(
            _ACTION_HEADINGS, text, bool(words) and _ACTION_HEADING.match(words) is not None
        )
    return found


def is_inline_label(text: str) -> bool:
    """A bold list label such as ``**Review actions**:`` whose sub-list holds the items."""
    found = _INLINE_LABELS.get(text)
    if found is None:
        found = remember(_INLINE_LABELS, text, _INLINE_LABEL.match(heading_words(text)) is not None)
    return found


def is_non_item_heading(text: str) -> bool:
    """Headings that sit inside action sections but hold prose, questions or checklists."""
    found = _NON_ITEM_HEADINGS.get(text)
    if found is None:
        found = remember(
            _NON_ITEM_HEADINGS, text, _NON_ITEM_HEADING.match(heading_words(text)) is not None
        )
    return found


@dataclass(frozen=True, slots=True)
class GroupTraits:
    """What a section or group heading says about the items below it."""

    category: Category | None = None
    status: ItemStatus | None = None
    horizon: str | None = None
    # "### Owner: @mkowalski" over the items that person owns (an item's own owner wins).
    owner: str | None = None

    def under(self, outer: GroupTraits) -> GroupTraits:
        """Inner traits win; missing ones are inherited from the enclosing group."""
        return GroupTraits(
            category=self.category or outer.category,
            status=self.status or outer.status,
            horizon=self.horizon or outer.horizon,
            owner=self.owner or outer.owner,
        )


_GROUP_OWNER: Final = re.compile(
    r"^\s*(?:owner|owned\s+by|assignee|dri)\s*:\s*(?P<owner>\S.{0,60})$", re.I
)


@lru_cache(maxsize=8192)
def group_traits(text: str) -> GroupTraits:
    """Category, state and time horizon named by a heading such as ``Immediate actions (completed)``.

    Cached (the traits are immutable): the same headings and labels name groups in many
    documents."""
    plain = re.sub(r"[*_`]+", "", text)
    owner = _GROUP_OWNER.match(plain)
    if owner:  # "Owner: @mkowalski" names who, not what
        return GroupTraits(owner=owner.group("owner").strip())
    category = next((cat for pattern, cat in _CATEGORY_WORDS if pattern.search(plain)), None)
    status = None
    if _DROPPED_GROUP.search(plain):
        status = ItemStatus.DROPPED
    elif _DONE_GROUP.search(plain) and not re.search(
        r"\bin[\s-]*progress\b|\bplanned\b", plain, re.I
    ):
        status = ItemStatus.DONE
    horizon_match = _HORIZON.search(plain)
    horizon = heading_words(plain) if horizon_match else None
    target = re.search(r"\(([^)]*\b(?:Q[1-4]|20\d\d)[^)]*)\)", plain)
    if target and horizon:
        horizon = f"{horizon} ({target.group(1).strip()})"
    return GroupTraits(category=category, status=status, horizon=horizon)
