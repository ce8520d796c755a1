"""Promises made more than once: the same action proposed in two or more postmortems.

Two items are the same promise when their outcomes share the words that carry meaning: the
words left once markup, numbers, filler and the generic verbs every action starts with
(add, improve, make sure …) are gone, each reduced to a crude stem. They match when they
share at least three such stems, or two when neither outcome has more than three, and the
shared stems are most of the shorter outcome's. Look-alikes that differ in what they act
on ("alert on queue depth" and "alert on disk usage") share one stem and do not match.

Candidates come from an index of stems, skipping stems so common in the archive that they
say nothing; the cost grows with the archive, not with its square.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from followthrough.domain.keys import normalised_words
from followthrough.domain.lint import LintPolicy
from followthrough.domain.model import ActionItem, Finding, ItemStatus, Postmortem

_FILLER = frozenset(
    (
        "a an the and or of to in on for with from by at as into onto per via so that this "
        "these those it its be is are was were been being has have had will would should can "
        "could must may might we our us they their them all any each every more less new "
        "when if then than also not no only just still again before after during within "
        "without over under about across between team teams"
    ).split()
)
_GENERIC_VERBS = frozenset(
    (
        "add adding added create creating created improve improving improved ensure ensuring "
        "make making made set setting update updating updated introduce introducing implement "
        "implementing write writing review reviewing document documenting consider investigate "
        "evaluate look follow up fix fixing fixed use using build building define defining "
        "provide providing enable enabling support supporting move moving start starting "
        "put keep get give allow allowing better"
    ).split()
)
_SUFFIXES = ("ations", "ation", "ings", "ing", "ers", "ies", "ied", "es", "ed", "er", "ly", "s")
# A stem found in more than this share of a large archive's items does not make candidates.
_COMMON_SHARE = 0.05
_COMMON_FLOOR = 20


def stems(title: str) -> frozenset[str]:
    """The meaningful words of an outcome, each crudely stemmed."""
    out: set[str] = set()
    for word in normalised_words(title).split():
        if word in _FILLER or word in _GENERIC_VERBS or word.isdigit() or len(word) < 3:
            continue
        out.add(_stem(word))
    return frozenset(out)


def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word.endswith("e") else word


def same_promise(one: frozenset[str], other: frozenset[str]) -> bool:
    """Do two outcomes' stems say the same thing (see the module's rule)?"""
    shared = len(one & other)
    shorter = min(len(one), len(other))
    if shorter == 0:
        return False
    needed = 2 if max(len(one), len(other)) <= 3 else 3
    return shared >= needed and shared / shorter >= 0.75


@dataclass(frozen=True, slots=True)
class Promise:
    """One item as the archive holds it: where it was promised and where it stands."""

    postmortem_id: str
    path: str
    date: dt.date | None
    line: int
    title: str
    status: ItemStatus
    ticket: str | None
    topics: tuple[str, ...] = ()  # the services, components and tags of its postmortem

    @property
    def state(self) -> str:
        return {"open": "still open", "done": "done", "dropped": "dropped"}[self.status.value]


@dataclass(frozen=True, slots=True)
class Recurrence:
    """A promise made in two or more postmortems, oldest first."""

    promises: tuple[Promise, ...]

    @property
    def title(self) -> str:
        return self.promises[-1].title

    def summary(self) -> str:
        """``promised in 2025-03 and 2025-09; still open``."""
        months = [
            p.date.strftime("%Y-%m") if p.date else "an undated postmortem" for p in self.promises
        ]
        listed = ", ".join(months[:-1]) + f" and {months[-1]}" if len(months) > 1 else months[0]
        return f"promised in {listed}; {self.promises[-1].state}"


def promises_of(postmortems: Iterable[Postmortem]) -> list[Promise]:
    return [
        Promise(pm.id, pm.path, pm.date, item.line, item.title, item.status, item.ticket, pm.topics)
        for pm in postmortems
        for item in pm.action_items
    ]


def _apart(one: Sequence[str], other: Sequence[str]) -> bool:
    """Both postmortems say what they are about (their topics), and it is not the same."""
    return bool(one and other) and not set(one) & set(other)


def recurrences(postmortems: Sequence[Postmortem]) -> list[Recurrence]:
    """Every promise made in two or more postmortems, most recent recurrence first."""
    promises = promises_of(postmortems)
    words = [stems(p.title) for p in promises]
    parent = list(range(len(promises)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    for index, other in _candidate_pairs(words):
        if promises[index].postmortem_id == promises[other].postmortem_id:
            continue
        if _apart(promises[index].topics, promises[other].topics):
            continue
        if same_promise(words[index], words[other]):
            parent[root(index)] = root(other)
    groups: dict[int, list[Promise]] = defaultdict(list)
    for index, promise in enumerate(promises):
        groups[root(index)].append(promise)
    found = [
        Recurrence(tuple(sorted(group, key=_when)))
        for group in groups.values()
        if len({p.postmortem_id for p in group}) >= 2
    ]
    return sorted(found, key=lambda r: (_when(r.promises[-1]), r.title), reverse=True)


def earlier_promises(
    postmortem: Postmortem, archive: Sequence[Postmortem]
) -> list[tuple[ActionItem, list[Promise]]]:
    """For each item of ``postmortem``, the archive's earlier open or dropped same promises."""
    earlier = [
        p
        for p in promises_of(pm for pm in archive if pm.id != postmortem.id)
        if p.status in (ItemStatus.OPEN, ItemStatus.DROPPED)
        and (postmortem.date is None or p.date is None or p.date <= postmortem.date)
    ]
    earlier_words = [stems(p.title) for p in earlier]
    index = _index(earlier_words)
    found: list[tuple[ActionItem, list[Promise]]] = []
    for item in postmortem.action_items:
        mine = stems(item.title)
        candidates = {i for stem in mine for i in index.get(stem, ())}
        matches = [
            earlier[i]
            for i in sorted(candidates)
            if same_promise(mine, earlier_words[i])
            and not _apart(postmortem.topics, earlier[i].topics)
        ]
        if matches:
            found.append((item, sorted(matches, key=_when)))
    return found


def same_topics(postmortem: Postmortem, archive: Sequence[Postmortem]) -> list[Promise]:
    """Earlier items, still open or dropped, of postmortems about one of the same topics."""
    if not postmortem.topics:
        return []
    mine = set(postmortem.topics)
    return sorted(
        (
            p
            for p in promises_of(pm for pm in archive if pm.id != postmortem.id)
            if p.status in (ItemStatus.OPEN, ItemStatus.DROPPED)
            and mine & set(p.topics)
            and (postmortem.date is None or p.date is None or p.date <= postmortem.date)
        ),
        key=_when,
    )


def _when(promise: Promise) -> tuple[dt.date, str, int]:
    return (promise.date or dt.date.min, promise.path, promise.line)


def _index(words: Sequence[frozenset[str]]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = defaultdict(list)
    for position, found in enumerate(words):
        for stem in found:
            index[stem].append(position)
    return index


def _candidate_pairs(words: Sequence[frozenset[str]]) -> Iterable[tuple[int, int]]:
    index = _index(words)
    common = max(_COMMON_FLOOR, int(len(words) * _COMMON_SHARE))
    seen: set[tuple[int, int]] = set()
    for positions in index.values():
        if len(positions) > common:
            continue
        for left_at, left in enumerate(positions):
            for right in positions[left_at + 1 :]:
                pair = (left, right)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def flag_earlier_promises(
    postmortem: Postmortem, archive: Sequence[Postmortem], *, policy: LintPolicy
) -> Postmortem:
    """The postmortem with an ``earlier-promises`` finding on each item promised before and
    still open or dropped, naming where and when, so the review sees it while writing."""
    level = policy.severity("earlier-promises")
    if level is None:
        return postmortem
    by_wording = earlier_promises(postmortem, archive)
    findings = [
        Finding(
            code="earlier-promises",
            severity=level,
            message="promised before: "
            + "; ".join(
                f"“{p.title}” ({p.path}:{p.line}, {p.date or 'undated'}, {p.state})"
                for p in matches[:5]
            )
            + (f"; and {len(matches) - 5} more" if len(matches) > 5 else ""),
            path=postmortem.path,
            line=item.line,
            item=item.key,
        )
        for item, matches in by_wording
    ]
    shown = {(p.path, p.line) for _, matches in by_wording for p in matches}
    about = [p for p in same_topics(postmortem, archive) if (p.path, p.line) not in shown]
    if about:
        listed = "; ".join(
            f"“{p.title}” ({p.path}:{p.line}, {p.date or 'undated'}, {p.state})" for p in about[:5]
        )
        more = f"; and {len(about) - 5} more" if len(about) > 5 else ""
        findings.append(
            Finding(
                code="earlier-promises",
                severity=level,
                message=f"earlier items about {', '.join(postmortem.topics)} still open or"
                f" dropped: {listed}{more}",
                path=postmortem.path,
                line=postmortem.line,
            )
        )
    if not findings:
        return postmortem
    return replace(postmortem, findings=(*postmortem.findings, *findings))
