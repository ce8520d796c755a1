"""Builds followthrough. The modules every scan runs through are compiled to C with mypyc.

Extraction reads every postmortem on every cold scan: the source parsers and the extraction
rules are plain, strictly typed Python, and mypyc turns them into C extension modules that
do the same a good deal faster (bench/extract.py reports which kind it measured). Other
modules stay Python.

``FOLLOWTHROUGH_COMPILE`` chooses:

- unset: a wheel or ``pip install .`` is compiled (this needs a C compiler); an editable
  install (``pip install -e .``) runs the source as it stands, so an edit takes effect at once;
- ``1``: compile, and fail if that is not possible (an editable install is refused: its
  compiled modules would hide later edits of their source);
- ``0``: do not compile; the pure-Python package behaves the same, only slower.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

# The scan's path: reading a file, parsing it into blocks, extracting and linting its items.
# tests/deploy/test_compiled_build.py checks that the compiled modules give the same results.
COMPILED = [
    "src/followthrough/adapters/sources/confluence.py",
    "src/followthrough/adapters/sources/dialects.py",
    "src/followthrough/adapters/sources/editors.py",
    "src/followthrough/adapters/sources/frontmatter.py",
    "src/followthrough/adapters/sources/html.py",
    "src/followthrough/adapters/sources/html_tree.py",
    "src/followthrough/adapters/sources/markdown.py",
    "src/followthrough/adapters/sources/source_lines.py",
    "src/followthrough/domain/categorize.py",
    "src/followthrough/domain/document.py",
    "src/followthrough/domain/extract.py",
    "src/followthrough/domain/fields.py",
    "src/followthrough/domain/itemtext.py",
    "src/followthrough/domain/keys.py",
    "src/followthrough/domain/lint.py",
    "src/followthrough/domain/memo.py",
    "src/followthrough/domain/metadata.py",
    "src/followthrough/domain/sections.py",
    "src/followthrough/domain/tables.py",
    "src/followthrough/domain/tickets.py",
    "src/followthrough/domain/values.py",
    "src/followthrough/domain/walk.py",
]

_YES = ("1", "yes", "true", "on")
_NO = ("0", "no", "false", "off")
# The commands that build extension modules; metadata and sdist commands need none.
_BUILDS = ("bdist_wheel", "build", "build_ext", "install", "editable_wheel", "develop")


def _compile() -> bool:
    choice = os.environ.get("FOLLOWTHROUGH_COMPILE", "").strip().lower()
    editable = "editable_wheel" in sys.argv or "develop" in sys.argv
    if choice in _NO:
        return False
    if choice in _YES:
        if editable:
            raise SystemExit(
                "FOLLOWTHROUGH_COMPILE=1: an editable install runs the source; "
                "build a wheel (pip install .) for compiled modules"
            )
        return True
    if choice:
        raise SystemExit(f"FOLLOWTHROUGH_COMPILE={choice!r}: use 1 (compile) or 0 (do not)")
    return not editable


def _ext_modules() -> list[object]:
    if not any(command in sys.argv for command in _BUILDS) or not _compile():
        return []
    from mypyc.build import mypycify  # noqa: PLC0415 - only a build that compiles needs it

    return list(mypycify(COMPILED, opt_level="3", group_name="followthrough_compiled"))


setup(ext_modules=_ext_modules())
