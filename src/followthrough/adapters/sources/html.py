"""HTML parser adapter: Confluence, Google Docs and PagerDuty exports → `SourceDocument` blocks.

Lexbor (through selectolax) parses as browsers do, repairing broken markup (unclosed ``<li>``
and inline tags) in C; it keeps no source positions, so each element's line comes from a scan
of the start tags (`source_lines`). The tree is copied into plain elements, Confluence markup
rewritten on the way (`confluence`, `notion`), then reduced to blocks (`html_tree`). Storage-format
pages (``ac:``/``ri:`` elements) are XHTML: their empty elements are closed first.
"""

from __future__ import annotations

from typing import Final

from selectolax.lexbor import LexborHTMLParser, LexborNode

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
from followthrough.adapters.sources.source_lines import LineCounter
from followthrough.domain.document import SourceDocument
from followthrough.domain.memo import remember


def parse_html(
    text: str, *, path: str, folder: str | None = None, stem: str = ""
) -> SourceDocument:
    """Parse an HTML export into blocks; broken markup is repaired as browsers do.

    Raises `UnsafeDocumentError` for a document too deeply nested or too large to parse safely.
    """
    check_html(text)
    if is_storage_format(text):
        text = storage_as_html(text)
    text = prepared_page(text)
    page = _Page(text)
    title = page.title or title_paragraph(page.root)
    front = {"title": title} if title else {}
    return SourceDocument(
        path=path, blocks=blocks(page.root), front_matter=front, folder=folder, stem=stem
    )


class _Page:
    """A parsed page as plain elements: the body (else the whole document) and the title."""

    def __init__(self, text: str) -> None:
        self.counter = LineCounter(text)
        self.title: str | None = None
        # A Notion export's person chips and check boxes: their elements keep their class.
        self.people = 'class="user"' in text  # as Notion writes its chips
        self.notion = self.people or "to-do-list" in text
        # Lists written flat, each level its own (Google Docs, Quill, Paper: `editors`).
        self.flat_lists = list_writer(text)
        self.google = self.flat_lists == "google"
        self.paper = self.flat_lists == "paper"
        self.styled = self.flat_lists in ("onenote", "word")  # bold and struck by style
        self.coda = "data-coda-value" in text  # Coda's table cells keep their dates
        self.gmail = "gmail_quote" in text  # a Gmail reply, quoting an earlier message
        self.jira_issues = "confluence-jim-macro" in text  # rendered Jira macros (`confluence`)
        # The plain elements whose attributes are read on this page (`_keeps_attributes`).
        self.kept: frozenset[str] = frozenset(
            (_NOTION_MARKUP if self.notion else set())
            | (_LISTS if self.google else set())
            | ({"span"} if self.jira_issues or self.paper or self.styled else set())
            | ({"td"} if self.coda else set())
            | (_QUOTES if self.gmail else set())
        )
        document = LexborHTMLParser(text)
        html = document.root
        self.root = Element("html", {}, [], 1)
        if html is None:
            return
        body = document.body
        line = self.counter.next(html.tag or "html")
        if body is None:  # a frameset page: everything is read, as html5lib does
            self.root = Element("html", _attributes(html), self._children(html), line)
            return
        for child in html.iter(include_text=False):
            if child.mem_id == body.mem_id:
                body_line = self.counter.next("body")
                self.root = Element("body", {}, self._children(child), body_line)
            else:
                self._count(child)

    def _children(self, node: LexborNode) -> list[Node]:
        children: list[Node] = []
        counter = self.counter
        pending = counter.pending
        child = node.first_child
        while child is not None:
            name = child.tag
            if name == "-text":
                children.append(child.text_content or "")
            elif name is not None and name[0] != "-":  # not a comment
                found = pending.get(name)
                if found:
                    counter.last = found.pop()
                line = counter.last
                kind = _KINDS.get(name) or _kind(name)
                if kind is _SKIPPED:
                    self._count_below(child)
                    children.append(Element(name, _NO_ATTRIBUTES, [], line))
                else:
                    if name == "title" and self.title is None:
                        self.title = child.text(deep=True, separator="", strip=True)
                    inner = self._children(child)
                    if kind is _PLAIN and not self._keeps_attributes(name):
                        children.append(Element(name, _NO_ATTRIBUTES, inner, line))
                    else:
                        element = self._element(child, name, kind, inner, line)
                        if element is not None:
                            children.append(element)
            child = child.next
        if self.people:
            children = between_people(children)
        return nested_lists(children, self.flat_lists) if self.flat_lists else children

    def _element(
        self, node: LexborNode, name: str, kind: str, inner: list[Node], line: int
    ) -> Node | None:
        """An element whose attributes are read, as it stands or rewritten."""
        attrs = _attributes(node)
        if self.jira_issues and name == "span" and is_jira_issue(attrs):
            return jira_issue(attrs, inner, line)
        if self.paper and name == "span":
            chip = date_chip(attrs, inner, line)
            if chip is not None:
                return chip
        if self.styled and name == "span":
            return styled_span(attrs, inner, line) or Element(name, attrs, inner, line)
        if self.coda and name == "td":
            return coda_date(attrs, line) or Element(name, attrs, inner, line)
        if self.gmail and is_quoted_mail(attrs):
            return None
        if kind is not _REWRITTEN:
            return Element(name, attrs, inner, line)
        if name == "ul" and is_to_do_list(attrs):
            return to_do_list(attrs, inner, line)
        return rewrite(name, attrs, inner, line)

    def _keeps_attributes(self, name: str) -> bool:
        """Whether a plain element's attributes are read: Notion's person chips and check
        boxes, Google Docs lists' levels, Confluence's Jira issue macros, Paper's date chips,
        styled spans, Coda's date cells, Gmail's quotes."""
        return name in self.kept

    def _count(self, node: LexborNode) -> None:
        """Count ``node`` and the elements below it, which are not read (the page head)."""
        name = node.tag
        if name is None or name[0] == "-":
            return
        self.counter.next(name)
        self._count_below(node)

    def _count_below(self, node: LexborNode) -> None:
        counter = self.counter
        first = True
        for element in node.traverse(include_text=False):
            if first:  # traverse() starts with the node itself
                first = False
                continue
            name = element.tag
            if name is None or name[0] == "-":
                continue
            if name == "title" and self.title is None:
                self.title = element.text(deep=True, separator="", strip=True)
            counter.next(name)


# What is kept of an element: nothing below it (a skipped one), its children, its children
# and attributes (the walk reads those of ``input``, `confluence` those of ``li``,
# `google_docs` those of ``p``), or what `confluence.rewrite` makes of it.
_SKIPPED, _PLAIN, _READ, _REWRITTEN = "skipped", "plain", "read", "rewritten"
_NOTION_MARKUP: Final = frozenset({"span", "div"})  # person chips, check boxes
_LISTS: Final = frozenset({"ol", "ul"})
_QUOTES: Final = frozenset({"div", "blockquote"})
_KINDS: dict[str, str] = {}
_NO_ATTRIBUTES: dict[str, str] = {}


def _kind(name: str) -> str:
    if name in SKIP_TAGS and name != "code":
        kind = _SKIPPED
    elif needs_rewrite(name):
        kind = _REWRITTEN
    else:
        kind = _READ if name in {"input", "li", "p"} else _PLAIN
    # Names are few; a page inventing thousands is not remembered past the memo's bound.
    return remember(_KINDS, name, kind)


def _attributes(node: LexborNode) -> dict[str, str]:
    return {name: value or "" for name, value in node.attributes.items()}
