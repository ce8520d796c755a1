"""A 5×7 pixel font for the few characters the trend chart's labels need (digits, W, %).

The PNG chart is drawn without a font library, so its axis labels (``0%``, ``50%``,
``100%``) and week labels (``W18``) are drawn from these glyphs, scaled by whole pixels.
"""

from __future__ import annotations

from collections.abc import Callable

GLYPH_WIDTH, GLYPH_HEIGHT = 5, 7
_GLYPHS = {
    "0": ("01110", "10001", "10011", "10101", "11001", "10001", "01110"),
    "1": ("00100", "01100", "00100", "00100", "00100", "00100", "01110"),
    "2": ("01110", "10001", "00001", "00010", "00100", "01000", "11111"),
    "3": ("11111", "00010", "00100", "00010", "00001", "10001", "01110"),
    "4": ("00010", "00110", "01010", "10010", "11111", "00010", "00010"),
    "5": ("11111", "10000", "11110", "00001", "00001", "10001", "01110"),
    "6": ("00110", "01000", "10000", "11110", "10001", "10001", "01110"),
    "7": ("11111", "00001", "00010", "00100", "01000", "01000", "01000"),
    "8": ("01110", "10001", "10001", "01110", "10001", "10001", "01110"),
    "9": ("01110", "10001", "10001", "01111", "00001", "00010", "01100"),
    "W": ("10001", "10001", "10001", "10101", "10101", "10101", "01010"),
    "%": ("11000", "11001", "00010", "00100", "01000", "10011", "00011"),
    " ": ("00000",) * 7,
}
CHARACTERS = frozenset(_GLYPHS)

Plot = Callable[[int, int, int, int], None]  # fill [x0, x1) × [y0, y1)


def text_width(text: str, scale: int) -> int:
    """Pixels ``text`` takes at ``scale`` (one blank column between characters)."""
    return max(len(text) * (GLYPH_WIDTH + 1) - 1, 0) * scale


def draw_text(plot: Plot, x: int, y: int, text: str, scale: int) -> None:
    """Draw ``text`` with its top-left corner at ``(x, y)``; other characters are refused."""
    unknown = set(text) - CHARACTERS
    if unknown:
        raise ValueError(f"the chart font has no {''.join(sorted(unknown))!r}")
    for index, character in enumerate(text):
        left = x + index * (GLYPH_WIDTH + 1) * scale
        for row, bits in enumerate(_GLYPHS[character]):
            for column, bit in enumerate(bits):
                if bit == "1":
                    x0, y0 = left + column * scale, y + row * scale
                    plot(x0, y0, x0 + scale, y0 + scale)
