"""Glyphs for the assign tools, painted at runtime like ``window/icons.py`` (24x24 grid)."""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QGuiApplication, QIcon, QPainter, QPainterPath, QPalette, QPen, QPixmap

from terradesk.ui.window.icons import add_with_faded

ACCENT = QColor("#2f80ed")


def _unit(p: QPainter, fill: QColor | None) -> None:
    path = QPainterPath()
    path.moveTo(5, 8)
    path.lineTo(12, 4)
    path.lineTo(19, 8)
    path.lineTo(18, 17)
    path.lineTo(10, 20)
    path.lineTo(5, 15)
    path.closeSubpath()
    p.setBrush(fill if fill is not None else Qt.BrushStyle.NoBrush)
    p.drawPath(path)


def _draw(name: str, p: QPainter, ink: QColor) -> None:
    fill = QColor(ACCENT)
    fill.setAlpha(150)
    if name == "click":
        _unit(p, fill)
        p.setPen(QPen(ink, 2.2))
        p.drawLine(QPointF(12, 9), QPointF(12, 16))
        p.drawLine(QPointF(8.5, 12.5), QPointF(15.5, 12.5))
    elif name in ("box", "box_select"):
        p.setPen(QPen(ink, 1.6, Qt.PenStyle.DashLine))
        p.setBrush(fill if name == "box" else Qt.BrushStyle.NoBrush)
        p.drawRect(QRectF(4, 5, 16, 14))
    elif name in ("lasso", "lasso_select"):
        path = QPainterPath()
        path.moveTo(6, 14)
        path.cubicTo(2, 6, 14, 1, 19, 6)
        path.cubicTo(23, 11, 15, 17, 9, 15)
        path.cubicTo(6, 14, 7, 19, 10, 21)
        p.setPen(QPen(ink, 1.7, Qt.PenStyle.DashLine if name == "lasso_select" else Qt.PenStyle.SolidLine))
        p.setBrush(fill if name == "lasso" else Qt.BrushStyle.NoBrush)
        p.drawPath(path)
    elif name == "brush":
        p.setBrush(fill)
        p.drawEllipse(QPointF(9, 15), 5.5, 5.5)
        p.setPen(QPen(ink, 2.4, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
        p.drawLine(QPointF(12, 12), QPointF(20, 4))
    elif name == "lock":
        p.drawRoundedRect(QRectF(6, 11, 12, 9), 1.5, 1.5)
        path = QPainterPath()
        path.moveTo(8.5, 11)
        path.lineTo(8.5, 8)
        path.arcTo(QRectF(8.5, 4, 7, 8), 180, -180)
        path.lineTo(15.5, 11)
        p.drawPath(path)


def assign_icon(name: str) -> QIcon:
    """``click``, ``box``, ``box_select``, ``lasso``, ``lasso_select``, ``brush`` or ``lock``."""
    ink = QGuiApplication.palette().color(QPalette.ColorRole.WindowText) if QGuiApplication.instance() else QColor("#333")
    result = QIcon()
    for size in (16, 24, 32):
        pix = QPixmap(size, size)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.scale(size / 24.0, size / 24.0)
        p.setPen(QPen(ink, 1.6))
        _draw(name, p, ink)
        p.end()
        add_with_faded(result, pix)  # faded when disabled, like the other toolbar icons
    return result
