"""Draw-ready data for the project's layers, cached per zoom level and per territory.

Units: rings and unique edges per simplification level (lazily), an STRtree for culling
and hit testing. Territories: dissolved shapes (from :mod:`terradesk.geo.dissolve`, cached
on the alignment by the model), one fill path per territory and level, label anchors.
A :class:`~terradesk.model.Change` naming territories drops only those entries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely
from PySide6.QtGui import QPainterPath
from shapely.geometry.base import BaseGeometry

from terradesk.geo.crs import transform_geometries
from terradesk.geo.dissolve import all_territory_geometries, territory_geometry
from terradesk.model import UNASSIGNED, Alignment, Id, Project
from terradesk.ui.canvas.geometry import Edges, Rings, extract_rings, snap, unique_edges

Bounds = tuple[float, float, float, float]
#: Level k snaps to ``extent / (BASE_PIXELS * 4**k)``; the last level is the raw data.
BASE_PIXELS = 2000.0
LEVELS = 3
#: Edits moving more units than this re-dissolve the touched territories instead.
INCREMENTAL_MAX_UNITS = 5000


@dataclass
class UnitLevel:
    """One simplification level. The unique edges (~0.1-0.3 s on 40k units) are built on
    first use: a full-extent view of small units draws no unit outlines, and a first
    frame should not wait for them."""

    tol: float
    rings: Rings
    _edges: Edges | None = None
    _edge_path: QPainterPath | None = None

    @property
    def edges(self) -> Edges:
        if self._edges is None:
            self._edges = unique_edges(self.rings, self.tol)
        return self._edges

    def has_edges(self) -> bool:
        return self._edges is not None

    def edge_path(self) -> QPainterPath:
        if self._edge_path is None:
            self._edge_path = self.edges.path()
        return self._edge_path


class UnitGeometry:
    """The unit layer in display coordinates."""

    def __init__(self, geoms: npt.NDArray[np.object_]) -> None:
        self.geoms = geoms
        self.count = len(geoms)
        valid = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
        b = shapely.total_bounds(valid) if len(valid) else np.array([0.0, 0.0, 1.0, 1.0])
        self.extent: Bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
        self.raw = extract_rings(geoms)
        self._levels: dict[int, UnitLevel] = {}
        self._tree: shapely.STRtree | None = None
        span = max(self.extent[2] - self.extent[0], self.extent[3] - self.extent[1], 1e-9)
        self.tolerances = [span / (BASE_PIXELS * 4**k) for k in range(LEVELS)] + [0.0]

    @property
    def tree(self) -> shapely.STRtree:
        if self._tree is None:
            self._tree = shapely.STRtree(self.geoms)
        return self._tree

    def level_for(self, pixel: float) -> int:
        """Coarsest level whose snapping error stays under half a pixel."""
        for k, tol in enumerate(self.tolerances):
            if tol <= pixel:
                return k
        return len(self.tolerances) - 1

    def level(self, k: int) -> UnitLevel:
        lv = self._levels.get(k)
        if lv is None:
            tol = self.tolerances[k]
            lv = UnitLevel(tol, snap(self.raw, tol))
            self._levels[k] = lv
        return lv

    def has_level(self, k: int) -> bool:
        return k in self._levels

    def mean_size(self) -> float:
        """Typical unit width in map units (decides how strongly unit outlines show)."""
        x0, y0, x1, y1 = self.extent
        return float(np.sqrt(max((x1 - x0) * (y1 - y0), 1e-9) / max(self.count, 1)))

    def hit(self, x: float, y: float) -> int | None:
        if self.count == 0:
            return None
        found = self.tree.query(shapely.Point(x, y), predicate="intersects")
        return int(found.min()) if len(found) else None

    def in_rect(self, b: Bounds) -> npt.NDArray[np.intp]:
        if self.count == 0:
            return np.empty(0, np.intp)
        return np.sort(self.tree.query(shapely.box(*b), predicate="intersects")).astype(np.intp)

    def rings_of(self, units: npt.ArrayLike, k: int) -> Rings:
        """Rings of some units at level ``k``. Snapping works point by point (and drops
        rings per ring), so snapping just these units gives the same points as picking
        them from the snapped level: no need to snap all 700k points for a few units."""
        if k in self._levels or self.tolerances[k] <= 0:
            return self.level(k).rings.of_owners(units, self.count)
        return snap(self.raw.of_owners(units, self.count), self.tolerances[k])


@dataclass
class TerritoryDraw:
    geom: BaseGeometry
    bounds: Bounds
    area: float
    anchor: tuple[float, float] | None
    rings: Rings
    paths: dict[int, QPainterPath] = field(default_factory=dict)
    #: label anchors to try (terradesk.ui.canvas.labels.candidate_anchors), made on demand
    candidates: list[tuple[float, float]] | None = None


class TerritoryGeometry:
    """Dissolved territory shapes of the active alignment, in display coordinates."""

    def __init__(self, project: Project, alignment: Alignment, units: UnitGeometry, src: str, dst: str) -> None:
        self.project, self.alignment, self.units = project, alignment, units
        self.src, self.dst = src, dst
        self._items: dict[Id, TerritoryDraw] = {}
        self._unassigned: dict[int, QPainterPath] = {}
        self._loaded = False
        # the assignment as last drawn: tells an edit's added and removed units apart
        self._keys = alignment.assignment.copy()

    def _load_all(self) -> None:
        geoms = all_territory_geometries(self.project, self.alignment)
        tids = [t for t in geoms if t not in self._items]
        self._add(tids, [geoms[t] for t in tids])
        self._loaded = True

    def _add(self, tids: list[Id], geoms: list[BaseGeometry]) -> None:
        if not tids:
            return
        arr = np.empty(len(geoms), dtype=object)
        arr[:] = geoms
        self._store(tids, transform_geometries(arr, self.src, self.dst))

    def _store(self, tids: list[Id], arr: npt.NDArray[np.object_], keep_anchor: bool = False) -> None:
        """Draw data for shapes already in display coordinates."""
        rings = extract_rings(arr)
        order = np.argsort(rings.owner, kind="stable")
        cuts = np.searchsorted(rings.owner[order], np.arange(len(arr) + 1))
        empty = shapely.is_empty(arr)
        anchors = shapely.point_on_surface(arr)
        bounds = shapely.bounds(arr)
        areas = shapely.area(arr)
        for i, tid in enumerate(tids):
            sel = order[cuts[i] : cuts[i + 1]]
            anchor = None if empty[i] else (float(shapely.get_x(anchors[i])), float(shapely.get_y(anchors[i])))
            prev = self._items.get(tid)
            if keep_anchor and prev is not None and prev.anchor is not None and not empty[i] \
                    and shapely.contains_xy(arr[i], *prev.anchor):
                anchor = prev.anchor  # labels stay put while a planner paints next to them
            b = bounds[i]
            self._items[tid] = TerritoryDraw(
                arr[i], (b[0], b[1], b[2], b[3]), float(areas[i]), anchor,
                Rings(rings.xy[sel], rings.connect[sel], rings.owner[sel]),
            )

    def items(self) -> dict[Id, TerritoryDraw]:
        missing = [t for t in self.alignment.territories if t not in self._items]
        if missing:
            if not self._loaded or len(missing) > 8:
                self._load_all()
            else:
                self._add(missing, [territory_geometry(self.project, self.alignment, t) for t in missing])
        return {t: self._items[t] for t in self.alignment.territories if t in self._items}

    def path(self, tid: Id, k: int) -> QPainterPath:
        item = self.items()[tid]
        p = item.paths.get(k)
        if p is None:
            p = snap(item.rings, self.units.tolerances[k]).path()
            item.paths[k] = p
        return p

    def unassigned_path(self, k: int, units: npt.NDArray[np.intp] | None = None) -> QPainterPath:
        """Rings of unassigned units; ``units`` restricts to a culled subset (not cached)."""
        free = np.flatnonzero(self.alignment.assignment == UNASSIGNED)
        if len(free) == 0:
            return QPainterPath()
        if units is not None:
            return self.units.rings_of(np.intersect1d(free, units), k).path()
        p = self._unassigned.get(k)
        if p is None:
            p = self.units.rings_of(free, k).path()
            self._unassigned[k] = p
        return p

    def invalidate(self, tids: frozenset[Id] | set[Id] | None, assignment: bool = True) -> None:
        """Forget what a change touched (None = everything)."""
        if tids is None:
            self._items.clear()
            self._loaded = False
        else:
            for t in tids:
                self._items.pop(t, None)
        if assignment:
            self._unassigned.clear()
            self._keys = self.alignment.assignment.copy()

    def update_assignment(self, tids: frozenset[Id] | set[Id], units: npt.NDArray[np.intp]) -> None:
        """Follow an assignment edit of ``units`` without re-dissolving whole territories.

        A click or a brush stroke moves a few units between big territories: re-dissolving
        a 3,000-unit territory takes ~25 ms, while cutting the moved units out of the old
        shape and adding them to the new one takes ~0.3 ms. Shapes that come out invalid,
        and edits that move a large share of a territory, fall back to a full dissolve.
        """
        self._unassigned.clear()
        al = self.alignment
        if len(units) == 0 or len(self._keys) != len(al.assignment):
            self.invalidate(tids)
            return
        old, new = self._keys[units], al.assignment[units]
        self._keys[units] = new
        for tid in tids:
            item = self._items.get(tid)
            if item is None or tid not in al.territories:
                self._items.pop(tid, None)
                continue
            k = al.key(tid)
            added, removed = units[(new == k) & (old != k)], units[(old == k) & (new != k)]
            geom = self._patched(item.geom, added, removed)
            if geom is None:
                self._items.pop(tid, None)
            else:
                self._store([tid], np.array([geom], dtype=object), keep_anchor=True)

    def _patched(self, geom: BaseGeometry, added: npt.NDArray[np.intp], removed: npt.NDArray[np.intp]) -> BaseGeometry | None:
        if len(added) + len(removed) > INCREMENTAL_MAX_UNITS:
            return None
        g = self.units.geoms
        try:
            if len(removed):
                geom = shapely.difference(geom, shapely.coverage_union_all(g[removed]))
            if len(added):
                parts = np.empty(len(added) + 1, dtype=object)
                parts[0], parts[1:] = geom, g[added]
                geom = shapely.coverage_union_all(parts)
        except shapely.errors.GEOSException:
            return None
        if geom is None or not geom.is_valid:
            return None
        return geom
