"""Stable item keys.

A key is ``<postmortem id>:<10 hex digits>``, the digits being a SHA-1 of the item's
*normalised outcome*: lower-cased words only, with Markdown markup, punctuation, URLs,
ticket references, owner/due annotations, checkboxes and done markers already removed by
`itemtext`. So the key survives reordering, items added or removed around it, and edits of
whitespace, markup, punctuation, owner, due date or state; it changes only when the words of
the outcome change (the sync engine then matches by similarity within the postmortem).
Two items with the same words in one postmortem are duplicates: the second gets ``~2``.
A key is written into trackers as the item's identity, so it holds no character a tracker
write drops (see `tickets.writable`): a postmortem id's control characters are left out.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from typing import Final

from followthrough.domain.tickets import writable

_URL: Final = re.compile(r"https?://\S+")
# Each byte but a lower-case ASCII letter or digit, as a space: what is left splits into
# the words.
_WORD_BYTES: Final = b"abcdefghijklmnopqrstuvwxyz0123456789"
_NOT_WORD_AS_SPACE: Final = bytes(code if code in _WORD_BYTES else 0x20 for code in range(256))


# An item's words are asked for twice, for its key and by lint's duplicate check: the second
# time they are remembered.
@lru_cache(maxsize=256)
def normalised_words(title: str) -> str:
    """The words of an outcome, for keys and duplicate detection."""
    text = title  # ASCII is its own decomposition
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower()
    if "http" in text:
        text = _URL.sub(" ", text)
    # The text is ASCII by now: its runs of letters and digits are its words.
    return " ".join(text.encode().translate(_NOT_WORD_AS_SPACE).decode().split())


def item_key(postmortem_id: str, title: str) -> str:
    """The stable key of an item with this outcome in this postmortem."""
    digest = hashlib.sha1(normalised_words(title).encode(), usedforsecurity=False).hexdigest()
    return f"{_key_prefix(postmortem_id)}:{digest[:10]}"


@lru_cache(maxsize=64)
def _key_prefix(postmortem_id: str) -> str:
    """A postmortem's items are keyed one after another: its id is made writable once."""
    return writable(postmortem_id)
