"""Unit adjacency (rook: shared edges, not corners) and territories in several pieces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import shapely
import shapely.affinity
from shapely.geometry import box

from terradesk.analysis.contiguity import (
    Adjacency,
    components,
    non_contiguous_territories,
    territory_parts,
    unit_adjacency,
)
from terradesk.edit import History, assign_units
from terradesk.model import UnitLayer
from tests.factories import grid_project, grid_units

LIBPYSAL = Path(pytest.importorskip("libpysal").__file__).parent / "examples"


def layer(geoms: list[object]) -> UnitLayer:
    n = len(geoms)
    ids = np.array([f"u{i}" for i in range(n)], dtype=object)
    return UnitLayer({"id": ids, "code": ids.copy(), "name": ids.copy(), "geometry": np.array(geoms, dtype=object)})


def pairs(adj: Adjacency) -> set[tuple[int, int]]:
    return set(zip(adj.u.tolist(), adj.v.tolist(), strict=True))


def test_grid_neighbours_share_edges_and_corners_do_not_count() -> None:
    units = grid_units(3, 2)  # 0 1 2 / 3 4 5
    adj = unit_adjacency(units)
    assert pairs(adj) == {(0, 1), (1, 2), (3, 4), (4, 5), (0, 3), (1, 4), (2, 5)}
    assert sorted(adj.neighbours(4).tolist()) == [1, 3, 5]
    assert adj.to_scipy().sum() == 14  # symmetric


def test_neighbours_without_shared_vertices_are_found() -> None:
    big = box(0, 0, 2, 1)
    small_left, small_right = box(0, 1, 1, 2), box(1, 1, 2, 2)  # T-junction on big's top edge
    far = box(5, 5, 6, 6)
    corner = box(2, 1, 3, 2)  # touches big only at (2, 1), shares an edge with small_right
    adj = unit_adjacency(layer([big, small_left, small_right, far, corner]))
    assert pairs(adj) == {(0, 1), (0, 2), (1, 2), (2, 4)}
    assert pairs(unit_adjacency(layer([big, small_left, small_right]), method="edges")) == {(1, 2)}


def test_adjacency_is_cached_until_a_geometry_changes() -> None:
    units = grid_units(3, 3)
    first = unit_adjacency(units)
    assert unit_adjacency(units) is first
    units._set_all({"geometry": units.geometry.copy()})  # same shapes: the graph still holds
    assert unit_adjacency(units) is first
    far = shapely.affinity.translate(units.geometry[8], 1e6, 0)
    moved = units.geometry.copy()
    moved[8] = far
    units._set_all({"geometry": moved})  # a new column
    second = unit_adjacency(units)
    assert (5, 8) not in pairs(second) and (7, 8) not in pairs(second)
    units.set_values("geometry", [8], [first.geoms[8]])  # written in place
    assert pairs(unit_adjacency(units)) == pairs(first)
    units.geometry[4] = shapely.affinity.translate(units.geometry[4], 1e6, 0)  # a raw array write
    assert not any(4 in p for p in pairs(unit_adjacency(units)))


def test_shape_metrics_and_adjacency_share_one_segment_table() -> None:
    from terradesk.analysis.adjacency import layer_segments
    from terradesk.analysis.topology import CoverageTopology

    units = grid_units(3, 2)
    topo = CoverageTopology.of_layer(units, "EPSG:3035")
    assert CoverageTopology.of_layer(units, "EPSG:3035") is topo
    assert topo.occ_seg is layer_segments(units).seg
    adj = unit_adjacency(units)
    assert np.allclose(adj.edge_length, 1000.0)
    units.set_values("geometry", [0], [shapely.affinity.translate(units.geometry[0], 0, 1e6)])
    assert CoverageTopology.of_layer(units, "EPSG:3035") is not topo


def test_real_counties_match_libpysal_rook_weights() -> None:
    import pyogrio.raw

    _, _, wkb, data = pyogrio.raw.read(str(LIBPYSAL / "virginia" / "virginia.shp"), columns=["POLY_ID"])
    units = layer(list(shapely.from_wkb(wkb)))
    poly_id = data[0].astype(int)
    expected: set[tuple[int, int]] = set()
    lines = (LIBPYSAL / "virginia" / "virginia_rook.gal").read_text().split("\n")[1:]
    row = {pid: i for i, pid in enumerate(poly_id)}
    for head, body in zip(lines[0::2], lines[1::2], strict=False):
        if not head.strip():
            continue
        a = row[int(head.split()[0])]
        for b in body.split():
            expected.add((min(a, row[int(b)]), max(a, row[int(b)])))
    assert pairs(unit_adjacency(units)) == expected


def test_components_label_each_piece() -> None:
    labels = components(6, np.array([0, 1, 3]), np.array([1, 2, 4]))
    assert labels.tolist() == [0, 0, 0, 3, 3, 5]


def test_split_territory_is_reported_with_its_piece_count() -> None:
    project = grid_project(6, 4, territories=3)
    al = project.active_alignment
    assert al is not None
    parts = territory_parts(project, al.id)
    assert set(parts.values()) == {1}
    assert non_contiguous_territories(project, al.id) == {}
    t1 = next(iter(al.territories))
    # an enclave of T1 inside T3's strip (columns 4-5), and one unit diagonal to it
    command = assign_units(project, al.id, [4, 6 * 2 + 5], t1)
    assert command is not None
    History(project).push(command)
    assert non_contiguous_territories(project, al.id) == {t1: 3}


def test_empty_territory_has_no_parts() -> None:
    project = grid_project(4, 2, territories=2)
    al = project.active_alignment
    assert al is not None
    from terradesk.edit import create_territory

    History(project).push(create_territory(project, al.id, "Empty"))
    assert territory_parts(project, al.id)[list(al.territories)[-1]] == 0


def test_multipart_and_missing_units_are_handled_by_edge_hashing() -> None:
    island_pair = shapely.MultiPolygon([box(0, 0, 1, 1), box(5, 0, 6, 1)])  # two parts, far apart
    left_of_far_part = box(4, 0, 5, 1)  # shares the far part's left edge, vertex for vertex
    units = layer([island_pair, left_of_far_part, None, box(0, 1, 1, 2)])
    adj = unit_adjacency(units, method="edges")
    assert pairs(adj) == {(0, 1), (0, 3)}
    assert np.allclose(adj.edge_length, 1.0)
    assert adj.neighbours(2).tolist() == []


def test_all_three_methods_agree_on_a_clean_coverage() -> None:
    units = grid_units(4, 3)
    found = [pairs(unit_adjacency(units, method=m)) for m in ("auto", "edges", "strtree")]
    assert found[0] == found[1] == found[2]
    with pytest.raises(ValueError, match="unknown adjacency method"):
        unit_adjacency(units, method="queen")  # type: ignore[arg-type]
