"""Unit polygons for the demo: Voronoi cells clipped to the land, then roughened.

Roughening keeps the units an exact coverage: every edge is split at points computed
from its endpoints in a canonical order, and every vertex is moved by a smooth function
of its own coordinates, so a vertex two neighbours share moves identically in both. The
displacement field has a gradient well below 1, which makes it a one-to-one map of the
plane, so polygons stay valid (checked, with a smaller amplitude as the fallback).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from terradesk.io.demo._land import CENTRE, FloatArray

GeomArray = npt.NDArray[np.object_]
GRID = 0.01  # metres: coordinates are snapped to 1 cm so shared vertices agree bit for bit
OCTAVE_BASE = 40.0  # wavelength of the finest noise octave, metres
OCTAVES = 14
WAVES = 3  # plane waves summed per octave and axis


def voronoi_units(x: FloatArray, y: FloatArray, land: BaseGeometry) -> GeomArray:
    """Voronoi cells of the seeds, clipped to the land; stray fragments go to a neighbour."""
    seeds = shapely.multipoints(np.column_stack([x, y]))
    cells = shapely.get_parts(shapely.voronoi_polygons(seeds, extend_to=land.envelope.buffer(1e4), ordered=True))
    cells = shapely.set_precision(cells, GRID)
    shapely.prepare(land)
    inside = shapely.contains_properly(land, cells)
    clipped = cells.copy()
    edge = np.flatnonzero(~inside)
    clipped[edge] = shapely.intersection(cells[edge], land, grid_size=GRID)
    return _absorb_fragments(clipped, x, y)


def _absorb_fragments(cells: GeomArray, x: FloatArray, y: FloatArray) -> GeomArray:
    """Keep the part holding its seed; give other parts to the neighbour sharing most edge.

    A cell cut by the bay or reaching the island would otherwise become a two-part unit
    on both sides of the water. ``coverage_union`` keeps the shared vertices exact.
    """
    out = cells.copy()
    multi = np.flatnonzero(shapely.get_num_geometries(cells) > 1)
    if len(multi) == 0:
        return out
    seeds = shapely.points(x, y)
    orphans: list[BaseGeometry] = []
    for i in multi:
        parts = shapely.get_parts(cells[i])
        own = shapely.intersects(parts, seeds[i])
        keep = int(np.argmax(own)) if own.any() else int(np.argmax(shapely.area(parts)))
        out[i] = parts[keep]
        orphans.extend(p for j, p in enumerate(parts) if j != keep)
    tree = shapely.STRtree(out)
    for part in orphans:
        near = tree.query(part, predicate="touches")
        if len(near) == 0:
            continue  # a lonely islet: dropped (a gap in the coverage, not an overlap)
        shared = shapely.length(shapely.intersection(out[near], part.boundary, grid_size=GRID))
        j = int(near[int(np.argmax(shared))])
        out[j] = shapely.coverage_union(out[j], part)
    return out


def densify(units: GeomArray, segments: Callable[[FloatArray, FloatArray], npt.NDArray[np.intp]],
            move: Callable[[FloatArray], FloatArray]) -> GeomArray:
    """Split every edge into ``segments(length, midpoint)`` pieces and move every vertex.

    Split points come from the edge's endpoints in lexicographic order, so both polygons
    sharing the edge compute the very same floats.
    """
    parts, unit_of_part = shapely.get_parts(units, return_index=True)
    rings, part_of_ring = shapely.get_rings(parts, return_index=True)
    coords, ring_of = shapely.get_coordinates(rings, return_index=True)
    same = ring_of[1:] == ring_of[:-1]
    a, b, seg_ring = coords[:-1][same], coords[1:][same], ring_of[:-1][same]
    swap = (a[:, 0] > b[:, 0]) | ((a[:, 0] == b[:, 0]) & (a[:, 1] > b[:, 1]))
    lo = np.where(swap[:, None], b, a)
    hi = np.where(swap[:, None], a, b)
    span = hi - lo
    k = segments(np.hypot(span[:, 0], span[:, 1]), (lo + hi) * 0.5)
    seg = np.repeat(np.arange(len(k)), k)
    j = np.arange(len(seg)) - np.repeat(np.cumsum(k) - k, k)  # 0..k-1 within each edge
    kk = k[seg]
    step = np.where(swap[seg], kk - j, j)  # canonical step count from ``lo``
    pts = lo[seg] + span[seg] * (step / kk)[:, None]
    pts[j == 0] = a  # the edge's own start vertex, untouched by arithmetic
    moved = move(pts)
    pt_ring = seg_ring[seg]
    # close every ring with its (moved) first vertex
    first = np.flatnonzero(np.r_[True, pt_ring[1:] != pt_ring[:-1]])
    last = np.r_[first[1:], len(pts)]
    closed = np.insert(moved, last, moved[first], axis=0)
    closed_ring = np.insert(pt_ring, last, pt_ring[first])
    new_rings = shapely.linearrings(closed, indices=closed_ring)
    new_parts = shapely.polygons(new_rings, indices=part_of_ring)
    counts = np.bincount(unit_of_part, minlength=len(units))
    out = np.empty(len(units), dtype=object)
    single = counts == 1
    out[single] = new_parts[np.searchsorted(unit_of_part, np.flatnonzero(single))]
    for i in np.flatnonzero(~single):
        out[i] = shapely.multipolygons(new_parts[unit_of_part == i])
    return out


class Wiggle:
    """A smooth displacement field whose wavelength follows the local unit spacing.

    Octaves of plane waves at wavelengths ``OCTAVE_BASE * 2**o`` are blended by the local
    spacing ``h(x, y)``; each octave's amplitude is ``strength`` times its wavelength, so
    the field's gradient stays near ``2*pi*strength`` whatever the scale.
    """

    def __init__(self, rng: np.random.Generator, spacing: Callable[[FloatArray, FloatArray], FloatArray],
                 strength: float) -> None:
        angles = rng.uniform(0, 2 * np.pi, (OCTAVES, 2, WAVES))
        self.dirs = np.stack([np.cos(angles), np.sin(angles)], axis=-1)
        self.phase = rng.uniform(0, 2 * np.pi, (OCTAVES, 2, WAVES))
        self.spacing = spacing
        self.strength = strength

    def __call__(self, pts: FloatArray) -> FloatArray:
        if self.strength == 0.0:
            return pts.copy()
        px, py = pts[:, 0] - CENTRE[0], pts[:, 1] - CENTRE[1]
        level = np.clip(np.log2(0.9 * self.spacing(pts[:, 0], pts[:, 1]) / OCTAVE_BASE), 0, OCTAVES - 1.001)
        lo = np.floor(level).astype(np.intp)
        frac = level - lo
        out = pts.copy()
        for octave, weight in ((lo, 1.0 - frac), (lo + 1, frac)):
            wavelength = OCTAVE_BASE * 2.0**octave
            for axis in (0, 1):
                d = self.dirs[octave, axis]  # (n, WAVES, 2)
                arg = (d[..., 0] * px[:, None] + d[..., 1] * py[:, None]) * (2 * np.pi / wavelength[:, None])
                wave = np.sin(arg + self.phase[octave, axis]).sum(axis=1) / np.sqrt(WAVES)
                out[:, axis] += weight * self.strength * wavelength * wave
        return out


def coverage_ok(units: GeomArray) -> bool:
    """Every unit valid and non-empty, and no overlaps or mismatched shared edges."""
    return bool(
        shapely.is_valid(units).all()
        and not shapely.is_empty(units).any()
        and shapely.coverage_is_valid(units)
    )
