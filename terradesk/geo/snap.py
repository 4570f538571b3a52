"""Snapping to vertices and segments of territory and unit shapes.

The canvas converts its tolerance in screen pixels to map units (``pixels * units per
pixel``) and asks :meth:`SnapIndex.snap` on every mouse move, so a query must be cheap
even with 38k unit polygons: an STRtree over the *shapes* (built once) picks the few near
the pointer, and numpy finds the nearest vertex/segment among their coordinates (cached
per shape on first use). A vertex within tolerance always wins over a segment, as in QGIS.
"""

from __future__ import annotations

from collections.abc import Container, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

SnapKind = Literal["vertex", "segment"]
#: Where a snap target came from: ("territory", territory id) or ("unit", row index).
Source = tuple[str, Hashable]


@dataclass(frozen=True, slots=True)
class SnapResult:
    point: tuple[float, float]
    kind: SnapKind
    source: Source
    distance: float


@dataclass
class SnapIndex:
    """Snap targets from named layers of shapes; rebuild (cheap) after the shapes change."""

    geoms: npt.NDArray[np.object_]
    sources: list[Source]
    _tree: shapely.STRtree = field(init=False, repr=False)
    _rings: dict[int, list[npt.NDArray[np.float64]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._tree = shapely.STRtree(self.geoms)

    @classmethod
    def build(
        cls,
        territories: Mapping[str, BaseGeometry | None] | Mapping[int, BaseGeometry | None] | None = None,
        units: npt.ArrayLike | None = None,
    ) -> SnapIndex:
        """Index territory shapes (by id) and unit shapes (by row); missing/empty ones are skipped."""
        geoms: list[BaseGeometry] = []
        sources: list[Source] = []
        for tid, g in (territories or {}).items():
            if g is not None and not g.is_empty:
                geoms.append(g)
                sources.append(("territory", tid))
        if units is not None:
            arr = np.asarray(units, dtype=object)
            ok = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
            for i in np.flatnonzero(ok):
                geoms.append(arr[i])
                sources.append(("unit", int(i)))
        return cls(np.array(geoms, dtype=object), sources)

    def __len__(self) -> int:
        return len(self.sources)

    def _rings_of(self, i: int) -> list[npt.NDArray[np.float64]]:
        rings = self._rings.get(i)
        if rings is None:
            parts = shapely.get_parts(self.geoms[i])
            lines = shapely.get_rings(parts) if self.geoms[i].geom_type.endswith("Polygon") else parts
            rings = [shapely.get_coordinates(r) for r in lines]
            self._rings[i] = rings
        return rings

    def snap(
        self,
        x: float,
        y: float,
        tolerance: float,
        vertices: bool = True,
        segments: bool = True,
        exclude: Container[Source] = (),
        exclude_point: tuple[float, float] | None = None,
    ) -> SnapResult | None:
        """The snap target nearest to (x, y) within ``tolerance`` map units, or None.

        ``exclude`` skips whole sources; ``exclude_point`` skips a vertex at that position
        and the segments touching it (the vertex being dragged must not snap to itself).
        """
        if len(self.sources) == 0 or tolerance <= 0:
            return None
        candidates = self._tree.query(shapely.box(x - tolerance, y - tolerance, x + tolerance, y + tolerance))
        best_v: SnapResult | None = None
        best_s: SnapResult | None = None
        t2 = tolerance * tolerance
        for i in candidates.tolist():
            source = self.sources[i]
            if source in exclude:
                continue
            for ring in self._rings_of(i):
                if len(ring) == 0:
                    continue
                skip = None
                if exclude_point is not None:
                    skip = (ring[:, 0] == exclude_point[0]) & (ring[:, 1] == exclude_point[1])
                if vertices:
                    d2 = (ring[:, 0] - x) ** 2 + (ring[:, 1] - y) ** 2
                    if skip is not None:
                        d2 = np.where(skip, np.inf, d2)
                    j = int(np.argmin(d2))
                    if d2[j] <= t2 and (best_v is None or d2[j] < best_v.distance ** 2):
                        best_v = SnapResult((float(ring[j, 0]), float(ring[j, 1])), "vertex", source, float(np.sqrt(d2[j])))
                if segments and best_v is None and len(ring) > 1:
                    hit = _nearest_on_segments(ring, x, y, skip)
                    if hit is not None and hit[0] <= t2 and (best_s is None or hit[0] < best_s.distance ** 2):
                        best_s = SnapResult(hit[1], "segment", source, float(np.sqrt(hit[0])))
        return best_v if best_v is not None else best_s


def _nearest_on_segments(
    ring: npt.NDArray[np.float64], x: float, y: float, skip: npt.NDArray[np.bool_] | None
) -> tuple[float, tuple[float, float]] | None:
    a, b = ring[:-1], ring[1:]
    ab = b - a
    len2 = np.einsum("ij,ij->i", ab, ab)
    t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
    fx, fy = a[:, 0] + t * ab[:, 0], a[:, 1] + t * ab[:, 1]
    d2 = (fx - x) ** 2 + (fy - y) ** 2
    if skip is not None:
        d2 = np.where(skip[:-1] | skip[1:], np.inf, d2)
    j = int(np.argmin(d2))
    if not np.isfinite(d2[j]):
        return None
    return float(d2[j]), (float(fx[j]), float(fy[j]))
