"""Keep edited shapes valid and free of slivers, and say what was repaired.

Every editing operation ends here: an invalid ring produced by an edit is repaired with
``make_valid`` (and the repair is *reported* so the UI can tell the planner), and tiny
pieces left behind by overlay arithmetic are absorbed into the neighbour that shares the
longest edge with them, so a territory never carries crumbs nobody can see or click.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from terradesk.geo.dissolve import as_multipolygon

#: A piece smaller than this fraction of its territory's area is a sliver.
SLIVER_RATIO = 1e-4

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True, slots=True)
class Repair:
    """One geometry fixed by ``make_valid``: what was wrong and where."""

    key: object
    reason: str
    location: tuple[float, float] | None

    def message(self, name: str | None = None) -> str:
        who = name if name is not None else str(self.key)
        return f"Repaired the shape of {who}: {self.reason}"


def invalid_location(reason: str) -> tuple[float, float] | None:
    """The point GEOS names in an ``is_valid_reason`` text ("Self-intersection[3 4]")."""
    if "[" not in reason:
        return None
    try:
        x, y = reason[reason.index("[") + 1 : reason.index("]")].split()[:2]
        return float(x), float(y)
    except ValueError:
        return None


def repair(geom: BaseGeometry | None, key: object = None) -> tuple[MultiPolygon, Repair | None]:
    """A valid polygonal shape for ``geom``, plus a :class:`Repair` when it was invalid.

    ``make_valid`` may return lines or points next to polygons (a collapsed ring); only the
    polygonal parts are kept, since a territory is an area.
    """
    if geom is None or geom.is_empty:
        return MultiPolygon(), None
    if shapely.is_valid(geom):
        return as_multipolygon(geom), None
    reason = shapely.is_valid_reason(geom)
    fixed = as_multipolygon(shapely.make_valid(geom))
    if not fixed.is_valid:  # rare: parts of a collection touching along an edge
        fixed = as_multipolygon(shapely.union_all(list(fixed.geoms)))
    return fixed, Repair(key, reason, invalid_location(reason))


def polygon_parts(geom: BaseGeometry) -> list[Polygon]:
    return list(as_multipolygon(geom).geoms)


def shared_edge_length(a: BaseGeometry, b: BaseGeometry, tolerance: float = 0.0) -> float:
    """Length of ``a``'s boundary lying on ``b`` (within ``tolerance`` for imprecise edges)."""
    if tolerance > 0:
        return float(shapely.intersection(a.boundary, b.buffer(tolerance, quad_segs=2)).length)
    return float(shapely.intersection(a.boundary, b.boundary).length)


@dataclass(frozen=True, slots=True)
class SliverMove(Generic[K]):
    """A sliver taken from ``source`` and given to ``target`` (None: dropped, no neighbour)."""

    source: K
    target: K | None
    area: float


def absorb_slivers(
    geoms: Mapping[K, BaseGeometry],
    changed: set[K] | None = None,
    ratio: float = SLIVER_RATIO,
) -> tuple[dict[K, MultiPolygon], list[SliverMove[K]]]:
    """Move tiny parts of the ``changed`` territories into their best neighbour.

    A part is a sliver when its area is below ``ratio`` times its territory's area (the
    largest part is never one). It goes to the neighbour sharing the longest edge with it,
    measured with a tolerance of a millionth of the territory's size so edges that overlay
    arithmetic left a hair apart still count. Returns the new shapes of the territories that
    changed (only those) and the moves made.
    """
    keys = list(geoms) if changed is None else [k for k in geoms if k in changed]
    out: dict[K, MultiPolygon] = {}
    moves: list[SliverMove[K]] = []

    def current(k: K) -> BaseGeometry:
        return out.get(k, geoms[k])

    for key in keys:
        parts = polygon_parts(current(key))
        if len(parts) < 2:
            continue
        total = sum(p.area for p in parts)
        biggest = max(range(len(parts)), key=lambda i: parts[i].area)
        slivers = [p for i, p in enumerate(parts) if i != biggest and p.area < ratio * total]
        if not slivers:
            continue
        keep = [p for i, p in enumerate(parts) if i == biggest or p.area >= ratio * total]
        out[key] = MultiPolygon(keep)
        xmin, ymin, xmax, ymax = current(key).bounds
        tol = max(xmax - xmin, ymax - ymin) * 1e-6
        for sliver in slivers:
            best, best_len = None, 0.0
            for other in geoms:
                g = current(other)
                if other == key or g.is_empty or not shapely.dwithin(g, sliver, tol):
                    continue
                length = shared_edge_length(sliver, g, tol)
                if length > best_len:
                    best, best_len = other, length
            if best is not None:
                out[best] = as_multipolygon(shapely.union(current(best), sliver))
            moves.append(SliverMove(key, best, float(sliver.area)))
    return out, moves
