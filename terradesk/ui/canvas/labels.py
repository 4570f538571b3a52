"""Where a territory's name goes: several candidate anchors, tried in order.

``point_on_surface`` alone often lands where a bigger neighbour's label already sits,
and the territory then shows no name at all. A planner reads the map by its names, so
before dropping a label we try the pole of inaccessibility (``shapely.ops.polylabel``, the
point deepest inside), the centroid and surface point of the largest part, and those
points nudged up and down by a line; then the name on two lines, and a smaller
font as the last resort. A candidate is
used only when the whole label box lies inside the territory (the first one excepted,
which keeps the old behaviour for thin shapes), so names never float over a neighbour.
"""

from __future__ import annotations

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import polylabel

#: Label sizes (points) tried in turn: the normal one, then the last resort.
LABEL_SIZES = (9.0, 7.5)
#: A placed label: map x, map y and (optionally) the font size and line count it was drawn at.
PlacedLabel = tuple[float, ...]


def wrapped(name: str) -> str:
    """``name`` on two lines, broken at the space nearest its middle ("Yarelby\nNorth-East")."""
    spaces = [i for i, ch in enumerate(name) if ch == " "]
    if not spaces:
        return name
    cut = min(spaces, key=lambda i: abs(i - len(name) / 2))
    return name[:cut] + "\n" + name[cut + 1:]


def _largest_part(geom: BaseGeometry) -> BaseGeometry:
    parts = shapely.get_parts(geom)
    if len(parts) <= 1:
        return geom
    return max(parts, key=lambda p: p.area)


def candidate_anchors(geom: BaseGeometry, first: tuple[float, float] | None) -> list[tuple[float, float]]:
    """Anchor points inside ``geom`` worth trying, best first (``first`` leads when given)."""
    if geom is None or geom.is_empty:
        return []
    out: list[tuple[float, float]] = []
    if first is not None:
        out.append(first)
    part = _largest_part(geom)
    try:
        tol = max(part.area ** 0.5 / 100.0, 1e-9)
        pole = polylabel(part, tolerance=tol) if part.geom_type == "Polygon" else None
    except (shapely.errors.GEOSException, ValueError):
        pole = None
    points = [pole, part.centroid, shapely.point_on_surface(part)]
    for p in points:
        if p is None or p.is_empty or not shapely.contains_xy(geom, p.x, p.y):
            continue
        xy = (float(p.x), float(p.y))
        if all(abs(xy[0] - q[0]) + abs(xy[1] - q[1]) > 0 for q in out):
            out.append(xy)
    return out


def box_inside(geom: BaseGeometry, x0: float, y0: float, x1: float, y1: float) -> bool:
    """True when the map box's corners and edge midpoints all lie inside ``geom``."""
    xs = [x0, x1, x1, x0, (x0 + x1) / 2, (x0 + x1) / 2, x0, x1]
    ys = [y0, y0, y1, y1, y0, y1, (y0 + y1) / 2, (y0 + y1) / 2]
    return bool(shapely.contains_xy(geom, xs, ys).all())
