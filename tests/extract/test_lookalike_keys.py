"""Field labels spelt with letters that Unicode case folding equates with ASCII ones.

Matching ignores case as Unicode folds it, so ``ſtatus`` (long s) or ``Tİcket`` (dotted capital
I) is read as the label it folds to. Before, such a label matched and then was not found among
the known keys, and the error stopped the whole run: one hostile line, every team's documents.
"""

from __future__ import annotations

import re

import pytest

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import ActionItem

# Every non-ASCII letter that a case-insensitive match takes for an ASCII letter, found at
# test time rather than listed (today: ı and İ for i, ſ for s).
LOOKALIKES = {
    letter: [
        chr(code)
        for code in range(0x80, 0x10000)
        if re.fullmatch(letter, chr(code), re.I) and chr(code).lower() != letter
    ]
    for letter in "abcdefghijklmnopqrstuvwxyz"
}
VALUES = {
    "Status": "done",
    "Ticket": "OPS-12",
    "Tracking": "OPS-12",
    "Issue": "OPS-12",
    "Priority": "P1",
    "Kind": "prevent",
    "Deadline": "2025-03-01",
    "Assigned to": "@bob",
    "Responsible": "@bob",
}
CARRIERS = {
    "tail": "# Outage\n\n## Action items\n\n- Rotate the signing keys - {key}: {value}\n",
    "parentheses": "# Outage\n\n## Action items\n\n- Rotate the signing keys ({key}: {value})\n",
    "sub-bullet": "# Outage\n\n## Action items\n\n1. **Rotate the signing keys**\n   - {key}: {value}\n",
    "field line": "# Outage\n\n## Action items\n\n### Rotate the signing keys\n**{key}:** {value}\n",
    "html": (
        "<html><body><h1>Outage</h1><h2>Action items</h2>"
        "<ul><li>Rotate the signing keys — {key}: {value}</li></ul></body></html>"
    ),
}


def _spellings(key: str) -> list[str]:
    """The key with one letter at a time replaced by each of its look-alikes."""
    return [
        key[:i] + other + key[i + 1 :]
        for i, letter in enumerate(key)
        for other in LOOKALIKES.get(letter.lower(), ())
    ]


def _item(reader: DocumentReader, carrier: str, key: str, value: str) -> ActionItem:
    text = CARRIERS[carrier].format(key=key, value=value)
    name = "outage.html" if carrier == "html" else "outage.md"
    (postmortem,) = reader.parse_bytes(text.encode(), name=name, folder="payments")
    assert postmortem.readable, postmortem.findings
    (item,) = postmortem.action_items
    return item


def test_the_lookalikes_exist() -> None:
    assert {"ı", "İ"} <= set(LOOKALIKES["i"])
    assert "ſ" in LOOKALIKES["s"]
    assert all(_spellings(key) for key in VALUES)


@pytest.mark.parametrize("carrier", sorted(CARRIERS))
@pytest.mark.parametrize("key", sorted(VALUES))
def test_a_lookalike_label_reads_as_the_label_it_folds_to(carrier: str, key: str) -> None:
    reader = DocumentReader(cache_dir=None, workers=1)
    expected = _item(reader, carrier, key, VALUES[key])
    for spelling in _spellings(key):
        item = _item(reader, carrier, spelling, VALUES[key])
        assert item == expected, (spelling, item, expected)
