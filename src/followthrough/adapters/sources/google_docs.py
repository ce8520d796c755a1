"""Google Docs exports: the document's title is a paragraph styled "Title", not ``<title>``.

A Google Docs HTML export has no ``<title>`` element; the title the author typed is the body's
``<p class="… title">``. It is taken as the page title, as ``<title>`` is for other exports.
"""

from __future__ import annotations

from followthrough.adapters.sources.html_tree import Element, inline_text


def title_paragraph(root: Element) -> str:
    """The text of the body's first paragraph styled as the title, or ``""``."""
    for child in root.children:
        if (
            not isinstance(child, str)
            and child.name == "p"
            and "title" in child.attrs.get("class", "").split()
        ):
            return inline_text(child)
    return ""
