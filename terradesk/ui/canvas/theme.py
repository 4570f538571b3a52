"""Map colours that follow the window's palette: background and the scale bar / north arrow.

In a dark UI a pale map is a glaring rectangle, so the canvas takes a dark background and
light-on-dark overlays. What sits *on* the territories does not change: fills keep their
colours (they are the plan), and territory labels keep dark ink with a light halo, which
reads on every fill colour in both themes. Exported images and ``terradesk-cli render``
always use the light theme: they end up on paper and in slides.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QPalette


@dataclass(frozen=True)
class MapTheme:
    name: str
    background: QColor
    ink: QColor  # scale bar, north arrow and their text
    halo: QColor  # the rounded plate behind them
    paper: QColor  # the light half of the scale bar and north arrow


LIGHT = MapTheme("light", QColor("#f4f6f8"), QColor("#202020"), QColor(255, 255, 255, 210), QColor("#ffffff"))
DARK = MapTheme("dark", QColor("#2a2e35"), QColor("#ececec"), QColor(24, 26, 30, 215), QColor("#5a616b"))


def is_dark(palette: QPalette) -> bool:
    """True when the window background is darker than its text (a dark system theme)."""
    window = palette.color(QPalette.ColorRole.Window)
    text = palette.color(QPalette.ColorRole.WindowText)
    return window.lightness() < 128 and text.lightness() > window.lightness()


def theme_for(palette: QPalette) -> MapTheme:
    return DARK if is_dark(palette) else LIGHT
