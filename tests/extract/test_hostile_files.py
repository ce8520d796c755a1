"""Hostile files in a source folder: links, loops and pipes give a finding, never a crash or a hang."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import Postmortem

GOOD = "# Cache outage\n\n## Action items\n\n- Pin the client library version (owner: @alice, due: 2024-05-01)\n"
SECRET = "# Secret outage\n\n## Action items\n\n- Leak the secret plan (owner: @mallory, due: 2024-05-01)\n"


def _tree(tmp_path: Path) -> Path:
    root = tmp_path / "postmortems"
    (root / "payments").mkdir(parents=True)
    (root / "payments" / "good.md").write_text(GOOD, encoding="utf-8")
    return root


def _by_name(postmortems: list[Postmortem]) -> dict[str, Postmortem]:
    return {Path(pm.path).name: pm for pm in postmortems}


def _only_finding(pm: Postmortem) -> str:
    assert not pm.readable
    assert pm.action_items == ()
    assert [f.code for f in pm.findings] == ["unreadable-document"]
    return pm.findings[0].message


def test_a_file_symlink_loop_is_a_finding_and_the_run_goes_on(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.symlink("b.md", root / "payments" / "a.md")
    os.symlink("a.md", root / "payments" / "b.md")
    found = _by_name(list(DocumentReader().read([str(root)])))

    assert sorted(found) == ["a.md", "b.md", "good.md"]
    assert "symbolic link loop" in _only_finding(found["a.md"])
    assert "symbolic link loop" in _only_finding(found["b.md"])
    assert [i.title for i in found["good.md"].action_items] == ["Pin the client library version"]


def test_a_given_path_that_is_a_symlink_loop_is_a_finding(tmp_path: Path) -> None:
    os.symlink("loop.md", tmp_path / "loop.md")
    (pm,) = DocumentReader().read([str(tmp_path / "loop.md")])
    assert "symbolic link loop" in _only_finding(pm)


@pytest.mark.timeout(20)
def test_a_named_pipe_called_md_is_never_opened(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    os.mkfifo(root / "payments" / "pipe.md")
    reader = DocumentReader()
    found = _by_name(list(reader.read([str(root)])))

    assert sorted(found) == ["good.md", "pipe.md"]
    assert "not a regular file" in _only_finding(found["pipe.md"])
    assert reader.stats.unreadable == 1


@pytest.mark.timeout(20)
def test_a_named_pipe_given_by_name_is_never_opened(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    (pm,) = DocumentReader().read([str(tmp_path / "pipe.md")])
    assert "not a regular file" in _only_finding(pm)


def test_a_link_to_a_file_outside_the_source_folder_is_not_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text(SECRET, encoding="utf-8")
    os.symlink(outside / "secret.md", root / "payments" / "x.md")
    found = _by_name(list(DocumentReader().read([str(root)])))

    assert sorted(found) == ["good.md", "x.md"]
    assert "outside the source folder" in _only_finding(found["x.md"])
    assert "secret" not in found["x.md"].title.lower()


def test_a_link_to_a_folder_outside_the_source_folder_is_not_walked(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.md").write_text(SECRET, encoding="utf-8")
    os.symlink(outside, root / "linked")
    postmortems = list(DocumentReader().read([str(root)]))
    found = _by_name(postmortems)

    assert sorted(found) == ["good.md", "linked"]
    assert "outside the source folder" in _only_finding(found["linked"])
    assert all("Leak" not in i.title for pm in postmortems for i in pm.action_items)


def test_links_inside_the_source_folder_are_still_read(tmp_path: Path) -> None:
    root = _tree(tmp_path)
    (root / "web").mkdir()
    os.symlink("../payments/good.md", root / "web" / "shared.md")
    found = _by_name(list(DocumentReader().read([str(root)])))

    assert sorted(found) == ["good.md", "shared.md"]
    assert found["shared.md"].readable
    assert found["shared.md"].team == "payments"  # a linked file's team is where it lives
