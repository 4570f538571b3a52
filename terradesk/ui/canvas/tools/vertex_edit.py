"""Vertex editing with shared boundaries: drag, add (double-click a segment), delete.

Press near a vertex grabs it in every territory that holds it
(:func:`terradesk.edit.shapes.begin_vertex_drag`); each mouse move only rebuilds the
preview of those shapes (``VertexDrag.preview``: a coordinate write, no overlay) and
repaints the overlay, so the map image and the model stay untouched until release, when
one command moves the vertex everywhere. A vertex of the selected territory wins over
other territories' vertices. Delete/Backspace or a right-click removes the vertex under
the cursor; Esc during a drag puts it back.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent

from terradesk.edit.shapes import begin_vertex_drag, commit_vertex_drag, delete_vertex, insert_vertex
from terradesk.geo import topology
from terradesk.geo.topology import VertexDrag
from terradesk.model import Id
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.sketch import CLICK_SLOP, KeyGrabber


class VertexEditTool(KeyGrabber):
    name = "Edit vertices"
    tooltip = "Drag a vertex (shared boundaries move together), double-click a segment to add one, " \
              "Delete or right-click to remove one (V)"
    shortcut = "V"
    freeform_only = True

    def reset(self) -> None:
        super().reset()
        self.drag: VertexDrag[Id] | None = None
        self._tid: Id | None = None
        self._press: tuple[float, float] | None = None
        self._moved = False
        self._hover: tuple[Id, tuple[float, float]] | None = None
        self.frames = 0  # preview frames of the current/last drag (benchmarks, tests)

    def wants_key(self, key: int) -> bool:
        if key == Qt.Key.Key_Escape:
            return self.drag is not None
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            return self._hover is not None
        return False

    # -- finding vertices and segments ----------------------------------------------------
    def vertex_near(self, x: float, y: float) -> tuple[Id, tuple[float, float]] | None:
        """(territory, vertex) nearest display point (x, y) within the tolerance; project CRS."""
        al, p = self.alignment(), self.project()
        if al is None or p is None or al.kind != "freeform":
            return None
        px, py = self.to_project(x, y)
        tol = self.tolerance(x, y)
        for tid in self.selected_territories():
            geom = al.territory(tid).geometry
            v = topology.nearest_vertex(geom, px, py, tol) if geom is not None else None
            if v is not None:
                return tid, v
        index = self.snapper.index(territories_only=True)
        hit = index.snap(px, py, tol, segments=False) if index is not None else None
        return (hit.source[1], hit.point) if hit is not None else None  # type: ignore[return-value]

    def segment_near(self, x: float, y: float) -> Id | None:
        al = self.alignment()
        if al is None or al.kind != "freeform":
            return None
        px, py = self.to_project(x, y)
        tol = self.tolerance(x, y)
        for tid in self.selected_territories():
            geom = al.territory(tid).geometry
            if geom is not None and topology.nearest_segment(geom, px, py, tol) is not None:
                return tid
        index = self.snapper.index(territories_only=True)
        hit = index.snap(px, py, tol, vertices=False) if index is not None else None
        return hit.source[1] if hit is not None else None  # type: ignore[return-value]

    # -- mouse ------------------------------------------------------------------------------
    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button == Qt.MouseButton.RightButton:
            return self._delete_at(event.x, event.y)
        if event.button != Qt.MouseButton.LeftButton:
            return False
        if self.ready() is None:
            return True
        found = self.vertex_near(event.x, event.y)
        if found is None:
            return False  # pan
        tid, (vx, vy) = found
        al, p = self.alignment(), self.project()
        assert al is not None and p is not None
        try:
            self.drag = begin_vertex_drag(p, al.id, tid, vx, vy, 0.0)
        except ValueError as exc:
            self.say(str(exc))
            return True
        self._tid, self._press, self._moved = tid, (event.pos.x(), event.pos.y()), False
        self.frames = 0
        self.show_shapes(list(self.drag.originals.values()))
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self.drag is None:
            if event.buttons != Qt.MouseButton.NoButton:
                return False
            self._hover = self.vertex_near(event.x, event.y)
            if self._hover is None:
                self.indicator.clear()
                return False
            self.indicator.show_at(*self.to_display(*self._hover[1]), "vertex")
            return True
        if not self._moved and self._press is not None:
            d = abs(event.pos.x() - self._press[0]) + abs(event.pos.y() - self._press[1])
            self._moved = d > CLICK_SLOP
            if not self._moved:
                return True
        x, y, _hit = self.snap_event(event, exclude_point=self.drag.origin)
        self.show_shapes(list(self.drag.preview(x, y).values()))
        self.frames += 1
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if self.drag is None:
            return False
        drag, tid, moved = self.drag, self._tid, self._moved
        x, y, _hit = self.snap_event(event, exclude_point=drag.origin)
        al, p = self.alignment(), self.project()
        frames = self.frames
        self.reset()
        self.frames = frames
        self.indicator.clear()
        if not moved or al is None or p is None or tid is None:
            return True
        try:
            command = commit_vertex_drag(p, al.id, tid, drag, x, y)
        except ValueError as exc:
            self.say(str(exc))
            return True
        self.push(command)
        return True

    def canvas_double_click(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or self.ready() is None:
            return False
        if self.vertex_near(event.x, event.y) is not None:
            return True  # on a vertex: nothing to insert
        tid = self.segment_near(event.x, event.y)
        al, p = self.alignment(), self.project()
        if tid is None or al is None or p is None:
            self.say("Double-click on a territory's edge to add a vertex")
            return True
        px, py = self.to_project(event.x, event.y)
        try:
            command = insert_vertex(p, al.id, tid, px, py, self.tolerance(event.x, event.y))
        except ValueError as exc:
            self.say(str(exc))
            return True
        self.push(command)
        return True

    def canvas_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.drag is not None:
            self.reset()
            self.say("Vertex move cancelled")
            return True
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and self._hover is not None:
            tid, (vx, vy) = self._hover
            return self._delete(tid, vx, vy)
        return False

    # -- delete -------------------------------------------------------------------------------
    def _delete_at(self, x: float, y: float) -> bool:
        if self.ready() is None:
            return True
        found = self.vertex_near(x, y)
        if found is None:
            return False
        tid, (vx, vy) = found
        return self._delete(tid, vx, vy)

    def _delete(self, tid: Id, vx: float, vy: float) -> bool:
        al, p = self.alignment(), self.project()
        if al is None or p is None:
            return False
        try:
            command = delete_vertex(p, al.id, tid, vx, vy, 0.0)
        except ValueError as exc:
            self.say(str(exc))
            return True
        self._hover = None
        self.indicator.clear()
        self.push(command)
        return True
