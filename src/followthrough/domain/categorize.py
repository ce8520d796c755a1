"""Inferring an item's category from its words when no column or group names one."""

from __future__ import annotations

import re
from itertools import groupby
from typing import Final

from followthrough.domain.model import Category

# Each category's vocabulary: whole words (``\w*`` / ``\w+`` extend a stem), lower case.
_VOCABULARY: Final[tuple[tuple[Category, tuple[str, ...]], ...]] = (
    (
        Category.COMMUNICATION,
        (
            r"status\s*page",
            r"communicat\w*",
            r"announce\w*",
            r"notify",
            r"notif\w+",
            r"stakeholders?",
            r"customers?\s+(?:update|comms)",
            r"reach\s+out",
            r"mailing\s+list",
            r"email\s+list",
            r"newsletter",
            r"public\s+statement",
            r"inform\w*",
            r"credits?",
            r"refunds?",
        ),
    ),
    (
        Category.DETECTION,
        (
            r"alert\w*",
            r"monitor\w*",
            r"dashboards?",
            r"detect\w*",
            r"observability",
            r"metrics?",
            r"paging",
            r"pager",
            r"synthetic",
            r"probes?",
            r"health\s*checks?",
            r"logs?",
            r"logging",
            r"visibility",
            r"telemetry",
            r"notice",
        ),
    ),
    (
        Category.RESPONSE,
        (
            r"runbooks?",
            r"playbooks?",
            r"incident\s+response",
            r"drills?",
            r"escalat\w+",
            r"on-?call",
            r"rollback",
            r"roll\s+back",
            r"recover\w*",
            r"restore",
            r"backup\w*",
            r"respond\w*",
            r"incidents?\s+earlier",
            r"declare",
            r"procedures?",
            r"document\w*",
            r"access\s+to",
            r"game\s*days?",
        ),
    ),
    (
        Category.PREVENTION,
        (
            r"tests?",
            r"testing",
            r"validat\w+",
            r"guards?",
            r"limits?",
            r"upgrade\w*",
            r"migrat\w+",
            r"refactor\w*",
            r"ci",
            r"lint\w*",
            r"reviews?",
            r"enforce\w*",
            r"fix\w*",
            r"prevent\w*",
            r"harden\w*",
            r"separate",
            r"isolat\w+",
            r"quotas?",
            r"rate\s*limit\w*",
            r"autoscal\w+",
            r"capacity",
            r"redundan\w+",
            r"circuit\s+breakers?",
            r"staging",
            r"checks?",
            r"schemas?",
            r"implement\w*",
            r"patch\w*",
            r"remove",
            r"deprecat\w+",
        ),
    ),
)


def _by_first_letter(ranks: int = len(_VOCABULARY)) -> str:
    """The words of the first ``ranks`` categories as one alternation grouped by first letter,
    so a word start that begins none of them is passed over with one comparison per letter.
    Under each letter the categories come in the order above, each in a group named for its
    rank and the letter: the group that matches is the first category whose words start where
    the match does."""
    by_letter: dict[str, list[str]] = {}
    for rank, (_, words) in enumerate(_VOCABULARY[:ranks]):
        for letter, group in groupby(sorted(words), key=lambda word: word[0]):
            rests = "|".join(word[1:] for word in group)
            by_letter.setdefault(letter, []).append(f"(?P<c{rank}{letter}>{rests})\\b")
    return "|".join(f"{letter}(?:{'|'.join(groups)})" for letter, groups in by_letter.items())


def _may_start_a_word(ranks: int) -> re.Pattern[bytes]:
    """Where, in the text with a space for each character that is no word character, a word of
    the first ``ranks`` categories may start: at a space, which a search skips to. Where one
    matches the text, the same word with each whitespace character or "-" in it read as a space
    matches this text, so every start is found (and perhaps more)."""
    words = re.sub(r"\(\?P<\w+>", "(?:", _by_first_letter(ranks))
    return re.compile(b" (?=" + words.replace("\\s", " ").replace("-", " ").encode() + b")")


_RULES: Final = tuple(
    (category, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I))
    for category, words in _VOCABULARY
)
# ASCII text lower-cased is exactly what the case-insensitive match would see, and a
# case-sensitive match over it is cheaper. Given a space before it, each of its words starts
# after a character that is no word character.
_WORD_AT: Final = re.compile(_by_first_letter())
# A group's rank (its category's place in the order above), by the group's name.
_RANK_OF_GROUP: Final[dict[str, int]] = {name: int(name[1]) for name in _WORD_AT.groupindex}
_CATEGORIES: Final = tuple(category for category, _ in _VOCABULARY)
# Each byte that is no (ASCII) word character, as a space.
_NOT_WORD_AS_SPACE: Final = bytes(
    code if chr(code).isascii() and (chr(code).isalnum() or code == 0x5F) else 0x20
    for code in range(256)
)
# By rank: where a word of a category before it may start (none before the first).
_MAY_START_A_WORD: Final = tuple(_may_start_a_word(ranks) for ranks in range(len(_VOCABULARY) + 1))


def infer_category(text: str) -> Category | None:
    """The first category whose vocabulary the text uses, in the order above, else ``None``."""
    if not text:
        return None
    if text.isascii():
        # The first category found; after it, only words of the ones before it are looked for.
        lowered = " " + text.lower()
        spaced = lowered.encode().translate(_NOT_WORD_AS_SPACE)
        best = len(_CATEGORIES)
        position = 0
        while best:
            start = _MAY_START_A_WORD[best].search(spaced, position)
            if start is None:
                break
            position = start.end()
            word = _WORD_AT.match(lowered, position)
            if word is not None:
                best = min(best, _RANK_OF_GROUP[str(word.lastgroup)])
        return _CATEGORIES[best] if best < len(_CATEGORIES) else None
    for category, pattern in _RULES:
        if pattern.search(text):
            return category
    return None
