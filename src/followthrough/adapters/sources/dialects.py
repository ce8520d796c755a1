"""Markdown dialects written as the CommonMark the rest of the reader knows, line for line.

- Admonitions. MkDocs Material writes ``!!! warning "Follow-ups"`` (``???`` when collapsible)
  over content indented four spaces, which CommonMark reads as a code block; Docusaurus writes
  ``:::tip Action items`` … ``:::``. The opening line becomes its title in bold (a bold line
  stands for a heading) and the content is dedented.
- Jira wiki markup pasted into Markdown: ``h2. Action items`` is a heading, ``[~jdoe]`` a
  mention, ``[DATA-301|https://…]`` a link, ``{{code}}`` code, and ``(/)`` and ``(x)`` are the
  done and not-done marks (✅ and ❌).

Every line stays on its line, so line numbers still point into the author's file. A reader
parses a document as CommonMark first and rewrites it only when one of its paragraphs opens
with such a mark (`written_in_a_dialect`): a scan of every document for the marks would cost
more than the rare document that has them.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_ADMONITION = re.compile(r"(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+\"(?P<title>[^\"]*)\")?[ \t]*")
_DOCUSAURUS = re.compile(r":::[ \t]*[\w-]+(?:[ \t]+(?P<title>\S.*?))?[ \t]*")
_DOCUSAURUS_END = re.compile(r":::[ \t]*")
_JIRA_HEADING = re.compile(r"h([1-6])\.[ \t]+")
_JIRA_MENTION = re.compile(r"\[~([\w.@+-]+)\]")
_JIRA_LINK = re.compile(r"\[([^\[\]|\n]+)\|(https?://[^\]\s]+)\]")
_JIRA_CODE = re.compile(r"\{\{([^{}\n]+)\}\}")
_JIRA_MARKS = (("(/)", "✅"), ("(x)", "❌"))


_DIALECT_OPENINGS = ("!!!", "???", ":::", "h1. ", "h2. ", "h3. ", "h4. ")


def written_in_a_dialect(paragraphs: Iterable[str]) -> bool:
    """Whether one of these paragraphs (as CommonMark read them) opens with an admonition or a
    Jira heading, or holds a Jira heading on a line of its own."""
    for text in paragraphs:
        if text.startswith(_DIALECT_OPENINGS):
            return True
        if "\nh" in text and any(f"\n{mark}" in text for mark in _DIALECT_OPENINGS[3:]):
            return True
    return False


def as_commonmark(body: str) -> str:
    """``body`` with admonitions and Jira wiki markup written as CommonMark, line for line."""
    admonitions = "!!!" in body or "???" in body or ":::" in body
    jira = "h1. " in body or "h2. " in body or "h3. " in body
    if not admonitions and not jira:
        return body
    lines = body.split("\n")
    if admonitions:
        lines = _admonitions(lines)
    if jira and any(_JIRA_HEADING.fullmatch(line[:4]) for line in lines if line[:1] == "h"):
        lines = [_jira_line(line) for line in lines]
    return "\n".join(lines)


def _admonitions(lines: list[str]) -> list[str]:
    out: list[str] = []
    indented = False  # inside a MkDocs admonition: its content is indented four spaces
    for line in lines:
        if indented:
            if not line.strip():
                out.append(line)
                continue
            if line.startswith(("    ", "\t")):
                out.append(line[1:] if line.startswith("\t") else line[4:])
                continue
            indented = False
        opening = _ADMONITION.fullmatch(line)
        if opening:
            out.append(_bold(opening.group("title")))
            indented = True
            continue
        if line.startswith(":::"):
            docusaurus = _DOCUSAURUS.fullmatch(line)
            if docusaurus:
                out.append(_bold(docusaurus.group("title")))
                continue
            if _DOCUSAURUS_END.fullmatch(line):
                out.append("")
                continue
        out.append(line)
    return out


def _bold(title: str | None) -> str:
    return f"**{title.strip()}**" if title and title.strip() else ""


def _jira_line(line: str) -> str:
    heading = _JIRA_HEADING.match(line)
    if heading:
        line = "#" * int(heading.group(1)) + " " + line[heading.end() :]
    if "[" in line:
        line = _JIRA_LINK.sub(r"[\1](\2)", _JIRA_MENTION.sub(r"@\1", line))
    if "{{" in line:
        line = _JIRA_CODE.sub(r"`\1`", line)
    for mark, symbol in _JIRA_MARKS:
        if mark in line:
            line = line.replace(mark, symbol)
    return line
