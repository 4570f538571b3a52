"""Unit adjacency from shared boundaries, and compactness from the same bookkeeping.

Two units are neighbours when they share a boundary of positive length (rook
contiguity: touching at a corner does not count, so a territory never "connects"
through a point). On an exact coverage (shared edges with identical vertices, what
importers and the demo produce) shared-edge hashing finds every pair in one sort of
the segment table; units it leaves isolated go through an STRtree fallback that
measures the shared boundary explicitly, so slightly dirty coverages still work.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.model import UnitLayer

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class Adjacency:
    """Undirected unit graph in CSR form plus the shared boundary length of each pair.

    ``edges`` holds each pair once (i < j) with ``edge_length``; ``indptr``/``indices``/
    ``lengths`` list both directions so the neighbours of ``u`` are
    ``indices[indptr[u]:indptr[u + 1]]``. ``area`` and ``perimeter`` are per unit.
    """

    n: int
    edges: IntArray
    edge_length: FloatArray
    indptr: IntArray
    indices: IntArray
    lengths: FloatArray
    area: FloatArray
    perimeter: FloatArray

    def neighbours(self, unit: int) -> IntArray:
        return self.indices[self.indptr[unit] : self.indptr[unit + 1]]

    def neighbour_lists(self) -> list[list[int]]:
        """Python lists per unit: the optimiser's inner loop walks these (faster than slicing)."""
        idx = self.indices.tolist()
        ptr = self.indptr.tolist()
        return [idx[ptr[u] : ptr[u + 1]] for u in range(self.n)]

    def length_lists(self) -> list[list[float]]:
        lens = self.lengths.tolist()
        ptr = self.indptr.tolist()
        return [lens[ptr[u] : ptr[u + 1]] for u in range(self.n)]


def _from_pairs(n: int, a: IntArray, b: IntArray, length: FloatArray, geoms: npt.NDArray[np.object_]) -> Adjacency:
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    keep = (lo != hi) & (length > 0)
    lo, hi, length = lo[keep], hi[keep], length[keep]
    code = lo.astype(np.int64) * n + hi
    uniq, inv = np.unique(code, return_inverse=True)
    total = np.bincount(inv, weights=length, minlength=len(uniq)).astype(np.float64)
    edges = np.stack([uniq // n, uniq % n], axis=1).astype(np.intp)
    src = np.concatenate([edges[:, 0], edges[:, 1]])
    dst = np.concatenate([edges[:, 1], edges[:, 0]])
    both = np.concatenate([total, total])
    order = np.lexsort((dst, src))
    indptr = np.zeros(n + 1, dtype=np.intp)
    np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
    return Adjacency(
        n=n,
        edges=edges,
        edge_length=total,
        indptr=indptr,
        indices=dst[order].astype(np.intp),
        lengths=both[order],
        area=shapely.area(geoms).astype(np.float64),
        perimeter=shapely.length(geoms).astype(np.float64),
    )


def _segments(geoms: npt.NDArray[np.object_]) -> tuple[FloatArray, IntArray]:
    """Every ring segment as (x0, y0, x1, y1) with endpoints ordered, and its unit."""
    parts, part_unit = shapely.get_parts(geoms, return_index=True)
    rings, ring_part = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[:-1] == ring_of[1:]
    start = np.flatnonzero(same)
    p, q = coords[start], coords[start + 1]
    swap = (p[:, 0] > q[:, 0]) | ((p[:, 0] == q[:, 0]) & (p[:, 1] > q[:, 1]))
    p2 = np.where(swap[:, None], q, p)
    q2 = np.where(swap[:, None], p, q)
    unit = part_unit[ring_part[ring_of[start]]]
    return np.hstack([p2, q2]), unit.astype(np.intp)


def _edge_hash_pairs(geoms: npt.NDArray[np.object_]) -> tuple[IntArray, IntArray, FloatArray]:
    seg, unit = _segments(geoms)
    if len(seg) == 0:
        empty = np.empty(0, dtype=np.intp)
        return empty, empty, np.empty(0)
    order = np.lexsort((seg[:, 3], seg[:, 2], seg[:, 1], seg[:, 0]))
    seg, unit = seg[order], unit[order]
    dup = np.all(seg[1:] == seg[:-1], axis=1)
    i = np.flatnonzero(dup)
    a, b = unit[i], unit[i + 1]
    s = seg[i]
    length = np.hypot(s[:, 2] - s[:, 0], s[:, 3] - s[:, 1])
    return a, b, length


def _strtree_pairs(geoms: npt.NDArray[np.object_], units: IntArray) -> tuple[IntArray, IntArray, FloatArray]:
    """Neighbours of ``units`` measured by intersecting boundaries (slow, exact on dirty data)."""
    tree = shapely.STRtree(geoms)
    src, dst = tree.query(geoms[units], predicate="intersects")
    a = units[src]
    keep = a != dst
    a, b = a[keep], dst[keep]
    if len(a) == 0:
        return a, b, np.empty(0)
    bounds = shapely.boundary(geoms)
    shared = shapely.intersection(bounds[a], bounds[b])
    return a, b.astype(np.intp), shapely.length(shared).astype(np.float64)


_CACHE: weakref.WeakKeyDictionary[UnitLayer, tuple[object, Adjacency]] = weakref.WeakKeyDictionary()


def unit_adjacency(units: UnitLayer, method: str = "auto") -> Adjacency:
    """Adjacency of a unit layer, cached until its geometry column is replaced.

    ``method`` is ``"auto"`` (edge hashing, STRtree for units it leaves isolated),
    ``"edges"`` or ``"strtree"``.
    """
    geoms = units.geometry
    cached = _CACHE.get(units)
    if cached is not None and cached[0] is geoms and method == "auto":
        return cached[1]
    n = len(geoms)
    if method == "strtree":
        a, b, length = _strtree_pairs(geoms, np.arange(n, dtype=np.intp))
        length = _dedupe_lengths(n, a, b, length)
    else:
        a, b, length = _edge_hash_pairs(geoms)
        if method == "auto" and n > 1:
            has = np.zeros(n, dtype=bool)
            has[a] = True
            has[b] = True
            lonely = np.flatnonzero(~has & ~shapely.is_empty(geoms))
            if len(lonely):
                a2, b2, l2 = _strtree_pairs(geoms, lonely.astype(np.intp))
                a, b, length = np.concatenate([a, a2]), np.concatenate([b, b2]), np.concatenate([length, l2])
                # a pair found from both sides would count twice: halve the repeats
                length = _dedupe_lengths(n, a, b, length)
    adj = _from_pairs(n, np.asarray(a, np.intp), np.asarray(b, np.intp), length, geoms)
    if method == "auto":
        _CACHE[units] = (geoms, adj)
    return adj


def _dedupe_lengths(n: int, a: IntArray, b: IntArray, length: FloatArray) -> FloatArray:
    """Keep only the first occurrence of each directed-insensitive pair from the fallback."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    code = lo.astype(np.int64) * n + hi
    _, first = np.unique(code, return_index=True)
    out = np.zeros_like(length)
    out[first] = length[first]
    return out


def territory_pairs(adj: Adjacency, keys: IntArray) -> IntArray:
    """Pairs of territory keys that share a boundary (each pair once, lower key first)."""
    ka, kb = keys[adj.edges[:, 0]], keys[adj.edges[:, 1]]
    m = (ka != kb) & (ka >= 0) & (kb >= 0)
    lo, hi = np.minimum(ka[m], kb[m]), np.maximum(ka[m], kb[m])
    if len(lo) == 0:
        return np.empty((0, 2), dtype=np.intp)
    return np.unique(np.stack([lo, hi], axis=1), axis=0).astype(np.intp)


def polsby_popper(adj: Adjacency, keys: IntArray, n_keys: int) -> FloatArray:
    """Polsby-Popper (4 pi A / P^2) per territory key, from unit areas and perimeters.

    Territory perimeter = sum of unit perimeters minus twice the internal shared
    boundary: exact for a coverage and needs no dissolve. NaN for empty territories.
    """
    ok = keys >= 0
    area = np.bincount(keys[ok], weights=adj.area[ok], minlength=n_keys)
    per = np.bincount(keys[ok], weights=adj.perimeter[ok], minlength=n_keys)
    ka, kb = keys[adj.edges[:, 0]], keys[adj.edges[:, 1]]
    inside = (ka == kb) & (ka >= 0)
    per -= 2 * np.bincount(ka[inside], weights=adj.edge_length[inside], minlength=n_keys)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = 4 * np.pi * area / per**2
    pp[area == 0] = np.nan
    return pp


def components(adj: Adjacency, keys: IntArray, key: int) -> int:
    """Number of connected pieces of one territory (0 when empty): used by tests and checks."""
    members = np.flatnonzero(keys == key)
    if len(members) == 0:
        return 0
    inside = np.zeros(adj.n, dtype=bool)
    inside[members] = True
    seen = np.zeros(adj.n, dtype=bool)
    count = 0
    for start in members.tolist():
        if seen[start]:
            continue
        count += 1
        stack = [start]
        seen[start] = True
        while stack:
            u = stack.pop()
            for v in adj.indices[adj.indptr[u] : adj.indptr[u + 1]].tolist():
                if inside[v] and not seen[v]:
                    seen[v] = True
                    stack.append(v)
    return count
