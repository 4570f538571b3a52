"""Fill a hole: click inside a hole of a territory; the territory grows over it.

Territories inside the hole (enclaves) keep their area; the filled shape is clipped
around them. Clicking where several holes nest picks the innermost.
"""

from __future__ import annotations

import shapely
from PySide6.QtCore import Qt

from terradesk.edit.shapes import fill_hole
from terradesk.geo.split import fill_holes
from terradesk.model import Id
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.editing import EditTool
from terradesk.ui.canvas.tools.sketch import CLICK_SLOP


class FillHoleTool(EditTool):
    name = "Fill hole"
    tooltip = "Click inside a hole of a territory to fill it (H)"
    shortcut = "H"
    freeform_only = True

    def reset(self) -> None:
        super().reset()
        self._press: tuple[float, float] | None = None

    def holder_of_hole(self, x: float, y: float) -> Id | None:
        """The territory with a hole at project point (x, y) (the smallest filled shape wins)."""
        al = self.alignment()
        if al is None:
            return None
        best: tuple[float, Id] | None = None
        for t in al:
            g = t.geometry
            if g is None or g.is_empty or not g.bounds[0] <= x <= g.bounds[2] or not g.bounds[1] <= y <= g.bounds[3]:
                continue
            if shapely.intersects_xy(g, x, y):
                continue
            filled = fill_holes(g)
            if shapely.intersects_xy(filled, x, y) and (best is None or filled.area < best[0]):
                best = (filled.area, t.id)
        return best[1] if best is not None else None

    def canvas_press(self, event: MapMouseEvent) -> bool:
        self._press = (event.pos.x(), event.pos.y()) if event.button == Qt.MouseButton.LeftButton else None
        return False

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if event.buttons != Qt.MouseButton.NoButton:
            return False
        x, y = self.to_project(event.x, event.y)
        tid = self.holder_of_hole(x, y) if self.alignment() is not None else None
        al = self.alignment()
        if tid is None or al is None:
            self.preview.clear()
            return False
        self.show_shapes([fill_holes(al.territory(tid).geometry, (x, y))])
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        press, self._press = self._press, None
        if press is None or abs(press[0] - event.pos.x()) + abs(press[1] - event.pos.y()) > CLICK_SLOP:
            return False
        al, p = self.ready(), self.project()
        if al is None or p is None:
            return False
        x, y = self.to_project(event.x, event.y)
        tid = self.holder_of_hole(x, y)
        if tid is None:
            self.say("Click inside a hole of a territory to fill it")
            return False
        try:
            command = fill_hole(p, al.id, tid, (x, y))
        except ValueError as exc:
            self.say(str(exc))
            return False
        self.preview.clear()
        self.push(command)
        return False
