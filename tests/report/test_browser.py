"""The HTML report rendered by a real headless browser (Debian ``chromium``) to a PNG."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import pytest

from followthrough.adapters.chart import png_size
from followthrough.adapters.mail import ReportRenderer
from followthrough.app.report_command import write_files
from followthrough.domain.report_document import report_document, team_report

from .helpers import W18, empty_inputs, fixture_inputs

CHROMIUM = Path("/usr/bin/chromium")
NOW = dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC)


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (Debian: apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must render the report in a browser, but {reason}")
    pytest.skip(reason)


def test_html_report_renders_in_chromium(tmp_path):
    require_chromium()
    document = report_document(
        kind="digest",
        week=W18,
        generated_at=NOW,
        teams=[team_report(fixture_inputs()), team_report(empty_inputs())],
    )
    write_files(
        ReportRenderer(), document, out=tmp_path, name="all-teams-2024-W18", formats=["html"]
    )
    page, shot = tmp_path / "all-teams-2024-W18.html", tmp_path / "shot.png"
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path / 'profile'}",
        f"--screenshot={shot}",
        "--window-size=900,1400",
        page.resolve().as_uri(),
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=25, check=False)
    assert shot.exists(), f"no screenshot; chromium said:\n{done.stderr[-2000:]}"
    data = shot.read_bytes()
    assert len(data) > 20_000, f"screenshot suspiciously small: {len(data)} bytes"
    assert png_size(data) == (900, 1400)
