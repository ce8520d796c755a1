"""Every document of the shared postmortem corpus is extracted as recorded in expected.json.

The expected file was written by reading each document and deciding what a user would want
extracted (see README.md beside it for the judgement calls). Regenerate it only after
re-checking those decisions: ``python -m tests.corpus.regenerate``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followthrough.adapters.sources.reader import DocumentReader
from tests.corpus.expected import summary

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "postmortems"
EXPECTED = Path(__file__).with_name("expected.json")

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def actual() -> dict[str, list[dict[str, object]]]:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}; CI always has it beside the project")
    return summary(DocumentReader().read([str(CORPUS)]), CORPUS)


def _expected() -> dict[str, list[dict[str, object]]]:
    data: dict[str, list[dict[str, object]]] = json.loads(EXPECTED.read_text(encoding="utf-8"))
    return data


def test_every_corpus_document_is_recorded(actual: dict[str, list[dict[str, object]]]) -> None:
    assert sorted(actual) == sorted(_expected())


@pytest.mark.parametrize("name", sorted(_expected()))
def test_document_extracted_as_recorded(
    name: str, actual: dict[str, list[dict[str, object]]]
) -> None:
    assert actual.get(name) == _expected()[name]
