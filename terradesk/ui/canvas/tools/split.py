"""Split a territory in two with a line drawn across it (double-click or Enter to apply).

The smaller side becomes a new territory with the same owner and region. The territory
is the selected one, else the one the line crosses (under its middle vertex or midpoint).
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from shapely.geometry import LineString

from terradesk.edit import Command
from terradesk.edit.shapes import split_territory
from terradesk.model import Id
from terradesk.ui.canvas.tools.sketch import Point, SketchTool


class SplitTool(SketchTool):
    name = "Split"
    tooltip = "Split a territory: draw a line across it, double-click or Enter to apply (K)"
    shortcut = "K"

    def target(self) -> Id | None:
        chosen = self.selected_territories()
        if len(chosen) == 1:
            return chosen[0]
        if not self.shown:
            return None
        line = LineString(self.shown) if len(self.shown) > 1 else None
        probes = [self.shown[len(self.shown) // 2]]
        if line is not None:
            mid = line.interpolate(0.5, normalized=True)
            probes.insert(0, (mid.x, mid.y))
        for x, y in probes:
            tid = self.territory_at(x, y)
            if tid is not None:
                return tid
        return None

    def build(self, points: list[Point], modifiers: Qt.KeyboardModifier) -> Command | None:
        al = self.ready()
        p = self.project()
        if al is None or p is None:
            return None
        tid = self.target()
        if tid is None:
            raise ValueError("Split: select a territory or draw the line across one")
        return split_territory(p, al.id, tid, LineString(points))
