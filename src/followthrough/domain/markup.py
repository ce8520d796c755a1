"""Text shown literally in a tracker's markup: the one escaper for GitHub Markdown and Jira wiki.

Item and postmortem text is written by many people. Wherever followthrough puts it into a
ticket body or a comment it must not format, link, embed HTML, mention anyone (``@user``,
``@org/team``, ``[~accountid:…]``) or reference another issue (``#12``): every markup
character is escaped and ``@`` / ``#12`` / ``GH-12`` are broken with a zero-width space.
Control and bidi characters are dropped. The reminder templates (``adapters/templates``)
wrap these same functions; the planner uses them for ticket bodies.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Literal
from urllib.parse import quote, urlsplit

TrackerKind = Literal["jira", "github"]

ZWSP = "\u200b"  # breaks "@name" and "#12" for the trackers' linkers; invisible when read
_URL_SAFE = ":/?#@!$&'*+,;=%~"  # brackets, pipes, parentheses and spaces get percent-encoded
# "#12" and "GH-12" become issue references (and timeline events on the issue they name).
_REFERENCE = re.compile(r"(?<=\\#)(?=[0-9])|(?<=\bGH\\-)(?=[0-9])", re.I)
_WIKI_LINK_TEXT = str.maketrans({"[": "(", "]": ")", "|": "¦"})
# Jira headings and quotes ("h1. ", "bq. ") start a line; a zero-width space breaks them.
_WIKI_LINE_START = re.compile(r"^(?=(?:h[1-6]|bq)\.)", re.I)

_COMMON = {"<": "&lt;", ">": "&gt;", "&": "&amp;", "@": "@" + ZWSP}
_MARKDOWN = {
    **{c: "\\" + c for c in "\\`*_{}[]()+-.!|~="},
    **_COMMON,
    "#": "\\#",
    '"': "&quot;",
    "'": "&#39;",
}
_WIKI = {
    **{c: "\\" + c for c in "*_-+^~?{}[]|!"},
    **_COMMON,
    "#": "\\#",
    "\\": "&#92;",  # Jira has no backslash escape for the backslash itself
}


def one_line(text: str) -> str:
    """Whitespace (line breaks included) folded to single spaces; control characters dropped."""
    return " ".join("".join(c for c in text if c.isprintable() or c.isspace()).split())


def escape_markdown(text: str) -> str:
    """Text shown literally in GitHub Markdown: no formatting, HTML, mention or reference."""
    escaped = "".join(_MARKDOWN.get(c, c) for c in one_line(text))
    return _REFERENCE.sub(ZWSP, escaped)


def escape_wiki(text: str) -> str:
    """Text shown literally in Jira wiki markup: no formatting, link, macro or mention."""
    escaped = "".join(_WIKI.get(c, c) for c in one_line(text))
    escaped = _WIKI_LINE_START.sub(ZWSP, escaped)
    return _REFERENCE.sub(ZWSP, escaped)


ESCAPES: Mapping[TrackerKind, Callable[[str], str]] = {
    "github": escape_markdown,
    "jira": escape_wiki,
}


def escape(tracker_kind: str, text: str) -> str:
    """`escape_markdown` for GitHub, `escape_wiki` for Jira."""
    return ESCAPES["github" if tracker_kind == "github" else "jira"](text)


def link(tracker_kind: str, title: str, url: str | None) -> str:
    """An escaped title, linked when ``url`` is an http(s) address."""
    if tracker_kind == "jira":
        # Jira's link parser does not honour escaped brackets or pipes inside a link's text.
        title = title.translate(_WIKI_LINK_TEXT)
    text = escape(tracker_kind, title or url or "")
    parts = urlsplit((url or "").strip())
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return text
    target = quote(parts.geturl(), safe=_URL_SAFE)
    if tracker_kind == "github":
        return f"[{text}]({target})"
    return f"[{text}|{target}]"
