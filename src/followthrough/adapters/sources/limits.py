"""Bounds that keep parsing one hostile document safe: nesting depth and markup volume.

Sits under the Markdown and HTML adapters. The parsers (markdown-it's Rust core, lexbor) and
the block walks recurse per level of nesting, and some of their rules grow faster than
the text does; a single linear scan before parsing refuses the documents that would crash
or stall them, so a bad file becomes one ``unreadable-document`` finding, never a stopped run.
"""

from __future__ import annotations

import re

# Postmortems nest lists and quotes a few levels deep; a hundred is far beyond any real one
# and well inside Python's recursion limit for the walk that follows.
MAX_NESTING = 100
# Emphasis, link and table delimiters: each becomes a node, and the parsers' memory and
# time grow with them (a few hundred bytes per node, faster than linear for some rules).
MAX_MARKUP = 100_000
# Consecutive lines opening with "[" are each tried as a reference definition against all
# the lines after them: quadratic in the run's length.
MAX_REFERENCE_RUN = 1_000
# Each tag costs the line scan and the tree walk a few microseconds, a parser repairing
# broken markup more.
MAX_HTML_TAGS = 20_000


class UnsafeDocumentError(ValueError):
    """A document that cannot be parsed within the bounds above; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _nesting(levels: int) -> UnsafeDocumentError:
    return UnsafeDocumentError(
        f"cannot be parsed safely: nested at least {levels} levels deep (limit {MAX_NESTING})"
    )


# A line's container prefix (blockquote markers, list markers and the whitespace between),
# sought only on lines whose first characters could make one longer than the nesting check
# needs: `_LONG_LINE` finds those lines by searching for their newline (a fast scan for one
# character), so every other line costs no regex step at all. A caller that knows where an
# ASCII body's lines start may find them instead: those whose first `LONG_PREFIX`
# characters are all `PREFIX_CHARACTERS` (``\d`` is ``0-9`` in ASCII).
LONG_PREFIX = MAX_NESTING // 2 + 1
PREFIX_CHARACTERS = " \t>*+-0123456789.)"
_PREFIX_CHARS = r"[ \t>*+\-\d.)]{" + str(LONG_PREFIX) + "}"
_LONG_LINE = re.compile(r"\n(?=" + _PREFIX_CHARS + ")")
_LONG_PREFIX = re.compile(
    r"^(?=" + _PREFIX_CHARS + ")"
    r"(?:[ \t]|>|(?:[-*+]|\d{1,9}[.)])(?=[ \t]|$))*",
    re.MULTILINE,
)
_REFERENCE_LINE = re.compile(r"[ \t>]*\[")
# Every byte but the emphasis, link and table marks, which are ASCII: in UTF-8 no other
# character's bytes include theirs, so deleting these bytes leaves exactly the marks (one
# encode and one translate cost less than counting each mark in the text).
_NOT_MARKUP = bytes(byte for byte in range(256) if chr(byte) not in "*_[~|")


def check_markdown(body: str, lines: int, prefixed: list[int] | None = None) -> None:
    """Raise `UnsafeDocumentError` when Markdown nests too deeply or holds too much markup.

    ``lines`` is how many lines the body has; ``prefixed``, when given, the starts of the lines
    that open with a long prefix (see `LONG_PREFIX`), the only ones whose nesting can be too
    deep. A line's nesting is bounded by its prefix: each container level takes a ``>``, a
    list marker, or at least two columns of indentation.
    """
    # Each mark is one character: a body no longer than the limit cannot hold too many.
    if len(body) > MAX_MARKUP:
        markup = len(body.encode(errors="surrogatepass").translate(None, _NOT_MARKUP))
        if markup > MAX_MARKUP:
            raise UnsafeDocumentError(
                "cannot be parsed safely: "
                f"{markup} emphasis, link and table marks (limit {MAX_MARKUP})"
            )
    if prefixed is None:
        prefixed = [0, *(newline.end() for newline in _LONG_LINE.finditer(body))]
    for start in prefixed:
        match = _LONG_PREFIX.match(body, start)
        if match is None:
            continue
        prefix = match.group()
        if len(prefix) > MAX_NESTING // 2:  # a tab may count as two levels
            levels = _prefix_levels(prefix)
            if levels > MAX_NESTING:
                raise _nesting(levels)
    if lines > MAX_REFERENCE_RUN:  # a run of lines is no longer than the body
        _check_reference_runs(body)


def _prefix_levels(prefix: str) -> int:
    columns = len(prefix.expandtabs(4))
    markers = len(prefix) - prefix.count(" ") - prefix.count("\t")
    return markers + (columns - markers) // 2


def _check_reference_runs(body: str) -> None:
    if body.count("[") <= MAX_REFERENCE_RUN:
        return
    run = 0
    for line in body.split("\n"):
        run = run + 1 if _REFERENCE_LINE.match(line) else 0
        if run > MAX_REFERENCE_RUN:
            raise UnsafeDocumentError(
                f"cannot be parsed safely: over {MAX_REFERENCE_RUN} consecutive lines "
                "starting with '['"
            )


_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*?(/?)>")
# Elements that never hold others, or that a browser closes when the next one starts:
# they add no lasting depth.
_FLAT = frozenset(
    "area base br col embed hr img input link meta source track wbr param keygen "
    "p li dt dd tr td th thead tbody tfoot option optgroup rb rt rp colgroup caption "
    "html head body".split()
)


# End tags, and start tags of the commonest elements that add no depth (see `_FLAT`).
_NO_DEPTH = re.compile(r"<(?:/|(?:p|li|t[dhr]|br)[\t\n\f\r />])")


def check_html(text: str) -> None:
    """Raise `UnsafeDocumentError` when HTML nests tags too deeply or holds too many."""
    tags = text.count("<")
    if _depth_bound(text, tags) > MAX_NESTING:
        depth = 0
        for match in _TAG.finditer(text):
            closing, name, self_closing = match.groups()
            if name.lower() in _FLAT or self_closing:
                continue
            if closing:
                depth = max(depth - 1, 0)
                continue
            depth += 1
            if depth > MAX_NESTING:
                raise _nesting(depth)
    if tags > MAX_HTML_TAGS:
        raise UnsafeDocumentError(
            f"cannot be parsed safely: {tags} HTML tags or '<' signs (limit {MAX_HTML_TAGS})"
        )


def _depth_bound(text: str, tags: int) -> int:
    """At least the nesting `check_html` measures: each level is opened by a '<' that starts
    neither an end tag nor a start tag of an element that adds no depth."""
    return tags - len(_NO_DEPTH.findall(text))
