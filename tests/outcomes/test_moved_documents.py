"""A postmortem file renamed or moved keeps its tickets; one deleted has its items noted removed."""

from __future__ import annotations

import json
import re

from tests.outcomes.conftest import Workspace


def _operations(workspace: Workspace, *argv: str) -> list[dict[str, object]]:
    ran = workspace.run("sync", "--team", "payments", "--format", "json", *argv)
    assert ran.status == 0, ran.lines
    (team,) = json.loads("\n".join(ran.out))["teams"]
    return list(team["operations"])


def test_a_renamed_file_keeps_every_ticket_and_a_deleted_one_is_noted_once(
    workspace: Workspace,
) -> None:
    created = _operations(workspace)
    assert [op["kind"] for op in created].count("create") == 6
    folder = workspace.root / "postmortems" / "payments"
    (original,) = folder.glob("*.md")
    moved = folder / "archive" / "2026" / "card-auth-timeouts-renamed.md"
    moved.parent.mkdir(parents=True)
    original.rename(moved)

    after_move = _operations(workspace)
    kinds = [op["kind"] for op in after_move]
    assert "create" not in kinds, after_move
    assert "annotate" not in kinds, after_move
    rekeyed = [op for op in after_move if op["kind"] == "rekey"]
    assert len(rekeyed) == 6, after_move
    assert all(
        re.match(r"postmortem moved to .*card-auth-timeouts-renamed\.md", str(op["reason"]))
        for op in rekeyed
    )
    quiet = _operations(workspace)
    assert {op["kind"] for op in quiet} == {"noop"}, quiet

    moved.unlink()
    deleted = _operations(workspace)
    assert [op["kind"] for op in deleted] == ["annotate"] * 6, deleted
    assert {op["kind"] for op in _operations(workspace)} <= {"noop"}  # noted once, never again
