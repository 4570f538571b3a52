"""Snapping for the editing tools: settings, a cached snap index, and the on-map indicator.

The snap index (:func:`terradesk.edit.shapes.snap_index`) lives in project coordinates and
is built lazily; any project change that can move a vertex (geometry, territories,
assignment, units, active alignment) drops it so the next query rebuilds it. Tolerances
are in screen pixels and converted to map units from the current view scale on every
query, so zooming changes what "near" means exactly as the planner sees it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QObject, QPointF, QRectF, Signal
from PySide6.QtGui import QColor, QPainter, QPen

from terradesk.edit.shapes import snap_index
from terradesk.geo.snap import SnapIndex, SnapResult
from terradesk.model import Change, ChangeKind, Project

if TYPE_CHECKING:
    from terradesk.ui.canvas.widget import MapCanvas

SNAP_COLOUR = QColor("#d6008f")
#: Changes after which snap targets may have moved.
_STALE = {ChangeKind.GEOMETRY, ChangeKind.TERRITORIES, ChangeKind.ASSIGNMENT, ChangeKind.UNITS,
          ChangeKind.RESET, ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.ALIGNMENTS}


class Snapper(QObject):
    """Snapping switch, tolerance in pixels and the snap index of the active alignment."""

    settings_changed = Signal()

    def __init__(self, enabled: bool = True, tolerance_px: float = 10.0) -> None:
        super().__init__()
        self._enabled = enabled
        self._tolerance_px = tolerance_px
        self._index: SnapIndex | None = None
        self._territory_index: SnapIndex | None = None
        self._project: Project | None = None
        self.builds = 0  # how often the index was (re)built: tests check the cache

    # -- settings ---------------------------------------------------------------------
    @property
    def enabled(self) -> bool:
        return self._enabled

    def set_enabled(self, on: bool) -> None:
        if on != self._enabled:
            self._enabled = bool(on)
            self.settings_changed.emit()

    @property
    def tolerance_px(self) -> float:
        return self._tolerance_px

    def set_tolerance_px(self, px: float) -> None:
        px = max(1.0, float(px))
        if px != self._tolerance_px:
            self._tolerance_px = px
            self.settings_changed.emit()

    # -- the index ---------------------------------------------------------------------
    def watch(self, project: Project | None) -> None:
        """Follow ``project``: its changes make the index stale."""
        if project is self._project:
            return
        if self._project is not None:
            self._project.changed.disconnect(self._on_change)
        self._project = project
        self.invalidate()
        if project is not None:
            project.changed.connect(self._on_change)

    def _on_change(self, change: Change) -> None:
        if change.kind in _STALE:
            self.invalidate()

    def invalidate(self) -> None:
        self._index = None
        self._territory_index = None

    def index(self, territories_only: bool = False) -> SnapIndex | None:
        """Snap targets of the active alignment (plus unit shapes unless ``territories_only``)."""
        p = self._project
        if p is None:
            return None
        al = p.active_alignment
        if territories_only:
            if self._territory_index is None:
                self._territory_index = snap_index(p, al.id if al is not None else None, units=False)
                self.builds += 1
            return self._territory_index
        if self._index is None:
            self._index = snap_index(p, al.id if al is not None else None, units=True)
            self.builds += 1
        return self._index

    def snap(self, x: float, y: float, tolerance: float, **kwargs: object) -> SnapResult | None:
        """Snap (x, y) (project coordinates) when snapping is on; ``tolerance`` in map units."""
        if not self._enabled:
            return None
        index = self.index()
        return index.snap(x, y, tolerance, **kwargs) if index is not None else None  # type: ignore[arg-type]


class SnapIndicatorItem(pg.GraphicsObject):  # type: ignore[misc]
    """The snap marker: a square on a vertex, an x on a segment, drawn at constant pixel size."""

    SIZE = 6.0

    def __init__(self) -> None:
        super().__init__()
        self._at: QPointF | None = None
        self._kind = "vertex"
        self.setZValue(40)

    @property
    def kind(self) -> str | None:
        return self._kind if self._at is not None else None

    def show_at(self, x: float, y: float, kind: str) -> None:
        self.prepareGeometryChange()
        self._at, self._kind = QPointF(x, y), kind
        self.update()

    def clear(self) -> None:
        if self._at is not None:
            self.prepareGeometryChange()
            self._at = None
            self.update()

    def boundingRect(self) -> QRectF:
        if self._at is None:
            return QRectF()
        # a few pixels around the point, expressed in map units
        px = self.pixelLength(pg.Point(1, 0)) if self.getViewBox() is not None else None
        r = (self.SIZE + 3) * (px if px else 1.0)
        return QRectF(self._at.x() - r, self._at.y() - r, 2 * r, 2 * r)

    def paint(self, painter: QPainter, *args: object) -> None:
        if self._at is None:
            return
        centre = painter.transform().map(self._at)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        s = self.SIZE
        painter.setPen(QPen(QColor("white"), 4))
        self._mark(painter, centre, s)
        painter.setPen(QPen(SNAP_COLOUR, 2))
        self._mark(painter, centre, s)
        painter.restore()

    def _mark(self, painter: QPainter, c: QPointF, s: float) -> None:
        if self._kind == "vertex":
            painter.drawRect(QRectF(c.x() - s, c.y() - s, 2 * s, 2 * s))
        else:
            painter.drawLine(QPointF(c.x() - s, c.y() - s), QPointF(c.x() + s, c.y() + s))
            painter.drawLine(QPointF(c.x() - s, c.y() + s), QPointF(c.x() + s, c.y() - s))


def snapper_for(canvas: MapCanvas) -> Snapper:
    """The one Snapper shared by every editing tool of ``canvas`` (created on first use)."""
    snapper = getattr(canvas, "_edit_snapper", None)
    if snapper is None:
        snapper = Snapper()
        snapper.setParent(canvas)
        canvas._edit_snapper = snapper  # type: ignore[attr-defined]
    project = getattr(canvas, "project", None)  # a placeholder canvas has no project
    snapper.watch(project() if callable(project) else None)
    return snapper
