"""The worker as a process: SIGTERM during a cycle, and ``run --once`` on the embedded default."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from tests.daemon.conftest import Worker, get_json

GRACE = 5


def test_sigterm_during_a_cycle_exits_within_the_grace_period(workspace: Path) -> None:
    worker = Worker(
        ["--config", "config/followthrough.yaml", "--host", "127.0.0.1", "--port", "0",
         "--grace", str(GRACE)],
        cwd=workspace,
    )  # fmt: skip
    try:
        url = worker.base_url()
        worker.wait_event("job_started", job="sync")
        sent = time.monotonic()
        worker.proc.send_signal(signal.SIGTERM)
        code = worker.proc.wait(GRACE + 5)
        took = time.monotonic() - sent
    finally:
        worker.stop()
    assert code == 0
    assert took < GRACE + 2
    stopping = worker.wait_event("daemon_stopping")
    worker.wait_event("daemon_stopped")
    assert stopping["running"] in ("sync", None)
    with sqlite3.connect(workspace / "state" / "followthrough.db") as journal:
        (unfinished,) = journal.execute(
            "SELECT count(*) FROM intents WHERE finished IS NULL"
        ).fetchone()
        (links,) = journal.execute("SELECT count(*) FROM links").fetchone()
    assert unfinished == 0  # every write announced was also recorded
    assert links >= 0
    assert url.startswith("http://127.0.0.1:")


def test_status_of_a_running_worker(workspace: Path) -> None:
    worker = Worker(["--config", "config/followthrough.yaml", "--port", "0"], cwd=workspace)
    try:
        url = worker.base_url()
        worker.wait_event("job_finished", job="sync")
        status = get_json(f"{url}/status.json")
        assert status["leader"] is True
        assert status["jobs"]["sync"]["runs"] == 1
        assert status["jobs"]["sync"]["last"]["ok"] is True
        worker.proc.send_signal(signal.SIGINT)
        assert worker.proc.wait(10) == 0
    finally:
        worker.stop()


def test_run_once_on_the_embedded_default(workspace: Path) -> None:
    (workspace / "config" / "followthrough.yaml").unlink()  # no file: the embedded default
    done = subprocess.run(
        [sys.executable, "-m", "followthrough", "run", "--once"],
        cwd=workspace,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    summary = [line for line in lines if line.startswith(("payments:", "web:"))]
    assert [line.split(":")[0] for line in summary] == ["payments", "web"]
    assert all("sync: ok" in line and "reminders: ok" in line for line in summary)
    assert "created" in done.stdout
    assert {path.name for path in (workspace / "out").iterdir()} >= {
        name
        for line in done.stdout.splitlines()
        if line.startswith("wrote ")
        for name in [Path(line.removeprefix("wrote ")).name]
    }
    assert any(line.startswith("wrote ") for line in lines)
    assert not (workspace / "state").exists()  # the embedded default journals in a temp folder
    # The very first report already tells the last quarter: no empty weeks in its trend.
    reports = sorted((workspace / "out").glob("*.json"))
    assert reports, done.stdout
    for report in reports:
        document = json.loads(report.read_text("utf-8"))
        trend = document["overall"]["trend"]
        assert len(trend) == 12
        assert all(week["open"] is not None for week in trend), trend
        assert sum(week["reconstructed"] for week in trend) == 11
        assert any(week["open"] for week in trend), trend
