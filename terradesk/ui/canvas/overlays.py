"""Scale bar and north arrow, painted in device pixels over the map (screen and export)."""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFont, QPainter, QPen, QPolygonF

from terradesk.ui.canvas.theme import LIGHT, MapTheme

INK = LIGHT.ink
HALO = LIGHT.halo


def nice_length(max_metres: float) -> float:
    """The largest 1/2/5 x 10^k not above ``max_metres``."""
    if max_metres <= 0:
        return 0.0
    exp = math.floor(math.log10(max_metres))
    for m in (5, 2, 1):
        if m * 10**exp <= max_metres:
            return float(m * 10**exp)
    return float(10**exp)


def length_label(metres: float) -> str:
    if metres >= 1000:
        km = metres / 1000
        return f"{km:g} km"
    return f"{metres:g} m"


def draw_scale_bar(painter: QPainter, height: float, metres_per_pixel: float, theme: MapTheme = LIGHT) -> None:
    """Bottom-left bar about 120 px long, on a plate so it reads over any colour."""
    if metres_per_pixel <= 0 or not math.isfinite(metres_per_pixel):
        return
    length = nice_length(150 * metres_per_pixel)
    px = length / metres_per_pixel
    x0, y0 = 14.0, height - 18.0
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.halo)
    painter.drawRoundedRect(QRectF(x0 - 6, y0 - 22, px + 12, 30), 3, 3)
    painter.setBrush(theme.ink)
    painter.drawRect(QRectF(x0, y0 - 3, px / 2, 4))
    painter.setBrush(theme.paper)
    painter.setPen(QPen(theme.ink, 1))
    painter.drawRect(QRectF(x0 + px / 2, y0 - 3, px / 2, 4))
    font = QFont(painter.font())
    font.setPointSizeF(8)
    painter.setFont(font)
    painter.setPen(theme.ink)
    painter.drawText(QRectF(x0, y0 - 21, px, 16), Qt.AlignmentFlag.AlignCenter, length_label(length))
    painter.restore()


def draw_north_arrow(painter: QPainter, width: float, angle_deg: float = 0.0, theme: MapTheme = LIGHT) -> None:
    """Top-right arrow; ``angle_deg`` is true north measured clockwise from screen up."""
    cx, cy = width - 28.0, 44.0
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.translate(cx, cy)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(theme.halo)
    painter.drawEllipse(QPointF(0, 0), 19, 19)
    painter.rotate(angle_deg)
    left = QPolygonF([QPointF(0, -14), QPointF(-7, 9), QPointF(0, 4)])
    right = QPolygonF([QPointF(0, -14), QPointF(7, 9), QPointF(0, 4)])
    painter.setPen(QPen(theme.ink, 1))
    painter.setBrush(theme.ink)
    painter.drawPolygon(left)
    painter.setBrush(theme.paper)
    painter.drawPolygon(right)
    painter.restore()
    painter.save()
    font = QFont(painter.font())
    font.setPointSizeF(7)
    font.setBold(True)
    painter.setFont(font)
    painter.setPen(theme.ink)
    painter.drawText(QRectF(cx - 10, cy - 33, 20, 12), Qt.AlignmentFlag.AlignCenter, "N")
    painter.restore()

