"""How much of a careful reader's answers extraction reads, on postmortems written as teams
write them (``held_out/``; see its README for where reader and rules differ, and why)."""

from __future__ import annotations

import difflib
import json
import re
from pathlib import Path
from typing import Any

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import ActionItem
from followthrough.domain.values import find_tickets

HERE = Path(__file__).parent / "held_out"
# Shares of the reader's answers read today: a change that reads less fails.
FLOORS = {
    "items": 0.989,
    "owner": 0.916,
    "due": 0.978,
    "ticket": 0.98,
    "status": 0.986,
    "team": 0.938,
}


def _words(text: str | None) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", (text or "").lower()))


def _ticket(text: str | None) -> str | None:
    found = find_tickets(text) if text else ()
    return found[0] if found else text


def _likeness(wanted: str, title: str) -> float:
    """How alike two titles are; a title that opens the reader's (``**Bold title**: the rest``
    is titled by its bold words) counts as alike."""
    wanted_words, title_words = _words(wanted), _words(title)
    if len(title_words.split()) >= 2 and wanted_words.startswith(title_words + " "):
        return 1.0
    return difflib.SequenceMatcher(None, wanted_words, title_words).ratio()


def _agrees(item: ActionItem, wanted: dict[str, Any]) -> dict[str, bool]:
    return {
        "owner": _words(item.owner) == _words(wanted["owner"]),
        "due": (item.due.isoformat() if item.due else None) == wanted["due"],
        "ticket": item.ticket == _ticket(wanted["ticket"]),
        "status": item.status.value == wanted["status"],
    }


def _score() -> tuple[dict[str, float], list[str]]:
    expected: dict[str, Any] = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    counts = dict.fromkeys(FLOORS, 0)
    misses: list[str] = []
    items = 0
    for name, wanted in sorted(expected.items()):
        postmortems = list(DocumentReader(workers=1).read([str(HERE / "docs" / name)]))
        got = [item for pm in postmortems for item in pm.action_items]
        team = postmortems[0].team if postmortems else None
        same_team = (team or "").casefold() == wanted["team"].casefold()
        counts["team"] += same_team
        if not same_team:
            misses.append(f"{name}: team {team!r}, the reader says {wanted['team']!r}")
        unmatched = list(got)
        for answer in wanted["items"]:
            items += 1
            ratios = [_likeness(answer["title"], item.title) for item in unmatched]
            if not ratios or max(ratios) < 0.6:
                misses.append(f"{name}: item {answer['title']!r} not read")
                continue
            item = unmatched.pop(ratios.index(max(ratios)))
            counts["items"] += 1
            for field, agrees in _agrees(item, answer).items():
                counts[field] += agrees
                if not agrees:
                    misses.append(
                        f"{name}: {answer['title'][:40]!r} {field} {getattr(item, field)!r}, "
                        f"the reader says {answer[field]!r}"
                    )
        misses.extend(f"{name}: item {item.title!r} invented" for item in unmatched)
    shares = {
        field: count / (len(expected) if field == "team" else items)
        for field, count in counts.items()
    }
    return shares, misses


def test_extraction_reads_at_least_as_much_of_the_readers_answers_as_today() -> None:
    shares, misses = _score()
    report = "\n".join(misses)
    assert not [line for line in misses if line.endswith("invented")], report
    below = {field: round(share, 3) for field, share in shares.items() if share < FLOORS[field]}
    assert below == {}, f"{below}\n{report}"


def test_the_set_is_whole() -> None:
    expected = json.loads((HERE / "expected.json").read_text(encoding="utf-8"))
    documents = sorted(
        str(path.relative_to(HERE / "docs"))
        for path in (HERE / "docs").rglob("*")
        if path.is_file()
    )
    assert documents == sorted(expected)
    assert sum(len(entry["items"]) for entry in expected.values()) == 1046
