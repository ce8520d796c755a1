"""The README and the reference say what the commands do: set-up in a virtual environment,
one output folder, every configuration key explained, exit statuses, no no-op flags."""

from __future__ import annotations

import re
from pathlib import Path

from followthrough.app.report_command import DEFAULT_OUT
from followthrough.app.run_command import ONCE_OUT
from followthrough.cli import build_parser

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text("utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set up and run (two commands)", 1)[1]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]


def test_the_two_setup_commands_make_a_virtual_environment_first() -> None:
    first, second = _setup_commands()
    assert first.startswith("python3 -m venv .venv && . .venv/bin/activate && ")
    assert first.endswith("pip install -e '.[dev]' && followthrough run --once")
    assert second == ".ci/run"


def test_report_and_run_once_write_to_one_ignored_folder() -> None:
    assert DEFAULT_OUT == ONCE_OUT == "out"
    report = build_parser().parse_args(["report"])
    assert report.out == "out"
    ignored = (REPO / ".gitignore").read_text("utf-8").splitlines()
    assert "/out/" in ignored


def test_no_flag_is_documented_that_does_nothing() -> None:
    assert "sync --once" not in README
    assert "[--once] [--format" not in README
    sync = build_parser().parse_args(["sync"])
    assert not hasattr(sync, "once")


def test_the_readme_gives_every_exit_status() -> None:
    section = README.split("### Exit status", 1)[1].split("\n## ", 1)[0]
    statuses = re.findall(r"^\| (\d) \| ", section, re.M)
    assert statuses == ["0", "1", "2"]


def test_every_configuration_key_is_explained() -> None:
    rows = [
        line
        for line in (REPO / "docs" / "configuration.md").read_text("utf-8").splitlines()
        if line.startswith("| `")
    ]
    assert len(rows) > 60
    cells = [[cell.strip() for cell in re.split(r"(?<!\\)\|", row)[1:-1]] for row in rows]
    assert all(len(row) == 4 for row in cells)
    unexplained = [key for key, _type, _default, meaning in cells if not meaning]
    assert unexplained == []
    keys = {row[0] for row in cells}
    assert "`sources[] (FolderSource).path`" in keys
    assert "`trackers.<name> (JiraConnection).url`" in keys
