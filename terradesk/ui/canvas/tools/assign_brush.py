"""Paint brush: every unit the brush touches while dragging goes to the active territory.

The stroke is previewed, not applied: touched units are filled in the territory's colour
with the outlines they will get, the would-be outlines of the receiving territory and
the donors are patched from the touched units (:mod:`assign_live`, at most one update
per ~30 ms), and the live metrics go out through ``settings.message`` (status bar) and
``settings.stroke_preview`` (the Territories table and Balance chart preview them). Releasing the mouse pushes
ONE command for the whole stroke ("Assign 37 units to North-West"). Alt-click picks the
active territory; Esc cancels a stroke. The radius is in screen pixels.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QBrush, QColor, QCursor, QKeyEvent, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem

from terradesk.model import UNASSIGNED, Id
from terradesk.ui.canvas.tools.assign_base import AssignToolBase
from terradesk.ui.canvas.tools.assign_live import LiveOutlines
from terradesk.ui.canvas.tools.assign_overlay import PathOverlay, UnitPaths, cosmetic
from terradesk.ui.canvas.tools.base import MapMouseEvent

IntArray = npt.NDArray[np.intp]
MIN_RADIUS_PX, MAX_RADIUS_PX = 2.0, 200.0


class BrushTool(AssignToolBase):
    name = "Brush"
    tooltip = "Paint units into the active territory; [ and ] change the brush size, Alt-click picks (W)"
    shortcut = "W"

    def activate(self) -> None:
        super().activate()
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)
        self._ring = PathOverlay(z=25)
        # stroke-long overlays grow a path per move: cached, each frame draws only the new ones
        self._fill = PathOverlay(z=14, cached=True)
        self._lines = PathOverlay(z=16, cached=True)
        self._outline = PathOverlay(z=17)
        # repainted only when the outlines change (throttled), not on every brush frame
        self._outline.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self._live_timer = QTimer(self)
        self._live_timer.setSingleShot(True)
        self._live_timer.timeout.connect(self.flush_live)
        self._paths: UnitPaths | None = None
        self._paths_key: tuple[object, int] | None = None
        self._reset_stroke()
        if self.canvas is not None:
            for item in (self._fill, self._lines, self._outline, self._ring):
                self.canvas.vb.addItem(item, ignoreBounds=True)

    def deactivate(self) -> None:
        super().deactivate()
        if self.canvas is not None:
            for item in (self._fill, self._lines, self._outline, self._ring):
                self.canvas.vb.removeItem(item)
        self._reset_stroke()

    def _reset_stroke(self) -> None:
        self.stroking = False
        self.touched: IntArray = np.empty(0, np.intp)  # units that will change
        self._seen = np.zeros(0, dtype=bool)
        self._taken = np.zeros(1, dtype=bool)  # touched units as a mask; last slot: outside (-1)
        self._last: tuple[float, float] | None = None
        self._base_ready = False
        self.preview: dict[str, object] = {}
        self.live: LiveOutlines | None = None
        self.outline_paths: dict[Id, QPainterPath] = {}
        if hasattr(self, "_live_timer"):
            self._live_timer.stop()

    # -- geometry --------------------------------------------------------------------
    def radius(self) -> float:
        """Brush radius in map units at the current zoom."""
        assert self.canvas is not None
        x0, _, x1, _ = self.canvas.view_rect()
        return float(self.settings.radius_px * (x1 - x0) / max(self.canvas.vb.width(), 1.0))

    def _unit_paths(self) -> UnitPaths | None:
        assert self.canvas is not None
        units = self.canvas.scene_data.units
        if units is None:
            return None
        x0, _, x1, _ = self.canvas.view_rect()
        level = units.level_for((x1 - x0) / max(self.canvas.vb.width(), 1.0))
        key = (units.geoms, level)
        if self._paths is None or self._paths_key is None or self._paths_key[0] is not key[0] or self._paths_key[1] != level:
            self._paths, self._paths_key = UnitPaths(units, level), key
        return self._paths

    def _show_ring(self, x: float, y: float) -> None:
        r = self.radius()
        path = QPainterPath()
        path.addEllipse(QPointF(x, y), r, r)
        self._ring.set_paths([(path, cosmetic("#202020", 1.2), QBrush(Qt.BrushStyle.NoBrush))])

    # -- events ------------------------------------------------------------------------
    def canvas_press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or self.canvas is None:
            return False
        if self.pick_territory(event):
            return True
        al = self.alignment()
        if al is None or self.target() is None:
            self.assign([])  # explains what is missing
            return True
        self._reset_stroke()
        self.stroking = True
        self._seen = np.zeros(len(al.assignment), dtype=bool)
        self._taken = np.zeros(len(al.assignment) + 1, dtype=bool)
        self._paint_to(event.x, event.y)
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if self.canvas is None:
            return False
        self._show_ring(event.x, event.y)
        if not self.stroking:
            return False  # keep hover tooltips while the brush only hovers
        self._paint_to(event.x, event.y)
        return True

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if not self.stroking or event.button != Qt.MouseButton.LeftButton:
            return False
        self._paint_to(event.x, event.y)
        touched = self.touched
        self._end_preview()
        if len(touched):
            self.assign(touched)
        return True

    def canvas_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if key == Qt.Key.Key_Escape and self.stroking:
            self._end_preview()
            self.settings.message.emit("Brush stroke cancelled")
            return True
        if key in (Qt.Key.Key_BracketLeft, Qt.Key.Key_BracketRight):
            step = 0.8 if key == Qt.Key.Key_BracketLeft else 1.25
            self.settings.radius_px = float(np.clip(self.settings.radius_px * step, MIN_RADIUS_PX, MAX_RADIUS_PX))
            self.settings.message.emit(f"Brush radius {self.settings.radius_px:.0f} px")
            return True
        return False

    # -- the stroke --------------------------------------------------------------------
    def _end_preview(self) -> None:
        """Drop every trace of the stroke's preview (release pushes, Esc cancels)."""
        live = self.live is not None
        for item in (self._fill, self._lines, self._outline):
            item.clear()
        self._reset_stroke()
        if live:
            self.settings.stroke_preview.emit(None)

    def _paint_to(self, x: float, y: float) -> None:
        """Take the units under the brush's path since the last event."""
        assert self.canvas is not None
        units, al = self.canvas.scene_data.units, self.alignment()
        tid = self.target()
        if units is None or al is None or tid is None:
            return
        r = self.radius()
        shape = shapely.Point(x, y) if self._last is None else shapely.LineString([self._last, (x, y)])
        self._last = (x, y)
        hit = units.tree.query(shapely.buffer(shape, r, quad_segs=4), predicate="intersects")
        hit = hit[~self._seen[hit]]
        if len(hit) == 0:
            return
        self._seen[hit] = True
        keys = al.assignment[hit]
        target = al.key(tid)
        take = keys != target
        if self.settings.skip_locked:
            locked = [al.key(t.id) for t in al.territories.values() if t.locked]
            take &= ~np.isin(keys, locked)
        new = np.sort(hit[take]).astype(np.intp)
        if len(new) == 0:
            return
        self.touched = np.union1d(self.touched, new).astype(np.intp)
        self._taken[new] = True
        self._update_preview(new)
        self._queue_live(new, keys[take][np.argsort(hit[take])])

    def _queue_live(self, new: IntArray, keys: npt.NDArray[np.intp]) -> None:
        """Outlines and panel figures follow the stroke, at most once per ~30 ms."""
        assert self.canvas is not None
        al, tid, terr = self.alignment(), self.target(), self.canvas.scene_data.territories
        if al is None or tid is None or terr is None:
            return
        if self.live is None:
            x0, y0, x1, y1 = self.canvas.view_rect()
            m = 0.25 * max(x1 - x0, y1 - y0)
            self.live = LiveOutlines(terr, al, tid, window=(x0 - m, y0 - m, x1 + m, y1 + m))
        self.live.add(new, keys)
        if self.live.due():
            self.flush_live()
        elif not self._live_timer.isActive():
            self._live_timer.start(max(1, int(1000 * self.live.interval_s)))

    def flush_live(self) -> None:
        """Bring the would-be outlines and the panels' preview up to the units touched so far."""
        self._live_timer.stop()
        live, canvas = self.live, self.canvas
        units = canvas.scene_data.units if canvas is not None else None
        if live is None or canvas is None or units is None or not live.pending or not self.stroking:
            return
        live.update()
        x0, _, x1, _ = canvas.view_rect()
        level = units.level_for((x1 - x0) / max(canvas.vb.width(), 1.0))
        # outlines change only around the touched units: clip there (see LiveOutlines.paths)
        b = shapely.bounds(units.geoms[self.touched])
        x0, y0, x1, y1 = b[:, 0].min(), b[:, 1].min(), b[:, 2].max(), b[:, 3].max()
        m = 0.05 * max(x1 - x0, y1 - y0) + self.radius()
        self.outline_paths = live.paths(units.tolerances[level], (x0 - m, y0 - m, x1 + m, y1 + m))
        self._outline.clip = QRectF(x0 - m / 2, y0 - m / 2, x1 - x0 + m, y1 - y0 + m)
        none = QBrush(Qt.BrushStyle.NoBrush)
        self._outline.set_paths([
            (path, cosmetic("#111111", 2.4) if t == live.target else cosmetic("#3c3c3c", 1.6), none)
            for t, path in self.outline_paths.items()
        ])
        self.settings.stroke_preview.emit((self.touched.copy(), live.target))

    def _update_preview(self, new: IntArray) -> None:
        paths, al, tid = self._unit_paths(), self.alignment(), self.target()
        if paths is None or al is None or tid is None:
            return
        colour = QColor(al.territories[tid].colour)
        self._fill.add_path(paths.fill_path(new), QPen(Qt.PenStyle.NoPen), QBrush(colour))
        # committed borders that end up inside the receiver are painted over in its colour
        seg = paths.edges_of(new)
        left, right = paths.left[seg], paths.right[seg]
        # index -1 (outer boundary) -> unassigned; masks instead of isin over the growing stroke
        target, keys = al.key(tid), al.assignment
        kl = np.where(left >= 0, keys[left], UNASSIGNED)
        kr = np.where(right >= 0, keys[right], UNASSIGNED)
        wl = np.where(self._taken[left], target, kl)
        wr = np.where(self._taken[right], target, kr)
        stale = (kl != kr) & (wl == target) & (wr == target)
        if stale.any():
            self._fill.add_path(paths.edge_path(seg[stale]), cosmetic(colour, 3.0), QBrush(Qt.BrushStyle.NoBrush))
        # the touched units' own edges, lightly; the territory borders they will get come
        # from the live outlines (flush_live), so each move only adds its new units' edges
        self._lines.add_path(paths.edge_path(seg), cosmetic(QColor(70, 70, 70, 110), 1.0),
                             QBrush(Qt.BrushStyle.NoBrush))
        self._report(al.key(tid), new)

    def _start_report(self, target: int) -> None:
        """Totals of the target before the stroke; the stroke then only adds its units."""
        al, p = self.alignment(), self.project()
        assert al is not None and p is not None
        mine = al.assignment == target
        self._columns = {f: np.nan_to_num(np.asarray(p.units.column(f), dtype=float))
                         for f in p.units.numeric_fields()[:2]}
        self._base = (int(mine.sum()), {f: float(col[mine].sum()) for f, col in self._columns.items()})
        self._gain = dict.fromkeys(self._columns, 0.0)
        self._donors: dict[str, int] = {}

    def _report(self, target: int, new: IntArray) -> None:
        """Live metrics of the stroke: what the target gains and each donor loses."""
        al = self.alignment()
        if al is None:
            return
        if not self._base_ready:
            self._start_report(target)
            self._base_ready = True
        for k, n in zip(*np.unique(al.assignment[new], return_counts=True), strict=True):
            dt = al.territory_id_of_key(int(k))
            name = al.territories[dt].name if dt in al.territories else "unassigned"
            self._donors[name] = self._donors.get(name, 0) + int(n)
        for f, col in self._columns.items():
            self._gain[f] += float(col[new].sum())
        tid = al.territory_id_of_key(target)
        name = al.territories[tid].name if tid else "?"
        before, base = self._base
        n = len(self.touched)
        sums = {f: (base[f], self._gain[f]) for f in self._columns}
        self.preview = {"territory": tid, "units": n, "before": before, "donors": dict(self._donors), "sums": sums}
        text = f"Brush: {n} unit{'s' if n != 1 else ''} to {name} ({before:,} → {before + n:,} units"
        text += "".join(f", {f} {b + d:,.0f} (+{d:,.0f})" for f, (b, d) in sums.items()) + ")"
        text += "; from " + ", ".join(f"{d} −{c}" for d, c in self._donors.items())
        self.settings.message.emit(text)
