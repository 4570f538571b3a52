"""Topological vertex editing over a coverage of territories.

A vertex shared by neighbouring territories is *one* vertex for the planner: moving,
inserting or deleting it changes every territory that holds it, so no gap or overlap
appears along the shared boundary (QGIS needs "topological editing" switched on for this;
here it is the only behaviour). Shared vertices in a clean coverage have identical
coordinates, so identity is coordinate equality within ``match`` (default: exact).

Everything works on ``Mapping[key, geometry]`` so it serves territories (key = id) and
tests alike. The drag is split in two for speed: :func:`begin_drag` finds, once at mouse
press, the rows of each geometry's coordinate array that hold the vertex; per mouse move
:meth:`VertexDrag.preview` only writes those rows and rebuilds with
``shapely.set_coordinates`` (no search, no overlay).
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

from terradesk.geo.dissolve import as_multipolygon

Key = TypeVar("Key", bound=Hashable)
Coords = npt.NDArray[np.float64]


# -- finding what the pointer is on ----------------------------------------------------
def nearest_vertex(geom: BaseGeometry, x: float, y: float, tolerance: float) -> tuple[float, float] | None:
    """The vertex of ``geom`` nearest to (x, y), if within ``tolerance`` (map units)."""
    coords = shapely.get_coordinates(geom)
    if len(coords) == 0:
        return None
    d2 = (coords[:, 0] - x) ** 2 + (coords[:, 1] - y) ** 2
    i = int(np.argmin(d2))
    if d2[i] > tolerance * tolerance:
        return None
    return float(coords[i, 0]), float(coords[i, 1])


def nearest_segment(
    geom: BaseGeometry, x: float, y: float, tolerance: float
) -> tuple[tuple[float, float], tuple[float, float], tuple[float, float]] | None:
    """The segment (a, b) of ``geom`` nearest to (x, y) and the foot point on it, or None."""
    best: tuple[float, tuple[float, float], tuple[float, float], tuple[float, float]] | None = None
    for ring in _all_rings(geom):
        a, b = ring[:-1], ring[1:]
        ab = b - a
        len2 = np.einsum("ij,ij->i", ab, ab)
        t = np.clip(((x - a[:, 0]) * ab[:, 0] + (y - a[:, 1]) * ab[:, 1]) / np.where(len2 > 0, len2, 1.0), 0.0, 1.0)
        fx, fy = a[:, 0] + t * ab[:, 0], a[:, 1] + t * ab[:, 1]
        d2 = (fx - x) ** 2 + (fy - y) ** 2
        i = int(np.argmin(d2))
        if d2[i] <= tolerance * tolerance and (best is None or d2[i] < best[0]):
            best = (float(d2[i]), _pt(a[i]), _pt(b[i]), (float(fx[i]), float(fy[i])))
    return None if best is None else best[1:]


def holders(geoms: Mapping[Key, BaseGeometry], x: float, y: float, match: float = 0.0) -> list[Key]:
    """Keys of the geometries whose bounding box contains (x, y): the candidates to share it."""
    keys = list(geoms)
    if not keys:
        return []
    b = shapely.bounds(np.array([geoms[k] for k in keys], dtype=object))
    ok = (b[:, 0] - match <= x) & (x <= b[:, 2] + match) & (b[:, 1] - match <= y) & (y <= b[:, 3] + match)
    return [keys[i] for i in np.flatnonzero(ok)]


# -- move ------------------------------------------------------------------------------
@dataclass
class VertexDrag(Generic[Key]):
    """A vertex grabbed at mouse press; ``preview`` answers every mouse move cheaply."""

    origin: tuple[float, float]
    originals: dict[Key, BaseGeometry]
    rows: dict[Key, npt.NDArray[np.intp]]
    _coords: dict[Key, Coords] = field(default_factory=dict, repr=False)

    @property
    def keys(self) -> list[Key]:
        return list(self.rows)

    def preview(self, x: float, y: float) -> dict[Key, BaseGeometry]:
        """Every geometry holding the vertex, with the vertex at (x, y). Pure, no checks."""
        out: dict[Key, BaseGeometry] = {}
        for key, rows in self.rows.items():
            coords = self._coords[key]
            coords[rows, 0] = x
            coords[rows, 1] = y
            out[key] = shapely.set_coordinates(self.originals[key], coords)
        return out


def begin_drag(geoms: Mapping[Key, BaseGeometry], x: float, y: float, match: float = 0.0) -> VertexDrag[Key]:
    """Grab the vertex at (x, y) (an existing vertex, e.g. from :func:`nearest_vertex`).

    Raises ValueError when no geometry has a vertex there.
    """
    rows: dict[Key, npt.NDArray[np.intp]] = {}
    coords_of: dict[Key, Coords] = {}
    originals: dict[Key, BaseGeometry] = {}
    for key in holders(geoms, x, y, match):
        coords = shapely.get_coordinates(geoms[key])
        hit = np.flatnonzero((np.abs(coords[:, 0] - x) <= match) & (np.abs(coords[:, 1] - y) <= match))
        if len(hit):
            rows[key], coords_of[key], originals[key] = hit, coords, geoms[key]
    if not rows:
        raise ValueError(f"no vertex at ({x:g}, {y:g})")
    return VertexDrag((x, y), originals, rows, coords_of)


def move_vertex(
    geoms: Mapping[Key, BaseGeometry], x: float, y: float, new_x: float, new_y: float, match: float = 0.0
) -> dict[Key, BaseGeometry]:
    """Move the vertex at (x, y) to (new_x, new_y) in every geometry holding it."""
    return begin_drag(geoms, x, y, match).preview(new_x, new_y)


# -- insert and delete -----------------------------------------------------------------
def _pt(row: Coords) -> tuple[float, float]:
    return float(row[0]), float(row[1])


def _all_rings(geom: BaseGeometry) -> list[Coords]:
    return [ring for poly in _ring_arrays(geom) for ring in poly]


def _ring_arrays(geom: BaseGeometry) -> list[list[Coords]]:
    """Per polygon part: [shell, hole, ...] as (n, 2) arrays (closed rings)."""
    out = []
    for poly in as_multipolygon(geom).geoms:
        rings = [shapely.get_coordinates(poly.exterior)]
        rings.extend(shapely.get_coordinates(r) for r in poly.interiors)
        out.append(rings)
    return out


def _build(parts: list[list[Coords]], like: BaseGeometry) -> BaseGeometry:
    polys = [Polygon(rings[0], rings[1:]) for rings in parts]
    if len(polys) == 1 and isinstance(like, Polygon):
        return polys[0]
    return MultiPolygon(polys)


def _same(a: Coords, p: tuple[float, float], match: float) -> npt.NDArray[np.bool_]:
    return (np.abs(a[:, 0] - p[0]) <= match) & (np.abs(a[:, 1] - p[1]) <= match)


def insert_vertex(
    geoms: Mapping[Key, BaseGeometry],
    a: tuple[float, float],
    b: tuple[float, float],
    point: tuple[float, float],
    match: float = 0.0,
) -> dict[Key, BaseGeometry]:
    """Insert ``point`` into segment a-b of every geometry having that segment (either way)."""
    out: dict[Key, BaseGeometry] = {}
    cx, cy = (a[0] + b[0]) / 2, (a[1] + b[1]) / 2
    for key in holders(geoms, cx, cy, match):
        parts = _ring_arrays(geoms[key])
        changed = False
        for rings in parts:
            for j, ring in enumerate(rings):
                at_a, at_b = _same(ring, a, match), _same(ring, b, match)
                hits = np.flatnonzero((at_a[:-1] & at_b[1:]) | (at_b[:-1] & at_a[1:]))
                if len(hits):
                    rings[j] = np.insert(ring, hits + 1, np.array(point), axis=0)
                    changed = True
        if changed:
            out[key] = _build(parts, geoms[key])
    if not out:
        raise ValueError("no segment there to insert a vertex into")
    return out


def delete_vertex(
    geoms: Mapping[Key, BaseGeometry], x: float, y: float, match: float = 0.0
) -> dict[Key, BaseGeometry]:
    """Remove the vertex at (x, y) from every geometry holding it.

    A hole left with fewer than three corners disappears; a part's outline that would
    fall below three corners is refused (delete the part or territory instead).
    """
    out: dict[Key, BaseGeometry] = {}
    for key in holders(geoms, x, y, match):
        parts = _ring_arrays(geoms[key])
        changed = False
        new_parts = []
        for rings in parts:
            kept = []
            for j, ring in enumerate(rings):
                hit = _same(ring[:-1], (x, y), match)
                if not hit.any():
                    kept.append(ring)
                    continue
                changed = True
                rest = ring[:-1][~hit]
                if len(rest) < 3:
                    if j == 0:
                        raise ValueError("a shape needs at least three corners; delete the territory instead")
                    continue
                kept.append(np.vstack([rest, rest[:1]]))
            new_parts.append(kept)
        if changed:
            out[key] = _build(new_parts, geoms[key])
    if not out:
        raise ValueError(f"no vertex at ({x:g}, {y:g})")
    return out


# -- keeping the coverage noded ---------------------------------------------------------
def _as_complex(coords: Coords) -> npt.NDArray[np.complex128]:
    return coords[:, 0] + 1j * coords[:, 1]


def node_tolerance(geoms: Mapping[Key, BaseGeometry]) -> float:
    """A distance below which a point counts as *on* a segment: a billionth of the coordinates' size."""
    b = shapely.total_bounds(np.array([g for g in geoms.values() if g is not None], dtype=object))
    if not np.all(np.isfinite(b)):
        return 0.0
    return float(np.max(np.abs(b))) * 1e-9


def add_topological_points(
    new: Mapping[Key, BaseGeometry],
    old: Mapping[Key, BaseGeometry],
    tolerance: float,
) -> dict[Key, BaseGeometry]:
    """Insert the vertices an edit created into every segment they lie on.

    A split or clip creates vertices where a line crosses a shared edge; the neighbour on
    the other side of that edge lacks them, so the coverage is no longer edge-matched
    (``coverage_is_valid`` fails and a hair of overlap appears). QGIS calls the remedy
    "topological points". ``new`` holds the changed shapes, ``old`` every shape before the
    edit (changed or not). Returns the geometries (of ``new`` or ``old``) that gained a vertex,
    in their up-to-date form.
    """
    current: dict[Key, BaseGeometry] = {**old, **new}
    known = np.concatenate([_as_complex(shapely.get_coordinates(g)) for g in old.values()] or [np.empty(0, complex)])
    fresh_list = [_as_complex(shapely.get_coordinates(g)) for g in new.values()]
    if not fresh_list:
        return {}
    fresh = np.unique(np.concatenate(fresh_list))
    fresh = fresh[~np.isin(fresh, known)]
    if len(fresh) == 0:
        return {}
    out: dict[Key, BaseGeometry] = {}
    px, py = fresh.real, fresh.imag
    for key, geom in current.items():
        if geom is None or geom.is_empty:
            continue
        x0, y0, x1, y1 = geom.bounds
        near = (px >= x0 - tolerance) & (px <= x1 + tolerance) & (py >= y0 - tolerance) & (py <= y1 + tolerance)
        if not near.any():
            continue
        parts = _ring_arrays(geom)
        changed = False
        for rings in parts:
            for j, ring in enumerate(rings):
                ring2 = _insert_on_segments(ring, px[near], py[near], tolerance)
                if ring2 is not None:
                    rings[j], changed = ring2, True
        if changed:
            out[key] = _build(parts, geom)
    return out


def _insert_on_segments(ring: Coords, px: npt.NDArray[np.float64], py: npt.NDArray[np.float64], tol: float) -> Coords | None:
    a, b = ring[:-1], ring[1:]
    ab = b - a
    len2 = np.einsum("ij,ij->i", ab, ab)
    # (points x segments): parameter along each segment and distance to it
    t = ((px[:, None] - a[None, :, 0]) * ab[None, :, 0] + (py[:, None] - a[None, :, 1]) * ab[None, :, 1]) / np.where(
        len2 > 0, len2, 1.0
    )[None, :]
    fx, fy = a[None, :, 0] + t * ab[None, :, 0], a[None, :, 1] + t * ab[None, :, 1]
    on = ((fx - px[:, None]) ** 2 + (fy - py[:, None]) ** 2 <= tol * tol) & (t > 0) & (t < 1)
    is_vertex = np.isin(px + 1j * py, _as_complex(ring))
    on &= ~is_vertex[:, None]
    if not on.any():
        return None
    pi, si = np.nonzero(on)
    order = np.lexsort((t[pi, si], si))
    pi, si = pi[order], si[order]
    # a point near two consecutive segments (at a corner) is inserted once
    _, first = np.unique(pi, return_index=True)
    keep = np.sort(first)
    pi, si = pi[keep], si[keep]
    return np.insert(ring, si + 1, np.column_stack([px[pi], py[pi]]), axis=0)
