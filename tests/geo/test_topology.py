"""Topological vertex editing keeps a coverage of territories gap- and overlap-free."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st
from shapely.geometry import box

from terradesk.geo import topology
from terradesk.geo.check import check_coverage


def grid(n: int = 3) -> dict[tuple[int, int], shapely.Polygon]:
    return {(i, j): box(i, j, i + 1, j + 1) for i in range(n) for j in range(n)}


def assert_clean_coverage(geoms: dict, total: float | None = None) -> None:
    arr = list(geoms.values())
    assert all(g.is_valid for g in arr)
    assert shapely.coverage_is_valid(arr)
    for a in range(len(arr)):
        for b in range(a + 1, len(arr)):
            assert shapely.intersection(arr[a], arr[b]).area == pytest.approx(0.0, abs=1e-12)
    if total is not None:
        assert shapely.union_all(arr).area == pytest.approx(total)


inside = st.floats(min_value=0.01, max_value=1.99, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(x=inside, y=inside)
def test_moving_an_interior_vertex_moves_it_in_all_four_squares(x: float, y: float) -> None:
    geoms = grid()
    moved = topology.move_vertex(geoms, 1.0, 1.0, x, y)
    assert set(moved) == {(0, 0), (1, 0), (0, 1), (1, 1)}
    after = {**geoms, **moved}
    assert_clean_coverage(after, total=9.0)
    assert sum(g.area for g in after.values()) == pytest.approx(9.0)


@settings(max_examples=40, deadline=None)
@given(t=st.floats(min_value=0.05, max_value=0.95), dx=st.floats(min_value=-0.9, max_value=0.9))
def test_inserted_vertex_is_shared_and_can_be_dragged(t: float, dx: float) -> None:
    geoms = grid()
    added = topology.insert_vertex(geoms, (1.0, 1.0), (1.0, 2.0), (1.0, 1.0 + t))
    assert set(added) == {(0, 1), (1, 1)}
    after = {**geoms, **added}
    assert_clean_coverage(after, total=9.0)
    after.update(topology.move_vertex(after, 1.0, 1.0 + t, 1.0 + dx, 1.0 + t))
    assert_clean_coverage(after, total=9.0)


def test_delete_vertex_removes_it_everywhere_and_undoes_an_insert() -> None:
    geoms = grid()
    after = {**geoms, **topology.insert_vertex(geoms, (1.0, 1.0), (1.0, 2.0), (1.0, 1.5))}
    after.update(topology.delete_vertex(after, 1.0, 1.5))
    for k, g in geoms.items():
        assert after[k].normalize().equals_exact(g.normalize(), 0)


def test_deleting_a_junction_vertex_leaves_a_gap_the_check_finds() -> None:
    geoms = grid()
    after = {**geoms, **topology.delete_vertex(geoms, 1.0, 1.0)}
    gaps = [i for i in check_coverage(after) if i.kind == "gap"]
    assert len(gaps) == 1
    assert gaps[0].location[0] == pytest.approx(1.0, abs=0.5)


def test_refuses_to_delete_a_corner_of_a_triangle_and_unknown_vertices() -> None:
    tri = {"t": shapely.Polygon([(0, 0), (1, 0), (0, 1)])}
    with pytest.raises(ValueError, match="three corners"):
        topology.delete_vertex(tri, 1.0, 0.0)
    with pytest.raises(ValueError, match="no vertex"):
        topology.begin_drag(grid(), 0.5, 0.5)
    with pytest.raises(ValueError, match="no segment"):
        topology.insert_vertex(grid(), (0.0, 0.0), (3.0, 3.0), (1.5, 1.5))


def test_drag_preview_changes_only_the_vertex_rows_and_keeps_originals() -> None:
    geoms = grid()
    drag = topology.begin_drag(geoms, 1.0, 1.0)
    first = drag.preview(1.2, 1.3)
    second = drag.preview(0.9, 0.8)
    assert geoms[(0, 0)].equals(box(0, 0, 1, 1))  # originals untouched
    assert (0.9, 0.8) in list(second[(0, 0)].exterior.coords)
    assert (1.2, 1.3) in list(first[(0, 0)].exterior.coords)
    # a ring's closing vertex moves together with its first one
    ring = np.asarray(second[(1, 1)].exterior.coords)
    assert tuple(ring[0]) == tuple(ring[-1])


def test_nearest_vertex_and_segment_respect_tolerance() -> None:
    sq = box(0, 0, 10, 10)
    assert topology.nearest_vertex(sq, 9.5, 9.6, 1.0) == (10.0, 10.0)
    assert topology.nearest_vertex(sq, 5, 5, 1.0) is None
    hit = topology.nearest_segment(sq, 4.0, 0.3, 0.5)
    assert hit is not None and hit[2] == (4.0, 0.0)
    assert topology.nearest_segment(sq, 4.0, 3.0, 0.5) is None


def test_topological_points_are_added_to_the_neighbour() -> None:
    a, b = box(0, 0, 1, 1), box(1, 0, 2, 1)
    cut = shapely.Polygon([(0, 0), (1, 0), (1, 0.5), (0, 0.5)])  # a new vertex (1, 0.5) on b's edge
    out = topology.add_topological_points({"a": cut}, {"a": a, "b": b}, 1e-9)
    assert set(out) == {"b"}
    assert (1.0, 0.5) in list(out["b"].exterior.coords)
    assert out["b"].area == pytest.approx(1.0)
