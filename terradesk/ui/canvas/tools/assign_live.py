"""Would-be territory outlines while a brush stroke is under way (nothing is edited).

A stroke moves units from donors to the receiving territory. Re-dissolving those
territories on every mouse move is far too slow (~25 ms per 3,000-unit territory), so the
shapes follow the stroke the way the canvas follows a committed edit
(:meth:`terradesk.ui.canvas.layers.TerritoryGeometry.update_assignment`): the units taken
since the last update are cut out of each donor's shape and added to the receiver's,
starting from the committed shapes the canvas already holds. Updates are throttled
(``interval_s``); whatever arrives in between waits in a queue for the next one.
"""

from __future__ import annotations

import time

import numpy as np
import numpy.typing as npt
import shapely
from PySide6.QtGui import QPainterPath
from shapely.geometry.base import BaseGeometry

from terradesk.model import UNASSIGNED, Alignment, Id
from terradesk.ui.canvas.geometry import extract_rings, snap
from terradesk.ui.canvas.layers import TerritoryGeometry

IntArray = npt.NDArray[np.intp]
THROTTLE_S = 0.03


class LiveOutlines:
    """Preview shapes of the territories a stroke touches, patched by unit deltas."""

    def __init__(self, territories: TerritoryGeometry, alignment: Alignment, target: Id,
                 interval_s: float = THROTTLE_S, window: tuple[float, float, float, float] | None = None) -> None:
        self.territories, self.alignment, self.target = territories, alignment, target
        self.interval_s = interval_s
        # shapes are cut to ``window`` (the view, with a margin) when first used: the brush
        # cannot reach beyond it, and unions of the visible part are much cheaper
        self.window = window
        self.geoms: dict[Id, BaseGeometry] = {}
        self._pending: list[tuple[IntArray, IntArray]] = []  # (units, their committed keys)
        self._last = -np.inf
        self.updates = 0  # how many recomputes ran (tests and the benchmark read it)

    def add(self, units: IntArray, keys: IntArray) -> None:
        """Queue units newly taken by the stroke, with the keys they had before it."""
        if len(units):
            self._pending.append((np.asarray(units, np.intp), np.asarray(keys, np.intp)))

    @property
    def pending(self) -> bool:
        return bool(self._pending)

    def due(self) -> bool:
        return self.pending and time.perf_counter() - self._last >= self.interval_s

    def update(self) -> set[Id]:
        """Apply the queued units to the preview shapes; returns the territories that changed."""
        if not self._pending:
            return set()
        units = np.concatenate([u for u, _ in self._pending])
        keys = np.concatenate([k for _, k in self._pending])
        self._pending.clear()
        self._last = time.perf_counter()
        self.updates += 1
        al, g = self.alignment, self.territories.units.geoms
        changed: set[Id] = set()
        for k in np.unique(keys).tolist():
            if k == UNASSIGNED:
                continue
            tid = al.territory_id_of_key(int(k))
            base = self._base(tid)
            if tid is None or base is None:
                continue
            lost = units[keys == k]
            self.geoms[tid] = _safe(lambda b=base, lo=lost: shapely.difference(b, shapely.coverage_union_all(g[lo])), base)
            changed.add(tid)
        base = self._base(self.target)
        if base is not None:
            parts = np.empty(len(units) + 1, dtype=object)
            parts[0], parts[1:] = base, g[units]
            self.geoms[self.target] = _safe(lambda: shapely.coverage_union_all(parts),
                                            base, lambda: shapely.union_all(parts))
            changed.add(self.target)
        return changed

    def _base(self, tid: Id | None) -> BaseGeometry | None:
        if tid is None:
            return None
        if tid in self.geoms:
            return self.geoms[tid]
        item = self.territories.items().get(tid)
        if item is None:
            return shapely.Polygon()
        geom = item.geom
        if self.window is not None:
            geom = _safe(lambda: shapely.clip_by_rect(geom, *self.window), geom)
        self.geoms[tid] = geom
        return geom

    def paths(self, tolerance: float, rect: tuple[float, float, float, float] | None = None) -> dict[Id, QPainterPath]:
        """One closed path per previewed territory, snapped like the canvas draws them.

        ``rect`` (xmin, ymin, xmax, ymax) clips the shapes first: outlines change only
        where the stroke went, and stroking whole 3,000-unit territories on every frame
        cost ~10 ms. The clipped paths gain edges along ``rect``; draw them with a painter
        clip slightly inside it.
        """
        tids = [t for t, geom in self.geoms.items() if geom is not None and not geom.is_empty]
        if not tids:
            return {}
        arr = np.empty(len(tids), dtype=object)
        arr[:] = [self.geoms[t] for t in tids]
        if rect is not None:
            arr = shapely.clip_by_rect(arr, *rect)
        rings = snap(extract_rings(arr), tolerance)
        return {t: rings.of_owners([i], len(tids)).path() for i, t in enumerate(tids)}


def _safe(op: object, fallback: BaseGeometry, slow: object = None) -> BaseGeometry:
    """Run a shapely op; coverage ops refuse unclean input, then try ``slow``, else keep the old shape."""
    for fn in (op, slow):
        if fn is None:
            continue
        try:
            out = fn()  # type: ignore[operator]
        except shapely.errors.GEOSException:
            continue
        if out is not None:
            return out
    return fallback
