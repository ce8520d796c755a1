"""The completion-trend chart of a report: its layout, and a PNG drawn with the standard library.

One bar per week (completion rate of the items due that week), a pale stub for weeks with
nothing due or no snapshot, grid lines at 0, 50 and 100 % labelled on the left, and each
week's label (``W18``) under its bar. `layout` places everything once; `trend_png` draws it
for e-mail (the labels from a small pixel font) and ``chart_svg.trend_svg`` for the HTML
file, where each bar also carries its value as text.
"""

from __future__ import annotations

import math
import struct
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from followthrough.adapters.chart_font import GLYPH_HEIGHT, draw_text, text_width

Colour = tuple[int, int, int]

WHITE: Colour = (255, 255, 255)
GRID: Colour = (221, 225, 230)
AXIS: Colour = (120, 128, 138)
LABEL: Colour = (82, 96, 109)
BAR: Colour = (46, 125, 196)
NO_DATA: Colour = (200, 205, 212)
WIDTH, HEIGHT = 600, 200
LABEL_SCALE = 2  # the pixel font at twice its size: 14 px high
LABEL_HEIGHT = GLYPH_HEIGHT * LABEL_SCALE
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@dataclass(frozen=True, slots=True)
class Bar:
    """One week of the trend: its ISO week, completion rate, and the counts behind it."""

    week: str  # 2024-W18
    rate: float | None
    due: int | None = None  # None: no snapshot for the week
    done: int | None = None

    @property
    def label(self) -> str:
        return week_label(self.week)

    @property
    def text(self) -> str:
        """The bar's value in words, for readers who do not see the chart."""
        if self.due == 0:
            return f"{self.week}: no items due"
        if self.rate is None:
            return f"{self.week}: no data"
        counts = f" ({self.done} of {self.due} due items done)" if self.due else ""
        return f"{self.week}: {round(self.rate * 100)}%{counts}"


def week_label(week: str) -> str:
    """An ISO week as the axis shows it: ``2024-W18`` → ``W18``."""
    return "W" + week.rpartition("-W")[2]


def bars_of(trend: Sequence[Mapping[str, Any]]) -> list[Bar]:
    """The bars of a report document's trend points."""
    return [
        Bar(
            week=str(point["week"]),
            rate=point.get("completion_rate"),
            due=point.get("due_in_period"),
            done=point.get("done_of_due"),
        )
        for point in trend
    ]


@dataclass(frozen=True, slots=True)
class Box:
    """``[x0, x1) × [y0, y1)`` in pixels."""

    x0: int
    y0: int
    x1: int
    y1: int


@dataclass(frozen=True, slots=True)
class GridLine:
    y: int
    label: str  # 0%, 50%, 100%
    colour: Colour


@dataclass(frozen=True, slots=True)
class Column:
    """A week's bar (a stub when there is nothing to show) and where its label goes."""

    bar: Bar
    box: Box
    colour: Colour
    centre: int
    labelled: bool  # False when bars are too narrow for every label: every other one shows


@dataclass(frozen=True, slots=True)
class Layout:
    width: int
    height: int
    left: int  # the plot area's left edge: grid labels end just before it
    right: int
    labels_top: int  # the week labels' top edge
    grid: tuple[GridLine, ...]
    columns: tuple[Column, ...]


def layout(bars: Sequence[Bar], *, width: int = WIDTH, height: int = HEIGHT) -> Layout:
    """Where the grid, its labels, the bars and the week labels go."""
    left = text_width("100%", LABEL_SCALE) + 10
    right, top, bottom = width - 8, LABEL_HEIGHT // 2 + 2, height - LABEL_HEIGHT - 12
    span = bottom - top
    grid = tuple(
        GridLine(
            bottom - round(share * span), f"{round(share * 100)}%", AXIS if not share else GRID
        )
        for share in (0.0, 0.5, 1.0)
    )
    slot = (right - left) / max(len(bars), 1)
    step = max(math.ceil((text_width("W00", LABEL_SCALE) + 6) / slot), 1)
    columns = []
    for index, bar in enumerate(bars):
        x0 = left + round(index * slot + slot * 0.2)
        x1 = left + round((index + 1) * slot - slot * 0.2)
        if bar.rate is None:
            box, colour = Box(x0, bottom - 3, x1, bottom), NO_DATA
        else:
            height_px = max(round(min(max(bar.rate, 0.0), 1.0) * span), 2)
            box, colour = Box(x0, bottom - height_px, x1, bottom), BAR
        labelled = (len(bars) - 1 - index) % step == 0  # the latest week is always labelled
        columns.append(Column(bar, box, colour, left + round((index + 0.5) * slot), labelled))
    return Layout(width, height, left, right, bottom + 8, grid, tuple(columns))


class Canvas:
    """An RGB pixel grid with filled rectangles, encoded as PNG."""

    def __init__(self, width: int, height: int, background: Colour = WHITE) -> None:
        self.width, self.height = width, height
        self._rows = [bytearray(bytes(background) * width) for _ in range(height)]

    def fill(self, x0: int, y0: int, x1: int, y1: int, colour: Colour) -> None:
        """Fill ``[x0, x1) × [y0, y1)``, clipped to the canvas."""
        x0, x1 = max(0, x0), min(self.width, x1)
        y0, y1 = max(0, y0), min(self.height, y1)
        if x0 >= x1:
            return
        run = bytes(colour) * (x1 - x0)
        for y in range(y0, y1):
            self._rows[y][x0 * 3 : x1 * 3] = run

    def png(self) -> bytes:
        raw = b"".join(b"\x00" + bytes(row) for row in self._rows)  # filter type 0 per row
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        return (
            _PNG_SIGNATURE
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )


def _chunk(kind: bytes, data: bytes) -> bytes:
    crc = zlib.crc32(kind + data) & 0xFFFFFFFF
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)


def trend_png(bars: Sequence[Bar], *, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """The chart as a PNG (e-mail clients show no SVG)."""
    chart = layout(bars, width=width, height=height)
    canvas = Canvas(width, height)
    for line in chart.grid:
        canvas.fill(chart.left, line.y, chart.right, line.y + 1, line.colour)
        x = chart.left - 6 - text_width(line.label, LABEL_SCALE)
        _text(canvas, x, line.y - LABEL_HEIGHT // 2, line.label)
    for column in chart.columns:
        box = column.box
        canvas.fill(box.x0, box.y0, box.x1, box.y1, column.colour)
        if column.labelled:
            label = column.bar.label
            x = column.centre - text_width(label, LABEL_SCALE) // 2
            _text(canvas, x, chart.labels_top, label)
    return canvas.png()


def _text(canvas: Canvas, x: int, y: int, text: str) -> None:
    draw_text(lambda x0, y0, x1, y1: canvas.fill(x0, y0, x1, y1, LABEL), x, y, text, LABEL_SCALE)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR (``ValueError`` when it is not a PNG)."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
