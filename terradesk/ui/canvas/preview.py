"""A proposed plan drawn over the map without touching the model.

A rebalance preview hatches the units that would move in the colour of the territory that
would receive them; a generated alignment is shown filled in its new colours. The item
sits above the cached map image (like the hover highlight), so showing, changing and
clearing a preview never re-renders the map. Paths come from the canvas's own
simplification levels, picked for the current zoom when painted.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
import shapely
from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainter, QPainterPath, QPen, QPixmap

from terradesk.ui.canvas.layers import UnitGeometry

IntArray = npt.NDArray[np.intp]
PreviewStyle = Literal["hatch", "fill"]

#: Hatch spacing and line width in device pixels (the hatch keeps its size at any zoom).
HATCH_SPACING = 7.0
HATCH_WIDTH = 2.2
OUTLINE = QColor(20, 20, 20, 200)


class _Group:
    """Units sharing one colour; paths are built per simplification level on demand."""

    def __init__(self, units: IntArray, colour: QColor) -> None:
        self.units = units
        self.colour = colour
        self.paths: dict[int, tuple[QPainterPath, QPainterPath]] = {}

    def paths_at(self, geometry: UnitGeometry, level: int) -> tuple[QPainterPath, QPainterPath]:
        """(fill path, outline path): the outline holds only edges on the group's rim."""
        cached = self.paths.get(level)
        if cached is None:
            lv = geometry.level(level)
            fill = lv.rings.of_owners(self.units, geometry.count).path()
            inside = np.zeros(geometry.count + 1, dtype=bool)  # index -1 (outside) maps to False
            inside[self.units] = True
            rim = inside[lv.edges.left] != inside[lv.edges.right]
            cached = (fill, lv.edges.path(rim))
            self.paths[level] = cached
        return cached


class PreviewOverlay(pg.GraphicsObject):  # type: ignore[misc]
    """Hatched (or filled) unit groups in map coordinates, over the cached map image."""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(5)
        self._geometry: UnitGeometry | None = None
        self._groups: list[_Group] = []
        self._rect = QRectF()
        self.style: PreviewStyle = "hatch"
        self.units: IntArray = np.empty(0, np.intp)
        self._cache: QImage | None = None
        self._cache_key: tuple[float, ...] = ()
        self._cache_origin = (0.0, 0.0)

    def set_units(self, geometry: UnitGeometry | None, units: npt.ArrayLike, colours: Sequence[QColor | str] | QColor | str,
                  style: PreviewStyle = "hatch") -> None:
        """Show ``units`` (indices) in ``colours`` (one per unit, or one for all)."""
        idx = np.asarray(units, dtype=np.intp).ravel()
        if isinstance(colours, (str, QColor)):
            names = [QColor(colours).name(QColor.NameFormat.HexArgb)] * len(idx)
        else:
            names = [QColor(c).name(QColor.NameFormat.HexArgb) for c in colours]
            if len(names) != len(idx):
                raise ValueError(f"{len(idx)} units but {len(names)} colours")
        if geometry is None or len(idx) == 0:
            self.clear()
            return
        if idx.min() < 0 or idx.max() >= geometry.count:
            raise IndexError("a preview unit index is outside the unit layer")
        self.prepareGeometryChange()
        self._geometry, self.style, self.units = geometry, style, idx
        by_colour: dict[str, list[int]] = {}
        for u, name in zip(idx.tolist(), names, strict=True):
            by_colour.setdefault(name, []).append(u)
        self._groups = [_Group(np.asarray(us, dtype=np.intp), QColor(name)) for name, us in by_colour.items()]
        box = shapely.total_bounds(geometry.geoms[idx])
        self._rect = QRectF(float(box[0]), float(box[1]), float(box[2] - box[0]), float(box[3] - box[1]))
        self.invalidate()

    def clear(self) -> None:
        self.prepareGeometryChange()
        self._groups, self._geometry, self.units = [], None, np.empty(0, np.intp)
        self._rect = QRectF()
        self.invalidate()

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def invalidate(self) -> None:
        """Drop the cached image (the canvas calls this when the view settles)."""
        self._cache = None
        self.update()

    def paint(self, painter: QPainter, *args: object) -> None:
        """Blit an image of the overlay rendered for the current scale: a pan frame is one
        drawImage, as for the map itself; a zoom or :meth:`invalidate` re-renders it."""
        geometry = self._geometry
        if geometry is None or not self._groups:
            return
        t = painter.transform()
        vp = painter.viewport()
        device = painter.device()
        dpr = device.devicePixelRatioF() if device is not None else 1.0
        key = (t.m11(), t.m12(), t.m21(), t.m22(), vp.width(), vp.height(), dpr)
        if self._cache is None or self._cache_key != key:
            image = QImage(max(1, int(vp.width() * dpr)), max(1, int(vp.height() * dpr)),
                           QImage.Format.Format_ARGB32_Premultiplied)
            image.setDevicePixelRatio(dpr)
            image.fill(Qt.GlobalColor.transparent)
            p = QPainter(image)
            try:
                p.setTransform(t)
                self._draw(p, geometry)
            finally:
                p.end()
            self._cache, self._cache_key, self._cache_origin = image, key, (t.dx(), t.dy())
        painter.save()
        painter.resetTransform()
        painter.drawImage(QPointF(t.dx() - self._cache_origin[0], t.dy() - self._cache_origin[1]), self._cache)
        painter.restore()

    def _draw(self, painter: QPainter, geometry: UnitGeometry) -> None:
        scale = math.hypot(painter.transform().m11(), painter.transform().m12()) or 1.0
        level = geometry.level_for(1.0 / scale)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        for group in self._groups:
            fill, rim = group.paths_at(geometry, level)
            if self.style == "fill":
                self._paint_fill(painter, fill, group.colour)
            else:
                self._paint_hatch(painter, fill, group.colour)
            pen = QPen(OUTLINE, 1.4 if self.style == "hatch" else 0.8)
            pen.setCosmetic(True)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(rim)

    @staticmethod
    def _paint_fill(painter: QPainter, path: QPainterPath, colour: QColor) -> None:
        fill = QColor(colour)
        fill.setAlpha(255)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawPath(path)

    @staticmethod
    def _paint_hatch(painter: QPainter, path: QPainterPath, colour: QColor) -> None:
        """Fill with a device-space hatch tile (a texture brush, much faster than clipping
        lines to thousands of unit rings): a light halo under a line in the receiving
        colour, darkened a little so pale colours still read."""
        world = painter.transform()
        inverse, ok = world.inverted()
        if not ok:
            return
        brush = QBrush(hatch_tile(colour))
        brush.setTransform(inverse)  # cancel the map transform: the tile stays in pixels
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(brush)
        painter.drawPath(path)


_TILES: dict[int, QPixmap] = {}


def hatch_tile(colour: QColor) -> QPixmap:
    """A seamless square tile with one 45-degree stripe (cached per colour)."""
    key = colour.rgba()
    tile = _TILES.get(key)
    if tile is None:
        n = round(HATCH_SPACING * 2)  # two stripes per tile keep the spacing exact
        image = QImage(n, n, QImage.Format.Format_ARGB32_Premultiplied)
        image.fill(Qt.GlobalColor.transparent)
        p = QPainter(image)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        ink = QColor(colour).darker(125)
        ink.setAlpha(225)
        for pen in (QPen(QColor(255, 255, 255, 130), HATCH_WIDTH + 1.4), QPen(ink, HATCH_WIDTH)):
            p.setPen(pen)
            for off in range(-n, 2 * n, round(HATCH_SPACING)):
                p.drawLine(QLineF(off, n, off + n, 0))  # the stripe x + y = off + n
        p.end()
        tile = QPixmap.fromImage(image)
        _TILES[key] = tile
    return tile
