"""Google Docs exports: the title is a paragraph styled "Title"; bold and strikethrough are
CSS classes.

A Google Docs HTML export has no ``<title>`` element; the title the author typed is the body's
``<p class="… title">``. It is taken as the page title, as ``<title>`` is for other exports.

Nor does it write ``<b>`` or ``<s>``: a span carries classes that its ``<style>`` block makes
bold (``font-weight:700``) or struck (``text-decoration:line-through``). Before the page is
parsed, such spans become ``<b>``/``<s>`` so that a struck item reads as dropped and a bold
title as a title, as in every other format. The export never nests spans, and the rewrite
keeps every line break where it was (source lines stay right).
"""

from __future__ import annotations

import re

from followthrough.adapters.sources.html_tree import Element, inline_text

_STYLE = re.compile(r"<style[^>]*>(.*?)</style>", re.S | re.I)
_RULE = re.compile(r"\.([\w-]+)\{([^}]*)\}")
_SPAN = re.compile(r'<span class="([^"]*)">([^<]*)</span>')


def with_styles(text: str) -> str:
    """The export with its bold and struck spans written as ``<b>`` and ``<s>``."""
    if "line-through" not in text and "font-weight:700" not in text:
        return text
    bold: set[str] = set()
    struck: set[str] = set()
    for style in _STYLE.findall(text):
        for name, body in _RULE.findall(style):
            declarations = body.replace(" ", "")
            if "font-weight:700" in declarations or "font-weight:bold" in declarations:
                bold.add(name)
            if "text-decoration:line-through" in declarations:
                struck.add(name)
    if not bold and not struck:
        return text

    def rewrite(span: re.Match[str]) -> str:
        classes = set(span.group(1).split())
        inner = span.group(2)
        if classes & bold:
            inner = f"<b>{inner}</b>"
        if classes & struck:
            inner = f"<s>{inner}</s>"
        return inner if classes & (bold | struck) else span.group(0)

    return _SPAN.sub(rewrite, text)


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
