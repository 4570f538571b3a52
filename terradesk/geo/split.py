"""Split a territory with a line, merge territories, fill holes.

Pure functions on shapely 2 geometries in the project CRS; the commands that apply them
to a project live in :mod:`terradesk.edit.shapes`.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry import LineString, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from terradesk.geo.dissolve import as_multipolygon, dissolve


def _size(geom: BaseGeometry) -> float:
    xmin, ymin, xmax, ymax = geom.bounds
    return max(xmax - xmin, ymax - ymin, 1e-12)


def split_polygon(geom: BaseGeometry, line: LineString) -> tuple[MultiPolygon, MultiPolygon]:
    """Cut ``geom`` along ``line`` into the part left of it and the part right of it.

    The line must cross the shape completely (enter and leave); a zigzag line gives
    several pieces, grouped by the side of the line they lie on. Raises ValueError when
    the line does not cut the shape in two.
    """
    if not isinstance(line, LineString) or len(line.coords) < 2:
        raise ValueError("a split needs a line of at least two points")
    shape = as_multipolygon(geom)
    if shape.is_empty:
        raise ValueError("nothing to split: the territory has no shape")
    tiny = _size(shape) ** 2 * 1e-14
    pieces = [p for p in faces_of(shape.boundary, line) if p.area > tiny and shapely.contains_properly(shape, p.point_on_surface())]
    if len(pieces) < 2:
        raise ValueError("the line must cross the territory completely to split it")
    eps = _size(shape) * 1e-7
    left_band = line.buffer(eps * 10, single_sided=True)
    right_band = line.buffer(-eps * 10, single_sided=True)
    left: list[Polygon] = []
    right: list[Polygon] = []
    apart: list[Polygon] = []  # parts of a multi-part territory the line never touches
    for piece in pieces:
        if shapely.intersection(piece, left_band).area > eps * eps:
            left.append(piece)
        elif shapely.intersection(piece, right_band).area > eps * eps:
            right.append(piece)
        else:
            apart.append(piece)
    if not left or not right:
        raise ValueError("the line must cross the territory completely to split it")
    (left if sum(p.area for p in left) >= sum(p.area for p in right) else right).extend(apart)
    # faces of the territory's holes were left out above; the faces tile the rest exactly
    return dissolve(_arr(left)), dissolve(_arr(right))


def _arr(polys: Sequence[BaseGeometry]) -> npt.NDArray[np.object_]:
    out = np.empty(len(polys), dtype=object)
    out[:] = list(polys)
    return out


def faces_of(boundary: BaseGeometry, line: BaseGeometry) -> list[Polygon]:
    """The faces the noded union of ``boundary`` and ``line`` encloses (dangling ends dropped)."""
    noded = shapely.get_parts(shapely.union(boundary, line))
    return list(shapely.get_parts(shapely.polygonize(noded)))


def merge_polygons(geoms: Sequence[BaseGeometry | None]) -> MultiPolygon:
    """One shape covering all of ``geoms`` (fast coverage union, exact union as fallback)."""
    present = [g for g in geoms if g is not None and not g.is_empty]
    return dissolve(_arr(present))


def fill_holes(geom: BaseGeometry, at: tuple[float, float] | None = None) -> MultiPolygon:
    """``geom`` with its holes filled: the hole containing ``at`` only, or all of them.

    Raises ValueError when ``at`` is given and lies in no hole.
    """
    parts = []
    found = at is None
    for poly in as_multipolygon(geom).geoms:
        keep = []
        for ring in poly.interiors:
            if at is None:
                continue
            if Polygon(ring).contains(Point(at)):
                found = True
                continue
            keep.append(ring)
        parts.append(Polygon(poly.exterior, keep))
    if not found:
        raise ValueError("there is no hole at that point")
    return MultiPolygon(parts)


def holes(geom: BaseGeometry) -> list[Polygon]:
    """The holes of ``geom`` as polygons (to list or highlight them)."""
    return [Polygon(r) for poly in as_multipolygon(geom).geoms for r in poly.interiors]
