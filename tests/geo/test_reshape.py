"""Reshape, draw (clip/take), translate, and units inside a drawn shape."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import LineString, box

from terradesk.geo import reshape

A, B = box(0, 0, 1, 1), box(1, 0, 2, 1)


@settings(max_examples=60, deadline=None)
@given(
    x=st.floats(min_value=1.05, max_value=1.95),
    y1=st.floats(min_value=0.05, max_value=0.45),
    y2=st.floats(min_value=0.55, max_value=0.95),
)
def test_reshape_into_the_neighbour_preserves_the_pair_area(x: float, y1: float, y2: float) -> None:
    line = LineString([(0.5, y1), (x, y1), (x, y2), (0.5, y2)])
    a, changed = reshape.reshape(A, line, {"b": B})
    b = changed["b"]
    assert a.is_valid and b.is_valid
    assert a.area == pytest.approx(1 + (x - 1) * (y2 - y1))
    assert a.area + b.area == pytest.approx(2.0)
    assert shapely.intersection(a, b).area == pytest.approx(0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(x=st.floats(min_value=0.55, max_value=0.95))
def test_reshape_line_inside_gives_the_cut_piece_to_the_neighbour(x: float) -> None:
    a, changed = reshape.reshape(A, LineString([(x, -0.5), (x, 1.5)]), {"b": B})
    assert a.area == pytest.approx(x)
    assert changed["b"].area == pytest.approx(2 - x)
    assert a.area + changed["b"].area == pytest.approx(2.0)


def test_reshape_refuses_a_line_crossing_once_and_spares_protected() -> None:
    with pytest.raises(ValueError, match="at least twice"):
        reshape.reshape(A, LineString([(0.5, 0.5), (1.5, 0.5)]), {"b": B})
    line = LineString([(0.5, 0.2), (1.5, 0.2), (1.5, 0.8), (0.5, 0.8)])
    a, changed = reshape.reshape(A, line, {}, protected={"b": B})
    assert a.area == pytest.approx(1.0) and changed == {}


boxes = st.tuples(
    st.floats(min_value=-1, max_value=2.5), st.floats(min_value=-1, max_value=0.8),
    st.floats(min_value=0.1, max_value=2), st.floats(min_value=0.1, max_value=2),
)


@settings(max_examples=60, deadline=None)
@given(b=boxes, take=st.booleans())
def test_drawn_shape_never_overlaps(b: tuple[float, float, float, float], take: bool) -> None:
    drawn = box(b[0], b[1], b[0] + b[2], b[1] + b[3])
    shape, changed = reshape.place_shape(drawn, {"a": A, "b": B}, "take" if take else "clip")
    after = {"a": A, "b": B, **changed, "new": shape}
    geoms = list(after.values())
    for i in range(len(geoms)):
        for j in range(i + 1, len(geoms)):
            assert shapely.intersection(geoms[i], geoms[j]).area == pytest.approx(0, abs=1e-12)
    if take:
        assert shape.area == pytest.approx(drawn.area)
    else:
        assert shape.area == pytest.approx(drawn.difference(shapely.union(A, B)).area)
    assert shapely.union_all(geoms).area == pytest.approx(shapely.union_all([A, B, drawn]).area)


def test_place_shape_refuses_unknown_mode_and_translate_clips() -> None:
    with pytest.raises(ValueError, match="mode"):
        reshape.place_shape(A, {}, "steal")  # type: ignore[arg-type]
    moved = reshape.translate(A, 0.5, 0, {"b": B})
    assert moved.area == pytest.approx(0.5)


def test_units_inside_uses_representative_points() -> None:
    units = np.array([box(i, 0, i + 1, 1) for i in range(5)], dtype=object)
    pts = reshape.representative_points(units)
    assert pts.shape == (5, 2)
    got = reshape.units_inside(box(0.9, -1, 3.2, 2), pts)
    assert got.tolist() == [1, 2]
    assert len(reshape.units_inside(shapely.Polygon(), pts)) == 0
