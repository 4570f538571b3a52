"""Zoom box: drag a rectangle, the view zooms to it (a click zooms in around the point)."""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool


class ZoomBoxTool(MapTool):
    name = "Zoom box"
    tooltip = "Zoom to a rectangle you drag (Z)"
    shortcut = "Z"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
        self._start: tuple[float, float] | None = None

    def deactivate(self) -> None:
        super().deactivate()
        self._start = None
        if self.canvas is not None:
            self.canvas.set_rubber_band(None)

    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton:
            return False
        self._start = (event.x, event.y)
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        x0, y0 = self._start
        self.canvas.set_rubber_band(QRectF(x0, y0, event.x - x0, event.y - y0))
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if self._start is None or self.canvas is None:
            return False
        x0, y0 = self._start
        self._start = None
        self.canvas.set_rubber_band(None)
        if self.canvas.pixels_between((x0, y0), (event.x, event.y)) < 5:
            self.canvas.zoom_in(at=(event.x, event.y))
        else:
            self.canvas.zoom_to_bounds(min(x0, event.x), min(y0, event.y), max(x0, event.x), max(y0, event.y))
        return True
