"""The trend chart as inline SVG, for the HTML report file a browser opens.

The same layout as the PNG (``chart.layout``), with real text: the grid and week labels are
``<text>``, and each bar carries its value in a ``<title>`` (read by screen readers, shown on
hover). The whole chart is an image with a label that lists every week's value.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from followthrough.adapters.chart import HEIGHT, LABEL_HEIGHT, WIDTH, Bar, Colour, layout

FONT = "font-family:Arial,Helvetica,sans-serif;font-size:13px;fill:#52606d;"


def trend_svg(bars: Sequence[Bar], *, width: int = WIDTH, height: int = HEIGHT) -> Markup:
    """An ``<svg>`` element (no XML declaration) to place in an HTML page."""
    chart = layout(bars, width=width, height=height)
    summary = "Completion of items due each week: " + "; ".join(bar.text for bar in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{_attr(summary)}" '
        'style="display:block;max-width:100%;height:auto;">'
    ]
    for line in chart.grid:
        parts.append(_rect(chart.left, line.y, chart.right, line.y + 1, line.colour))
        parts.append(
            f'<text x="{chart.left - 6}" y="{line.y}" text-anchor="end" '
            f'dominant-baseline="middle" style="{FONT}">{line.label}</text>'
        )
    for column in chart.columns:
        box = column.box
        parts.append(
            f'<g class="bar"><title>{escape(column.bar.text)}</title>'
            + _rect(box.x0, box.y0, box.x1, box.y1, column.colour)
            + "</g>"
        )
        if column.labelled:
            parts.append(
                f'<text class="week" x="{column.centre}" y="{chart.labels_top + LABEL_HEIGHT}" '
                f'text-anchor="middle" style="{FONT}">{escape(column.bar.label)}</text>'
            )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - every text in it is escaped or our own digits


def _rect(x0: int, y0: int, x1: int, y1: int, colour: Colour) -> str:
    fill = "#{:02x}{:02x}{:02x}".format(*colour)
    return f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="{fill}"/>'


def _attr(text: str) -> str:
    return escape(text, quote=True)
