"""Nasty documents for the reader's fuzz test and for ``bench/fuzz.py``.

Small hand-written files live in ``tests/extract/nasty/``; the big ones are generated here
when needed rather than committed. The fragments are the building blocks both the fuzz test
(through hypothesis) and the benchmark (through a seeded random generator) assemble.
"""

from __future__ import annotations

import random
from pathlib import Path

NASTY_DIR = Path(__file__).resolve().parent / "nasty"


def generated() -> dict[str, bytes]:
    """Big nasty documents, by file name; ``unreadable-`` ones must give exactly one finding."""
    docs = {
        "unreadable-deep-markers.md": "- " * 10_000 + "x\n",
        "unreadable-deep-indent.md": "".join("  " * i + "- item\n" for i in range(400)),
        "unreadable-deep-quotes.md": ">" * 100_000 + " x\n",
        "unreadable-deep-divs.html": "<div>" * 2_500 + "deep",
        "unreadable-many-divs.html": "<div>" * 20_000 + "deep",
        "unreadable-deep-inline.html": "<b><i><span>" * 1_000 + "deep",
        "unreadable-emphasis-flood.md": "*a" * 200_000,
        "unreadable-reference-run.md": "[a]: http://x\n" * 4_000,
        "unreadable-tag-flood.html": "<p>" + "<span>a</span>" * 60_000,
        "unreadable-oversized.md": "# Outage\n" + "x" * (5 * 1024 * 1024),
        "long-line.md": "# Outage\n\n## Action items\n\n- " + "word " * 200_000 + "\n",
        "long-list.html": "<h2>Action items</h2><ul>" + "<li>Fix item number x\n" * 4_000,
        "long-table.md": "## Action items\n\n| Action | Owner |\n|---|---|\n"
        + "| Fix it | bob |\n" * 10_000,
        "many-brackets.md": "## Action items\n\n- " + "[" * 50_000 + "\n",
        "many-backticks.md": "`" * 100_000,
        "unreadable-many-angles.html": "<" * 200_000,
        "owner-regex.md": "## Action items\n\n- x (owner: " + "a, " * 20_000 + ")\n",
        "due-regex.md": "## Action items\n\n- x due " + "1" * 50_000 + " ; \n",
    }
    return {name: text.encode() for name, text in docs.items()}


MARKDOWN_FRAGMENTS = (
    "# Outage\n",
    "## Action items\n",
    "### Follow-ups\n",
    "**Action items**\n",
    "Action item: ",
    "- ",
    "  - ",
    "* [ ] ",
    "1. ",
    "> ",
    ">> ",
    "| Action | Owner | Due | Ticket |\n|---|---|---|---|\n",
    "| Fix it | @bob | 2024-05-01 | OPS-1 |\n",
    "| <img src=x> | | |\n",
    "Pin the client (owner: @alice, due: 2024-05-01)",
    "~~Dropped~~",
    "**Bold**: explained",
    "[PAY-7](https://x.atlassian.net/browse/PAY-7)",
    "acme/ops#12",
    "```\ncode\n",
    "---\ntitle: T\n---\n",
    "<div>",
    "</div>",
    "\\",
    "[a]: http://x\n",
    "\n",
    "\n\n",
    "\t",
    "    ",
    "\x1b[31m",
    "\u202e",
    "\x00",
    "\r\n",
    "*",
    "_",
    "`",
    "|",
    "[",
    "]",
    "(",
    ")",
    "<",
    ">",
    "&amp;",
)

HTML_FRAGMENTS = (
    "<h1>Outage</h1>",
    "<h2>Action items</h2>",
    "<ul>",
    "</ul>",
    "<ol>",
    "<li>",
    "</li>",
    "<table><tr><th>Action</th><th>Owner</th></tr>",
    "<tr><td>Fix it</td><td>bob</td></tr>",
    "<tr><td><img src=x></td><td>bob</td></tr>",
    "</table>",
    "<div>",
    "</div>",
    "<p>",
    "<b>",
    "<i>",
    "<s>",
    "<br>",
    "<a href='https://github.com/acme/ops/issues/1'>",
    "</a>",
    "<input type=checkbox checked>",
    "<script>",
    "</script>",
    "<pre>",
    "<code>",
    "<svg>",
    "<!--",
    "-->",
    "&#x1b;",
    "&#x202e;",
    "&#0;",
    "&nbsp;",
    "Pin the client (owner: @alice, due: 2024-05-01)",
    "<",
    ">",
    "\n",
)


def random_document(rng: random.Random, *, max_parts: int = 60) -> tuple[str, bytes]:
    """A random document (file name and bytes): fragments, random text, and random damage."""
    html = rng.random() < 0.3
    fragments = HTML_FRAGMENTS if html else MARKDOWN_FRAGMENTS
    parts: list[str] = []
    for _ in range(rng.randint(0, max_parts)):
        roll = rng.random()
        if roll < 0.7:
            parts.append(rng.choice(fragments))
        elif roll < 0.9:
            parts.append("".join(chr(rng.randint(32, 126)) for _ in range(rng.randint(1, 20))))
        else:
            parts.append("".join(chr(rng.randint(0, 0x2FFF)) for _ in range(rng.randint(1, 5))))
        if rng.random() < 0.05:
            parts.append(rng.choice(fragments) * rng.randint(2, 500))
    data = "".join(parts).encode("utf-8", "surrogatepass")
    if data and rng.random() < 0.05:
        index = rng.randrange(len(data))
        data = data[:index] + bytes([rng.randint(0, 255)]) + data[index + 1 :]
    return ("doc.html" if html else "doc.md"), data
