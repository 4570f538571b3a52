"""Snapping to vertices and segments of territory and unit shapes."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import MultiPolygon, box

from terradesk.geo.snap import SnapIndex


def index() -> SnapIndex:
    territories = {"t1": box(0, 0, 10, 10), "t2": MultiPolygon([box(10, 0, 20, 10), box(30, 0, 31, 1)]), "none": None}
    units = np.array([box(0, 20, 5, 25), None], dtype=object)
    return SnapIndex.build(territories, units)


def test_vertex_wins_over_a_nearer_segment_within_tolerance() -> None:
    idx = index()
    hit = idx.snap(9.0, 0.2, tolerance=1.5)
    assert hit is not None and hit.kind == "vertex" and hit.point == (10.0, 0.0)
    assert hit.source in {("territory", "t1"), ("territory", "t2")}
    seg = idx.snap(5.0, 0.3, tolerance=1.0)
    assert seg is not None and seg.kind == "segment" and seg.point == (5.0, 0.0)
    assert seg.distance == pytest.approx(0.3)


def test_nothing_outside_tolerance_and_sources_of_units_and_parts() -> None:
    idx = index()
    assert len(idx) == 3
    assert idx.snap(5.0, 5.0, tolerance=1.0) is None
    assert idx.snap(5.0, 5.0, tolerance=0.0) is None
    unit = idx.snap(2.0, 24.9, tolerance=0.5)
    assert unit is not None and unit.source == ("unit", 0) and unit.kind == "segment"
    part = idx.snap(31.2, 1.1, tolerance=0.5)
    assert part is not None and part.point == (31.0, 1.0) and part.source == ("territory", "t2")


def test_exclusions_for_the_dragged_vertex() -> None:
    idx = index()
    hit = idx.snap(0.1, 0.1, tolerance=2.0, exclude_point=(0.0, 0.0))
    # neither the vertex itself nor the segments touching it
    assert hit is None
    only_t2 = idx.snap(9.9, 5.0, tolerance=0.5, exclude=[("territory", "t1")])
    assert only_t2 is not None and only_t2.source == ("territory", "t2")
    assert idx.snap(9.0, 0.2, tolerance=1.5, vertices=False).kind == "segment"  # type: ignore[union-attr]


def test_empty_index() -> None:
    assert SnapIndex.build({}, None).snap(0, 0, 1.0) is None
