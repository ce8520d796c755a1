"""The HTML adapter (lexbor, lines from a scan of the start tags) gives exactly the blocks of
the reference reader (html5lib, its own source lines): text, links and lines.

Compared on the shared corpus, on every HTML document in the tests (files and string
literals), on the fixtures, on the benchmark's generated exports and on hostile documents.
A difference is reported as the first block that differs.
"""

from __future__ import annotations

import ast
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from followthrough.adapters.sources.folder import kind_of
from followthrough.adapters.sources.html import parse_html
from followthrough.adapters.sources.limits import UnsafeDocumentError
from followthrough.domain.document import Paragraph, SourceDocument, Table
from tests.extract import hostile, html_reference
from tests.extract.helpers import bench_extract_module, fixture

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "tests"
CORPUS = ROOT.parent / "shared" / "corpus" / "postmortems"

# Random hostile documents on which the two readers differ, by seed of
# `hostile.random_document`, with why. All are tag soup no exporter writes.
DIVERGENT_SEEDS = {
    51: "an <a> the parser reopens after a block: html5lib gives the line of the text that "
    "reopened it, the adapter the line of the element before it",
    55: "content misplaced in a table (an <li> among rows): html5lib and lexbor move the "
    "formatting elements around it in a different order",
    162: "an <s> the parser reopens after a block (see 51)",
    603: "a <b> the parser reopens after a block (see 51)",
    1733: "lists and rows misplaced in a table (see 55)",
}
RANDOM_SEEDS = range(3_000)


def _read(text: str, parse: Callable[..., SourceDocument]) -> SourceDocument | str:
    try:
        return parse(text, path="x.html", folder="t", stem="x")
    except UnsafeDocumentError as unsafe:
        return f"refused: {unsafe.reason}"


def difference(text: str) -> str | None:
    """How the adapter's reading of ``text`` differs from the reference's, or ``None``."""
    expected = _read(text, html_reference.parse_html)
    actual = _read(text, parse_html)
    if expected == actual:
        return None
    if isinstance(expected, str) or isinstance(actual, str):
        return f"html5lib: {str(expected)[:300]}\nadapter: {str(actual)[:300]}"
    for index, (wanted, got) in enumerate(zip(expected.blocks, actual.blocks, strict=False)):
        if wanted != got:
            return f"block {index}:\n  html5lib {wanted}\n  adapter  {got}"
    if len(expected.blocks) != len(actual.blocks):
        return f"html5lib gives {len(expected.blocks)} blocks, the adapter {len(actual.blocks)}"
    return f"front matter: html5lib {expected.front_matter}, adapter {actual.front_matter}"


def _assert_same(text: str, where: str) -> None:
    found = difference(text)
    assert found is None, f"{where}: {found}"


_HTML_LITERAL = re.compile(r"<(?:p|h[1-6]|ul|ol|li|table|tr|div|span|a|body|html|br|ac:|ri:)[\s>/]")


def _literals() -> list[tuple[str, str]]:
    """Every string literal in the tests that holds HTML, with where it is."""
    found: list[tuple[str, str]] = []
    for path in sorted(TESTS.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and _HTML_LITERAL.search(node.value)
            ):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", fixture(node.value)))
    return found


LITERALS = _literals()


def test_the_tests_hold_html_literals() -> None:
    assert len(LITERALS) > 30, len(LITERALS)


@pytest.mark.parametrize(("where", "text"), LITERALS, ids=[where for where, _ in LITERALS])
def test_html_in_the_tests_matches_reference(where: str, text: str) -> None:
    _assert_same(text, where)


def _files() -> list[Path]:
    """Every HTML or storage-format document kept as a file in the tests."""
    return sorted(
        path
        for path in TESTS.rglob("*")
        if path.is_file() and kind_of(path.name) in ("html", "storage")
    )


@pytest.mark.parametrize("path", _files(), ids=lambda path: path.name)
def test_html_files_in_the_tests_match_reference(path: Path) -> None:
    _assert_same(path.read_bytes().decode("utf-8-sig", "replace"), str(path.relative_to(ROOT)))


@pytest.mark.corpus
def test_corpus_matches_reference() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and kind_of(p.name) == "html")
    assert files
    for path in files:
        _assert_same(path.read_bytes().decode("utf-8-sig"), path.name)


def test_generated_hostile_documents_match_reference() -> None:
    for name, data in hostile.generated().items():
        if name.endswith(".html"):
            _assert_same(data.decode(), name)


def test_random_hostile_documents_match_reference() -> None:
    differing: dict[int, str] = {}
    for seed in RANDOM_SEEDS:
        name, data = hostile.random_document(random.Random(seed))
        if name.endswith(".html"):
            found = difference(data.decode("utf-8", "replace"))
            if found is not None:
                differing[seed] = found
    unexplained = {seed: found for seed, found in differing.items() if seed not in DIVERGENT_SEEDS}
    assert not unexplained, unexplained
    assert set(differing) == set(DIVERGENT_SEEDS), "remove the seeds that agree now"


def test_generated_exports_match_reference() -> None:
    bench = bench_extract_module()
    rng = random.Random(12)
    writer = bench.Writer(rng)
    for number in range(60):
        incident = writer.incident(rng.choice(bench.TEAMS))
        render = bench.render_confluence if number % 2 else bench.render_pagerduty
        _assert_same(render(writer, incident, int(rng.triangular(3000, 15000, 5000))), "bench")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        # A start tag spanning lines is on the line where it ends, as html5lib has it.
        ("<p\nclass=x>one</p>\n<p>two</p>", [2, 3]),
        # Tags inside comments, scripts and quoted attribute values are not elements.
        ("<!-- <p>x</p> -->\n<script>'<p>'</script>\n<p title='<p>'>one</p>\n<p>two</p>", [3, 4]),
        # Lines end at a line feed, a carriage return or both.
        ("<p>one</p>\r\n<p>two</p>\r<p>three</p>", [1, 2, 3]),
        # Cells written outside any table are dropped by the parser, not counted.
        ("<tr><td>x</td></tr>\n<table><tr><td>one</td>\n<td>two</td></tr></table>", [2, 3]),
    ],
)
def test_lines_come_from_the_start_tags(text: str, lines: list[int]) -> None:
    _assert_same(text, "case")
    found: list[int] = []
    for block in parse_html(text, path="x.html").blocks:
        if isinstance(block, Paragraph):
            found.append(block.text.line)
        elif isinstance(block, Table):
            found += [cell.line for row in (block.header, *block.rows) for cell in row]
    assert found == lines
