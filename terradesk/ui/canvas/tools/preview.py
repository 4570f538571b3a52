"""What an editing gesture would do, drawn live over the cached map image.

Tools never touch the model while the mouse moves: a vertex drag, a move or a sketch
updates this item only (one QPainterPath per frame, built with pyqtgraph's
``arrayToQPath``), and the command is pushed once, on release or finish.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen

from terradesk.ui.canvas.geometry import extract_rings

EDIT_COLOUR = QColor("#e8590c")
SKETCH_COLOUR = QColor("#1864ab")


def shapes_path(geoms: Sequence[object]) -> QPainterPath:
    """One path for polygons (holes cut out by the winding of oriented rings)."""
    arr = np.empty(len(geoms), dtype=object)
    arr[:] = list(geoms)
    arr = arr[~(shapely.is_missing(arr) | shapely.is_empty(arr))] if len(arr) else arr
    if len(arr) == 0:
        return QPainterPath()
    return extract_rings(arr).path()


class PreviewItem(pg.GraphicsObject):  # type: ignore[misc]
    """Preview shapes (filled, bold outline), a sketch line with its vertices, in map coordinates."""

    def __init__(self, colour: QColor = EDIT_COLOUR) -> None:
        super().__init__()
        self.colour = QColor(colour)
        self._shapes = QPainterPath()
        self._units = QPainterPath()
        self._line: list[tuple[float, float]] = []
        self._closed = False
        self._points: list[tuple[float, float]] = []
        self._bounds = QRectF()
        self.setZValue(30)

    # -- content --------------------------------------------------------------------
    def set_shapes(self, path: QPainterPath | None) -> None:
        self._shapes = path if path is not None else QPainterPath()
        self._changed()

    def set_units(self, path: QPainterPath | None) -> None:
        """Units a drawn shape would take (unit-built alignments)."""
        self._units = path if path is not None else QPainterPath()
        self._changed()

    def set_sketch(self, points: Sequence[tuple[float, float]], closed: bool = False,
                   vertices: Sequence[tuple[float, float]] | None = None) -> None:
        self._line = list(points)
        self._closed = closed
        self._points = list(vertices) if vertices is not None else list(points)
        self._changed()

    def clear(self) -> None:
        self._shapes, self._units = QPainterPath(), QPainterPath()
        self._line, self._points = [], []
        self._changed()

    def is_empty(self) -> bool:
        return self._shapes.isEmpty() and self._units.isEmpty() and not self._line

    def _changed(self) -> None:
        self.prepareGeometryChange()
        rect = self._shapes.boundingRect().united(self._units.boundingRect())
        if self._line:
            xy = np.asarray(self._line, dtype=float)
            rect = rect.united(QRectF(QPointF(xy[:, 0].min(), xy[:, 1].min()), QPointF(xy[:, 0].max(), xy[:, 1].max())))
        # room for the pen and the vertex markers (a few pixels)
        px = self.pixelLength(pg.Point(1, 0)) if self.getViewBox() is not None else None
        pad = 8 * (px or 0.0)
        self._bounds = rect.adjusted(-pad, -pad, pad, pad)
        self.update()

    # -- painting -----------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return QRectF(self._bounds)

    def paint(self, painter: QPainter, *args: object) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if not self._units.isEmpty():
            fill = QColor(SKETCH_COLOUR)
            fill.setAlpha(70)
            pen = QPen(SKETCH_COLOUR, 1)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(fill)
            painter.drawPath(self._units)
        if not self._shapes.isEmpty():
            fill = QColor(self.colour)
            fill.setAlpha(40)
            pen = QPen(self.colour, 2.5)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(fill)
            painter.drawPath(self._shapes)
        if self._line:
            self._paint_sketch(painter)

    def _paint_sketch(self, painter: QPainter) -> None:
        pts = [QPointF(x, y) for x, y in self._line]
        if self._closed and len(pts) >= 3:
            fill = QColor(SKETCH_COLOUR)
            fill.setAlpha(45)
            painter.setBrush(fill)
            painter.setPen(Qt.PenStyle.NoPen)
            painter.drawPolygon(pts)
        for colour, width in ((QColor(255, 255, 255, 200), 4.0), (SKETCH_COLOUR, 2.0)):
            pen = QPen(colour, width)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            if self._closed and len(pts) >= 3:
                painter.drawPolygon(pts)
            else:
                painter.drawPolyline(pts)
        t = painter.transform()
        painter.save()
        painter.resetTransform()
        painter.setPen(QPen(SKETCH_COLOUR, 1.5))
        painter.setBrush(QColor("white"))
        for x, y in self._points:
            c = t.map(QPointF(x, y))
            painter.drawRect(QRectF(c.x() - 3.5, c.y() - 3.5, 7, 7))
        painter.restore()
