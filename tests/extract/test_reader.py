"""Reading folders: bad files become findings and the run goes on; the cache skips unchanged files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from followthrough.adapters.sources.reader import (
    DocumentReader,
    extraction_code_digest,
    extraction_code_files,
)
from followthrough.domain.lint import LintPolicy
from followthrough.domain.model import Postmortem, Severity

GOOD = "# Cache outage\n\n## Action items\n\n- Pin the client library version (owner: @alice, due: 2024-05-01)\n"
OTHER = "# Queue outage\n\n## Action items\n\n- Add an alert on queue depth (owner: @bob, due: 2024-06-01)\n"


def _read(reader: DocumentReader, root: Path) -> dict[str, Postmortem]:
    return {Path(pm.path).name: pm for pm in reader.read([str(root)])}


def _write_team(tmp_path: Path) -> Path:
    root = tmp_path / "postmortems"
    team = root / "payments"
    team.mkdir(parents=True)
    (team / "a-good.md").write_text(GOOD, encoding="utf-8")
    (team / "z-good.md").write_text(OTHER, encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        (
            "latin1.md",
            "# Caf\xe9 outage\n".encode("latin-1"),
            "file is not UTF-8 (invalid byte 0xe9 on line 1)",
        ),
        ("binary.md", b"# Outage\n\x00\x01\x02\x03", "file is binary, not text"),
        ("empty.md", b"", "file is empty"),
        ("blank.md", b"  \n\n  \n", "file is empty"),
        ("huge.md", b"# Outage\n" + b"x" * (5 * 1024 * 1024), "over the 5 MB limit"),
    ],
)
def test_unreadable_file_is_a_finding_and_the_run_goes_on(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    root = _write_team(tmp_path)
    (root / "payments" / name).write_bytes(content)
    reader = DocumentReader()
    found = _read(reader, root)

    assert sorted(found) == sorted(["a-good.md", "z-good.md", name])
    bad = found[name]
    assert (bad.readable, bad.action_items, bad.team) == (False, (), "payments")
    assert [(f.code, f.severity, f.line) for f in bad.findings] == [
        ("unreadable-document", Severity.ERROR, 1)
    ]
    shown = str(root / "payments" / name)
    assert bad.findings[0].path == shown
    assert bad.findings[0].message.startswith(f"{shown}: ")
    assert reason in bad.findings[0].message
    assert [i.title for i in found["a-good.md"].action_items] == ["Pin the client library version"]
    assert [i.title for i in found["z-good.md"].action_items] == ["Add an alert on queue depth"]
    assert (reader.stats.files, reader.stats.parsed, reader.stats.unreadable) == (3, 2, 1)


def test_broken_front_matter_reports_the_line_and_keeps_the_body(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    (root / "payments" / "m-front.md").write_text(
        "---\ntitle: Cache outage\nauthors: [alice\nteam: payments\n---\n" + GOOD, encoding="utf-8"
    )
    found = _read(DocumentReader(), root)
    pm = found["m-front.md"]
    assert [(f.code, f.severity, f.line) for f in pm.findings] == [
        ("bad-front-matter", Severity.ERROR, 4)
    ]
    assert pm.findings[0].path == str(root / "payments" / "m-front.md")
    assert [(i.title, i.line, i.owner) for i in pm.action_items] == [
        ("Pin the client library version", 10, "alice")
    ]
    assert len(found) == 3


def test_broken_html_still_parses(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    (root / "payments" / "m-export.html").write_text(
        "<html><head><title>Search outage</title><body>\n"
        "<div><h1>Search outage</h1>\n"
        "<h2>Action items</h2>\n"
        "<ul><li>Raise the search timeout to 5 s</li>\n"
        "<li>Add an alert on search latency</ul>\n"
        "<p>Written after the review <i>meeting\n",
        encoding="utf-8",
    )
    found = _read(DocumentReader(), root)
    pm = found["m-export.html"]
    assert pm.readable
    assert pm.title == "Search outage"
    assert [(i.title, i.line) for i in pm.action_items] == [
        ("Raise the search timeout to 5 s", 4),
        ("Add an alert on search latency", 5),
    ]
    assert len(found) == 3


def test_html_list_items_without_end_tags(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    (root / "payments" / "m-export.html").write_text(
        "<h1>Search outage</h1>\n<h2>Action items</h2>\n"
        "<ul><li>Raise the search timeout to 5 s\n<li>Add an alert on search latency\n</ul>\n",
        encoding="utf-8",
    )
    pm = _read(DocumentReader(), root)["m-export.html"]
    assert [i.title for i in pm.action_items] == [
        "Raise the search timeout to 5 s",
        "Add an alert on search latency",
    ]


def test_unclosed_inline_tag_before_the_section(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    (root / "payments" / "m-export.html").write_text(
        "<h1>Search outage</h1>\n<p>Summary written in <b>haste\n<h2>Action items</h2>\n"
        "<ul><li>Raise the search timeout to 5 s</li>\n<li>Add an alert on search latency</li></ul>\n",
        encoding="utf-8",
    )
    pm = _read(DocumentReader(), root)["m-export.html"]
    assert [i.title for i in pm.action_items] == [
        "Raise the search timeout to 5 s",
        "Add an alert on search latency",
    ]


def test_symlink_loop_is_reported_once_and_the_run_goes_on(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    os.symlink("..", root / "payments" / "loop")
    reader = DocumentReader()
    postmortems = list(reader.read([str(root)]))

    assert sorted(Path(pm.path).name for pm in postmortems) == ["a-good.md", "loop", "z-good.md"]
    (loop,) = (pm for pm in postmortems if pm.path.endswith("loop"))
    assert loop.path == str(root / "payments" / "loop")
    assert [(f.code, f.severity) for f in loop.findings] == [
        ("unreadable-document", Severity.ERROR)
    ]
    assert "symbolic link loop" in loop.findings[0].message
    assert reader.stats.files == 3


def test_missing_path_is_a_finding(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere"
    (pm,) = DocumentReader().read([str(missing)])
    assert [f.code for f in pm.findings] == ["unreadable-document"]
    assert str(missing) in pm.findings[0].message


def test_folders_are_walked_recursively_in_order_and_hidden_or_other_files_skipped(
    tmp_path: Path,
) -> None:
    root = _write_team(tmp_path)
    (root / "search" / "2024").mkdir(parents=True)
    (root / "search" / "2024" / "outage.html").write_text(
        "<h1>Search</h1><h2>Action items</h2><ul><li>Raise the search timeout</li></ul>",
        encoding="utf-8",
    )
    (root / "search" / "notes.txt").write_text(GOOD, encoding="utf-8")
    (root / ".drafts").mkdir()
    (root / ".drafts" / "draft.md").write_text(GOOD, encoding="utf-8")
    reader = DocumentReader()
    postmortems = list(reader.read([str(root)]))
    assert [(Path(pm.path).relative_to(root).as_posix(), pm.team) for pm in postmortems] == [
        ("payments/a-good.md", "payments"),
        ("payments/z-good.md", "payments"),
        ("search/2024/outage.html", "2024"),
    ]
    assert reader.stats.files == 3


def test_second_read_of_an_unchanged_tree_parses_nothing(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    (root / "payments" / "empty.md").write_bytes(b"")
    cache = tmp_path / "cache"

    first_reader = DocumentReader(cache_dir=cache)
    first = list(first_reader.read([str(root)]))
    assert (first_reader.stats.files, first_reader.stats.parsed, first_reader.stats.cached) == (
        3,
        2,
        0,
    )

    second_reader = DocumentReader(cache_dir=cache)
    second = list(second_reader.read([str(root)]))
    assert (second_reader.stats.parsed, second_reader.stats.cached) == (0, 3)
    assert second == first


def test_a_changed_file_is_parsed_again(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    cache = tmp_path / "cache"
    list(DocumentReader(cache_dir=cache).read([str(root)]))

    changed = root / "payments" / "z-good.md"
    changed.write_text(OTHER + "- Raise the queue limit to 10k (owner: @bob, due: 2024-06-02)\n")
    reader = DocumentReader(cache_dir=cache)
    found = _read(reader, root)
    assert (reader.stats.parsed, reader.stats.cached) == (1, 1)
    assert [i.title for i in found["z-good.md"].action_items] == [
        "Add an alert on queue depth",
        "Raise the queue limit to 10k",
    ]


def test_touched_but_identical_file_is_taken_from_the_cache(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    cache = tmp_path / "cache"
    list(DocumentReader(cache_dir=cache).read([str(root)]))

    touched = root / "payments" / "a-good.md"
    stat = touched.stat()
    os.utime(touched, ns=(stat.st_atime_ns, stat.st_mtime_ns + 5_000_000_000))
    reader = DocumentReader(cache_dir=cache)
    list(reader.read([str(root)]))
    assert (reader.stats.parsed, reader.stats.cached) == (0, 2)


def test_cache_is_per_lint_policy(tmp_path: Path) -> None:
    root = _write_team(tmp_path)
    cache = tmp_path / "cache"
    list(DocumentReader(cache_dir=cache).read([str(root)]))
    policy = LintPolicy.with_overrides({"vague-outcome": "error"})
    strict = DocumentReader(policy=policy, cache_dir=cache)
    list(strict.read([str(root)]))
    assert (strict.stats.parsed, strict.stats.cached) == (2, 0)


def test_cache_is_per_extraction_code(tmp_path: Path) -> None:
    """Results cached by other extraction code (an older or newer release) are not reused: the
    cache file is named by a digest of every module that reads documents into postmortems."""
    covered = {path.name for path in extraction_code_files()}
    assert {"extract.py", "fields.py", "itemtext.py", "walk.py", "lint.py"} <= covered
    assert {"markdown.py", "html.py", "frontmatter.py", "reader.py"} <= covered
    root = _write_team(tmp_path)
    cache = tmp_path / "cache"
    list(DocumentReader(cache_dir=cache).read([str(root)]))
    (written,) = cache.glob("extract-*")
    assert f"-{extraction_code_digest()}-" in written.name
    # The same cache as another code's would have named it: not read.
    written.rename(written.with_name(written.name.replace(extraction_code_digest(), "0" * 12)))
    again = DocumentReader(cache_dir=cache)
    list(again.read([str(root)]))
    assert (again.stats.parsed, again.stats.cached) == (2, 0)
