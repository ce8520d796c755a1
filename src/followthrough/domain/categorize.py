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


def _by_first_letter(words: tuple[str, ...]) -> str:
    """The words as one alternation grouped by first letter, so a word start that begins
    none of them is passed over with one comparison per letter."""
    groups = []
    for letter, group in groupby(sorted(words), key=lambda word: word[0]):
        rests = [word[1:] for word in group]
        groups.append(letter + (rests[0] if len(rests) == 1 else f"(?:{'|'.join(rests)})"))
    return "|".join(groups)


_RULES: Final = tuple(
    (category, re.compile(r"\b(?:" + "|".join(words) + r")\b", re.I))
    for category, words in _VOCABULARY
)
# ASCII text lower-cased is exactly what the case-insensitive match would see, and a
# case-sensitive match over it is cheaper. A word starts after a character that is not a
# word character (the text is given a leading space to start with): the search skips
# straight to those.
_LOWER_CASE_RULES: Final = tuple(
    (category, re.compile(r"[^a-z0-9_](?:" + _by_first_letter(words) + r")\b"))
    for category, words in _VOCABULARY
)


def infer_category(text: str) -> Category | None:
    """The first category whose vocabulary the text uses, in the order above, else ``None``."""
    if not text:
        return None
    if text.isascii():
        lowered = " " + text.lower()
        for category, pattern in _LOWER_CASE_RULES:
            if pattern.search(lowered):
                return category
        return None
    for category, pattern in _RULES:
        if pattern.search(text):
            return category
    return None
