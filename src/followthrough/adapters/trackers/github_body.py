"""GitHub adapter, body half: the managed block and hidden lines inside human-readable issue bodies.

GitHub issues have no due-date field and no issue properties, so what followthrough manages
lives in the body, after the text people read and edit::

    <human text>

    <!-- followthrough:begin -->
    ---
    **Due:** 2026-11-04 (defaulted: …)
    **Postmortem:** [title](url)
    <!-- followthrough:end -->
    <!-- followthrough:v1 item="<key>" -->

Everything here is pure string work: rendering the block, reading the due date back from the
block only, replacing the block (or the marker line) while keeping every other character, and
neutralising our own comment syntax inside text we did not write, so a body or comment can
never forge a marker, a block boundary or a comment tag. A body we compose stays within
GitHub's 65,536 characters: the human text is cut (with a visible note), never our block or
marker line.
"""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

from followthrough.domain.tickets import Marker, comment_tag, shortened, writable

BEGIN = "<!-- followthrough:begin -->"
END = "<!-- followthrough:end -->"
RULE = "---"
BODY_LIMIT = 65_536  # GitHub refuses longer issue bodies and comments
NO_DUE = "none"
_URL_SAFE = ":/?#[]@!$&'*+,;=%~"  # reserved characters stay; spaces and parentheses do not
_OUR_SYNTAX = "<!-- followthrough:"
_ESCAPED_SYNTAX = "&lt;!-- followthrough:"
_BLOCK = re.compile(
    r"^<!-- followthrough:begin -->\n"
    r"(?P<inner>(?:(?!<!-- followthrough:(?:begin|end) -->$).*\n)*?)"
    r"<!-- followthrough:end -->$",
    re.M,
)
_DUE_LINE = re.compile(r"^\*\*Due:\*\* (?P<value>\S+)(?: \((?P<note>.*)\))?$", re.M)
_ANY_MARKER_LINE = re.compile(r'^<!-- followthrough:v\d+ item="[^"\n]+" -->$\n?', re.M)
_COMMENT_TAG = re.compile(r"^<!-- followthrough:comment ([^\n]*) -->$", re.M)


def normalize_newlines(text: str | None) -> str:
    """GitHub's web editor stores CRLF; every parser here works on ``\\n`` lines."""
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def neutralize(text: str) -> str:
    """Text we did not write, made unable to carry our hidden syntax (renders the same) or
    control characters."""
    return writable(normalize_newlines(text)).replace(_OUR_SYNTAX, _ESCAPED_SYNTAX)


def _one_line(text: str) -> str:
    return " ".join(neutralize(text).split())


def due_line(due: dt.date | None, note: str | None = None) -> str:
    """``**Due:** 2026-11-04 (note)``, or ``**Due:** none``."""
    value = due.isoformat() if due is not None else NO_DUE
    clean = _one_line(note or "")
    return f"**Due:** {value}" + (f" ({clean})" if clean and due is not None else "")


def _link(url: str, title: str | None) -> str:
    text = _one_line(title or url).replace("[", "\\[").replace("]", "\\]")
    target = quote(url.strip(), safe=_URL_SAFE)
    return f"[{text}]({target})"


def render_managed_block(
    *,
    due: dt.date | None,
    due_note: str | None = None,
    postmortem_url: str | None = None,
    postmortem_title: str | None = None,
) -> str:
    """The managed block, from the begin line to the end line (no trailing newline)."""
    lines = [BEGIN, RULE, due_line(due, due_note)]
    if postmortem_url:
        lines.append(f"**Postmortem:** {_link(postmortem_url, postmortem_title)}")
    return "\n".join([*lines, END])


def _block_match(body: str) -> re.Match[str] | None:
    """The last complete block: the one written next to the marker line."""
    found = None
    for found in _BLOCK.finditer(body):  # noqa: B007 - the last match is the one we want
        pass
    return found


def managed_block(body: str | None) -> str | None:
    """The managed block of a body (begin to end line), or ``None`` when there is none."""
    found = _block_match(normalize_newlines(body))
    return found.group(0) if found else None


def due_from_block(block: str) -> dt.date | None:
    """The due date a block records (the first ``**Due:**`` line), ``None`` when unset."""
    found = _DUE_LINE.search(block)
    if found is None:
        return None
    try:
        return dt.date.fromisoformat(found.group("value"))
    except ValueError:
        return None


def parse_managed_block(body: str | None) -> tuple[dt.date | None, str]:
    """``(due, rest)``: the block's due date, and the body with the block cut out.

    The due date is read from the block only; a ``**Due:**`` line a person wrote elsewhere
    is not ours. Without a complete block the due date is ``None`` and ``rest`` is the body.
    """
    text = normalize_newlines(body)
    found = _block_match(text)
    if found is None:
        return None, text
    rest = text[: found.start()].rstrip("\n")
    tail = text[found.end() :].lstrip("\n")
    joined = "\n".join(part for part in (rest, tail) if part)
    return due_from_block(found.group(0)), joined


def replace_managed_block(body: str | None, new_block: str) -> str:
    """The body with its block replaced in place; without one, the block is inserted.

    A new block goes right before the marker line when there is one, else at the end.
    Every character outside the block is kept.
    """
    text = normalize_newlines(body)
    found = _block_match(text)
    if found is not None:
        return text[: found.start()] + new_block + text[found.end() :]
    marker = _ANY_MARKER_LINE.search(text)
    if marker is not None:
        before = text[: marker.start()]
        separator = "" if not before or before.endswith("\n\n") else "\n"
        return before + separator + new_block + "\n" + text[marker.start() :]
    return _append(text, new_block)


def _fitted(text: str, ours: str) -> str:
    """Human ``text`` (neutralised, cut to what room is left) followed by our lines."""
    room = BODY_LIMIT - len(ours) - 2
    return _append(shortened(neutralize(text), room), ours)


def _append(text: str, addition: str) -> str:
    if not text.strip():
        return addition
    return text.rstrip("\n") + "\n\n" + addition


def with_due(body: str | None, due: dt.date | None, note: str | None = None) -> str:
    """The body with the block's due line set (other block lines kept), adding a block if needed."""
    block = managed_block(body)
    if block is None:
        return replace_managed_block(body, render_managed_block(due=due, due_note=note))
    new_line = due_line(due, note)
    if _DUE_LINE.search(block):
        updated = _DUE_LINE.sub(lambda _m: new_line, block, count=1)
    else:
        head, _, tail = block.partition("\n")
        updated = f"{head}\n{new_line}\n{tail}"
    return replace_managed_block(body, updated)


def with_human_text(body: str | None, text: str) -> str:
    """The body with the text outside our block and marker line replaced by ``text``."""
    current = normalize_newlines(body)
    ours = [part for part in (managed_block(current), _marker_line_of(current)) if part]
    if not ours:
        return shortened(neutralize(text), BODY_LIMIT)
    return _fitted(text, "\n".join(ours))


def _marker_line_of(body: str) -> str | None:
    found = _ANY_MARKER_LINE.search(body)
    return found.group(0).rstrip("\n") if found else None


def compose_body(
    text: str,
    marker: Marker,
    *,
    due: dt.date | None,
    due_note: str | None = None,
    postmortem_url: str | None = None,
) -> str:
    """A new issue's body: the human text, the managed block, the marker line."""
    block = render_managed_block(due=due, due_note=due_note, postmortem_url=postmortem_url)
    return _fitted(text, block + "\n" + marker.body_line())


def with_marker(body: str | None, marker: Marker) -> str:
    """The body carrying exactly this marker: other marker lines go, a block is ensured."""
    line = marker.body_line()
    text = _ANY_MARKER_LINE.sub("", normalize_newlines(body)).rstrip("\n")
    if managed_block(text) is None:
        text = _append(text, render_managed_block(due=None))
    return text + "\n" + line


def comment_body(text: str, tag: str) -> str:
    """A comment's text with a hidden trailing line that marks it as ours."""
    return _fitted(text.rstrip(), f"<!-- followthrough:comment {comment_tag(tag)} -->")


def has_comment_tag(body: str | None) -> bool:
    """Whether a comment carries our hidden tag line."""
    return bool(_COMMENT_TAG.search(normalize_newlines(body)))


def comment_tag_of(body: str | None) -> str | None:
    """The tag of our hidden tag line (the last one), exactly as written; None without one."""
    found = _COMMENT_TAG.findall(normalize_newlines(body))
    return str(found[-1]) if found else None
