"""Pan (drag) and zoom (wheel): the canvas default; it leaves every gesture to the view."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.tools.base import MapTool


class PanTool(MapTool):
    name = "Pan"
    tooltip = "Pan the map (drag), zoom with the wheel (P)"
    shortcut = "P"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.OpenHandCursor)
