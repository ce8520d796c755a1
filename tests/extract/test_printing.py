"""What lint and extract print: control and bidi characters are shown escaped, never sent raw."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from followthrough.cli import main
from followthrough.domain.model import Finding, Severity
from followthrough.output import lint_github, lint_json, lint_text, printable

RAW = "\x1b\x07\x08\r\n\x7f\x9b\u202a\u202e\u2066\u2069"


def _raw_controls(text: str) -> list[str]:
    return [c for c in text if c in RAW and c != "\n"]


def _hostile_tree(tmp_path: Path) -> Path:
    """A file whose name holds an escape sequence, and whose item owner is a placeholder
    holding control characters (owners are quoted back in lint messages)."""
    root = tmp_path / "pm"
    root.mkdir()
    name = "evil\x1b[2J\u202e.md"
    (root / name).write_text(
        "# Outage\n\n## Action items\n\n"
        "- Pin the client library (owner: ?, due: soon\x1b]0;x\x07)\n"
        "- Rotate [bold]the[/bold] keys (owner: @bob, due: 2024-05-01)\n",
        encoding="utf-8",
    )
    return root


@pytest.mark.parametrize("fmt", ["text", "github", "json"])
def test_lint_prints_no_raw_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    root = _hostile_tree(tmp_path)
    assert main(["lint", "--no-cache", "--format", fmt, str(root)]) == 1
    out, err = capsys.readouterr()
    assert _raw_controls(out) == []
    assert _raw_controls(err) == []
    assert "evil\\x1b[2J\\u202e.md" in out if fmt != "json" else "evil\\u001b[2J\\u202e.md" in out


def test_extract_table_prints_no_raw_control_characters_or_markup(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = _hostile_tree(tmp_path)
    assert main(["extract", "--no-cache", "--format", "table", str(root)]) == 0
    out, _err = capsys.readouterr()
    assert _raw_controls(out) == []
    assert "evil\\x1b[2J" in out  # the title line is folded to the terminal's width
    assert "[bold]the[/bold]" in out  # shown as written, not taken as markup


def _finding(message: str, path: str = "a.md") -> Finding:
    return Finding(
        code="missing-owner", severity=Severity.ERROR, message=message, path=path, line=3
    )


def test_printable_escapes_each_control_character() -> None:
    assert printable("a\x1bb\u202ec\td") == "a\\x1bb\\u202ec\td"
    assert printable("plain text, ünïcode") == "plain text, ünïcode"


def test_lint_formats_escape_messages_and_paths() -> None:
    finding = _finding("owner “\x1b[31m” is a placeholder\u202e", path="x,y:z\x07.md")
    assert lint_text([finding]) == (
        "x,y:z\\x07.md:3: missing-owner: owner “\\x1b[31m” is a placeholder\\u202e"
    )
    assert lint_github([finding]) == (
        "::error file=x%2Cy%3Az\\x07.md,line=3,title=missing-owner::"
        "owner “\\x1b[31m” is a placeholder\\u202e"
    )
    rendered = lint_json([finding])
    assert _raw_controls(rendered) == []
    assert json.loads(rendered)["findings"][0]["message"] == finding.message
