"""The expected-output files beside the extraction fixtures: what one document must give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from followthrough.adapters.sources.html import parse_html
from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.domain.extract import extract

FIXTURES = Path(__file__).with_name("fixtures")
SUFFIXES = (".md", ".html")


def documents() -> list[Path]:
    """Every fixture document, in name order."""
    return sorted(path for path in FIXTURES.iterdir() if path.suffix in SUFFIXES)


def expected_path(document: Path) -> Path:
    return document.with_name(document.stem + ".expected.json")


def extracted(document: Path) -> dict[str, Any]:
    """What extraction gives for one fixture, in the shape of its expected file."""
    text = document.read_text(encoding="utf-8")
    parse = parse_html if document.suffix == ".html" else parse_markdown
    (postmortem,) = extract(parse(text, path=document.name, stem=document.stem))
    return {
        "team": postmortem.team,
        "date": postmortem.date.isoformat() if postmortem.date else None,
        "status": postmortem.status,
        "items": [
            {
                "title": item.title,
                "owner": item.owner,
                "due": item.due.isoformat() if item.due else None,
                "ticket": item.ticket,
                "status": item.status.value,
                "priority": item.priority,
                "category": item.category.value if item.category else None,
                "line": item.line,
            }
            for item in postmortem.action_items
        ],
    }
