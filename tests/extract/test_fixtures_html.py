"""HTML and Confluence storage-format documents of our own writing, each with the extraction
it must give in ``fixtures_html/<name>.expected.json``.

Rendered Confluence pages (Server user links, Cloud mentions by account id, personal-space
links, rendered task lists), a Google Docs export, and storage format as the REST API returns
it (task lists, user mentions, dates, status lozenges, Jira macros, layouts and panels).

After a deliberate change of extraction, rewrite the expectations with
``python -m tests.extract.test_fixtures_html`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import Postmortem

FIXTURES = Path(__file__).resolve().parent / "fixtures_html"
DOCUMENTS = sorted(path for path in FIXTURES.iterdir() if not path.name.endswith(".json"))


def summary(postmortems: tuple[Postmortem, ...]) -> list[dict[str, Any]]:
    return [
        {
            "title": pm.title,
            "date": pm.date.isoformat() if pm.date else None,
            "action_items": [
                {
                    "title": item.title,
                    "line": item.line,
                    "owner": item.owner,
                    "due": item.due.isoformat() if item.due else None,
                    "tickets": list(item.tickets),
                    "status": item.status.value,
                }
                for item in pm.action_items
            ],
            "findings": sorted({(f.code, f.line) for f in pm.findings}),
        }
        for pm in postmortems
    ]


def read(path: Path) -> list[dict[str, Any]]:
    return summary(DocumentReader().parse_bytes(path.read_bytes(), name=path.name))


def expected_path(path: Path) -> Path:
    return path.with_name(path.name.rsplit(".", 1)[0] + ".expected.json")


def test_there_are_fixtures_of_each_kind() -> None:
    names = [path.name for path in DOCUMENTS]
    assert len(names) >= 8
    assert any(name.startswith("confluence-") for name in names)
    assert any(name.startswith("google-docs") for name in names)
    assert any(name.startswith("storage-") and name.endswith(".xml") for name in names)
    assert any(name.startswith("storage-") and name.endswith(".html") for name in names)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda path: path.name)
def test_fixture_gives_its_expected_extraction(path: Path) -> None:
    expected = json.loads(expected_path(path).read_text(encoding="utf-8"))
    found = json.loads(json.dumps(read(path)))  # tuples as lists, as in the file
    assert found == expected


def main() -> None:
    for path in DOCUMENTS:
        text = json.dumps(read(path), indent=1, ensure_ascii=False) + "\n"
        expected_path(path).write_text(text, encoding="utf-8")
        print(f"wrote {expected_path(path).name}")


if __name__ == "__main__":
    main()
