"""Toolbar icons drawn with QPainter at runtime: sharp at any DPI, tinted for the theme.

Each glyph paints on a 24x24 grid; pixmaps are rendered at several sizes and device
pixel ratios so Qt picks a crisp one on HiDPI screens. The stroke colour follows the
palette's window text, so icons stay readable in light and dark themes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap, QPolygonF

ACCENT = QColor("#2f80ed")
Glyph = Callable[[QPainter, QColor], None]


def _poly(p: QPainter, pts: Sequence[tuple[float, float]], close: bool = False) -> None:
    poly = QPolygonF([QPointF(x, y) for x, y in pts])
    if close:
        p.drawPolygon(poly)
    else:
        p.drawPolyline(poly)


def _doc(p: QPainter, c: QColor) -> None:
    _poly(p, [(6, 3), (14, 3), (19, 8), (19, 21), (6, 21)], close=True)
    _poly(p, [(14, 3), (14, 8), (19, 8)])


def _new(p: QPainter, c: QColor) -> None:
    _doc(p, c)
    p.setPen(QPen(ACCENT, 2))
    p.drawLine(QPointF(12.5, 11), QPointF(12.5, 18))
    p.drawLine(QPointF(9, 14.5), QPointF(16, 14.5))


def _open(p: QPainter, c: QColor) -> None:
    _poly(p, [(3, 6), (9, 6), (11, 8), (20, 8), (20, 19), (3, 19)], close=True)
    p.setBrush(ACCENT.lighter(150))
    _poly(p, [(3, 19), (6, 11), (22, 11), (20, 19)], close=True)


def _save(p: QPainter, c: QColor) -> None:
    _poly(p, [(4, 4), (17, 4), (20, 7), (20, 20), (4, 20)], close=True)
    p.drawRect(QRectF(8, 4, 8, 5))
    p.setBrush(ACCENT)
    p.drawRect(QRectF(7, 13, 10, 7))


def _arrow_curve(p: QPainter, c: QColor, mirror: bool) -> None:
    if mirror:
        p.translate(24, 0)
        p.scale(-1, 1)
    path = QPainterPath(QPointF(19, 18))
    path.cubicTo(QPointF(19, 8), QPointF(12, 7), QPointF(6, 9))
    p.drawPath(path)
    p.setBrush(c)
    _poly(p, [(3, 9), (9, 5), (9, 13)], close=True)


def _undo(p: QPainter, c: QColor) -> None:
    _arrow_curve(p, c, False)


def _redo(p: QPainter, c: QColor) -> None:
    _arrow_curve(p, c, True)


def _pan(p: QPainter, c: QColor) -> None:
    p.drawLine(QPointF(12, 3), QPointF(12, 21))
    p.drawLine(QPointF(3, 12), QPointF(21, 12))
    p.setBrush(c)
    for pts in ([(12, 2), (9, 6), (15, 6)], [(12, 22), (9, 18), (15, 18)],
                [(2, 12), (6, 9), (6, 15)], [(22, 12), (18, 9), (18, 15)]):
        _poly(p, pts, close=True)


def _lens(p: QPainter, c: QColor, sign: str) -> None:
    p.drawEllipse(QRectF(3, 3, 13, 13))
    pen = p.pen()
    pen.setWidthF(3)
    p.setPen(pen)
    p.drawLine(QPointF(14.5, 14.5), QPointF(21, 21))
    p.setPen(QPen(ACCENT, 2))
    if sign in "+-":
        p.drawLine(QPointF(6.5, 9.5), QPointF(12.5, 9.5))
    if sign == "+":
        p.drawLine(QPointF(9.5, 6.5), QPointF(9.5, 12.5))


def _zoom_in(p: QPainter, c: QColor) -> None:
    _lens(p, c, "+")


def _zoom_out(p: QPainter, c: QColor) -> None:
    _lens(p, c, "-")


def _zoom_box(p: QPainter, c: QColor) -> None:
    p.setPen(QPen(ACCENT, 1.5, Qt.PenStyle.DashLine))
    p.drawRect(QRectF(2.5, 2.5, 12, 10))
    p.setPen(QPen(c, 1.8))
    _lens(p, c, "")


def _zoom_full(p: QPainter, c: QColor) -> None:
    for x0, y0, dx, dy in ((3, 3, 1, 1), (21, 3, -1, 1), (3, 21, 1, -1), (21, 21, -1, -1)):
        _poly(p, [(x0, y0 + 5 * dy), (x0, y0), (x0 + 5 * dx, y0)])
    p.setBrush(ACCENT.lighter(140))
    _poly(p, [(8, 9), (13, 7), (17, 10), (15, 16), (9, 15)], close=True)


def _select(p: QPainter, c: QColor) -> None:
    p.setBrush(c)
    _poly(p, [(6, 3), (6, 19), (10, 15), (13, 21), (15.5, 20), (12.5, 14), (18, 14)], close=True)


def _territory(p: QPainter, c: QColor) -> None:
    p.setBrush(ACCENT.lighter(150))
    _poly(p, [(3, 8), (10, 3), (17, 6), (15, 13), (7, 16)], close=True)
    p.setPen(QPen(ACCENT, 2.2))
    p.drawLine(QPointF(18, 13), QPointF(18, 22))
    p.drawLine(QPointF(13.5, 17.5), QPointF(22.5, 17.5))


def _export(p: QPainter, c: QColor) -> None:
    p.drawRect(QRectF(3, 5, 15, 14))
    p.setBrush(ACCENT.lighter(150))
    _poly(p, [(3, 19), (9, 11), (13, 15), (15, 13), (18, 19)], close=True)
    p.setPen(QPen(ACCENT, 2))
    p.drawLine(QPointF(15, 4), QPointF(21, 4))
    p.drawLine(QPointF(21, 4), QPointF(21, 10))
    p.drawLine(QPointF(21, 4), QPointF(14, 11))


def _layer(p: QPainter, c: QColor) -> None:
    p.setBrush(ACCENT.lighter(150))
    _poly(p, [(12, 11), (21, 15), (12, 19), (3, 15)], close=True)
    p.setBrush(ACCENT.lighter(185))
    _poly(p, [(12, 5), (21, 9), (12, 13), (3, 9)], close=True)


GLYPHS: dict[str, Glyph] = {
    "new": _new, "open": _open, "save": _save, "undo": _undo, "redo": _redo, "pan": _pan,
    "zoom_in": _zoom_in, "zoom_out": _zoom_out, "zoom_box": _zoom_box, "zoom_full": _zoom_full,
    "select": _select, "territory": _territory, "export": _export, "layer": _layer,
}


DISABLED_OPACITY = 0.3


def icon(name: str) -> QIcon:
    """The named icon, rendered at 16/24/32 px for device pixel ratios 1 and 2."""
    app = QGuiApplication.instance()
    colour = QGuiApplication.palette().color(QPalette.ColorRole.WindowText) if app else QColor("#333333")
    result = QIcon()
    for size in (16, 24, 32):
        for dpr in (1.0, 2.0):
            pix = QPixmap(int(size * dpr), int(size * dpr))
            pix.setDevicePixelRatio(dpr)
            pix.fill(Qt.GlobalColor.transparent)
            p = QPainter(pix)
            p.setRenderHint(QPainter.RenderHint.Antialiasing)
            p.scale(size / 24.0, size / 24.0)
            p.setPen(QPen(colour, 1.8, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
            p.setBrush(Qt.BrushStyle.NoBrush)
            GLYPHS[name](p, colour)
            p.end()
            add_with_faded(result, pix)
    return result


def faded(pix: QPixmap, opacity: float = DISABLED_OPACITY) -> QPixmap:
    """``pix`` drawn at ``opacity`` as a whole (overlapping strokes do not add up)."""
    out = QPixmap(pix.size())
    out.setDevicePixelRatio(pix.devicePixelRatio())
    out.fill(Qt.GlobalColor.transparent)
    p = QPainter(out)
    p.setOpacity(opacity)
    p.drawPixmap(0, 0, pix)
    p.end()
    return out


def add_with_faded(result: QIcon, pix: QPixmap) -> None:
    """Add ``pix`` as the normal pixmap and a faded copy as the disabled one, checked or not.

    The style's own greyed copy of a near-black glyph looks almost enabled.
    """
    dim = faded(pix)
    for state in (QIcon.State.Off, QIcon.State.On):
        result.addPixmap(pix, QIcon.Mode.Normal, state)
        result.addPixmap(dim, QIcon.Mode.Disabled, state)
