"""The domain model: column tables, alignments, events."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from terradesk.model import AccountLayer, Alignment, ChangeKind, Owner, Territory, UnitLayer
from terradesk.model.ids import is_uuid, new_id
from tests.factories import grid_project, grid_units


def test_new_ids_are_canonical_uuids() -> None:
    ids = {new_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(is_uuid(i) for i in ids)
    assert not is_uuid("not-a-uuid")


def test_column_lengths_must_match() -> None:
    with pytest.raises(ValueError, match="rows"):
        UnitLayer({"id": ["a", "b"], "code": ["1"], "name": ["x", "y"], "geometry": [None, None]})


def test_reserved_field_names_are_refused() -> None:
    with pytest.raises(ValueError, match="reserved"):
        AccountLayer({"id": ["a"], "name": ["n"], "x": [0.0], "y": [0.0]}, {"x": [1.0]})


def test_delete_then_insert_restores_rows_in_place() -> None:
    units = grid_units(4, 3)
    before = units.state()
    removed = units.delete_rows([1, 5, 7])
    assert len(units) == 9
    assert list(removed.codes) == ["00001", "00005", "00007"]
    units.insert_rows(removed, [1, 5, 7])
    assert units.state() == before
    assert units.index_of(units.ids[5]) == 5


def test_insert_rows_fills_missing_fields_with_nulls() -> None:
    acc = AccountLayer({"id": ["a"], "name": ["A"], "x": [0.0], "y": [1.0]}, {"revenue": [5.0]})
    acc.insert_rows(AccountLayer({"id": ["b"], "name": ["B"], "x": [2.0], "y": [3.0]}, {"segment": ["retail"]}))
    assert np.isnan(acc.fields["revenue"][1])
    assert acc.fields["segment"].tolist() == [None, "retail"]


def test_numeric_and_text_fields_are_typed() -> None:
    units = grid_units(2, 2)
    assert units.numeric_fields() == ["population", "potential"]
    units.add_field("label", ["a", "b", "c", "d"])
    assert units.fields["label"].dtype == object
    with pytest.raises(ValueError, match="exists"):
        units.add_field("label", ["a", "b", "c", "d"])


def test_territory_refuses_bad_colour() -> None:
    with pytest.raises(ValueError, match="#rrggbb"):
        Territory(name="North", colour="red")
    assert Territory(name="N", colour="#AABBCC").colour == "#aabbcc"


def test_owner_refuses_unknown_role() -> None:
    with pytest.raises(ValueError, match="role"):
        Owner(name="Bo", role="boss")


def test_alignment_keys_are_never_reused() -> None:
    al = Alignment(name="Plan")
    a, b = Territory(name="A"), Territory(name="B")
    al.insert_territory(a)
    al.insert_territory(b)
    al.remove_territory(a.id)
    c = Territory(name="C")
    al.insert_territory(c)
    assert len({al.key(a.id), al.key(b.id), al.key(c.id)}) == 3


def test_clone_copies_assignment_with_new_ids() -> None:
    project = grid_project()
    al = project.active_alignment
    assert al is not None
    twin = al.clone("Copy")
    assert twin.id != al.id
    assert set(twin.territories).isdisjoint(al.territories)
    names = [twin.territory(t).name if t else None for t in twin.assignment_by_id()]
    assert names == [al.territory(t).name if t else None for t in al.assignment_by_id()]
    twin.set_keys([0], -1)
    assert al.assignment[0] != -1  # the copy is independent


def test_set_keys_invalidates_only_touched_geometry() -> None:
    project = grid_project(territories=3)
    al = project.active_alignment
    assert al is not None
    t1, t2, t3 = list(al.territories)
    for t in (t1, t2, t3):
        al.geometry_cache[t] = shapely.Point(0, 0)
    touched = al.set_keys(al.units_of(t1)[:1], al.key(t2))
    assert touched == {t1, t2}
    assert t3 in al.geometry_cache and t1 not in al.geometry_cache


def test_project_announces_alignment_changes() -> None:
    project = grid_project()
    seen = []
    project.changed.connect(lambda change: seen.append(change.kind))
    al = Alignment(name="Support")
    project.insert_alignment(al)
    project.set_active_alignment(al.id)
    assert seen == [ChangeKind.ALIGNMENTS, ChangeKind.ACTIVE_ALIGNMENT]
    assert len(al.assignment) == len(project.units)
