"""The trend chart is labelled (weeks under the bars, values on the axis) and says its values
in text: pixels of the PNG, elements of the SVG, and the table under the chart."""

from __future__ import annotations

import datetime as dt
import struct
import xml.etree.ElementTree as ET
import zlib

from followthrough.adapters.chart import LABEL, LABEL_SCALE, Bar, layout, trend_png
from followthrough.adapters.chart_font import draw_text, text_width
from followthrough.adapters.chart_svg import trend_svg
from followthrough.adapters.mail import ReportRenderer
from followthrough.domain.report_document import report_document, team_report

from .helpers import W18, FakeSnapshot, fixture_inputs

SVG = "{http://www.w3.org/2000/svg}"
BARS = [
    Bar("2024-W07", None),  # no snapshot
    Bar("2024-W08", 0.25, due=4, done=1),
    Bar("2024-W09", None, due=0, done=0),  # nothing due
    *(Bar(f"2024-W{week:02d}", 0.5, due=2, done=1) for week in range(10, 18)),
    Bar("2024-W18", 0.6667, due=3, done=2),
]


def pixels(png: bytes) -> list[list[tuple[int, int, int]]]:
    """RGB rows of an 8-bit truecolour PNG with filter 0 on every row (as `Canvas` writes)."""
    width, height = struct.unpack(">II", png[16:24])
    length = struct.unpack(">I", png[33:37])[0]
    raw = zlib.decompress(png[41 : 41 + length])
    stride = 1 + width * 3
    rows = []
    for y in range(height):
        row = raw[y * stride + 1 : (y + 1) * stride]
        rows.append([tuple(row[x * 3 : x * 3 + 3]) for x in range(width)])
    return rows


def glyph_pixels(x: int, y: int, text: str) -> set[tuple[int, int]]:
    found: set[tuple[int, int]] = set()

    def plot(x0: int, y0: int, x1: int, y1: int) -> None:
        found.update((px, py) for px in range(x0, x1) for py in range(y0, y1))

    draw_text(plot, x, y, text, LABEL_SCALE)
    return found


def label_pixels(
    image: list[list[tuple[int, int, int]]], x0: int, y0: int, x1: int, y1: int
) -> set[tuple[int, int]]:
    return {(x, y) for y in range(y0, y1) for x in range(x0, x1) if image[y][x] == LABEL}


def test_the_png_shows_every_week_label_under_its_bar_and_the_axis_values() -> None:
    chart = layout(BARS)
    image = pixels(trend_png(BARS))
    height = 7 * LABEL_SCALE
    for column in chart.columns:
        assert column.labelled
        text = column.bar.label
        x = column.centre - text_width(text, LABEL_SCALE) // 2
        drawn = label_pixels(image, x - 2, chart.labels_top, x + 40, chart.labels_top + height)
        assert drawn == glyph_pixels(x, chart.labels_top, text), text
    assert [line.label for line in chart.grid] == ["0%", "50%", "100%"]
    for line in chart.grid:
        x = chart.left - 6 - text_width(line.label, LABEL_SCALE)
        top = line.y - height // 2
        drawn = label_pixels(image, 0, top, chart.left, top + height)
        assert drawn == glyph_pixels(x, top, line.label), line.label


def test_narrow_bars_label_every_other_week_and_always_the_latest() -> None:
    chart = layout(BARS, width=300, height=100)
    labelled = [column.bar.label for column in chart.columns if column.labelled]
    assert labelled[-1] == "W18"
    assert 3 <= len(labelled) < len(BARS)


def test_the_svg_has_week_labels_axis_values_and_a_title_per_bar() -> None:
    svg = ET.fromstring(str(trend_svg(BARS)))
    weeks = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "week"]
    assert weeks == [f"W{week:02d}" for week in range(7, 19)]
    axis = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") != "week"]
    assert axis == ["0%", "50%", "100%"]
    titles = [t.text for t in svg.iter(f"{SVG}title")]
    assert len(titles) == 12
    assert titles[0] == "2024-W07: no data"
    assert titles[1] == "2024-W08: 25% (1 of 4 due items done)"
    assert titles[2] == "2024-W09: no items due"
    assert titles[-1] == "2024-W18: 67% (2 of 3 due items done)"
    assert svg.get("role") == "img"
    assert "2024-W09: no items due" in svg.get("aria-label", "")


def test_the_html_report_gives_the_chart_in_figures() -> None:
    snapshots = [FakeSnapshot("2024-W17", {"due_in_period": 0, "done_of_due": 0})]
    document = report_document(
        kind="team",
        week=W18,
        generated_at=dt.datetime(2024, 5, 6, 8, tzinfo=dt.UTC),
        teams=[team_report(fixture_inputs(), snapshots)],
    )
    html = ReportRenderer().render(document, "html", chart_src="chart.png")
    table = html.split("The chart in figures", 1)[1].split("</table>", 1)[0]
    for week in range(17, 19):
        assert f">W{week:02d}</th>" in table
    # W07 to W16 have no snapshot: rebuilt from the trackers' dates and marked.
    assert table.count(">no data</td>") == 0
    for week in range(7, 17):
        assert f">W{week:02d}*</th>" in table
    assert ">1 of 2</td>" in table  # W16: f (open) and g (done in its document) were due
    assert table.count(">none due</td>") == 10  # W07-W15 rebuilt, W17 from its snapshot
    assert "* rebuilt from the trackers' close dates" in html
    assert ">2 of 3</td>" in table  # W18
    assert ">67%</td>" in table
    assert 'width="600" height="200"' in html  # the image as drawn, not scaled
