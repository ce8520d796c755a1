"""Hostile document text: too deep, too heavy or full of control characters, never a crash."""

from __future__ import annotations

from pathlib import Path

import pytest

from followthrough.adapters.sources.limits import MAX_NESTING
from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.extract import extract
from followthrough.domain.model import Postmortem

GOOD = "# Cache outage\n\n## Action items\n\n- Pin the client library version (owner: @alice, due: 2024-05-01)\n"


def _read_with_good(tmp_path: Path, name: str, content: str) -> tuple[Postmortem, Postmortem]:
    """The hostile file's postmortem and a good neighbour's, read in one run."""
    team = tmp_path / "postmortems" / "payments"
    team.mkdir(parents=True)
    (team / "a-good.md").write_text(GOOD, encoding="utf-8")
    (team / name).write_text(content, encoding="utf-8")
    found = {Path(pm.path).name: pm for pm in DocumentReader().read([str(team.parent)])}
    assert sorted(found) == sorted(["a-good.md", name])
    return found[name], found["a-good.md"]


def _unreadable_once(pm: Postmortem) -> str:
    assert not pm.readable
    assert [f.code for f in pm.findings] == ["unreadable-document"]
    return pm.findings[0].message


NESTED = {
    "lists.md": "".join("  " * level + "- item\n" for level in range(1_000)),
    "markers.md": "- " * 10_000 + "item\n",
    "quotes.md": ">" * 10_000 + " deep\n",
    "quoted-lines.md": "".join(">" * level + " line\n" for level in range(1, 2_000)),
    "divs.html": "<div>" * 2_500 + "<p>deep</p>",
    "many-divs.html": "<div>" * 20_000 + "<p>deep</p>",
    "inline.html": "<b><i>" * 3_000 + "deep",
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(NESTED))
def test_deep_nesting_is_one_finding_for_that_file_alone(tmp_path: Path, name: str) -> None:
    bad, good = _read_with_good(tmp_path, name, NESTED[name])
    assert "nested" in _unreadable_once(bad)
    assert [i.title for i in good.action_items] == ["Pin the client library version"]


HEAVY = {
    "emphasis.md": "# Outage\n\n" + "*a" * 120_000,
    "references.md": "# Outage\n\n" + "[a]: https://example.com\n" * 5_000,
    "tags.html": "<p>" + "<span>a</span>" * 60_000,
}


@pytest.mark.timeout(60)
@pytest.mark.parametrize("name", sorted(HEAVY))
def test_markup_too_heavy_to_parse_is_one_finding(tmp_path: Path, name: str) -> None:
    bad, _good = _read_with_good(tmp_path, name, HEAVY[name])
    assert "cannot be parsed safely" in _unreadable_once(bad)


def test_nesting_within_the_bound_is_read(tmp_path: Path) -> None:
    depth = MAX_NESTING // 2 - 1
    text = "# Outage\n\n## Action items\n\n" + "".join(
        "  " * level + "- group:\n" for level in range(depth)
    )
    text += "  " * depth + "- Pin the client library version (owner: @alice, due: 2024-05-01)\n"
    bad, _good = _read_with_good(tmp_path, "nested.md", text)
    assert bad.readable
    html_text = "<h2>Action items</h2>" + "<div>" * (MAX_NESTING - 10) + "<ul><li>Pin it</li></ul>"
    html, _good = _read_with_good(tmp_path / "html", "nested.html", html_text)
    assert html.readable
    assert [i.title for i in html.action_items] == ["Pin it"]


def _alias_bomb(levels: int) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for level in range(1, levels):
        name, previous = chr(ord("a") + level), chr(ord("a") + level - 1)
        lines.append(f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]")
    return "\n".join(lines) + "\n"


@pytest.mark.timeout(30)
def test_an_alias_bomb_in_front_matter_is_refused_and_the_body_still_read(
    tmp_path: Path,
) -> None:
    text = "---\ntitle: Bomb\n" + _alias_bomb(9) + "---\n" + GOOD
    pm, _good = _read_with_good(tmp_path, "bomb.md", text)
    assert [(f.code, f.line) for f in pm.findings] == [("bad-front-matter", 7)]
    assert "aliases expand to more than" in pm.findings[0].message
    assert [i.title for i in pm.action_items] == ["Pin the client library version"]


CONTROLS = "\x1b[31m\x07\x08\u202e\x9b\u2066"
HOSTILE_MD = (
    f'---\ntitle: "Outage\\e[2J{CONTROLS[-1]}"\n---\n'
    f"# Outage{CONTROLS}\n\n## Action items\n\n"
    f"- Pin the\x1b]0;pwned\x07 client{CONTROLS} library (owner: @ali\x08ce, due: 2024-05-01)\n\n"
    "| Action | Owner |\n|---|---|\n"
    f"| Rotate\u202e the keys\x1b[0m | bob\x07 |\n"
)
HOSTILE_HTML = (
    "<h1>Outage&#x1b;[31m</h1><h2>Action items</h2>"
    "<ul><li>Pin the&#x1b;]0;x&#7; client&#x202e; library (owner: @alice)</li></ul>"
)


def _visible(value: str) -> bool:
    return not any(ord(c) < 0x20 and c not in "\t\n" for c in value) and not any(
        c in value for c in "\x7f\x9b\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    )


def test_control_and_bidi_characters_are_dropped_from_extracted_text(tmp_path: Path) -> None:
    pm, _good = _read_with_good(tmp_path, "hostile.md", HOSTILE_MD)
    html, _good = _read_with_good(tmp_path / "html", "hostile.html", HOSTILE_HTML)
    texts = [pm.title, html.title]
    for item in (*pm.action_items, *html.action_items):
        texts += [item.title, item.owner or "", item.owner_text or "", *item.notes]
    texts += [finding.message for finding in (*pm.findings, *html.findings)]
    assert [t for t in texts if not _visible(t)] == []
    assert [i.title for i in pm.action_items] == [
        "Pin the]0;pwned client[31m library",
        "Rotate the keys[0m",
    ]
    assert [(i.owner, i.owner_text) for i in pm.action_items] == [
        ("alice", "@alice"),
        ("bob", "bob"),
    ]
    assert pm.title == "Outage[2J"
    assert [i.title for i in html.action_items] == ["Pin the]0;x client library"]


TABLE_MD = """\
# Outage

## Action items

| Action | Owner | Due |
|---|---|---|
| First item | alice | 2024-05-01 |
| Third item | <img src=x> | 2024-05-01 |
| <img src=x> | bob | 2024-05-02 |
| <describe the action> | <name> | <date> |
"""
TABLE_HTML = """\
<h2>Action items</h2><table><tr><th>Action</th><th>Owner</th><th>Due</th></tr>
<tr><td>First item</td><td>alice</td><td>2024-05-01</td></tr>
<tr><td>Third item</td><td><img src=x></td><td>2024-05-01</td></tr>
<tr><td><img src=x></td><td>bob</td><td>2024-05-02</td></tr>
<tr><td></td><td></td><td></td></tr>
</table>
"""


def test_a_table_row_holding_markup_is_kept_or_reported(tmp_path: Path) -> None:
    pm, _good = _read_with_good(tmp_path, "table.md", TABLE_MD)
    assert [i.title for i in pm.action_items] == ["First item", "Third item"]
    assert [(f.code, f.line) for f in pm.findings if f.item is None] == [("unreadable-item", 9)]
    assert "<img src=x>" in pm.findings[0].message

    html, _good = _read_with_good(tmp_path / "html", "table.html", TABLE_HTML)
    assert [i.title for i in html.action_items] == ["First item", "Third item"]
    assert [(f.code, f.line) for f in html.findings if f.item is None] == [("unreadable-item", 4)]


def test_a_backtick_left_open_in_a_link_does_not_crash_the_parser(tmp_path: Path) -> None:
    text = (
        "# Outage\n\n## Action items\n\n"
        "- Document [the `retry flag (owner: @bob, due: 2024-05-01)\n"
        "- Fix [`a](https://github.com/acme/ops/issues/3) (owner: @ann, due: 2024-05-02)\n\n"
        "```\n[`inside a fence\n```\n"
    )
    pm, _good = _read_with_good(tmp_path, "backtick.md", text)
    assert [(i.title, i.owner, i.ticket) for i in pm.action_items] == [
        ("Document [the `retry flag", "bob", None),
        ("Fix `a", "ann", "acme/ops#3"),
    ]


@pytest.mark.parametrize("depth", [500, 5_000])
def test_deeply_nested_front_matter_is_refused_and_the_body_still_read(
    tmp_path: Path, depth: int
) -> None:
    text = "---\ntitle: " + "[" * depth + "\n---\n" + GOOD
    pm, _good = _read_with_good(tmp_path, "deep.md", text)
    assert [f.code for f in pm.findings] == ["bad-front-matter"]
    assert "nested too deeply" in pm.findings[0].message
    assert [i.title for i in pm.action_items] == ["Pin the client library version"]


def test_only_a_file_free_of_control_characters_skips_the_cleaning_pass() -> None:
    plain = "# Outage\n\n## Action items\n\n- Rotate the keys (owner: @ana)\n"
    assert parse_markdown(plain, path="a.md").visible_only
    for hidden in ("\x1b", "\u202e", "\x07"):
        text = plain.replace("Rotate", f"Rot{hidden}ate")
        doc = parse_markdown(text, path="a.md")
        assert not doc.visible_only
        (pm,) = extract(doc)
        assert pm.action_items[0].title == "Rotate the keys"
    # A YAML escape makes a bidi override the file does not hold: still cleaned.
    front = '---\ntitle: "Out\\u202eage"\n---\n' + plain
    doc = parse_markdown(front, path="a.md")
    assert doc.visible_only
    assert extract(doc)[0].title == "Outage"
