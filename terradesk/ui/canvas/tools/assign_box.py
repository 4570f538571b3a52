"""Rectangle selection of units for assigning: drag a box, then "Assign selection to"
from the context menu; the assign variant gives the units to the active territory at
once. Shift adds to the selection; Alt-click picks the active territory."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.assign_base import AssignSettings, AssignToolBase, units_selection
from terradesk.ui.canvas.tools.base import MapMouseEvent

DRAG_PX = 5.0


class BoxSelectTool(AssignToolBase):
    name = "Box select"
    tooltip = "Drag a rectangle to select units; Shift adds to the selection (B)"
    shortcut = "B"
    assign_on_release = False

    def __init__(self, canvas: object = None, settings: AssignSettings | None = None) -> None:
        super().__init__(canvas, settings)  # type: ignore[arg-type]
        self._start: tuple[float, float] | None = None
        self._dragging = False

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
        self._start, self._dragging = None, False

    def deactivate(self) -> None:
        super().deactivate()
        self._start = None
        if self.canvas is not None:
            self.canvas.set_rubber_band(None)

    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton:
            return False
        self._start, self._dragging = (event.x, event.y), False
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        x0, y0 = self._start
        if self.canvas.pixels_between(self._start, (event.x, event.y)) >= DRAG_PX:
            self._dragging = True
        if self._dragging:
            self.canvas.set_rubber_band(QRectF(x0, y0, event.x - x0, event.y - y0))
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        (x0, y0), self._start = self._start, None
        self.canvas.set_rubber_band(None)
        if not self._dragging:
            if self.pick_territory(event):
                return True
            unit = self.unit_at(event)
            units = np.array([] if unit is None else [unit], dtype=np.intp)
        else:
            bounds = (min(x0, event.x), min(y0, event.y), max(x0, event.x), max(y0, event.y))
            units = np.asarray(self.canvas.select_units_in(bounds).indices, dtype=np.intp)
        self.finish(units, event.shift)
        return True

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
