"""Notion exports: to-do check boxes and people, as the rest of the HTML reader writes them.

A Notion page exported as HTML writes a to-do list as ``<ul class="to-do-list">`` whose
entries hold ``<div class="checkbox checkbox-on">`` (or ``checkbox-off``) before their text:
such an entry is written ``[x] …`` or ``[ ] …``, as a Markdown task list is, so that a ticked
to-do reads as done. A person is a ``<span class="user">`` chip; in a database's person cell
two chips stand side by side with nothing between them, so a comma is put between chips that
follow one another (`between_people`).
"""

from __future__ import annotations

from followthrough.adapters.sources.html_tree import Element, Node, task_list


def is_to_do_list(attrs: dict[str, str]) -> bool:
    return "to-do-list" in attrs.get("class", "").split()


def to_do_list(attrs: dict[str, str], children: list[Node], line: int) -> Element:
    """The list with each entry opening with its check box's state."""
    return task_list(attrs, children, line, ticked=_is_ticked)


def _is_ticked(entry: Element) -> bool:
    for child in entry.children:
        if isinstance(child, Element) and child.name == "div":
            classes = child.attrs.get("class", "").split()
            if "checkbox" in classes:
                return "checkbox-on" in classes
    return False


def is_person(node: Node) -> bool:
    return (
        isinstance(node, Element)
        and node.name == "span"
        and "user" in node.attrs.get("class", "").split()
    )


def between_people(children: list[Node]) -> list[Node]:
    """``children`` with ", " between two person chips that follow one another."""
    out: list[Node] = []
    for child in children:
        if out and is_person(child) and is_person(out[-1]):
            out.append(", ")
        out.append(child)
    return out
