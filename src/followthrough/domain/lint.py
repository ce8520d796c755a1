"""Lint: what would stop an action item being followed through, said back to its author.

Codes and default severities are part of the product's contract (teams may override them).
Only open items are held to owner/due rules: a done or dropped item needs no follow-through.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Final

from followthrough.domain.document import SourceProblem
from followthrough.domain.keys import normalised_words
from followthrough.domain.model import (
    ActionItem,
    Category,
    Finding,
    ItemStatus,
    Postmortem,
    Severity,
)
from followthrough.domain.values import both_readings, is_placeholder, owner_kind

# The open state, read once: compiled, each ``ItemStatus.OPEN`` in a function is an attribute
# lookup on the enum class.
_OPEN: Final = ItemStatus.OPEN

DEFAULT_SEVERITIES: Final[Mapping[str, Severity]] = {
    "missing-owner": Severity.ERROR,
    "team-owner": Severity.WARNING,
    "multiple-owners": Severity.ERROR,
    "missing-due": Severity.ERROR,
    "unparseable-due": Severity.ERROR,
    "vague-outcome": Severity.WARNING,
    "duplicate-item": Severity.WARNING,
    "no-action-items": Severity.WARNING,
    "unreadable-item": Severity.WARNING,
    "unreadable-document": Severity.ERROR,
    "bad-front-matter": Severity.ERROR,
    # Only with an archive to compare with (``lint --archive``): the same promise made before.
    "earlier-promises": Severity.WARNING,
    "no-prevention-or-detection": Severity.WARNING,
}
CODES: Final = tuple(DEFAULT_SEVERITIES)

_VAGUE_WORDS: Final = (
    "improve", "investigate", r"look\s+into", "consider", "explore", r"think\s+about", "discuss",
    "evaluate", "research", "revisit", "review", "assess", "analy[sz]e", "try", "better", "more",
    "enhance", "understand", r"figure\s+out", "brainstorm", r"check\s+(?:if|whether)",
    r"see\s+(?:if|whether)", r"work\s+on",
)  # fmt: skip
_VAGUE_START: Final = re.compile(r"^(?:" + "|".join(_VAGUE_WORDS) + r")\b", re.I)
# The first two letters of those words: a title opening with two other ASCII characters
# (lower-cased, as the case-insensitive match sees ASCII) opens with none of them.
_VAGUE_OPENINGS: Final = frozenset(word[:2] for word in _VAGUE_WORDS)
# What makes an outcome checkable: a number, a condition, a decision to write down.
_MEASURABLE_WORDS: Final = (
    r"so\s+that|when|if|exceeds?|within|by\s+(?:adding|removing|using|setting)|resulting\s+in|"
    r"decid\w+|write\s+up|proposal|adr"
)
_MEASURABLE: Final = re.compile(r"\d|%|\b(?:" + _MEASURABLE_WORDS + r")\b", re.I)
# The same for an ASCII title lower-cased (what the case-insensitive match sees) with a space
# before it: one character class opens it, so that a search skips over the letters; a digit or
# "%" matches there, and any other character it takes is no word character, so a word follows
# a word boundary.
_MEASURABLE_LOWER: Final = re.compile(r"[^a-z_](?:(?<=[0-9%])|(?:" + _MEASURABLE_WORDS + r")\b)")


@dataclass(frozen=True, slots=True)
class LintPolicy:
    """Severity per code; ``None`` turns a code off."""

    severities: Mapping[str, Severity | None] = field(
        default_factory=lambda: dict(DEFAULT_SEVERITIES)
    )

    @classmethod
    def with_overrides(cls, overrides: Mapping[str, str | None]) -> LintPolicy:
        """Defaults with a team's overrides (``error``, ``warning`` or ``off``)."""
        unknown = sorted(set(overrides) - set(DEFAULT_SEVERITIES))
        if unknown:
            raise ValueError(
                f"unknown lint code(s): {', '.join(unknown)}; known: {', '.join(CODES)}"
            )
        merged: dict[str, Severity | None] = dict(DEFAULT_SEVERITIES)
        for code, level in overrides.items():
            merged[code] = None if level in (None, "off") else Severity(str(level))
        return cls(severities=merged)

    def severity(self, code: str) -> Severity | None:
        return self.severities.get(code, DEFAULT_SEVERITIES.get(code))

    def __reduce__(self) -> tuple[type[LintPolicy], tuple[dict[str, Severity | None]]]:
        # Sent to the parse pool's workers. Rebuilt by its constructor: a compiled frozen
        # class cannot be unpickled by setting its fields one by one.
        return LintPolicy, (dict(self.severities),)


def lint_postmortem(
    postmortem: Postmortem, *, policy: LintPolicy, problems: Sequence[SourceProblem] = ()
) -> Postmortem:
    """The postmortem with its findings filled in."""
    findings = lint_findings(
        postmortem.action_items,
        path=postmortem.path,
        line=postmortem.line,
        has_action_section=postmortem.has_action_section,
        accepted_risk=bool(postmortem.extra.get("accepted_risk")),
        readable=postmortem.readable,
        policy=policy,
        problems=problems,
    )
    return replace(postmortem, findings=findings)


def lint_findings(
    items: Sequence[ActionItem],
    *,
    path: str,
    line: int,
    has_action_section: bool,
    accepted_risk: bool,
    readable: bool = True,
    policy: LintPolicy,
    problems: Sequence[SourceProblem] = (),
) -> tuple[Finding, ...]:
    """The findings of a postmortem that starts on ``line`` of ``path`` and holds ``items``."""
    raw: list[tuple[str, str, int, str | None]] = [
        (problem.code, problem.message, problem.line, None) for problem in problems
    ]
    if items:
        raw.extend(_coverage(items, line))
    elif readable and not accepted_risk:
        if has_action_section:
            message = "the action-item section lists no items; add them, or say why none are needed"
        else:
            message = "no action-item section found; add one, or say why none are needed (e.g. an accepted risk)"
        raw.append(("no-action-items", message, line, None))
    for item in items:
        if item.status == _OPEN:  # item_findings holds nothing else to a rule
            for code, message in item_findings(item):
                raw.append((code, message, item.line, item.key))
    if len(items) > 1:
        duplicates = duplicate_keys(items)
        for item in items:
            if item.key in duplicates:
                message = (
                    f"same outcome as the item on line {duplicates[item.key][1]}: “{item.title}”"
                )
                raw.append(("duplicate-item", message, item.line, item.key))
    findings: list[Finding] = []
    levels: dict[str, Severity | None] = {}
    for code, message, at, key in raw:
        level = levels[code] if code in levels else levels.setdefault(code, policy.severity(code))
        if level is not None:
            findings.append(Finding(code, level, message, path, at, key))
    return tuple(findings)


_GUARDING: Final = frozenset({Category.PREVENTION, Category.DETECTION})


def _coverage(items: Sequence[ActionItem], line: int) -> list[tuple[str, str, int, str | None]]:
    """Items that only respond or communicate leave the next incident as likely and as late.

    Said only when every item's kind is known: an item of unknown kind may well prevent."""
    kinds = [item.category for item in items]
    if None in kinds or any(kind in _GUARDING for kind in kinds):
        return []
    message = (
        f"none of the {len(items)} item(s) prevents a recurrence or detects"
        " it sooner; add a prevention or detection item, or say why none is possible"
    )
    return [("no-prevention-or-detection", message, line, None)]


def item_findings(item: ActionItem) -> list[tuple[str, str]]:
    """(code, message) for every rule one item breaks."""
    if item.status != _OPEN:
        return []
    found: list[tuple[str, str]] = []
    found.extend(_owner_findings(item))
    if item.due is None and not item.due_text:
        found.append(
            ("missing-due", f"“{_short(item.title)}” has no due date; give a calendar date")
        )
    elif item.due is None and is_placeholder(item.due_text):
        message = f"due date “{item.due_text}” is a placeholder; give a calendar date"
        found.append(("missing-due", message))
    elif item.due is None:
        found.append(("unparseable-due", _unparseable_due(item.due_text or "")))
    title = item.title
    if _may_open_vaguely(title) and _VAGUE_START.match(title) and not _is_measurable(title):
        found.append(
            (
                "vague-outcome",
                f"“{_short(item.title)}” has no clear, checkable outcome; say what done looks like",
            )
        )
    return found


def _may_open_vaguely(title: str) -> bool:
    """Cheap pre-check for `_VAGUE_START`: the title's first two characters."""
    opening = title[:2]
    return not opening.isascii() or opening.lower() in _VAGUE_OPENINGS


def _is_measurable(title: str) -> bool:
    """Whether `_MEASURABLE` finds something in ``title``."""
    if title.isascii():
        return _MEASURABLE_LOWER.search(" " + title.lower()) is not None
    return _MEASURABLE.search(title) is not None


def _unparseable_due(due_text: str) -> str:
    readings = both_readings(due_text)
    if readings:  # "12/06/2024": 12 June or 6 December
        day_first, month_first = (f"{d.day} {d:%B %Y} ({d.isoformat()})" for d in readings)
        return (
            f"due date “{due_text}” may be {day_first} or {month_first}; "
            "write the one meant as YYYY-MM-DD"
        )
    return f"due date “{due_text}” is not a calendar date (write e.g. 2024-05-10)"


def _owner_findings(item: ActionItem) -> list[tuple[str, str]]:
    if item.owner is None:
        if item.owner_text:
            return [
                ("missing-owner", f"owner “{item.owner_text}” is a placeholder; name one person")
            ]
        return [("missing-owner", f"“{_short(item.title)}” has no owner; name one person")]
    kind = owner_kind(item.owner)
    if kind == "multiple":
        return [("multiple-owners", f"“{item.owner}” names more than one owner; pick one person")]
    if kind == "team":
        return [
            ("team-owner", f"“{item.owner}” is a team or group; name one person who carries it")
        ]
    return []


def duplicate_keys(items: Sequence[ActionItem]) -> dict[str, tuple[str, int]]:
    """Key of every later duplicate → (key, line) of the first item with the same words."""
    first: dict[str, tuple[str, int]] = {}
    found: dict[str, tuple[str, int]] = {}
    for item in items:
        words = normalised_words(item.title)
        if words in first:
            found[item.key] = first[words]
        else:
            first[words] = (item.key, item.line)
    return found


def _short(title: str, limit: int = 60) -> str:
    return title if len(title) <= limit else title[: limit - 1].rstrip() + "…"
