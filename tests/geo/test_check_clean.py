"""Coverage check (overlaps, gaps, invalid shapes) and repairs (make_valid, slivers)."""

from __future__ import annotations

import pytest
import shapely
from shapely.geometry import MultiPolygon, Polygon, box

from terradesk.geo.check import check_coverage
from terradesk.geo.clean import absorb_slivers, invalid_location, repair

BOWTIE = Polygon([(0, 0), (2, 2), (2, 0), (0, 2)])


def test_check_lists_overlap_gap_and_invalid_with_locations() -> None:
    geoms = {
        "a": box(0, 0, 2, 2),
        "b": box(1.5, 0, 4, 2),  # overlaps a on [1.5, 2]
        "c": Polygon(box(0, 2, 4, 6).exterior, [box(1, 3, 2, 4).exterior]),  # an empty hole: a gap
        "d": Polygon([(10, 0), (12, 2), (12, 0), (10, 2)]),
        "e": None,
    }
    issues = check_coverage(geoms, names={"a": "North", "b": "South"})
    kinds = sorted(i.kind for i in issues)
    assert kinds == ["gap", "invalid", "overlap"]
    overlap = next(i for i in issues if i.kind == "overlap")
    assert set(overlap.keys) == {"a", "b"} and overlap.area == pytest.approx(1.0)
    assert "North and South overlap" in overlap.message
    assert 1.5 <= overlap.location[0] <= 2
    gap = next(i for i in issues if i.kind == "gap")
    assert gap.area == pytest.approx(1.0) and gap.keys == ("c",)
    assert box(1, 3, 2, 4).contains(shapely.Point(gap.location))
    invalid = next(i for i in issues if i.kind == "invalid")
    assert invalid.keys == ("d",) and invalid.location == (11.0, 1.0)
    assert "Self-intersection" in invalid.message


def test_check_clean_coverage_and_min_area() -> None:
    grid = {i: box(i, 0, i + 1, 1) for i in range(4)}
    assert check_coverage(grid) == []
    assert check_coverage({"a": box(0, 0, 1, 1), "b": box(0.999, 0, 2, 1)}, min_area=0.01) == []


def test_repair_reports_and_keeps_only_area() -> None:
    fixed, rep = repair(BOWTIE, "x")
    assert fixed.is_valid and fixed.area == pytest.approx(2.0)
    assert rep is not None and rep.location == (1.0, 1.0)
    assert "Repaired the shape of Bowtie: Self-intersection" in rep.message("Bowtie")
    same, none = repair(box(0, 0, 1, 1))
    assert none is None and isinstance(same, MultiPolygon)
    assert repair(None) == (MultiPolygon(), None)
    assert invalid_location("Ring Self-intersection") is None


def test_slivers_go_to_the_neighbour_with_the_longest_shared_edge() -> None:
    sliver = box(2, 0, 2.00001, 1)  # a hair of a, right of b
    geoms = {
        "a": MultiPolygon([box(0, 0, 1, 1), sliver]),
        "b": box(1, 0, 2, 1),  # shares 1.0 of the sliver's outline
        "c": box(2.00001, 0.5, 3, 0.6),  # shares 0.1
    }
    out, moves = absorb_slivers(geoms, {"a"})
    assert [(m.source, m.target) for m in moves] == [("a", "b")]
    assert out["a"].area == pytest.approx(1.0)
    assert out["b"].area == pytest.approx(1.00001)
    assert "c" not in out


def test_lone_sliver_without_neighbour_is_dropped_and_big_parts_kept() -> None:
    geoms = {"a": MultiPolygon([box(0, 0, 10, 10), box(20, 0, 20.01, 0.01)])}
    out, moves = absorb_slivers(geoms)
    assert out["a"].area == pytest.approx(100) and moves[0].target is None
    two = {"a": MultiPolygon([box(0, 0, 10, 10), box(20, 0, 25, 5)])}
    assert absorb_slivers(two) == ({}, [])
