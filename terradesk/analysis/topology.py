"""Shape metrics of unit-built territories without dissolving them.

Units from one source form an edge-matched coverage: neighbours share the very same
vertices. Every boundary segment is then found once (outer edge) or twice (shared edge).
For any set of units, its union's perimeter is the length of the segments seen once in
the set, its parts are the edge-connected components of its polygon parts, and its
holes follow from Euler's formula (per component: holes = 1 - (V - E + F)). A territory
of 1,000 units is measured in about a millisecond instead of the ~30 ms a dissolve costs,
which is what keeps the metrics refresh after one assignment inside its budget.

Segment lengths are geodesic (WGS84 ellipsoid), so perimeters match
``pyproj.Geod.geometry_area_perimeter`` of the dissolved shape. On coverages that are
not edge-matched (T-junctions), shared edges are not recognised: perimeters come out too
long and parts too many; :attr:`CoverageTopology.clean` says whether the whole layer
matched.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from pyproj import Geod

from terradesk.analysis.adjacency import Segments, boundary_segments, cached, layer_segments
from terradesk.geo.crs import transform_points
from terradesk.model import UnitLayer

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]
GEOD = Geod(ellps="WGS84")


@dataclass(frozen=True)
class ShapeStats:
    perimeter_m: float
    parts: int
    holes: int


class CoverageTopology:
    """Segments of every unit boundary, keyed so shared edges can be recognised.

    Built on the segment table of :mod:`terradesk.analysis.adjacency` (the same one the
    unit graph comes from); :meth:`of_layer` shares it and caches the result per layer.
    """

    def __init__(self, geoms: npt.NDArray[np.object_], crs: str, segments: Segments | None = None) -> None:
        s = segments if segments is not None else boundary_segments(geoms)
        self.part_unit = s.part_unit
        self.part_holes = s.part_holes
        self.n_vertices = s.n_vertices
        self.occ_seg = s.seg
        self.occ_part = s.part
        self.occ_unit = s.unit
        self.occ_other = s.other
        self.occ_vertex = s.vertex
        self.unit_offsets = np.searchsorted(s.unit, np.arange(s.n_units + 1)).astype(np.intp)
        lon, lat = transform_points(s.coords[:, 0], s.coords[:, 1], crs, "EPSG:4326")
        first = np.zeros(s.n_segments, dtype=np.intp)
        first[s.seg] = s.start
        _, _, dist = GEOD.inv(lon[first], lat[first], lon[first + 1], lat[first + 1])
        self.seg_len = np.asarray(dist, dtype=np.float64)
        counts = np.bincount(s.seg, minlength=s.n_segments)
        self.clean = bool(len(counts) == 0 or counts.max() <= 2)
        self.occ_len = self.seg_len[s.seg]
        self.unit_perimeter = np.bincount(s.unit, weights=self.occ_len, minlength=s.n_units)
        self.n_parts = s.n_parts
        self._vertex_scratch = np.full(s.n_vertices, -1, dtype=np.intp)
        self._part_scratch = np.full(s.n_parts, -1, dtype=np.intp)

    @classmethod
    def of_layer(cls, units: UnitLayer, crs: str) -> CoverageTopology:
        """The topology of a unit layer, cached until one of its geometries changes."""
        return cached(units, ("topology", crs), lambda: cls(units.geometry, crs, layer_segments(units)))

    def stats(self, units: IntArray, unit_keys: IntArray | None = None, key: int | None = None) -> ShapeStats:
        """Perimeter (m), parts and holes of the union of ``units``.

        With ``unit_keys`` and ``key`` (the alignment's keys and the territory's key),
        membership of neighbours is looked up there instead of being rebuilt.
        """
        units = np.asarray(units, dtype=np.intp)
        if len(units) == 0:
            return ShapeStats(0.0, 0, 0)
        if unit_keys is None or key is None:
            unit_keys = np.full(len(self.unit_offsets) - 1, -1, dtype=np.intp)
            unit_keys[units] = key = 0
        occ = _ranges(self.unit_offsets[units], self.unit_offsets[units + 1])
        other = self.occ_other[occ]
        has_other = other >= 0
        internal = np.zeros(len(occ), dtype=bool)
        internal[has_other] = unit_keys[self.occ_unit[other[has_other]]] == key
        perimeter = float(self.occ_len[occ[~internal]].sum())
        edges = int((~internal).sum()) + int(internal.sum()) // 2
        # local numbering of the territory's polygon parts (occurrences are sorted by part)
        part = self.occ_part[occ]
        starts = np.ones(len(part), dtype=bool)
        starts[1:] = part[1:] != part[:-1]
        local_parts = part[starts]
        local = np.cumsum(starts) - 1
        n = len(local_parts)
        scratch = self._part_scratch
        scratch[local_parts] = np.arange(n)
        a = local[internal]
        b = scratch[self.occ_part[other[internal]]]
        # scipy costs ~0.3 s to import: only when a window/CLI really computes pieces
        from scipy.sparse import coo_matrix
        from scipy.sparse.csgraph import connected_components

        graph = coo_matrix((np.ones(len(a), dtype=np.int8), (a, b)), shape=(n, n))
        n_comp, label = connected_components(graph, directed=False)
        # distinct (component, vertex) pairs; a vertex shared by two components is a pinch
        comp = label[local]
        vert = self.occ_vertex[occ]
        vs = self._vertex_scratch
        vs[vert] = comp
        pinch = vs[vert] != comp
        vs[vert] = np.arange(len(vert))
        vertices = int(np.count_nonzero(vs[vert] == np.arange(len(vert))))
        if pinch.any():
            shared = np.isin(vert, vert[pinch])
            pairs = np.unique(vert[shared].astype(np.int64) * (n_comp + 1) + comp[shared])
            vertices += len(pairs) - len(np.unique(vert[shared]))
        faces = n - int(self.part_holes[local_parts].sum())
        euler = vertices - edges + faces  # sum over components of (1 - holes)
        return ShapeStats(perimeter, int(n_comp), max(int(n_comp) - euler, 0))


def _ranges(starts: IntArray, ends: IntArray) -> IntArray:
    """Concatenate ``arange(s, e)`` for each pair, vectorised."""
    lengths = ends - starts
    total = int(lengths.sum())
    if total == 0:
        return np.empty(0, dtype=np.intp)
    nz = lengths > 0
    starts, lengths = starts[nz], lengths[nz]
    steps = np.ones(total, dtype=np.intp)
    offsets = np.cumsum(lengths)[:-1]
    steps[0] = starts[0]
    steps[offsets] = starts[1:] - (starts[:-1] + lengths[:-1]) + 1
    return np.cumsum(steps)
