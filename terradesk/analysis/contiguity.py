"""Which units share a boundary, and which territories fall apart into several pieces.

Adjacency is *rook* contiguity: two units are neighbours when they share a stretch of
boundary, not when they only meet at a corner (a territory joined by a single point is
not contiguous for a planner driving between its halves).

Two passes keep 40,000 full-detail units well under a second or two:

1. Shared-edge hashing: every boundary segment, its endpoints snapped to a fine grid and
   put in canonical order, is sorted; a segment that two units both hold is a shared
   edge. Exact for edge-matched coverages (postal-code files, our own demo data).
2. Units left with boundary segments nobody matched (the coverage's rim, or files whose
   neighbours do not share vertices: T-junctions, digitised separately) are queried in
   an STRtree (``intersects``); only pairs pass 1 missed are checked for a shared
   boundary of positive length. A clean coverage pays for its rim only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.model import Alignment, Id, Project, UnitLayer

IntArray = npt.NDArray[np.intp]
_GRID = 1e9  # snap vertices to 1/1e9 of the extent (< 2**30 cells a side: two fit in an int64)


@dataclass(frozen=True, slots=True)
class Adjacency:
    """A symmetric neighbour graph in CSR form: ``indices[indptr[i]:indptr[i + 1]]``."""

    indptr: IntArray
    indices: IntArray
    u: IntArray  # each undirected edge once, u < v
    v: IntArray

    @property
    def size(self) -> int:
        return len(self.indptr) - 1

    @property
    def edge_count(self) -> int:
        return len(self.u)

    def neighbours(self, unit: int) -> IntArray:
        return self.indices[self.indptr[unit] : self.indptr[unit + 1]]

    def to_scipy(self):  # type: ignore[no-untyped-def]
        """The same graph as a ``scipy.sparse.csr_array`` (scipy is optional)."""
        from scipy.sparse import csr_array

        data = np.ones(len(self.indices), dtype=np.int8)
        return csr_array((data, self.indices, self.indptr), shape=(self.size, self.size))


def unit_adjacency(units: UnitLayer, *, exact_only: bool = False) -> Adjacency:
    """Rook adjacency of the units, cached on the layer until its geometry column changes.

    ``exact_only`` skips pass 2 (for coverages known to be edge-matched).
    """
    geoms = units.geometry
    cached = getattr(units, "_adjacency_cache", None)
    if cached is not None and cached[0] is geoms and cached[1] == len(geoms) and cached[2] == exact_only:
        return cached[3]  # type: ignore[no-any-return]
    u, v, open_units = _shared_edges(geoms)
    if not exact_only and len(open_units):
        u, v = _add_unmatched_neighbours(geoms, open_units, u, v)
    adj = _csr(len(geoms), u, v)
    units._adjacency_cache = (geoms, len(geoms), exact_only, adj)  # type: ignore[attr-defined]
    return adj


def _shared_edges(geoms: npt.NDArray[np.object_]) -> tuple[IntArray, IntArray, IntArray]:
    """Edge pairs found by hashing, plus the units with boundary no other unit matched."""
    live = np.flatnonzero(~shapely.is_missing(geoms))
    none = np.empty(0, np.intp)
    if len(live) < 2:
        return none, none, live
    rings, ring_unit = shapely.get_rings(geoms[live], return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    if len(coords) < 2:
        return none, none, live
    lo, hi = coords.min(axis=0), coords.max(axis=0)
    step = max(float((hi - lo).max()), 1e-12) / _GRID  # snap grid: 1e-9 of the extent
    q = np.round((coords - lo) / step).astype(np.int64)
    point = (q[:, 0] << 31) | q[:, 1]  # one int64 per vertex
    same_ring = ring_of[:-1] == ring_of[1:]
    a, b = point[:-1][same_ring], point[1:][same_ring]
    owner = live[ring_unit[ring_of[:-1][same_ring]]]
    pa, pb = np.minimum(a, b), np.maximum(a, b)  # canonical orientation: both sides agree
    keep = pa != pb
    pa, pb, owner = pa[keep], pb[keep], owner[keep]
    with np.errstate(over="ignore"):
        h = pa.view(np.uint64) * np.uint64(0x9E3779B97F4A7C15) ^ pb.view(np.uint64)
    order = np.argsort(h, kind="stable")
    pa, pb, owner = pa[order], pb[order], owner[order]
    equal = (pa[1:] == pa[:-1]) & (pb[1:] == pb[:-1])
    same = equal & (owner[1:] != owner[:-1])
    u, v = owner[:-1][same], owner[1:][same]
    matched = np.zeros(len(pa), dtype=bool)
    matched[:-1] |= same
    matched[1:] |= same
    u, v = _unique_pairs(u, v)
    return u, v, np.unique(owner[~matched])


def _add_unmatched_neighbours(
    geoms: npt.NDArray[np.object_], open_units: IntArray, u: IntArray, v: IntArray
) -> tuple[IntArray, IntArray]:
    """Pairs that intersect but share no hashed edge: keep those with a shared boundary line.

    Only units with boundary segments nobody matched (``open_units``: the coverage's
    rim, and units whose neighbours lack their vertices) can have such neighbours.
    """
    live = np.flatnonzero(~shapely.is_missing(geoms))
    if len(live) < 2:
        return u, v
    tree = shapely.STRtree(geoms[live])
    qi, qj = tree.query(geoms[open_units], predicate="intersects")
    qa, qb = open_units[qi], live[qj]
    qa, qb = np.minimum(qa, qb), np.maximum(qa, qb)
    keep = qa != qb
    qa, qb = qa[keep], qb[keep]
    n = len(geoms)
    found = np.isin(qa * n + qb, u * n + v)
    qa, qb = qa[~found], qb[~found]
    if len(qa) == 0:
        return u, v
    shared = shapely.intersection(shapely.boundary(geoms[qa]), shapely.boundary(geoms[qb]))
    touching = shapely.length(shared) > 0
    return _unique_pairs(np.concatenate([u, qa[touching]]), np.concatenate([v, qb[touching]]))


def _unique_pairs(u: IntArray, v: IntArray) -> tuple[IntArray, IntArray]:
    lo, hi = np.minimum(u, v), np.maximum(u, v)
    if len(lo) == 0:
        return lo.astype(np.intp), hi.astype(np.intp)
    n = int(hi.max()) + 1
    pairs = np.unique(lo.astype(np.int64) * n + hi)
    return (pairs // n).astype(np.intp), (pairs % n).astype(np.intp)


def _csr(n: int, u: IntArray, v: IntArray) -> Adjacency:
    src = np.concatenate([u, v])
    dst = np.concatenate([v, u])
    order = np.lexsort((dst, src))
    indptr = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Adjacency(indptr, dst[order].astype(np.intp), u, v)


# -- components -------------------------------------------------------------------------
def components(n: int, u: IntArray, v: IntArray) -> IntArray:
    """Connected-component label per node (the smallest node index in its component).

    Vectorised hook-and-compress (Shiloach-Vishkin style): no scipy needed.
    """
    parent = np.arange(n, dtype=np.intp)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        lo, hi = np.minimum(pu[differ], pv[differ]), np.maximum(pu[differ], pv[differ])
        np.minimum.at(parent, hi, lo)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def territory_parts(project: Project, alignment_id: Id) -> dict[Id, int]:
    """Number of separate pieces of every territory of a unit-built alignment (0 = empty)."""
    al = project.alignment(alignment_id)
    if al.kind != "units":
        return {tid: _freeform_parts(al, tid) for tid in al.territories}
    adj = unit_adjacency(project.units)
    keys = al.assignment
    inside = keys[adj.u] == keys[adj.v]
    labels = components(len(keys), adj.u[inside], adj.v[inside])
    assigned = keys >= 0
    pieces = np.unique(np.column_stack([keys[assigned], labels[assigned]]), axis=0)
    count = np.bincount(pieces[:, 0], minlength=len(al._id_of_key)) if len(pieces) else np.zeros(0, np.intp)
    return {tid: int(count[k]) if (k := al.key(tid)) < len(count) else 0 for tid in al.territories}


def _freeform_parts(al: Alignment, tid: Id) -> int:
    geom = al.territory(tid).geometry
    if geom is None or geom.is_empty:
        return 0
    return int(shapely.get_num_geometries(geom))


def non_contiguous_territories(project: Project, alignment_id: Id) -> dict[Id, int]:
    """Territories in more than one piece, with their piece counts."""
    return {tid: n for tid, n in territory_parts(project, alignment_id).items() if n > 1}
