"""Lasso selection: draw a free shape around units. A unit is taken when its inside
point (``point_on_surface``) lies in the lasso, so brushing past a neighbour's corner
does not pick it up. The assign variant gives the units to the active territory at once.
"""

from __future__ import annotations

import numpy as np
import shapely
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor, QCursor, QPainterPath, QPolygonF

from terradesk.ui.canvas.tools.assign_box import BoxSelectTool
from terradesk.ui.canvas.tools.assign_overlay import PathOverlay, cosmetic
from terradesk.ui.canvas.tools.base import MapMouseEvent

#: Screen distance between recorded lasso vertices.
STEP_PX = 3.0


class LassoSelectTool(BoxSelectTool):
    name = "Lasso select"
    tooltip = "Draw around units to select them; Shift adds to the selection (L)"
    shortcut = "L"

    def activate(self) -> None:
        super().activate()
        self._start: tuple[float, float] | None = None  # the lasso tracks its own gesture
        self._dragging = False
        self._points: list[tuple[float, float]] = []
        self._overlay = PathOverlay()
        self._inside: tuple[object, np.ndarray] | None = None
        if self.canvas is not None:
            self.canvas.vb.addItem(self._overlay, ignoreBounds=True)

    def deactivate(self) -> None:
        super().deactivate()
        if self.canvas is not None and getattr(self, "_overlay", None) is not None:
            self.canvas.vb.removeItem(self._overlay)
        self._points = []

    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton:
            return False
        self._start, self._dragging = (event.x, event.y), False
        self._points = [(event.x, event.y)]
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        if self.canvas.pixels_between(self._points[-1], (event.x, event.y)) >= STEP_PX:
            self._points.append((event.x, event.y))
            self._dragging = self._dragging or len(self._points) >= 3
            self._show()
        return True

    def _show(self) -> None:
        path = QPainterPath()
        path.addPolygon(QPolygonF([QPointF(x, y) for x, y in self._points]))
        path.closeSubpath()
        self._overlay.set_paths([(path, cosmetic("#0060c0", 1.5, Qt.PenStyle.DashLine), QBrush(QColor(0, 96, 192, 35)))])

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        self._start = None
        self._overlay.clear()
        points, self._points = [*self._points, (event.x, event.y)], []
        if not self._dragging or len(points) < 3:
            if self.pick_territory(event):
                return True
            unit = self.unit_at(event)
            self.finish(np.array([] if unit is None else [unit], dtype=np.intp), event.shift)
            return True
        self.finish(self.units_in(points), event.shift)
        return True

    def units_in(self, points: list[tuple[float, float]]) -> np.ndarray:
        """Units whose inside point lies within the lasso polygon."""
        assert self.canvas is not None
        units = self.canvas.scene_data.units
        if units is None or units.count == 0:
            return np.empty(0, np.intp)
        lasso = shapely.make_valid(shapely.Polygon(points))
        if self._inside is None or self._inside[0] is not units.geoms:
            self._inside = (units.geoms, shapely.point_on_surface(units.geoms))
        cand = units.tree.query(lasso, predicate="intersects")
        hit = shapely.intersects(lasso, self._inside[1][cand])
        return np.sort(cand[hit]).astype(np.intp)


class LassoAssignTool(LassoSelectTool):
    name = "Lasso assign"
    tooltip = "Draw around units: they go to the active territory (Shift+L)"
    shortcut = "Shift+L"
    assign_on_release = True

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
