"""The HTML report rendered by a real headless browser (Debian ``chromium``) to a PNG."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from pathlib import Path

import html5lib
import pytest

from followthrough.adapters.chart import png_size
from followthrough.adapters.mail import ReportRenderer
from followthrough.app.report_command import write_files
from followthrough.domain.report_document import report_document, team_report

from .helpers import W18, empty_inputs, fixture_inputs

CHROMIUM = Path("/usr/bin/chromium")
NOW = dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC)
SVG = "{http://www.w3.org/2000/svg}"


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    reason = f"{CHROMIUM} is not installed (Debian: apt-get install -y chromium)"
    if os.environ.get("CI"):
        pytest.fail(f"CI must render the report in a browser, but {reason}")
    pytest.skip(reason)


def digest_page(tmp_path: Path) -> Path:
    document = report_document(
        kind="digest",
        week=W18,
        generated_at=NOW,
        teams=[team_report(fixture_inputs()), team_report(empty_inputs())],
    )
    write_files(
        ReportRenderer(), document, out=tmp_path, name="all-teams-2024-W18", formats=["html"]
    )
    return tmp_path / "all-teams-2024-W18.html"


def chromium(tmp_path: Path, page: Path, *args: str) -> subprocess.CompletedProcess[str]:
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
        *args,
        page.resolve().as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=25, check=False)


def test_html_report_renders_in_chromium(tmp_path):
    require_chromium()
    page, shot = digest_page(tmp_path), tmp_path / "shot.png"
    done = chromium(tmp_path, page, f"--screenshot={shot}", "--window-size=900,1400")
    assert shot.exists(), f"no screenshot; chromium said:\n{done.stderr[-2000:]}"
    data = shot.read_bytes()
    assert len(data) > 20_000, f"screenshot suspiciously small: {len(data)} bytes"
    assert png_size(data) == (900, 1400)


def test_the_chart_in_chromium_has_week_labels_and_a_value_per_bar(tmp_path):
    require_chromium()
    done = chromium(tmp_path, digest_page(tmp_path), "--dump-dom")
    assert "<svg" in done.stdout, f"no chart in the page; chromium said:\n{done.stderr[-2000:]}"
    dom = html5lib.parse(done.stdout)
    [chart] = list(dom.iter(f"{SVG}svg"))
    weeks = [t.text for t in chart.iter(f"{SVG}text") if t.get("class") == "week"]
    assert weeks == [f"W{week:02d}" for week in range(7, 19)]
    assert [t.text for t in chart.iter(f"{SVG}text") if t.get("class") != "week"] == [
        "0%",
        "50%",
        "100%",
    ]
    titles = [t.text for t in chart.iter(f"{SVG}title")]
    assert titles[-1] == "2024-W18: 67% (2 of 3 due items done)"
    assert len(titles) == 12
    shown = "".join(dom.itertext())
    assert "The backlog" in shown  # the new sections reach the rendered page
    assert "Over 12 weeks 7 were opened and 3 closed: the backlog is growing" in shown
    assert "* rebuilt from the trackers' close dates" in shown
