"""Move a territory: drag it; the outline follows the cursor, release moves it (one step).

The moved shape is clipped against the neighbours it lands on (they keep their area).
Snapping applies to the grabbed point, so a corner can be dropped onto a neighbour's vertex.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from shapely import affinity

from terradesk.edit.shapes import move_territory
from terradesk.model import Id
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.editing import EditTool
from terradesk.ui.canvas.tools.sketch import CLICK_SLOP


class MoveTool(EditTool):
    name = "Move territory"
    tooltip = "Drag a territory to move it; it is clipped against the neighbours it lands on (M)"
    shortcut = "M"
    freeform_only = True

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.SizeAllCursor)

    def reset(self) -> None:
        super().reset()
        self._tid: Id | None = None
        self._start: tuple[float, float] | None = None  # project coordinates of the press
        self._press: tuple[float, float] | None = None
        self._moved = False

    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton:
            return False
        al = self.alignment()
        if al is None or al.kind != "freeform":
            self.ready()
            return False
        tid = self.territory_at(event.x, event.y)
        if tid is None:
            return False  # pan
        if al.territory(tid).locked:
            self.say(f"territory {al.territory(tid).name!r} is locked")
            return True
        self._tid, self._press = tid, (event.pos.x(), event.pos.y())
        self._start = self.to_project(event.x, event.y)
        self._moved = False
        return True

    def _offset(self, event: MapMouseEvent) -> tuple[float, float]:
        assert self._start is not None
        x, y, _hit = self.snap_event(event, exclude=(("territory", self._tid),))
        return x - self._start[0], y - self._start[1]

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self._tid is None or self._press is None:
            return False
        if not self._moved:
            self._moved = abs(event.pos.x() - self._press[0]) + abs(event.pos.y() - self._press[1]) > CLICK_SLOP
            if not self._moved:
                return True
        al = self.alignment()
        if al is None or self._tid not in al.territories:
            self.reset()
            return True
        dx, dy = self._offset(event)
        self.show_shapes([affinity.translate(al.territory(self._tid).geometry, dx, dy)])
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if self._tid is None:
            return False
        tid, moved = self._tid, self._moved
        dx, dy = self._offset(event) if moved else (0.0, 0.0)
        self.reset()
        self.indicator.clear()
        al, p = self.alignment(), self.project()
        if not moved or al is None or p is None or (dx, dy) == (0.0, 0.0):
            return True
        try:
            command = move_territory(p, al.id, tid, dx, dy)
        except ValueError as exc:
            self.say(str(exc))
            return True
        self.push(command)
        return True
