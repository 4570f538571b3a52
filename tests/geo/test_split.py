"""Split a shape with a line, merge it back, fill holes."""

from __future__ import annotations

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, Point, Polygon, box

from terradesk.geo.split import fill_holes, holes, merge_polygons, split_polygon

coord = st.floats(min_value=-50, max_value=50, allow_nan=False)


@st.composite
def blobs(draw: st.DrawFn) -> Polygon:
    """Convex hulls of random points, sometimes with a hole."""
    pts = draw(st.lists(st.tuples(coord, coord), min_size=4, max_size=12, unique=True))
    hull = shapely.MultiPoint(pts).convex_hull
    if not isinstance(hull, Polygon) or hull.area < 50:
        hull = box(-20, -20, 20, 20)
    if draw(st.booleans()):
        c = hull.centroid
        hole = Point(c.x, c.y).buffer(min(2.0, hull.area**0.5 / 20), quad_segs=4)
        if hull.contains(hole):
            hull = Polygon(hull.exterior, [hole.exterior])
    return hull


@settings(max_examples=80, deadline=None)
@given(shape=blobs(), angle=st.floats(min_value=0, max_value=3.1), offset=st.floats(min_value=-0.4, max_value=0.4))
def test_split_then_merge_restores_the_area(shape: Polygon, angle: float, offset: float) -> None:
    import math

    c = shape.centroid
    x0, y0, x1, y1 = shape.bounds
    r = max(x1 - x0, y1 - y0) * 2
    # a line through a point near the centre, reaching well beyond the shape
    px, py = c.x + offset * (x1 - x0) / 2, c.y
    dx, dy = math.cos(angle) * r, math.sin(angle) * r
    line = LineString([(px - dx, py - dy), (px + dx, py + dy)])
    try:
        a, b = split_polygon(shape, line)
    except ValueError:
        return  # the line missed (through the hole, or past a thin hull): refusing is right
    assert a.area > 0 and b.area > 0
    assert a.area + b.area == pytest.approx(shape.area, rel=1e-9)
    assert shapely.intersection(a, b).area == pytest.approx(0, abs=1e-9 * shape.area)
    merged = merge_polygons([a, b])
    assert merged.area == pytest.approx(shape.area, rel=1e-9)
    assert shapely.symmetric_difference(merged, shape).area == pytest.approx(0, abs=1e-9 * shape.area)


def test_split_groups_a_zigzag_by_side_and_keeps_untouched_parts_on_the_larger_side() -> None:
    shape = shapely.MultiPolygon([box(0, 0, 10, 10), box(20, 0, 21, 1)])
    line = LineString([(3, -1), (3, 11)])
    a, b = split_polygon(shape, line)
    left, right = (a, b) if a.area < b.area else (b, a)
    assert left.area == pytest.approx(30)
    assert right.area == pytest.approx(71)  # 70 + the small square the line never touched


def test_split_refuses_a_line_that_does_not_cross() -> None:
    with pytest.raises(ValueError, match="cross the territory completely"):
        split_polygon(box(0, 0, 10, 10), LineString([(5, -1), (5, 5)]))
    with pytest.raises(ValueError, match="at least two points"):
        split_polygon(box(0, 0, 10, 10), LineString())


def test_fill_one_hole_or_all() -> None:
    shape = Polygon(box(0, 0, 10, 10).exterior, [box(1, 1, 2, 2).exterior, box(5, 5, 6, 6).exterior])
    assert len(holes(shape)) == 2
    one = fill_holes(shape, (1.5, 1.5))
    assert one.area == pytest.approx(99) and len(holes(one)) == 1
    assert fill_holes(shape).area == pytest.approx(100)
    with pytest.raises(ValueError, match="no hole"):
        fill_holes(shape, (8, 8))
