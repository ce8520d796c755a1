"""Small helpers shared by the extraction tests: parse an inline fixture and look at the result."""

from __future__ import annotations

import importlib.util
import sys
import textwrap
from pathlib import Path
from types import ModuleType

from followthrough.adapters.sources.html import parse_html
from followthrough.adapters.sources.markdown import parse_markdown
from followthrough.domain.extract import extract
from followthrough.domain.lint import LintPolicy
from followthrough.domain.model import ActionItem, Postmortem


def fixture(text: str) -> str:
    """Dedent a fixture and drop its first newline, so line 1 is the fixture's first line."""
    return textwrap.dedent(text).removeprefix("\n")


def md_all(
    text: str, *, stem: str = "pm", folder: str | None = None, policy: LintPolicy | None = None
) -> tuple[Postmortem, ...]:
    doc = parse_markdown(fixture(text), path=f"{stem}.md", folder=folder, stem=stem)
    return extract(doc, policy=policy)


def md(
    text: str, *, stem: str = "pm", folder: str | None = None, policy: LintPolicy | None = None
) -> Postmortem:
    """The one postmortem of a Markdown fixture."""
    postmortems = md_all(text, stem=stem, folder=folder, policy=policy)
    assert len(postmortems) == 1, [pm.id for pm in postmortems]
    return postmortems[0]


def html(text: str, *, stem: str = "pm", policy: LintPolicy | None = None) -> Postmortem:
    """The one postmortem of an HTML fixture."""
    doc = parse_html(fixture(text), path=f"{stem}.html", stem=stem)
    postmortems = extract(doc, policy=policy)
    assert len(postmortems) == 1, [pm.id for pm in postmortems]
    return postmortems[0]


def titles(pm: Postmortem) -> list[str]:
    return [item.title for item in pm.action_items]


def lines(pm: Postmortem) -> list[int]:
    return [item.line for item in pm.action_items]


def only_item(pm: Postmortem) -> ActionItem:
    assert len(pm.action_items) == 1, titles(pm)
    return pm.action_items[0]


def codes(pm: Postmortem) -> list[tuple[str, int]]:
    """(code, line) of every finding, in order."""
    return [(finding.code, finding.line) for finding in pm.findings]


def codes_of(pm: Postmortem, item: ActionItem) -> list[str]:
    return [finding.code for finding in pm.findings if finding.item == item.key]


def bench_extract_module() -> ModuleType:
    """``bench/extract.py`` loaded as a module, for its generator of realistic documents."""
    path = Path(__file__).resolve().parents[2] / "bench" / "extract.py"
    spec = importlib.util.spec_from_file_location("bench_extract", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module
