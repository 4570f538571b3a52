"""Which polygon holds each point: accounts to units, accounts to drawn territories.

One vectorised ``STRtree.query(points, predicate="intersects")`` instead of a loop over
polygons; a point on a shared border goes to the first polygon (lowest index), so every
account lands in exactly one place.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.model import Alignment, Project

IntArray = npt.NDArray[np.intp]


def locate_points(polygons: npt.NDArray[np.object_], x: npt.ArrayLike, y: npt.ArrayLike) -> IntArray:
    """Index of the first polygon containing each point, -1 for none (or NaN coordinates)."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    out = np.full(len(xs), -1, dtype=np.intp)
    ok = np.flatnonzero(np.isfinite(xs) & np.isfinite(ys))
    polys = np.asarray(polygons, dtype=object)
    present = ~shapely.is_missing(polys) if len(polys) else np.zeros(0, dtype=bool)
    if len(ok) == 0 or not present.any():
        return out
    index = np.flatnonzero(present)
    tree = shapely.STRtree(polys[index])
    pts, hit = tree.query(shapely.points(xs[ok], ys[ok]), predicate="intersects")
    if len(pts) == 0:
        return out
    poly = index[hit]
    # first polygon per point: sort by (point, polygon), keep the first of each point
    order = np.lexsort((poly, pts))
    pts, poly = pts[order], poly[order]
    first = np.ones(len(pts), dtype=bool)
    first[1:] = pts[1:] != pts[:-1]
    out[ok[pts[first]]] = poly[first]
    return out


def group_offsets(keys: IntArray, n: int) -> tuple[IntArray, IntArray]:
    """Rows sorted by key plus CSR offsets: rows of key k are ``order[off[k]:off[k+1]]``.

    Rows with key -1 come first and are outside every range.
    """
    order = np.argsort(keys, kind="stable").astype(np.intp)
    offsets = np.searchsorted(keys[order], np.arange(n + 1)).astype(np.intp)
    return order, offsets


def account_keys(project: Project, alignment: Alignment) -> IntArray:
    """Each account's territory key in ``alignment`` (-1: none); pins override the map.

    Unit-built plans: the territory of the unit holding the account. Drawn plans: the
    first territory (in plan order) whose shape holds it.
    """
    accounts = project.accounts
    if alignment.kind == "units":
        unit = locate_points(project.units.geometry, accounts.x, accounts.y)
        keys = np.append(alignment.assignment, -1)[unit]
    else:
        from terradesk.geo.dissolve import as_multipolygon

        tids = list(alignment.territories)
        geoms = np.array([as_multipolygon(alignment.territory(t).geometry) for t in tids], dtype=object)
        lookup = np.array([alignment.key(t) for t in tids] + [-1], dtype=np.intp)
        keys = lookup[locate_points(geoms, accounts.x, accounts.y)] if len(tids) else np.full(len(accounts), -1)
    keys = np.asarray(keys, dtype=np.intp).copy()
    for account, tid in alignment.pins.items():
        if tid in alignment.territories:
            try:
                keys[accounts.index_of(account)] = alignment.key(tid)
            except KeyError:
                continue
    return keys
