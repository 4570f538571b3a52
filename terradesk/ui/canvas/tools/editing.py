"""Shared base of the shape-editing tools: coordinates, snapping, previews, pushing commands.

The canvas draws in its display CRS; the edit factories work in the project CRS. For a
projected project both are the same and every conversion here is a no-op; for a
geographic project points are reprojected on the way in and previews on the way out.
A tool pushes exactly one command per gesture to ``canvas.undo_sink``; refusals
(``ValueError`` from a factory: locked territory, line not crossing, ...) and the repair
notes a :class:`~terradesk.edit.shapes.ShapeEdit` carries go to :class:`EditFeedback`,
which the window shows in the status bar.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np
import shapely
from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QCursor
from shapely.geometry.base import BaseGeometry

from terradesk.edit import Command
from terradesk.geo.crs import transform_geometries, transformer
from terradesk.geo.snap import SnapResult
from terradesk.model import Alignment, Id, Project
from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool
from terradesk.ui.canvas.tools.preview import PreviewItem, shapes_path
from terradesk.ui.canvas.tools.snapping import SnapIndicatorItem, Snapper, snapper_for

if TYPE_CHECKING:
    from terradesk.ui.canvas.widget import MapCanvas


class EditFeedback(QObject):
    """Messages for the planner from the editing tools of one canvas."""

    message = Signal(str)  # a refusal or the notes of a pushed command

    def __init__(self) -> None:
        super().__init__()
        self.last = ""

    def say(self, text: str) -> None:
        self.last = text
        self.message.emit(text)


def feedback_for(canvas: MapCanvas) -> EditFeedback:
    fb = getattr(canvas, "_edit_feedback", None)
    if fb is None:
        fb = EditFeedback()
        fb.setParent(canvas)
        canvas._edit_feedback = fb  # type: ignore[attr-defined]
    return fb


def _indicator_for(canvas: MapCanvas) -> SnapIndicatorItem:
    item = getattr(canvas, "_snap_indicator", None)
    if item is None:
        item = SnapIndicatorItem()
        canvas.vb.addItem(item, ignoreBounds=True)
        canvas._snap_indicator = item  # type: ignore[attr-defined]
    return item


class EditTool(MapTool):
    """Base of the editing tools; subclasses implement the gesture."""

    #: Refuse to run on alignments built from units (vertex, move, fill hole).
    freeform_only = False

    def __init__(self, canvas: MapCanvas | None = None) -> None:
        super().__init__(canvas)
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
        self.preview = PreviewItem()
        self._added = False

    # -- life cycle -------------------------------------------------------------------
    def activate(self) -> None:
        super().activate()
        if self.canvas is not None and not self._added:
            self.canvas.vb.addItem(self.preview, ignoreBounds=True)
            self._added = True
        self.reset()

    def deactivate(self) -> None:
        self.reset()
        if self.canvas is not None:
            self.indicator.clear()
            if self._added:
                self.canvas.vb.removeItem(self.preview)
                self._added = False
        super().deactivate()

    def reset(self) -> None:
        """Forget the gesture in progress and clear its preview."""
        self.preview.clear()

    # -- model access -------------------------------------------------------------------
    @property
    def snapper(self) -> Snapper:
        assert self.canvas is not None
        return snapper_for(self.canvas)

    @property
    def indicator(self) -> SnapIndicatorItem:
        assert self.canvas is not None
        return _indicator_for(self.canvas)

    def project(self) -> Project | None:
        return self.canvas.project() if self.canvas is not None else None

    def alignment(self) -> Alignment | None:
        p = self.project()
        return p.active_alignment if p is not None else None

    def ready(self) -> Alignment | None:
        """The active alignment when this tool can edit it, else None (after telling why)."""
        al = self.alignment()
        if al is None:
            self.say("There is no alignment to edit: add one first")
            return None
        if self.freeform_only and al.kind != "freeform":
            self.say(f"{self.name} works on hand-drawn alignments; {al.name!r} is built from units")
            return None
        return al

    def say(self, text: str) -> None:
        if self.canvas is not None:
            feedback_for(self.canvas).say(text)

    def push(self, command: Command | None) -> bool:
        """Push one gesture's command; tell the planner about notes. False when nothing was pushed."""
        if command is None or self.canvas is None:
            return False
        sink = self.canvas.undo_sink
        if sink is None:
            self.say("Editing is not available: the map has no undo stack")
            return False
        try:
            sink.push(command)
        except ValueError as exc:
            self.say(str(exc))
            return False
        notes = getattr(command, "notes", ())
        self.say("; ".join(notes) if notes else command.label)
        return True

    # -- coordinates ----------------------------------------------------------------------
    def _crs(self) -> tuple[str, str] | None:
        """(display, project) CRS when they differ, else None."""
        p = self.project()
        if p is None or self.canvas is None:
            return None
        disp = self.canvas.display_crs()
        return None if disp == p.meta.crs else (disp, p.meta.crs)

    def to_project(self, x: float, y: float) -> tuple[float, float]:
        crs = self._crs()
        if crs is None:
            return x, y
        px, py = transformer(*crs).transform(x, y)
        return float(px), float(py)

    def to_display(self, x: float, y: float) -> tuple[float, float]:
        crs = self._crs()
        if crs is None:
            return x, y
        dx, dy = transformer(crs[1], crs[0]).transform(x, y)
        return float(dx), float(dy)

    def geoms_to_display(self, geoms: list[BaseGeometry]) -> list[BaseGeometry]:
        crs = self._crs()
        if crs is None:
            return geoms
        arr = np.empty(len(geoms), dtype=object)
        arr[:] = geoms
        return list(transform_geometries(arr, crs[1], crs[0]))

    def geom_to_project(self, geom: BaseGeometry) -> BaseGeometry:
        crs = self._crs()
        if crs is None:
            return geom
        arr = np.empty(1, dtype=object)
        arr[0] = geom
        geom_out: BaseGeometry = transform_geometries(arr, crs[0], crs[1])[0]
        return geom_out

    def units_per_pixel(self) -> float:
        """Display map units per screen pixel at the current zoom."""
        assert self.canvas is not None
        x0, _, x1, _ = self.canvas.view_rect()
        return float((x1 - x0) / max(self.canvas.vb.width(), 1.0))

    def tolerance(self, x: float, y: float) -> float:
        """The snapping tolerance in project units near display point (x, y)."""
        d = self.snapper.tolerance_px * self.units_per_pixel()
        if self._crs() is None:
            return d
        ax, ay = self.to_project(x, y)
        bx, by = self.to_project(x + d, y)
        return math.hypot(bx - ax, by - ay)

    # -- snapping ---------------------------------------------------------------------------
    def snap_event(self, event: MapMouseEvent, **kwargs: object) -> tuple[float, float, SnapResult | None]:
        """The event's position in project coordinates, snapped when snapping is on.

        Shift suspends snapping for one gesture, like holding it in QGIS's digitising tools.
        Shows or hides the indicator.
        """
        px, py = self.to_project(event.x, event.y)
        hit = None
        if not event.shift:
            hit = self.snapper.snap(px, py, self.tolerance(event.x, event.y), **kwargs)
        if hit is None:
            self.indicator.clear()
            return px, py, None
        dx, dy = self.to_display(*hit.point)
        self.indicator.show_at(dx, dy, hit.kind)
        return hit.point[0], hit.point[1], hit

    # -- picking -------------------------------------------------------------------------------
    def territory_at(self, x: float, y: float) -> Id | None:
        """The territory of the active alignment under display point (x, y) (smallest wins)."""
        if self.canvas is None or self.canvas.scene_data.territories is None:
            return None
        items = self.canvas.scene_data.territories.items()
        tids = [t for t, it in items.items() if it.anchor is not None
                and it.bounds[0] <= x <= it.bounds[2] and it.bounds[1] <= y <= it.bounds[3]]
        if not tids:
            return None
        geoms = np.empty(len(tids), dtype=object)
        geoms[:] = [items[t].geom for t in tids]
        inside = np.flatnonzero(shapely.intersects_xy(geoms, x, y))
        if len(inside) == 0:
            return None
        return min((tids[i] for i in inside), key=lambda t: items[t].area)

    def selected_territories(self) -> list[Id]:
        if self.canvas is None:
            return []
        sel = self.canvas.selection()
        al = self.alignment()
        if sel.kind != "territories" or al is None:
            return []
        return [t for t in sel.ids if t in al.territories]

    def show_shapes(self, geoms: list[BaseGeometry]) -> None:
        """Preview project-CRS shapes."""
        self.preview.set_shapes(shapes_path(self.geoms_to_display(geoms)))
