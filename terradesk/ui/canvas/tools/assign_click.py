"""Click to assign: the unit under the cursor goes to the active territory.

Shift-click adds the unit to (or drops it from) the selection instead; Alt-click makes
the unit's territory the active one. A drag pans the map as usual.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.assign_base import AssignToolBase
from terradesk.ui.canvas.tools.base import MapMouseEvent

#: A press and release further apart than this (screen px) is a pan, not a click.
CLICK_SLOP_PX = 4.0


class AssignClickTool(AssignToolBase):
    name = "Assign"
    tooltip = "Click a unit to assign it to the active territory; Shift-click selects, Alt-click picks (A)"
    shortcut = "A"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
        self._press: tuple[float, float] | None = None

    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button == Qt.MouseButton.LeftButton:
            self._press = (event.x, event.y)
        return False  # let the view pan when this becomes a drag

    def canvas_release(self, event: MapMouseEvent) -> bool:
        start, self._press = self._press, None
        if start is None or self.canvas is None or event.button != Qt.MouseButton.LeftButton:
            return False
        if self.canvas.pixels_between(start, (event.x, event.y)) > CLICK_SLOP_PX:
            return False
        if self.pick_territory(event):
            return False
        unit = self.unit_at(event)
        if unit is None:
            return False
        if event.shift:
            self.toggle_selection(np.array([unit], dtype=np.intp))
        else:
            self.assign([unit])
        return False  # the view finishes its own press/release bookkeeping
