"""Fuzzing the document readers: whatever the bytes, postmortems come back and nothing raises.

Every unreadable document is exactly one postmortem with exactly one ``unreadable-document``
finding. Hypothesis assembles Markdown and HTML from fragments, random text and raw bytes;
the nasty corpus (``tests/extract/nasty/`` plus big generated files) holds the known worst
cases. A generous hypothesis deadline guards against a parser hanging on some input; the
time per file is measured by ``bench/fuzz.py``.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import Postmortem
from tests.extract.hostile import HTML_FRAGMENTS, MARKDOWN_FRAGMENTS, NASTY_DIR, generated

READER = DocumentReader()
FUZZ = settings(
    max_examples=300,
    deadline=dt.timedelta(seconds=10),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _assert_sound(postmortems: tuple[Postmortem, ...]) -> None:
    assert postmortems
    unreadable = [pm for pm in postmortems if not pm.readable]
    if unreadable:
        assert len(postmortems) == 1
        assert [f.code for f in unreadable[0].findings] == ["unreadable-document"]


def _document(fragments: tuple[str, ...]) -> st.SearchStrategy[bytes]:
    part = st.sampled_from(fragments) | st.text(max_size=12)
    repeated = st.tuples(st.sampled_from(fragments), st.integers(2, 300)).map(lambda t: t[0] * t[1])
    return st.lists(part | repeated, max_size=40).map(
        lambda parts: "".join(parts).encode("utf-8", "surrogatepass")
    )


@FUZZ
@given(_document(MARKDOWN_FRAGMENTS))
def test_markdown_documents_never_raise(data: bytes) -> None:
    _assert_sound(READER.parse_bytes(data, name="fuzz.md"))


@FUZZ
@given(_document(HTML_FRAGMENTS))
def test_html_documents_never_raise(data: bytes) -> None:
    _assert_sound(READER.parse_bytes(data, name="fuzz.html"))


@FUZZ
@given(st.binary(max_size=3_000), st.sampled_from(["fuzz.md", "fuzz.html"]))
def test_arbitrary_bytes_never_raise(data: bytes, name: str) -> None:
    _assert_sound(READER.parse_bytes(data, name=name))


def _nasty() -> dict[str, bytes]:
    files = {path.name: path.read_bytes() for path in sorted(NASTY_DIR.iterdir())}
    return {**files, **generated()}


UNREADABLE_COMMITTED = {"bad-utf8.md", "binary.md", "only-whitespace.md", "utf16.md"}


@pytest.mark.timeout(120)
def test_the_nasty_corpus_read_from_a_folder(tmp_path: Path) -> None:
    """One run over every nasty file, pipes and links included: no exception escapes, and
    each unreadable file is one postmortem with one finding."""
    root = tmp_path / "nasty"
    root.mkdir()
    nasty = _nasty()
    for name, data in nasty.items():
        (root / name).write_bytes(data)
    os.mkfifo(root / "unreadable-pipe.md")
    os.symlink("unreadable-loop.md", root / "unreadable-loop.md")
    (tmp_path / "outside.md").write_text("# Outside\n", encoding="utf-8")
    os.symlink(tmp_path / "outside.md", root / "unreadable-outside.md")

    postmortems = list(DocumentReader().read([str(root)]))

    by_file: dict[str, list[Postmortem]] = {}
    for pm in postmortems:
        by_file.setdefault(Path(pm.path).name, []).append(pm)
    expected = {*nasty, "unreadable-pipe.md", "unreadable-loop.md", "unreadable-outside.md"}
    assert set(by_file) == expected
    unreadable = {name for name, pms in by_file.items() if not all(pm.readable for pm in pms)}
    assert unreadable == {n for n in expected if n.startswith("unreadable-")} | UNREADABLE_COMMITTED
    for name in unreadable:
        (pm,) = by_file[name]
        assert [f.code for f in pm.findings] == ["unreadable-document"], name
