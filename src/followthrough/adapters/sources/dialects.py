"""Markdown dialects written as the CommonMark the rest of the reader knows, line for line.

- Admonitions. MkDocs Material writes ``!!! warning "Follow-ups"`` (``???`` when collapsible)
  over content indented four spaces, which CommonMark reads as a code block; Docusaurus writes
  ``:::tip Action items`` … ``:::``. The opening line becomes its title in bold (a bold line
  stands for a heading) and the content is dedented.
- Jira wiki markup pasted into Markdown: ``h2. Action items`` is a heading, ``[~jdoe]`` a
  mention, ``[DATA-301|https://…]`` a link, ``{{code}}`` code, and ``(/)`` and ``(x)`` are the
  done and not-done marks (✅ and ❌). A Jira table (``||Action||Owner||`` over ``|…|…|`` rows,
  which CommonMark reads as a paragraph) becomes an HTML table, a row on each of its lines.

Every line stays on its line, so line numbers still point into the author's file. A reader
parses a document as CommonMark first and rewrites it only when one of its paragraphs opens
with such a mark (`written_in_a_dialect`): a scan of every document for the marks would cost
more than the rare document that has them.
"""

from __future__ import annotations

import html
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
_JIRA_HEADINGS = tuple(f"h{level}. " for level in range(1, 7))
_JIRA_CELL = re.compile(r"(\|\|?)((?:\[[^\[\]\n]*\]|[^|])*)")  # a link's "|" stays in its cell
_JIRA_TABLE_OPENING = "||"

_DIALECT_OPENINGS = ("!!!", "???", ":::", _JIRA_TABLE_OPENING, *_JIRA_HEADINGS)


def written_in_a_dialect(paragraphs: Iterable[str]) -> bool:
    """Whether one of these paragraphs (as CommonMark read them) opens with an admonition, a
    Jira heading or a Jira table, or holds a Jira heading or table on a line of its own."""
    for text in paragraphs:
        if text.startswith(_DIALECT_OPENINGS):
            return True
        if "\nh" in text and any(f"\n{mark}" in text for mark in _JIRA_HEADINGS):
            return True
        if f"\n{_JIRA_TABLE_OPENING}" in text:
            return True
    return False


def as_commonmark(body: str) -> str:
    """``body`` with admonitions and Jira wiki markup written as CommonMark, line for line."""
    admonitions = "!!!" in body or "???" in body or ":::" in body
    jira = any(mark in body for mark in _JIRA_HEADINGS)
    tables = f"\n{_JIRA_TABLE_OPENING}" in f"\n{body}"
    if not admonitions and not jira and not tables:
        return body
    lines = body.split("\n")
    if admonitions:
        lines = _admonitions(lines)
    if tables:
        lines = _jira_tables(lines)
    if jira and any(_JIRA_HEADING.fullmatch(line[:4]) for line in lines if line[:1] == "h"):
        lines = [_jira_line(line) for line in lines]
    return "\n".join(lines)


def _jira_tables(lines: list[str]) -> list[str]:
    """Each Jira table, from its ``||heading||`` line through the ``|cell|`` lines under it, as
    an HTML table whose rows stay on their lines. An HTML block ends at a free line, so a table
    with text right under it is left as it is: its rows would take that text in."""
    out = list(lines)
    at = 0
    while at < len(out):
        if not out[at].startswith(_JIRA_TABLE_OPENING) or not out[at].rstrip().endswith("|"):
            at += 1
            continue
        end = at + 1
        while end < len(out) and out[end].startswith("|") and out[end].rstrip().endswith("|"):
            end += 1
        if end == len(out) or not out[end].strip():
            rows = [_html_row(line) for line in out[at:end]]
            rows[0] = "<table>" + rows[0]
            rows[-1] += "</table>"
            out[at:end] = rows
        at = end
    return out


def _html_row(line: str) -> str:
    cells = []
    line = line.rstrip()
    for separator, text in _JIRA_CELL.findall(line[: -2 if line.endswith("||") else -1]):
        tag = "th" if separator == "||" else "td"
        cells.append(f"<{tag}>{_html_cell(text.strip())}</{tag}>")
    return "<tr>" + "".join(cells) + "</tr>"


def _html_cell(text: str) -> str:
    text = html.escape(text, quote=False)
    text = _JIRA_MENTION.sub(r"@\1", text)
    text = _JIRA_LINK.sub(lambda m: f'<a href="{m.group(2)}">{m.group(1)}</a>', text)
    text = _JIRA_CODE.sub(r"<code>\1</code>", text)
    for mark, symbol in _JIRA_MARKS:
        text = text.replace(mark, symbol)
    return text


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
