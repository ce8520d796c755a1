"""Which files are read as Confluence storage format, and how.

A ``.xml`` file is a Confluence page in storage format (what the REST API returns as
``body.storage``) when it holds ``ac:``/``ri:`` markup or starts with a page element; any other
``.xml`` is one ``unreadable-document`` finding saying why. An ``.html`` file holding storage
markup is read as storage format too (its XHTML empty elements closed).
"""

from __future__ import annotations

from pathlib import Path

from followthrough.adapters.sources.reader import DocumentReader
from followthrough.domain.model import ItemStatus, Postmortem

STORAGE_PAGE = """<?xml version="1.0" encoding="UTF-8"?>
<h1>2025-04-08 Quota service rejected every request</h1>
<h2>Action items</h2>
<ac:task-list>
<ac:task><ac:task-status>complete</ac:task-status>
<ac:task-body>Roll back quota limits as one change (owner: <ac:link><ri:user ri:username="lmensah" /></ac:link>)</ac:task-body></ac:task>
<ac:task><ac:task-status>incomplete</ac:task-status>
<ac:task-body>Validate a limit file before it is loaded (owner: <ac:link><ri:user ri:username="okwu" /></ac:link>)</ac:task-body></ac:task>
</ac:task-list>
"""
PLAIN_STORAGE_PAGE = (
    "<h1>2025-04-09 Quota service slow</h1>\n<h2>Action items</h2>\n"
    "<ul><li>Cache the limit file (owner: @okwu)</li></ul>\n"
)
OTHER_XML = '<?xml version="1.0"?>\n<project><modelVersion>4.0.0</modelVersion></project>\n'


def _read(root: Path) -> dict[str, Postmortem]:
    return {Path(pm.path).name: pm for pm in DocumentReader().read([str(root)])}


def test_xml_storage_pages_are_read_and_other_xml_is_named(tmp_path: Path) -> None:
    team = tmp_path / "quota"
    team.mkdir()
    (team / "2025-04-08-quota.xml").write_text(STORAGE_PAGE, encoding="utf-8")
    (team / "2025-04-09-quota.xml").write_text(PLAIN_STORAGE_PAGE, encoding="utf-8")
    (team / "pom.xml").write_text(OTHER_XML, encoding="utf-8")
    (team / "notes.txt").write_text("not a document", encoding="utf-8")
    found = _read(tmp_path)
    assert sorted(found) == ["2025-04-08-quota.xml", "2025-04-09-quota.xml", "pom.xml"]

    page = found["2025-04-08-quota.xml"]
    assert (page.id, page.team, page.title) == (
        "2025-04-08-quota",
        "quota",
        "2025-04-08 Quota service rejected every request",
    )
    assert [(i.title, i.line, i.owner, i.status) for i in page.action_items] == [
        ("Roll back quota limits as one change", 5, "lmensah", ItemStatus.DONE),
        ("Validate a limit file before it is loaded", 7, "okwu", ItemStatus.OPEN),
    ]
    assert [i.owner for i in found["2025-04-09-quota.xml"].action_items] == ["okwu"]

    other = found["pom.xml"]
    assert not other.readable
    assert [(f.code, f.line) for f in other.findings] == [("unreadable-document", 1)]
    assert "not a Confluence page" in other.findings[0].message


def test_storage_markup_in_an_html_file_is_read_as_storage(tmp_path: Path) -> None:
    (tmp_path / "quota.html").write_text(STORAGE_PAGE, encoding="utf-8")
    page = _read(tmp_path)["quota.html"]
    assert [(i.owner, i.status) for i in page.action_items] == [
        ("lmensah", ItemStatus.DONE),
        ("okwu", ItemStatus.OPEN),
    ]
