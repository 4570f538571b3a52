"""Light overlays the assign tools draw over the cached map image while a gesture runs.

Nothing here touches the model: a lasso outline, the brush circle, and the brush preview
(touched units filled in the target colour, with the territory outlines they would get).
Unit paths come from per-unit slices of the canvas's ring arrays, so adding the units a
brush move touched costs only their own vertices, not a pass over the whole layer.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QTransform

from terradesk.ui.canvas.geometry import Rings
from terradesk.ui.canvas.layers import UnitGeometry

IntArray = npt.NDArray[np.intp]


class PathOverlay(pg.GraphicsObject):  # type: ignore[misc]
    """Paths in map coordinates with a cosmetic pen and an optional fill.

    A brush stroke appends a path per mouse move; redrawing all of them on every frame
    grew with the stroke. So the paths already drawn are kept in a device-pixel image
    (valid while the view's transform and size stay put) and each frame draws only the
    paths added since, then blits the image's stroke-sized part (``cached``; overlays
    replaced wholesale on every move, like the brush circle, draw directly).
    """

    def __init__(self, z: float = 15, cached: bool = False) -> None:
        super().__init__()
        self._paths: list[tuple[QPainterPath, QPen, QBrush]] = []
        self._rect = QRectF()
        self.clip: QRectF | None = None  # map-coordinate painter clip (None: draw everything)
        self.cached = cached
        self._cache: QImage | None = None
        self._cache_key: tuple[object, ...] | None = None
        self._drawn = 0  # how many of _paths the cache image holds
        self.setZValue(z)

    def set_paths(self, paths: list[tuple[QPainterPath, QPen, QBrush]]) -> None:
        self.prepareGeometryChange()
        self._paths = [p for p in paths if not p[0].isEmpty()]
        self._drawn = 0
        self._cache_key = None
        rect = QRectF()
        for path, _, _ in self._paths:
            rect = rect.united(path.boundingRect())
        self._rect = rect
        self.update()

    def add_path(self, path: QPainterPath, pen: QPen, brush: QBrush) -> None:
        """Append one path (a brush move) without revisiting the others."""
        if path.isEmpty():
            return
        self.prepareGeometryChange()
        self._paths.append((path, pen, brush))
        self._rect = self._rect.united(path.boundingRect())
        self.update()

    def clear(self) -> None:
        self.set_paths([])

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, *args: object) -> None:
        if not self._paths:
            return
        if self.cached and self.clip is None and self._paint_cached(painter):
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        if self.clip is not None:
            painter.setClipRect(self.clip)
        self._draw(painter, self._paths)

    @staticmethod
    def _draw(painter: QPainter, paths: list[tuple[QPainterPath, QPen, QBrush]]) -> None:
        for path, pen, brush in paths:
            painter.setPen(pen)
            painter.setBrush(brush)
            painter.drawPath(path)

    def _paint_cached(self, painter: QPainter) -> bool:
        """Draw through the device-pixel cache; False when the device does not allow it."""
        device = painter.device()
        if device is None or device.width() <= 0 or device.height() <= 0:
            return False
        world: QTransform = painter.worldTransform()
        if world.isRotating():
            return False
        dpr = device.devicePixelRatioF()
        key = (world.m11(), world.m22(), world.dx(), world.dy(), device.width(), device.height(), dpr)
        if key != self._cache_key or self._cache is None:
            w, h = round(device.width() * dpr), round(device.height() * dpr)
            if self._cache is None or (self._cache.width(), self._cache.height()) != (w, h):
                self._cache = QImage(w, h, QImage.Format.Format_ARGB32_Premultiplied)
            self._cache.setDevicePixelRatio(dpr)
            self._cache.fill(Qt.GlobalColor.transparent)
            self._cache_key, self._drawn = key, 0
        if self._drawn < len(self._paths):
            p = QPainter(self._cache)
            try:
                p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
                p.setWorldTransform(world)
                self._draw(p, self._paths[self._drawn:])
            finally:
                p.end()
            self._drawn = len(self._paths)
        # only the part the paths cover (plus the widest pen) needs blitting
        area = world.mapRect(self._rect).adjusted(-4, -4, 4, 4)
        area = area.intersected(QRectF(0, 0, device.width(), device.height()))
        if area.isEmpty():
            return True
        painter.save()
        painter.resetTransform()
        src = QRectF(area.x() * dpr, area.y() * dpr, area.width() * dpr, area.height() * dpr)
        painter.drawImage(area, self._cache, src)
        painter.restore()
        return True


def cosmetic(colour: QColor | str, width: float = 1.0, style: Qt.PenStyle = Qt.PenStyle.SolidLine) -> QPen:
    pen = QPen(QColor(colour), width, style)
    pen.setCosmetic(True)
    return pen


class UnitPaths:
    """Per-unit access to one simplification level of the unit rings and edges."""

    def __init__(self, units: UnitGeometry, level: int) -> None:
        lv = units.level(level)
        self.rings: Rings = lv.rings
        # rings are stored unit by unit (owner never decreases), so each unit is a slice
        self.starts = np.searchsorted(lv.rings.owner, np.arange(units.count + 1)).astype(np.intp)
        e = lv.edges
        self.ex, self.ey, self.left, self.right = e.x, e.y, e.left, e.right
        ends = np.concatenate([e.left, e.right])
        seg = np.concatenate([np.arange(len(e.left)), np.arange(len(e.right))])
        keep = ends >= 0
        ends, seg = ends[keep], seg[keep]
        order = np.argsort(ends, kind="stable")
        self.edge_of = seg[order].astype(np.intp)
        self.edge_start = np.searchsorted(ends[order], np.arange(units.count + 1)).astype(np.intp)

    def _gather(self, starts: IntArray, stops: IntArray) -> IntArray:
        lengths = stops - starts
        if lengths.sum() == 0:
            return np.empty(0, np.intp)
        offsets = np.repeat(starts - np.concatenate([[0], np.cumsum(lengths)[:-1]]), lengths)
        out: IntArray = (np.arange(int(lengths.sum())) + offsets).astype(np.intp)
        return out

    def fill_path(self, units: IntArray) -> QPainterPath:
        units = np.asarray(units, dtype=np.intp)
        idx = self._gather(self.starts[units], self.starts[units + 1])
        if len(idx) == 0:
            return QPainterPath()
        path: QPainterPath = pg.arrayToQPath(self.rings.xy[idx, 0], self.rings.xy[idx, 1], connect=self.rings.connect[idx])
        path.setFillRule(Qt.FillRule.WindingFill)
        return path

    def edges_of(self, units: IntArray) -> IntArray:
        units = np.asarray(units, dtype=np.intp)
        found: IntArray = np.unique(self.edge_of[self._gather(self.edge_start[units], self.edge_start[units + 1])])
        return found

    def edge_path(self, segments: IntArray) -> QPainterPath:
        if len(segments) == 0:
            return QPainterPath()
        pair = np.empty(2 * len(segments), dtype=np.intp)
        pair[0::2], pair[1::2] = 2 * segments, 2 * segments + 1
        path: QPainterPath = pg.arrayToQPath(self.ex[pair], self.ey[pair], connect="pairs")
        return path
