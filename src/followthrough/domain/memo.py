"""Bounded memos: what the scan found of a text it will meet again, kept in a plain dictionary.

Headings, labels, keys, tag names and scalars repeat from one document to the next, so the
scan remembers what it found of each. A dictionary read inline costs far less than a call
through ``functools.lru_cache`` from compiled code; `remember` keeps each one bounded.
"""

from __future__ import annotations

from typing import Final, TypeVar

T = TypeVar("T")

# Answers a memo keeps at most: a document inventing thousands of texts does not grow it further.
REMEMBERED: Final = 10_000


def remember(memo: dict[str, T], key: str, value: T) -> T:
    """``value``, kept as ``memo``'s answer for ``key`` while the memo holds fewer than
    `REMEMBERED` answers."""
    if len(memo) < REMEMBERED:
        memo[key] = value
    return value
