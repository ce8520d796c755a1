"""``followthrough annotate``: ticket keys go into the documents, and the next cycle changes nothing."""

from __future__ import annotations

import re
from pathlib import Path

from tests.outcomes.conftest import Workspace

KEY = re.compile(r"\bOPS-\d+\b")


def _payments(workspace: Workspace) -> dict[Path, str]:
    folder = workspace.root / "postmortems" / "payments"
    return {path: path.read_text("utf-8") for path in sorted(folder.glob("*.md"))}


def test_annotate_shows_then_writes_the_keys_and_the_next_sync_is_quiet(
    workspace: Workspace,
) -> None:
    synced = workspace.run("sync", "--team", "payments")
    assert synced.status == 0, synced.lines
    before = _payments(workspace)

    shown = workspace.run("annotate", "--team", "payments")
    assert shown.status == 0, shown.lines
    assert before == _payments(workspace), "without --write nothing is touched"
    added = [line for line in shown.out if line.startswith("+") and not line.startswith("+++")]
    assert added, shown.out
    assert all(KEY.search(line) for line in added), shown.out
    summary = shown.out[-1]
    assert re.fullmatch(
        r"annotate: would write (\d+) ticket key\(s\) into \d+ document\(s\)", summary
    )

    written = workspace.run("annotate", "--team", "payments", "--write")
    assert written.status == 0, written.lines
    assert written.out[-1] == summary.replace("would write", "wrote")
    after = _payments(workspace)
    assert after != before

    again = workspace.run("annotate", "--team", "payments")
    assert again.out[-1] == "annotate: would write 0 ticket key(s) into 0 document(s)"

    planned = workspace.run("sync", "--team", "payments", "--dry-run", "--format", "json")
    assert planned.status == 0, planned.lines
    assert '"create"' not in "\n".join(planned.out)
    resynced = workspace.run("sync", "--team", "payments")
    assert resynced.status == 0, resynced.lines
    assert not any(re.search(r"\b(?:created|updated)\b", line) for line in resynced.lines), (
        resynced.lines
    )


def test_annotate_limited_to_a_path_touches_only_that_document(workspace: Workspace) -> None:
    assert workspace.run("sync", "--team", "payments").status == 0
    before = _payments(workspace)
    chosen = sorted(before)[0]

    written = workspace.run("annotate", "--write", str(chosen.relative_to(workspace.root)))
    assert written.status == 0, written.lines
    after = _payments(workspace)
    assert after[chosen] != before[chosen]
    assert {p: t for p, t in after.items() if p != chosen} == {
        p: t for p, t in before.items() if p != chosen
    }


def test_an_item_that_cannot_take_its_key_is_named_and_fails_the_run(
    workspace: Workspace,
) -> None:
    assert workspace.run("sync", "--team", "payments").status == 0
    (path,) = _payments(workspace)
    row = "| @priya | 2026-11-04 | | Detect | Open |"
    text = path.read_text("utf-8")
    assert row in text
    edited = text.replace(row, "| @priya | 2026-11-04 | see the runbook | Detect | Open |")
    path.write_text(edited, "utf-8")

    ran = workspace.run("annotate", "--team", "payments", "--write")
    assert ran.status == 1
    shown = str(path.relative_to(workspace.root))
    reason = "its ticket cell names “see the runbook”, not \\1; left to its author"
    pattern = re.compile(rf"{re.escape(shown)}:31: not annotated with (OPS-\d+): {reason}")
    assert sum(1 for line in ran.out if pattern.fullmatch(line)) == 1, ran.out
    assert ran.out[-1].endswith("; 1 item(s) not annotated")
    assert "see the runbook" in path.read_text("utf-8")  # the other items were written


def test_a_path_that_does_not_exist_is_a_usage_error(workspace: Workspace) -> None:
    ran = workspace.run("annotate", "postmortems/nowhere")
    assert ran.status == 2
    assert ran.err == ["postmortems/nowhere: no such file or folder"]
