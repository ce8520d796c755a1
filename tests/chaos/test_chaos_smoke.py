"""A short chaos run: workers killed at random under injected faults leave no duplicate.

Runs ``bench/chaos.py`` as a subprocess with a small budget and a few items, and reads the
JSON object on its last line.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "chaos.py"


@pytest.mark.timeout(120)
def test_killed_workers_under_faults_keep_one_ticket_and_one_reminder(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--budget-seconds",
            "20",
            "--items",
            "9",
            "--grow",
            "3",
            "--kill-delay",
            "0.5",
            "2.5",
            "--seed",
            "11",
            "--keep",
            str(tmp_path / "chaos"),
        ],
        capture_output=True,
        text=True,
        timeout=110,
        cwd=ROOT,
        check=False,
    )
    lines = done.stdout.strip().splitlines()
    assert lines, done.stderr
    summary = json.loads(lines[-1])
    report = done.stdout + done.stderr
    assert summary["duplicates"] == 0, report
    assert summary["missing"] == 0, report
    assert summary["doubled_nudges"] == 0, report
    assert summary["mismatched"] == 0, report
    assert summary["kills"] >= 1, report
    assert summary["items"] >= 9, report
    assert summary["tickets"] == summary["items"], report
    assert done.returncode == 0, report
