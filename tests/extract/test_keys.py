"""Item keys survive reordering, added items and cosmetic edits; they change with the words."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.domain.keys import item_key, normalised_words
from tests.extract.helpers import md

HEAD = "# Cache outage\n\n**Date:** 2024-03-01\n\n## Action items\n\n"


def _keys(body: str, *, stem: str = "pm") -> dict[str, str]:
    """Title → key of every item in a section holding ``body``."""
    pm = md(HEAD + body, stem=stem)
    return {item.title: item.key for item in pm.action_items}


BASE = """\
- Add an alert on queue depth (owner: @alice, due: 2024-04-01)
- Pin the client library version
- Bump the consumer pool to 20 workers OPS-7
"""


def test_key_is_postmortem_id_and_ten_hex_digits() -> None:
    keys = _keys(BASE, stem="2024-03-01-cache")
    assert all(re.fullmatch(r"2024-03-01-cache:[0-9a-f]{10}", key) for key in keys.values())
    assert keys["Pin the client library version"] == item_key(
        "2024-03-01-cache", "Pin the client library version"
    )


@pytest.mark.parametrize(
    "edited",
    [
        # reordered
        "- Bump the consumer pool to 20 workers OPS-7\n- Pin the client library version\n"
        "- Add an alert on queue depth (owner: @alice, due: 2024-04-01)\n",
        # items added before, between and after; one removed
        "- Rotate the signing key\n- Add an alert on queue depth (owner: @alice, due: 2024-04-01)\n"
        "- Drain the old cluster\n- Bump the consumer pool to 20 workers OPS-7\n- Tidy the wiki\n",
        # whitespace, markup and punctuation
        "-   Add an  alert on **queue depth**. (owner: @alice, due: 2024-04-01)\n"
        "- *Pin* the `client` library version!\n"
        "- Bump the consumer pool to 20 workers, OPS-7\n",
        # owner, due, ticket and state changed
        "- Add an alert on queue depth (owner: @bob, due: 2024-06-30)\n"
        "- [x] Pin the client library version\n"
        "- Bump the consumer pool to 20 workers https://acme.atlassian.net/browse/OPS-99 (done)\n",
        # as a table
        "| Action | Owner | Due |\n|---|---|---|\n"
        "| Bump the consumer pool to 20 workers | @carol | 2024-05-05 |\n"
        "| Pin the client library version | @bob | |\n"
        "| Add an alert on queue depth | @alice | 2024-04-01 |\n",
    ],
)
def test_keys_survive_edits(edited: str) -> None:
    before = _keys(BASE)
    after = _keys(edited)
    for title, key in after.items():
        if title in before:
            assert key == before[title], title
    assert set(after) & set(before), "the edit kept at least one item"


def test_key_changes_when_the_words_change() -> None:
    before = _keys("- Pin the client library version\n")
    after = _keys("- Pin the server library version\n")
    assert list(before.values()) != list(after.values())


def test_key_depends_on_the_postmortem() -> None:
    assert _keys(BASE, stem="a") != _keys(BASE, stem="b")


def test_same_words_twice_get_a_suffix_and_a_duplicate_finding() -> None:
    pm = md(HEAD + "- Pin the client library version\n- Pin the client library version.\n")
    first, second = pm.action_items
    assert second.key == first.key + "~2"
    assert [(f.code, f.line, f.item) for f in pm.findings if f.code == "duplicate-item"] == [
        ("duplicate-item", 8, second.key)
    ]


def test_an_item_in_front_matter_and_in_the_text_get_two_keys() -> None:
    """The same words in front matter and in the section are two items, the later one keyed
    ``~2`` and found a duplicate of the first (not two items under one key)."""
    front = "---\naction_items:\n  - Pin the client library version\n---\n"
    pm = md(front + HEAD + "- Pin the client library version\n")
    in_text, in_front = pm.action_items
    assert in_front.key == in_text.key + "~2"
    duplicates = [(f.line, f.item, f.message) for f in pm.findings if f.code == "duplicate-item"]
    assert [(line, item) for line, item, _ in duplicates] == [(in_front.line, in_front.key)]
    assert f"line {in_text.line}" in duplicates[0][2]


def test_two_front_matter_items_with_the_same_words_get_two_keys() -> None:
    front = "---\nactions:\n  - Rotate the keys\n  - title: Rotate the keys.\n---\n"
    first, second = md(front + "# Outage\n").action_items
    assert second.key == first.key + "~2"


# Property: shuffling, inserting items and cosmetic edits never change an original item's key.
_WORDS = (
    "alert queue depth cache limit retry budget replica lag probe canary timeout pool shard "
    "index backup schema gateway quota consumer worker client library version cluster"
).split()
_titles = st.lists(
    st.lists(st.sampled_from(_WORDS), min_size=2, max_size=5).map(
        lambda words: "Tune " + " ".join(words)
    ),
    min_size=1,
    max_size=5,
    unique_by=normalised_words,
)


def _cosmetic(title: str, style: int) -> str:
    """The same words with different whitespace, markup, punctuation or annotations."""
    words = title.split(" ")
    if style == 0:
        return "  ".join(words)
    if style == 1:
        return f"{words[0]} **{' '.join(words[1:])}**"
    if style == 2:
        return f"{title}."
    if style == 3:
        return f"{words[0]} `{words[1]}` {' '.join(words[2:])}".strip()
    if style == 4:
        return f"{title} (owner: @zed, due: 2024-09-09)"
    if style == 5:
        return f"[x] {title}"
    return f"{title} OPS-42"


@settings(
    max_examples=75,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(
    titles=_titles,
    extra=st.lists(st.sampled_from(_WORDS), min_size=0, max_size=3),
    data=st.data(),
)
def test_keys_of_original_items_are_stable(
    titles: list[str], extra: list[str], data: st.DataObject
) -> None:
    original = _keys("".join(f"- {title}\n" for title in titles))
    assert list(original) == titles

    inserted = [f"Drop {word} entirely" for word in dict.fromkeys(extra)]
    edited = [_cosmetic(title, data.draw(st.integers(0, 6), label="style")) for title in titles]
    lines = data.draw(st.permutations(edited + inserted), label="order")
    changed = _keys("".join(f"- {line}\n" for line in lines))

    for title in titles:
        assert changed[title] == original[title]
