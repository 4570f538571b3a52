"""Shared state and helpers of the assign tools (click, box, lasso, brush).

The tools share one :class:`AssignSettings`: the active territory, whether locked
territories keep their units, and the brush radius. Every assignment is one command
built by :func:`terradesk.edit.assign_units` and pushed to ``canvas.undo_sink``; a tool
never writes the assignment itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from PySide6.QtCore import QObject, Qt, Signal

from terradesk.edit import Command, assign_units
from terradesk.model import Alignment, Id, Project
from terradesk.ui.canvas.state import Selection
from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool

if TYPE_CHECKING:
    from terradesk.ui.canvas.widget import MapCanvas

IntArray = npt.NDArray[np.intp]


class AssignSettings(QObject):
    """What the assign tools assign to, and how; shared by the tools and the toolbar."""

    territory_changed = Signal(object)  # territory id or None
    message = Signal(str)  # one-line feedback (refusals, live brush metrics)
    # (units, territory id) while a brush stroke is under way; None when it ends or is cancelled
    stroke_preview = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.territory: Id | None = None
        self.skip_locked = True
        self.radius_px = 20.0

    def set_territory(self, tid: Id | None) -> None:
        if tid != self.territory:
            self.territory = tid
            self.territory_changed.emit(tid)


class AssignToolBase(MapTool):
    """Alignment lookup, alt-click picking and pushing commands for the assign tools."""

    def __init__(self, canvas: MapCanvas | None = None, settings: AssignSettings | None = None) -> None:
        super().__init__(canvas)
        self.settings = settings if settings is not None else AssignSettings()

    # -- model lookups --------------------------------------------------------------
    def project(self) -> Project | None:
        return self.canvas.project() if self.canvas is not None else None

    def alignment(self) -> Alignment | None:
        p = self.project()
        al = p.active_alignment if p is not None else None
        return al if al is not None and al.kind == "units" else None

    def target(self) -> Id | None:
        """The active territory, when it still exists in the active alignment."""
        al = self.alignment()
        tid = self.settings.territory
        return tid if al is not None and tid in al.territories else None

    def unit_at(self, event: MapMouseEvent) -> int | None:
        sd = self.canvas.scene_data if self.canvas is not None else None
        return sd.units.hit(event.x, event.y) if sd is not None and sd.units is not None else None

    # -- gestures shared by the tools ------------------------------------------------
    def pick_territory(self, event: MapMouseEvent) -> bool:
        """Alt-click: make the clicked unit's territory the active one."""
        if not event.modifiers & Qt.KeyboardModifier.AltModifier:
            return False
        al, unit = self.alignment(), self.unit_at(event)
        if al is not None and unit is not None:
            tid = al.territory_of_unit(unit)
            if tid is not None:
                self.settings.set_territory(tid)
                self.settings.message.emit(f"Active territory: {al.territories[tid].name}")
            else:
                self.settings.message.emit("That unit is unassigned")
        return True

    def toggle_selection(self, units: IntArray) -> None:
        """Shift-click/drag: add units to the unit selection (or drop ones already in it)."""
        assert self.canvas is not None
        p = self.project()
        if p is None:
            return
        sel = self.canvas.selection()
        have = list(sel.indices) if sel.kind == "units" else []
        picked = set(have)
        new = [int(u) for u in units]
        if len(new) == 1 and new[0] in picked:
            have.remove(new[0])
        else:
            have += [u for u in new if u not in picked]
        self.canvas.set_selection(units_selection(p, np.asarray(have, dtype=np.intp)))

    def assign(self, units: npt.ArrayLike, territory: Id | None = None, unassign: bool = False) -> Command | None:
        """Push one command giving ``units`` to ``territory`` (default: the active one)."""
        al, p = self.alignment(), self.project()
        if al is None or p is None or self.canvas is None:
            self.settings.message.emit("The active alignment is not built from units")
            return None
        tid = None if unassign else (territory or self.target())
        if tid is None and not unassign:
            self.settings.message.emit("Choose the territory to assign to first (toolbar, or Alt-click a unit)")
            return None
        try:
            cmd = assign_units(p, al.id, units, tid, skip_locked=self.settings.skip_locked)
        except ValueError as exc:
            self.settings.message.emit(str(exc))
            return None
        if cmd is None:
            return None
        sink = self.canvas.undo_sink
        if sink is None:
            raise RuntimeError("the canvas has no undo_sink to push commands to")
        sink.push(cmd)
        self.settings.message.emit(cmd.label)
        return cmd


def units_selection(project: Project, units: IntArray) -> Selection:
    if len(units) == 0:
        return Selection()
    ids = project.units.ids[units]
    return Selection("units", tuple(str(i) for i in ids), tuple(int(u) for u in units))
