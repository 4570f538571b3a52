"""Select territories by clicking their shapes (Shift toggles): what Merge and Delete act on.

Works on both kinds of alignment (the canvas's Select tool picks units; Alt-click picks
a territory only in unit-built alignments).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor

from terradesk.ui.canvas.state import Selection
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.editing import EditTool
from terradesk.ui.canvas.tools.sketch import CLICK_SLOP


class PickTerritoryTool(EditTool):
    name = "Select territories"
    tooltip = "Click territories to select them, Shift-click adds or removes one (T)"
    shortcut = "T"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.PointingHandCursor)

    def reset(self) -> None:
        super().reset()
        self._press: tuple[float, float] | None = None

    def canvas_press(self, event: MapMouseEvent) -> bool:
        self._press = (event.pos.x(), event.pos.y()) if event.button == Qt.MouseButton.LeftButton else None
        return False

    def canvas_release(self, event: MapMouseEvent) -> bool:
        press, self._press = self._press, None
        if self.canvas is None or press is None:
            return False
        if abs(press[0] - event.pos.x()) + abs(press[1] - event.pos.y()) > CLICK_SLOP:
            return False
        tid = self.territory_at(event.x, event.y)
        ids = list(self.selected_territories()) if event.shift else []
        if tid is not None:
            if tid in ids:
                ids.remove(tid)
            else:
                ids.append(tid)
        self.canvas.set_selection(Selection("territories", tuple(ids)) if ids else Selection())
        return False
