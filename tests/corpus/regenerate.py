"""Rewrite expected.json from the current extraction (after reviewing every difference)."""

from __future__ import annotations

import json

from followthrough.adapters.sources.reader import DocumentReader
from tests.corpus.expected import summary
from tests.corpus.test_corpus import CORPUS, EXPECTED

if __name__ == "__main__":
    data = summary(DocumentReader().read([str(CORPUS)]), CORPUS)
    EXPECTED.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"{EXPECTED}: {sum(len(v) for v in data.values())} postmortems from {len(data)} files")
