"""``sync --dry-run`` flags the owners it plans to assign whom the tracker would refuse."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

from followthrough.cli import main
from followthrough.sandbox.core import Sandbox

ALICE = "712020:a11ce000-0000-4000-8000-00000000a11c"
ERIN_INACTIVE = "712020:e7170000-0000-4000-8000-000000000e71"
POSTMORTEM = """\
    ---
    title: Queue backlog
    date: 2026-10-01
    team: ops
    ---

    # Queue backlog

    ## Action items

    - Alert when the queue backlog passes 10 minutes. Owner: @alice, due 2026-12-01
    - Cap consumer retries at five attempts. Owner: @erin, due 2026-12-08
"""
TEAM = f"""
    tracker: {{connection: jira, jira: {{project: OPS}}}}
    soak_days: 0
    directory: {{alice: "{ALICE}", erin: "{ERIN_INACTIVE}"}}
"""


def test_dry_run_names_the_owner_the_tracker_would_refuse(
    write_config: Callable[..., Path],
    served: Sandbox,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = write_config({"ops": TEAM})
    (tmp_path / "postmortems" / "2026-10-01-queue.md").write_text(textwrap.dedent(POSTMORTEM))
    served.accounting.reset()

    main(["sync", "--config", str(config), "--dry-run"])

    out = capsys.readouterr().out
    [line] = [line for line in out.splitlines() if "would fail" in line]
    assert line.startswith(
        f"ops: would fail: owner erin → {ERIN_INACTIVE} is not assignable in OPS"
    )
    assert "(1 item: Cap consumer retries at five attempts)" in line
    assert "Assignable User permission" in line
    assert "alice" not in line
    assert served.accounting.total(writes_only=True) == 0
