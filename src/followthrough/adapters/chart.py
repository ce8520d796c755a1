"""The completion-trend chart of a report: a small PNG drawn with the standard library.

One bar per week (completion rate of the items due that week), a pale stub for weeks with
nothing due or no snapshot, and grid lines at 0, 50 and 100 %. No fonts: the figures
themselves are printed beside the chart in the e-mail, and the image has alt text.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

Colour = tuple[int, int, int]

WHITE: Colour = (255, 255, 255)
GRID: Colour = (221, 225, 230)
AXIS: Colour = (120, 128, 138)
BAR: Colour = (46, 125, 196)
NO_DATA: Colour = (200, 205, 212)
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def trend_png(rates: Sequence[float | None], *, width: int = 480, height: int = 140) -> bytes:
    """Bars for completion rates between 0 and 1 (``None``: nothing to show that week)."""
    canvas = Canvas(width, height)
    left, right, top, bottom = 8, width - 8, 8, height - 12
    span = bottom - top
    for share in (0.0, 0.5, 1.0):
        y = bottom - round(share * span)
        canvas.fill(left, y, right, y + 1, AXIS if share == 0.0 else GRID)
    slots = max(len(rates), 1)
    slot = (right - left) / slots
    for index, value in enumerate(rates):
        x0 = left + round(index * slot + slot * 0.2)
        x1 = left + round((index + 1) * slot - slot * 0.2)
        if value is None:
            canvas.fill(x0, bottom - 3, x1, bottom, NO_DATA)
            continue
        bar = max(round(min(max(value, 0.0), 1.0) * span), 2)
        canvas.fill(x0, bottom - bar, x1, bottom, BAR)
    return canvas.png()


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR (``ValueError`` when it is not a PNG)."""
    if not data.startswith(_PNG_SIGNATURE) or data[12:16] != b"IHDR":
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)
