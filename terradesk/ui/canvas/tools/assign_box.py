"""Rectangle selection of units for assigning: drag a box, then "Assign selection to"
from the context menu; the assign variant gives the units to the active territory at
once. Shift adds to the selection; Alt-click picks the active territory."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.assign_base import AssignToolBase, units_selection
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.rubber_band import Gesture, RectangleDragTool


class BoxSelectTool(AssignToolBase, RectangleDragTool):
    name = "Box select"
    tooltip = "Drag a rectangle to select units; Shift adds to the selection (B)"
    shortcut = "B"
    assign_on_release = False

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)

    def gesture_done(self, gesture: Gesture, event: MapMouseEvent) -> None:
        assert self.canvas is not None
        if gesture.dragged:
            units = np.asarray(self.canvas.select_units_in(gesture.bounds).indices, dtype=np.intp)
        else:
            if self.pick_territory(event):
                return
            unit = self.unit_at(event)
            units = np.array([] if unit is None else [unit], dtype=np.intp)
        self.finish(units, event.shift)

    def finish(self, units: np.ndarray, extend: bool) -> None:
        """Assign (assign variant) or select the units the gesture gathered."""
        assert self.canvas is not None
        p = self.project()
        if p is None:
            return
        if self.assign_on_release and not extend:
            if len(units):
                self.assign(units)
            return
        if extend:
            sel = self.canvas.selection()
            have = np.asarray(sel.indices if sel.kind == "units" else (), dtype=np.intp)
            units = np.concatenate([have, units[~np.isin(units, have)]])
        self.canvas.set_selection(units_selection(p, units.astype(np.intp)))


class BoxAssignTool(BoxSelectTool):
    name = "Box assign"
    tooltip = "Drag a rectangle: every unit it touches goes to the active territory (Shift+B)"
    shortcut = "Shift+B"
    assign_on_release = True
