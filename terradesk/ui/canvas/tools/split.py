"""Split a territory in two with a line drawn across it (double-click or Enter to apply).

The smaller side becomes a new territory with the same owner and region. The territory
is the selected one, else the one the line crosses (under its middle vertex or midpoint).
"""

from __future__ import annotations

from shapely.geometry import LineString

from terradesk.edit.shapes import split_territory
from terradesk.model import Id
from terradesk.ui.canvas.tools.sketch import LineEditTool


class SplitTool(LineEditTool):
    name = "Split"
    tooltip = "Split a territory: draw a line across it, double-click or Enter to apply (K)"
    shortcut = "K"
    line_edit = staticmethod(split_territory)
    no_target = "Split: select a territory or draw the line across one"

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
