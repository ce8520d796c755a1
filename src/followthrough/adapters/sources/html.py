"""HTML parser adapter: Confluence, Google Docs and PagerDuty exports → `SourceDocument` blocks.

BeautifulSoup with html5lib repairs broken markup exactly as browsers do (unclosed ``<li>``
and inline tags) and reports source lines. Inline markup is rewritten in the Markdown-like form extraction reads (``**b**``,
``[t](u)``, ``~~s~~``, ``[x]``), so one set of rules serves both formats.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bs4 import BeautifulSoup
from bs4.element import NavigableString, Tag

from followthrough.adapters.sources.limits import check_html
from followthrough.domain.document import (
    Block,
    Heading,
    ListBlock,
    ListEntry,
    Opaque,
    Paragraph,
    SourceDocument,
    Table,
    Text,
)

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "section",
        "article",
        "main",
        "body",
        "html",
        "span",
        "td",
        "th",
        "li",
        "ul",
        "ol",
        "table",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "header",
        "footer",
        "nav",
        "figure",
    }
)
_SKIP_TAGS = frozenset({"script", "style", "head", "noscript", "template", "svg", "pre", "code"})
_STRONG = frozenset({"strong", "b"})
_STRUCK = frozenset({"s", "del", "strike"})


def _line(tag: Tag) -> int:
    return int(tag.sourceline or 1)


def _inline(node: Tag | NavigableString, links: list[str]) -> str:
    if isinstance(node, NavigableString):
        return str(node)
    name = node.name
    if name in _SKIP_TAGS and name != "code":
        return ""
    if name == "br":
        return "\n"
    if name == "input" and node.get("type") == "checkbox":
        return "[x] " if node.has_attr("checked") else "[ ] "
    inner = "".join(
        _inline(child, links) for child in node.children if isinstance(child, Tag | NavigableString)
    )
    if name == "a" and node.get("href"):
        href = str(node.get("href"))
        links.append(href)
        return f"[{inner.strip()}]({href})"
    if name in _STRONG and inner.strip():
        return f"**{inner.strip()}**"
    if name in _STRUCK and inner.strip():
        return f"~~{inner.strip()}~~"
    if name == "code":
        return f"`{inner}`"
    return inner


def _text(tag: Tag) -> Text:
    links: list[str] = []
    raw = _inline(tag, links)
    lines = [re.sub(r"[ \t\xa0]+", " ", line).strip() for line in raw.split("\n")]
    return Text(
        raw="\n".join(line for line in lines if line),
        line=_line(tag),
        links=tuple(links),
        lines_follow_source=False,
    )


def _has_block_children(tag: Tag) -> bool:
    return any(
        isinstance(child, Tag) and child.name in _BLOCK_TAGS - {"span"} for child in tag.children
    )


def _blocks(tag: Tag) -> Iterable[Block]:
    for child in tag.children:
        if not isinstance(child, Tag) or child.name in _SKIP_TAGS:
            if isinstance(child, Tag) and child.name == "pre":
                yield Opaque(line=_line(child))
            continue
        yield from _block(child)


def _block(tag: Tag) -> Iterable[Block]:
    name = tag.name
    if re.fullmatch(r"h[1-6]", name):
        yield Heading(level=int(name[1]), text=_text(tag))
    elif name in ("ul", "ol"):
        yield _list(tag)
    elif name == "table":
        table = _table(tag)
        if table is not None:
            yield table
    elif _has_block_children(tag):
        yield from _blocks(tag)
    else:
        text = _text(tag)
        if text.raw:
            yield Paragraph(text=text)


def _list(tag: Tag) -> ListBlock:
    entries: list[ListEntry] = []
    for item in tag.find_all("li", recursive=False):
        links: list[str] = []
        own = "".join(
            _inline(child, links)
            for child in item.children
            if isinstance(child, NavigableString)
            or (isinstance(child, Tag) and child.name not in ("ul", "ol"))
        )
        text = Text(raw=re.sub(r"\s+", " ", own).strip(), line=_line(item), links=tuple(links))
        children = tuple(_list(sub) for sub in item.find_all(["ul", "ol"], recursive=False))
        entries.append(ListEntry(text=text, children=children))
    return ListBlock(ordered=tag.name == "ol", entries=tuple(entries), line=_line(tag))


def _table(tag: Tag) -> Table | None:
    rows = [row for row in tag.find_all("tr") if row.find_parent("table") is tag]
    if not rows:
        return None
    cells = [
        tuple(_cell_text(cell) for cell in row.find_all(["th", "td"], recursive=False))
        for row in rows
    ]
    return Table(header=cells[0], rows=tuple(cells[1:]), line=_line(tag))


def _cell_text(cell: Tag) -> Text:
    text = _text(cell)
    return Text(raw=text.raw.replace("\n", " "), line=text.line, links=text.links)


def parse_html(
    text: str, *, path: str, folder: str | None = None, stem: str = ""
) -> SourceDocument:
    """Parse an HTML export into blocks; broken markup is repaired as browsers do.

    Raises `UnsafeDocumentError` for a document too deeply nested or too large to parse safely.
    """
    check_html(text)
    soup = BeautifulSoup(text, "html5lib")
    root = soup.body or soup
    title_tag = soup.find("title")
    front = (
        {"title": title_tag.get_text(strip=True)}
        if isinstance(title_tag, Tag) and title_tag.get_text(strip=True)
        else {}
    )
    return SourceDocument(
        path=path, blocks=tuple(_blocks(root)), front_matter=front, folder=folder, stem=stem
    )
