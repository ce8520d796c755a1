"""Markdown dialects written as the CommonMark the rest of the reader knows, line for line.

- Admonitions. MkDocs Material writes ``!!! warning "Follow-ups"`` (``???`` when collapsible)
  over content indented four spaces, which CommonMark reads as a code block; Docusaurus writes
  ``:::tip Action items`` … ``:::``. The opening line becomes its title in bold (a bold line
  stands for a heading) and the content is dedented; HackMD's ``:::spoiler`` hides notes, and
  is read only where its title names a section of actions. Obsidian's (and GitHub's) callouts,
  ``> [!todo]+ Action items``, are a quote whose first line is its title, in bold; GitBook's
  block tags (``{% hint style="success" %}``, ``{% endhint %}``) are dropped, their content
  kept.
- Jira wiki markup pasted into Markdown: ``h2. Action items`` is a heading, ``[~jdoe]`` a
  mention, ``[DATA-301|https://…]`` a link, ``{{code}}`` code, and ``(/)`` and ``(x)`` are the
  done and not-done marks (✅ and ❌). A Jira table (``||Action||Owner||`` over ``|…|…|`` rows,
  which CommonMark reads as a paragraph) becomes an HTML table, a row on each of its lines.
- Grid tables, as pandoc writes a Word document's tables, become pipe tables, line for line.
- Slack messages pasted in: ``<@U02|maria>`` mentions, ``<https://…|SRE-2210>`` links,
  ``~struck~`` words, ``:white_check_mark:``, ``•`` bullets and ``*bold*`` lines.
- Outlines as Logseq writes them: a page opens with ``key:: value`` properties and every block
  is a bullet. A top-level bullet with blocks under it is a section (``- ## Action items``,
  ``- **Follow-ups** #action``): it becomes a heading and its blocks a list under it. A block's
  marker is its box (``TODO``, ``LATER``, ``NOW``, ``DOING`` open; ``DONE`` ticked;
  ``CANCELED`` dropped, ❌), its ``key:: value`` properties fields (``owner:: [[Ana Silva]]``
  is ``owner: Ana Silva``), ``DEADLINE: <2025-05-09 Fri>`` its due date (``SCHEDULED:``
  where it sets no deadline), page links
  (``[[May 20th, 2025]]``) their words, and ``:LOGBOOK:`` drawers are dropped.

Every line stays on its line, so line numbers still point into the author's file. A reader
parses a document as CommonMark first and rewrites it only when one of its paragraphs opens
with such a mark (`written_in_a_dialect`): a scan of every document for the marks would cost
more than the rare document that has them.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from typing import Final

from followthrough.domain.itemtext import page_links_as_words
from followthrough.domain.sections import is_action_heading

_ADMONITION: Final = re.compile(
    r"(?:!!!|\?\?\?\+?)[ \t]+[\w-]+(?:[ \t]+\"(?P<title>[^\"]*)\")?[ \t]*"
)
_DOCUSAURUS: Final = re.compile(r":::[ \t]*(?P<kind>[\w-]+)(?:[ \t]+(?P<title>\S.*?))?[ \t]*")
_DOCUSAURUS_END: Final = re.compile(r":::[ \t]*")
# Obsidian's and GitHub's callouts: "> [!todo]+ Action items", "> [!NOTE]".
_CALLOUT: Final = re.compile(
    r"(?P<quote>(?:[ \t]*>)+[ \t]*)\[![\w-]+\][+-]?(?:[ \t]+(?P<title>\S.*?))?[ \t]*$"
)
_JIRA_HEADING: Final = re.compile(r"h([1-6])\.[ \t]+")
_JIRA_MENTION: Final = re.compile(r"\[~([\w.@+-]+)\]")
_JIRA_LINK: Final = re.compile(r"\[([^\[\]|\n]+)\|(https?://[^\]\s]+)\]")
_JIRA_CODE: Final = re.compile(r"\{\{([^{}\n]+)\}\}")
_JIRA_MARKS: Final = (("(/)", "✅"), ("(x)", "❌"))
_JIRA_HEADINGS: Final = tuple(f"h{level}. " for level in range(1, 7))
_JIRA_LINES: Final = tuple(f"\n{mark}" for mark in _JIRA_HEADINGS)
_SLACK_MENTION: Final = re.compile(r"<@[A-Z0-9]+\|([\w.-]+)>")
_SLACK_LINK: Final = re.compile(r"<(https?://[^|<>\s]+)\|([^<>\n]+)>")
_SLACK_MARKS: Final = {
    ":white_check_mark:": "✅",
    ":heavy_check_mark:": "✅",
    ":ballot_box_with_check:": "✅",
    ":x:": "❌",
    ":no_entry_sign:": "❌",
}
_SLACK_EMOJI: Final = re.compile("|".join(re.escape(mark) for mark in _SLACK_MARKS))
_SLACK_STRUCK: Final = re.compile(r"(?<![~\w])~([^~\n]+)~(?![~\w])")
_SLACK_BOLD: Final = re.compile(r"\*([^*\n]+)\*")
_JIRA_CELL: Final = re.compile(
    r"(\|\|?)((?:\[[^\[\]\n]*\]|[^|])*)"
)  # a link's "|" stays in its cell
_JIRA_TABLE_OPENING: Final = "||"

_GRID_OPENING: Final = "+-"
_DIALECT_OPENINGS: Final = (
    "!!!",
    "???",
    ":::",
    "[!",
    "{%",
    _GRID_OPENING,
    _JIRA_TABLE_OPENING,
    *_JIRA_HEADINGS,
)
# GitBook's blocks ("{% hint style="success" %}" … "{% endhint %}"): their tags hold no words.
_BLOCK_TAG: Final = re.compile(r"[ \t]*\{%[^%\n]*%\}[ \t]*")
_OPENING_CHARACTERS: Final = frozenset(mark[0] for mark in _DIALECT_OPENINGS)
# A Logseq page opens with its properties, one "key:: value" a line.
_PROPERTY: Final = re.compile(r"[A-Za-z][\w-]*:: ")
_BLOCK_PROPERTY: Final = re.compile(r"(?P<key>[A-Za-z][\w-]*):: ?")
_OUTLINE_BULLET: Final = re.compile(r"(?P<depth>\t*)- (?P<text>.*)")
_MARKER: Final = re.compile(
    r"(?P<marker>TODO|LATER|NOW|DOING|WAITING|IN-PROGRESS|DONE|CANCELED|CANCELLED)"
    r"(?: \[#[ABC]\])? "
)
_PLANNING: Final = re.compile(r"(?P<kind>DEADLINE|SCHEDULED): <(?P<date>\d{4}-\d{2}-\d{2})[^>]*>")
_HEADING_TEXT: Final = re.compile(r"#{1,6} |\*\*(?P<bold>[^*]+)\*\*")
_TAG: Final = re.compile(r"(?<!\S)#[A-Za-z][\w/-]*")


def written_in_a_dialect(paragraphs: Iterable[str]) -> bool:
    """Whether one of these paragraphs (as CommonMark read them) opens with a dialect's mark
    (an admonition, a callout, a GitBook tag, a grid or Jira table, a Jira heading) or a Logseq
    property, holds a Jira heading or table on a line of its own, or a Slack mention or link."""
    for text in paragraphs:
        if text[:1] in _OPENING_CHARACTERS and text.startswith(_DIALECT_OPENINGS):
            return True
        # A search for one character costs far less than one for several: each mark's
        # rarest character is sought first.
        if "\n" in text and (
            ("|" in text and "\n||" in text)
            or ("\nh" in text and any(mark in text for mark in _JIRA_LINES))
        ):
            return True
        # A property opens the text, so its "::" holds the text's first colon.
        colon = text.find(":")
        if colon > 0 and text[colon + 1 : colon + 2] == ":" and _PROPERTY.match(text):
            return True
        if "<" in text and ("<@" in text or ("<http" in text and "|" in text)):
            return True
    return False


def as_commonmark(body: str) -> str:
    """``body`` with the dialects it is written in (see the module's notes) written as
    CommonMark, line for line."""
    admonitions = "!!!" in body or "???" in body or ":::" in body or "[!" in body or "{%" in body
    jira = any(mark in body for mark in _JIRA_HEADINGS)
    tables = _opens_a_line(body, _JIRA_TABLE_OPENING)
    grids = _opens_a_line(body, _GRID_OPENING)
    outline = _PROPERTY.match(body.lstrip("\n")) is not None
    slack = "<@" in body or _SLACK_LINK.search(body) is not None
    if not (admonitions or jira or tables or grids or outline or slack):
        return body
    lines = body.split("\n")
    if grids:
        lines = _grid_tables(lines)
    if slack:
        lines = _slack_lines(lines)
    if outline:
        # Every line of a Logseq page is a property or a block; a page that also has headings
        # or paragraphs of its own (Obsidian with Dataview fields) only has properties.
        blocks = all(not line or line[0] in "-\t " or _PROPERTY.match(line) for line in lines)
        lines = _outline(lines) if blocks else [_properties(line) for line in lines]
    if admonitions:
        lines = _admonitions(lines)
    if tables:
        lines = _jira_tables(lines)
    if jira and any(_JIRA_HEADING.fullmatch(line[:4]) for line in lines if line[:1] == "h"):
        lines = [_jira_line(line) for line in lines]
    return "\n".join(lines)


def _opens_a_line(body: str, mark: str) -> bool:
    return body.startswith(mark) or f"\n{mark}" in body


def _grid_tables(lines: list[str]) -> list[str]:
    """Each grid table (pandoc's, from a Word document: ``+---+---+`` borders around ``| … |``
    rows whose cells run over several lines) as a pipe table, line for line: a row's cells,
    joined, stand on its first line, its other lines and the borders between rows are empty
    rows, and the header row stands on the line before its ``+===+`` border, which becomes the
    delimiter row. The first border becomes a free line, and so does the last."""
    out = list(lines)
    at = 0
    while at < len(out):
        if not _GRID_BORDER.fullmatch(out[at]):
            at += 1
            continue
        end = at + 1
        while end < len(out) and (_GRID_BORDER.fullmatch(out[end]) or out[end].startswith("|")):
            end += 1
        if end - at >= 3 and _GRID_BORDER.fullmatch(out[end - 1]):
            out[at:end] = _grid_table(out[at:end])
        at = end
    return out


def _grid_table(lines: list[str]) -> list[str]:
    edges = [i for i, char in enumerate(lines[0]) if char == "+"]
    width = len(edges) - 1
    header_end = next((i for i, line in enumerate(lines) if "=" in line and line[0] == "+"), None)
    out = [""] * len(lines)
    row: list[list[str]] = []
    row_start = 0
    for number, line in enumerate(lines):
        if line[0] == "+":
            if row:
                if number == header_end:  # the header stands just above the delimiter row
                    out[number - 1] = _pipe_row(row)
                    out[row_start] = "" if row_start != number - 1 else out[number - 1]
                else:
                    out[row_start] = _pipe_row(row)
                row = []
            if number == header_end:
                out[number] = "|" + "---|" * width
            elif 0 < number < len(lines) - 1:
                out[number] = "|" + " |" * width
            continue
        cells = [line[edges[i] + 1 : edges[i + 1]].strip() for i in range(width)]
        if not row:
            row, row_start = [[] for _ in range(width)], number
        elif number != row_start:
            out[number] = "|" + " |" * width
        for column, cell in enumerate(cells):
            # A list inside a cell ("- notify mobile leads …") holds the cell's notes.
            if cell and not (cell.startswith(("- ", "* ")) and row[column]):
                row[column].append(cell.replace("|", "\\|"))
    if header_end is None and out[1:2] and out[1].strip(" |"):
        out[2:3] = ["|" + "---|" * width] if out[2] == "|" + " |" * width else out[2:3]
    return out


def _pipe_row(cells: list[list[str]]) -> str:
    return "| " + " | ".join(" ".join(words) for words in cells) + " |"


_GRID_BORDER: Final = re.compile(r"\+(?:[-=:]+\+)+\s*")


def _slack_lines(lines: list[str]) -> list[str]:
    """Slack's lines (see `_slack_line`); a line right after a bullet's is a line of its own
    in Slack, where CommonMark would run it on into the bullet: it is set apart as HTML."""
    out: list[str] = []
    after_bullet = False
    for line in lines:
        converted = _slack_line(line)
        if after_bullet and line.strip() and not converted.startswith(("- ", " ", "\t")):
            converted = "<div>" + converted
        after_bullet = converted.startswith("- ")
        out.append(converted)
    return out


def _slack_line(line: str) -> str:
    """A line of a Slack message as CommonMark: ``<@U02|maria>`` is ``@maria``,
    ``<https://…|SRE-2210>`` a link, ``~struck~`` struck, ``:white_check_mark:`` ✅, a ``•``
    bullet a list entry and a line ``*in bold*`` bold."""
    if "<" in line:
        line = _SLACK_MENTION.sub(r"@\1", line)
        line = _SLACK_LINK.sub(r"[\2](\1)", line)
    if ":" in line:
        line = _SLACK_EMOJI.sub(lambda m: _SLACK_MARKS[m.group(0)], line)
    if "~" in line:
        line = _SLACK_STRUCK.sub(r"~~\1~~", line)
    if line.startswith("• "):
        line = "- " + line[2:]
    bold = _SLACK_BOLD.fullmatch(line)
    return f"**{bold.group(1)}**" if bold else line


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
    return _jira_marks(_JIRA_CODE.sub(r"<code>\1</code>", text))


def _admonitions(lines: list[str]) -> list[str]:
    out: list[str] = []
    indented = False  # inside a MkDocs admonition: its content is indented four spaces
    hidden = False  # inside a spoiler that is not about actions
    for line in lines:
        if hidden:
            hidden = not _DOCUSAURUS_END.fullmatch(line)
            out.append("")
            continue
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
        if "{%" in line and _BLOCK_TAG.fullmatch(line):
            out.append("")
            continue
        callout = _CALLOUT.match(line) if "[!" in line else None
        if callout:
            out.append(f"{callout.group('quote')}{_bold(callout.group('title'))}")
            continue
        if line.startswith(":::"):
            docusaurus = _DOCUSAURUS.fullmatch(line)
            if docusaurus:
                title = docusaurus.group("title")
                # HackMD's ":::spoiler Repro steps" hides notes; one titled as a section of
                # actions ("Follow-ups") holds items.
                hidden = docusaurus.group("kind") == "spoiler" and not (
                    title and is_action_heading(title)
                )
                out.append("" if hidden else _bold(title))
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
    return _jira_marks(line)


def _jira_marks(text: str) -> str:
    """``(/)`` and ``(x)`` as the done and not-done marks they show (✅, ❌)."""
    for mark, symbol in _JIRA_MARKS:
        if mark in text:
            text = text.replace(mark, symbol)
    return text


def _outline(lines: list[str]) -> list[str]:
    """A Logseq page as CommonMark, line for line (see the module's notes)."""
    out: list[str] = []
    section = False  # under a top-level bullet made a heading: its blocks move out a level
    drawer = False
    deadline = None  # the block's deadline: a scheduled day is then not its due date
    for number, line in enumerate(lines):
        stripped = line.strip()
        if drawer or stripped == ":LOGBOOK:":
            drawer = stripped != ":END:"
            out.append("")
            continue
        bullet = _OUTLINE_BULLET.fullmatch(line)
        if bullet:
            deadline = _deadline(lines, number + 1)
        if bullet and not bullet.group("depth"):
            following = lines[number + 1] if number + 1 < len(lines) else ""
            section = following.startswith(("\t", "  "))
            if section:
                out.append(_heading(bullet.group("text")))
                continue
        moved_out = section and line.startswith("\t")
        if not moved_out and not line.startswith(("\t", " ", "-")):
            section = False
        out.append(_outline_line(line[1:] if moved_out else line, deadline))
    return out


def _properties(line: str) -> str:
    """A ``key:: value`` line (a page's property, Dataview's field) as ``key: value``."""
    field = _PROPERTY.match(line)
    return _field_line("", line[: field.end() - 3], line[field.end() :]) if field else line


def _field_line(indent: str, key: str, value: str) -> str:
    """A property as the ``Key: value`` line a field is, its page links as words."""
    return f"{indent}{key}: {page_links_as_words(value)}"


def _deadline(lines: list[str], start: int) -> str | None:
    """The deadline of the block whose lines follow ``start``, if it sets one."""
    for line in lines[start:]:
        if _OUTLINE_BULLET.fullmatch(line) or not line.startswith(("\t", " ")):
            return None
        planning = _PLANNING.fullmatch(line.strip())
        if planning and planning.group("kind") == "DEADLINE":
            return planning.group("date")
    return None


def _heading(text: str) -> str:
    """A section's bullet as a heading: its words without the heading or bold marks and tags."""
    found = _HEADING_TEXT.match(text)
    words = found.group("bold") or text[found.end() :] if found else text
    return "## " + _TAG.sub("", page_links_as_words(words)).strip()


def _outline_line(line: str, deadline: str | None) -> str:
    bullet = _OUTLINE_BULLET.fullmatch(line)
    if bullet:
        text = bullet.group("text")
        if "#" in text:  # tags ("#action") file a block; they are no words of it
            text = _TAG.sub("", text).strip()
        marker = _MARKER.match(text)
        if marker:
            kind = marker.group("marker")
            box = "[x] " if kind == "DONE" else "[ ] ❌ " if kind.startswith("CANCEL") else "[ ] "
            text = box + text[marker.end() :]
        return f"{bullet.group('depth')}- {page_links_as_words(text)}"
    content = line.lstrip()
    indent = line[: len(line) - len(content)]
    planning = _PLANNING.fullmatch(content)
    if planning:  # the due date is the deadline, else the day the work is scheduled for
        return f"{indent}Due: {deadline or planning.group('date')}"
    field = _BLOCK_PROPERTY.match(content)
    if field and field.group("key") in ("collapsed", "id"):
        return ""
    if field:
        return _field_line(indent, field.group("key"), content[field.end() :])
    return page_links_as_words(line)
