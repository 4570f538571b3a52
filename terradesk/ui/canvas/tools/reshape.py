"""Reshape a territory: sketch a line across its boundary, double-click or Enter to apply.

The territory gains the area the line encloses outside it and loses what it cuts off
inside; the neighbours change to match (in a unit-built alignment, units change hands).
The territory is the selected one, else the one under the line's first point, else the
one under its middle.
"""

from __future__ import annotations

from terradesk.edit.shapes import reshape_territory
from terradesk.model import Id
from terradesk.ui.canvas.tools.sketch import LineEditTool


class ReshapeTool(LineEditTool):
    name = "Reshape"
    tooltip = "Reshape a territory: draw a line across its boundary, double-click or Enter to apply (R)"
    shortcut = "R"
    line_edit = staticmethod(reshape_territory)
    no_target = "Reshape: select a territory or start the line inside one"

    def target(self) -> Id | None:
        """The territory the line edits: selected, else under the first point, else the middle."""
        chosen = self.selected_territories()
        if len(chosen) == 1:
            return chosen[0]
        for x, y in (self.shown[0], self.shown[len(self.shown) // 2]) if self.shown else ():
            tid = self.territory_at(x, y)
            if tid is not None:
                return tid
        return None
