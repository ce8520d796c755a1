"""Each fixture document under ``fixtures/`` extracts exactly as its ``.expected.json`` says.

The fixtures are written for this project (invented teams and people) and cover the ways
writers attach owner, due, ticket, status, priority and category to an item, in Markdown and
in HTML as Confluence and Google Docs export it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.extract.fixture_expectations import documents, expected_path, extracted


def _differences(actual: dict[str, Any], expected: dict[str, Any]) -> list[str]:
    """One line per differing value: where it is, what was expected, what came out."""
    out = [
        f"postmortem {key}: expected {expected.get(key)!r}, got {actual.get(key)!r}"
        for key in ("team", "date", "status")
        if actual.get(key) != expected.get(key)
    ]
    got, want = actual["items"], expected["items"]
    if len(got) != len(want):
        out.append(
            f"{len(want)} items expected, {len(got)} extracted: got titles "
            f"{[item['title'] for item in got]}"
        )
    for position, (item, wanted) in enumerate(zip(got, want, strict=False), start=1):
        for key in wanted:
            if item.get(key) != wanted[key]:
                out.append(
                    f"item {position} ({wanted['title']!r}, line {wanted['line']}) {key}: "
                    f"expected {wanted[key]!r}, got {item.get(key)!r}"
                )
    return out


def test_there_are_at_least_thirty_fixtures_each_with_its_expectation() -> None:
    found = documents()
    assert len(found) >= 30
    assert [path.name for path in found if not expected_path(path).is_file()] == []
    assert {path.suffix for path in found} == {".md", ".html"}


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_fixture_extracts_as_expected(document: Path) -> None:
    expected = json.loads(expected_path(document).read_text(encoding="utf-8"))
    differences = _differences(extracted(document), expected)
    assert not differences, f"{document.name}:\n  " + "\n  ".join(differences)
