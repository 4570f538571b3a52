"""Identify/select: click picks the unit (or account) under the cursor, shift-click extends,
a rectangle drag selects every unit it touches; Alt-click picks the unit's territory."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.state import Selection
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.rubber_band import Gesture, RectangleDragTool


class SelectTool(RectangleDragTool):
    name = "Select"
    tooltip = "Select units, territories (Alt-click) or accounts; Shift extends (S)"
    shortcut = "S"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.PointingHandCursor)

    def gesture_done(self, gesture: Gesture, event: MapMouseEvent) -> None:
        canvas = self.canvas
        assert canvas is not None
        if gesture.dragged:
            picked = canvas.select_units_in(gesture.bounds)
        else:
            territory = bool(event.modifiers & Qt.KeyboardModifier.AltModifier)
            picked = canvas.pick(event.x, event.y, territory=territory)
        if event.shift:
            picked = combine(canvas.selection(), picked)
        canvas.set_selection(picked)


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
