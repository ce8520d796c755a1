"""The reference HTML reader: html5lib (pure Python, the HTML5 algorithm) through BeautifulSoup.

It builds the same plain element tree as the adapter, with html5lib's own source lines
(``sourceline``: where the start tag ends; an element html5lib copies keeps none and reads as
line 1) and the same Confluence rewriting, so comparing the two readers' blocks compares the
parsers: tree shape, text and entities, and the lines the adapter reconstructs.
"""

from __future__ import annotations

import warnings

from bs4 import BeautifulSoup, XMLParsedAsHTMLWarning
from bs4.element import NavigableString, PageElement, PreformattedString, Tag

from followthrough.adapters.sources.confluence import (
    is_jira_issue,
    is_storage_format,
    jira_issue,
    needs_rewrite,
    rewrite,
    storage_as_html,
)
from followthrough.adapters.sources.editors import (
    coda_date,
    date_chip,
    is_quoted_mail,
    list_writer,
    nested_lists,
    prepared_page,
    styled_span,
)
from followthrough.adapters.sources.google_docs import title_paragraph
from followthrough.adapters.sources.html_tree import SKIP_TAGS, Element, Node, blocks
from followthrough.adapters.sources.limits import check_html
from followthrough.adapters.sources.notion import between_people, is_to_do_list, to_do_list
from followthrough.domain.document import SourceDocument


def parse_html(
    text: str, *, path: str, folder: str | None = None, stem: str = ""
) -> SourceDocument:
    check_html(text)
    if is_storage_format(text):
        text = storage_as_html(text)
    text = prepared_page(text)
    with warnings.catch_warnings():  # storage format is XHTML, read as HTML on purpose
        warnings.simplefilter("ignore", XMLParsedAsHTMLWarning)
        soup = BeautifulSoup(text, "html5lib")
    body = soup.body
    writer = list_writer(text)
    root = Element(
        "body" if body else "html",
        {},
        _nested(between_people(_children(body or soup, writer)), writer),
        _line(body) if body else 1,
    )
    title = soup.find("title")
    name = title.get_text(strip=True) if isinstance(title, Tag) else ""
    name = name or title_paragraph(root)
    return SourceDocument(
        path=path,
        blocks=blocks(root),
        front_matter={"title": name} if name else {},
        folder=folder,
        stem=stem,
    )


def _line(tag: Tag) -> int:
    return int(tag.sourceline or 1)


def _nested(children: list[Node], writer: str | None) -> list[Node]:
    return nested_lists(children, writer) if writer else children


def _children(tag: Tag | BeautifulSoup, writer: str | None) -> list[Node]:
    children: list[Node] = []
    for child in tag.children:
        node = _node(child, writer)
        if node is not None:
            children.append(node)
    return children


def _node(child: PageElement, writer: str | None) -> Node | None:
    if isinstance(child, PreformattedString):  # comments, doctypes and the like
        return None
    if isinstance(child, NavigableString):
        return str(child)
    if not isinstance(child, Tag):
        return None
    name = child.name
    if name in SKIP_TAGS and name != "code":
        return Element(name, {}, [], _line(child))
    attrs = {
        key: " ".join(value) if isinstance(value, list) else value
        for key, value in child.attrs.items()
    }
    inner = _nested(between_people(_children(child, writer)), writer)
    if name == "span" and is_jira_issue(attrs):
        return jira_issue(attrs, inner, _line(child))
    if is_quoted_mail(attrs):
        return None
    if name == "td" and "data-coda-value" in attrs:
        cell = coda_date(attrs, _line(child))
        if cell is not None:
            return cell
    if name == "span" and writer in ("onenote", "word"):
        styled = styled_span(attrs, inner, _line(child))
        if styled is not None:
            return styled
    if name == "span" and writer == "paper":
        chip = date_chip(attrs, inner, _line(child))
        if chip is not None:
            return chip
    if name == "ul" and is_to_do_list(attrs):
        return to_do_list(attrs, inner, _line(child))
    if needs_rewrite(name):
        return rewrite(name, attrs, inner, _line(child))
    return Element(name, attrs, inner, _line(child))
