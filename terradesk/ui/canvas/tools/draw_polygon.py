"""Draw a new territory: click its vertices, double-click or Enter to finish.

Free-form alignment: the polygon becomes a territory clipped against its neighbours, or
(``take`` mode, or Ctrl held at finish) taking the area from them. Unit-built alignment:
while drawing, the units whose representative point falls inside are highlighted (the
ones the new territory would get); finishing assigns exactly those.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from shapely.geometry import Polygon

from terradesk.edit import Command
from terradesk.edit.shapes import draw_territory, draw_units, preview_units
from terradesk.geo.reshape import DrawMode
from terradesk.ui.canvas.tools.sketch import Point, SketchTool

if TYPE_CHECKING:
    from terradesk.ui.canvas.widget import MapCanvas


class DrawPolygonTool(SketchTool):
    name = "Draw territory"
    tooltip = "Draw a new territory: click vertices, double-click or Enter to finish, Esc cancels (D)"
    shortcut = "D"
    closed = True
    min_points = 3

    def __init__(self, canvas: MapCanvas | None = None, mode: DrawMode = "clip") -> None:
        super().__init__(canvas)
        self.mode: DrawMode = mode
        self.preview_count = 0  # units the current sketch would take (unit-built alignments)

    def mode_for(self, modifiers: Qt.KeyboardModifier) -> DrawMode:
        """Ctrl flips between clipping and taking the area from neighbours."""
        if modifiers & Qt.KeyboardModifier.ControlModifier:
            return "clip" if self.mode == "take" else "take"
        return self.mode

    def points_changed(self) -> None:
        al = self.alignment()
        p = self.project()
        if al is None or p is None or al.kind != "units" or self.canvas is None:
            return
        units = self.canvas.scene_data.units
        if len(self.points) < 3 or units is None:
            self.preview.set_units(None)
            self.preview_count = 0
            return
        try:
            idx = preview_units(p, al.id, Polygon(self.points), None, self.mode)
        except ValueError:
            idx = np.empty(0, dtype=np.intp)
        self.preview_count = len(idx)
        self.preview.set_units(units.rings_of(idx, len(units.tolerances) - 1).path() if len(idx) else None)

    def build(self, points: list[Point], modifiers: Qt.KeyboardModifier) -> Command | None:
        al = self.ready()
        p = self.project()
        if al is None or p is None:
            return None
        shape = Polygon(points)
        mode = self.mode_for(modifiers)
        if al.kind == "units":
            preview = draw_units(p, al.id, shape, None, mode)
            if preview.command is None:
                raise ValueError("the shape takes no units: no representative point of a free unit lies inside"
                                 + (" (hold Ctrl to take units from other territories)" if mode == "clip" else ""))
            return preview.command
        return draw_territory(p, al.id, shape, mode=mode)
