"""Identify/select: click picks the unit (or account) under the cursor, shift-click extends,
a rectangle drag selects every unit it touches; Alt-click picks the unit's territory."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.state import Selection
from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool


class SelectTool(MapTool):
    name = "Select"
    tooltip = "Select units, territories (Alt-click) or accounts; Shift extends (S)"
    shortcut = "S"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.PointingHandCursor)
        self._start: tuple[float, float] | None = None
        self._dragging = False

    def deactivate(self) -> None:
        super().deactivate()
        self._start = None
        if self.canvas is not None:
            self.canvas.set_rubber_band(None)

    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton:
            return False
        self._start = (event.x, event.y)
        self._dragging = False
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        x0, y0 = self._start
        if self.canvas.pixels_between(self._start, (event.x, event.y)) >= 5:
            self._dragging = True
        if self._dragging:
            self.canvas.set_rubber_band(QRectF(x0, y0, event.x - x0, event.y - y0))
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        canvas = self.canvas
        x0, y0 = self._start
        self._start = None
        canvas.set_rubber_band(None)
        if self._dragging:
            picked = canvas.select_units_in((min(x0, event.x), min(y0, event.y), max(x0, event.x), max(y0, event.y)))
        else:
            territory = bool(event.modifiers & Qt.KeyboardModifier.AltModifier)
            picked = canvas.pick(event.x, event.y, territory=territory)
        if event.shift:
            picked = combine(canvas.selection(), picked)
        canvas.set_selection(picked)
        return True


class IdentifyTool(SelectTool):
    """The same picking, named as planners know it from other GIS tools."""

    name = "Identify"
    tooltip = "Identify a unit, territory (Alt-click) or account (I)"
    shortcut = "I"


def combine(old: Selection, new: Selection) -> Selection:
    """Shift-click: toggle ``new``'s items in ``old`` when both are the same kind."""
    if old.kind != new.kind or not old:
        return new
    ids = list(old.ids)
    indices = list(old.indices)
    for k, rid in enumerate(new.ids):
        if rid in ids:
            pos = ids.index(rid)
            ids.pop(pos)
            if indices:
                indices.pop(pos)
        else:
            ids.append(rid)
            if new.indices:
                indices.append(new.indices[k])
    return Selection(old.kind if ids else None, tuple(ids), tuple(indices))
