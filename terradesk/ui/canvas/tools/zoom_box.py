"""Zoom box: drag a rectangle, the view zooms to it (a click zooms in around the point)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.rubber_band import Gesture, RectangleDragTool


class ZoomBoxTool(RectangleDragTool):
    name = "Zoom box"
    tooltip = "Zoom to a rectangle you drag (Z)"
    shortcut = "Z"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)

    def gesture_done(self, gesture: Gesture, event: MapMouseEvent) -> None:
        assert self.canvas is not None
        if gesture.dragged:
            self.canvas.zoom_to_bounds(*gesture.bounds)
        else:
            self.canvas.zoom_in(at=(event.x, event.y))
