"""Zoom box: drag a rectangle, the view zooms to it (a click zooms in around the point)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool
from terradesk.ui.canvas.tools.rubber_band import RectangleDrag


class ZoomBoxTool(MapTool):
    name = "Zoom box"
    tooltip = "Zoom to a rectangle you drag (Z)"
    shortcut = "Z"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
        self._drag = RectangleDrag()

    def deactivate(self) -> None:
        super().deactivate()
        self._drag.cancel(self.canvas)

    def canvas_press(self, event: MapMouseEvent) -> bool:
        return self._drag.press(event)

    def canvas_move(self, event: MapMouseEvent) -> bool:
        return self._drag.move(self.canvas, event)

    def canvas_release(self, event: MapMouseEvent) -> bool:
        gesture = self._drag.release(self.canvas, event)
        if gesture is None or self.canvas is None:
            return False
        if gesture.dragged:
            self.canvas.zoom_to_bounds(*gesture.bounds)
        else:
            self.canvas.zoom_in(at=(event.x, event.y))
        return True
