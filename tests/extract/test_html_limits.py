"""`check_html` refuses exactly the pages whose tags nest too deeply, fast path or not.

Most pages are let through on a bound counted in one pass (every '<' that could open a level);
only a page over that bound has its tags followed one by one. The bound must never let through
a page the full count refuses.
"""

from __future__ import annotations

import random

from followthrough.adapters.sources.limits import (
    _FLAT,
    _TAG,
    MAX_HTML_TAGS,
    MAX_NESTING,
    UnsafeDocumentError,
    check_html,
)
from tests.extract import hostile


def _deepest(text: str) -> int:
    """The nesting every tag followed one by one measures (the full count)."""
    depth = deepest = 0
    for match in _TAG.finditer(text):
        closing, name, self_closing = match.groups()
        if name.lower() in _FLAT or self_closing:
            continue
        depth = max(depth - 1, 0) if closing else depth + 1
        deepest = max(deepest, depth)
    return deepest


def _refused(text: str) -> bool:
    try:
        check_html(text)
    except UnsafeDocumentError:
        return True
    return False


def _documents() -> list[str]:
    rng = random.Random(5)
    docs = [
        "<div>" * MAX_NESTING + "x",
        "<div>" * (MAX_NESTING + 1) + "x",
        "<p><li><td><br>" * 500 + "<span>" * (MAX_NESTING + 1),
        "<P>" * 300 + "<DIV>" * (MAX_NESTING + 1),
        "<div></div>" * 300,
        "<p >" * 300 + "<b>" * MAX_NESTING,
        "<td\n>" * 300 + "<i>" * (MAX_NESTING + 1),
    ]
    for _ in range(3_000):
        parts = [rng.choice(hostile.HTML_FRAGMENTS) for _ in range(rng.randint(0, 400))]
        docs.append("".join(parts))
    return docs


DOCUMENTS = _documents()


def test_refused_exactly_when_too_deep() -> None:
    for text in DOCUMENTS:
        too_many = text.count("<") > MAX_HTML_TAGS
        assert _refused(text) == (_deepest(text) > MAX_NESTING or too_many), text[:200]


def test_both_sides_of_the_bound_are_exercised() -> None:
    depths = [_deepest(text) for text in DOCUMENTS]
    assert any(depth > MAX_NESTING for depth in depths)
    assert any(depth == MAX_NESTING for depth in depths)
