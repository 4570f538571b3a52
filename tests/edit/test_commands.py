"""Each edit verb: apply, revert, labels, refusals."""

from __future__ import annotations

import numpy as np
import pytest
import shapely

from terradesk import edit
from terradesk.edit import History
from terradesk.geo.dissolve import territory_geometry
from terradesk.model import AccountLayer
from tests.factories import grid_project


def make() -> tuple:
    project = grid_project(nx=6, ny=4, territories=3, accounts=20)
    history = History(project)
    al = project.active_alignment
    assert al is not None
    return project, history, al


def test_assign_is_one_step_with_a_label_naming_what_it_did() -> None:
    project, history, al = make()
    t1, t2, _ = list(al.territories)
    units = al.units_of(t1)[:3]
    before = project.state()
    history.push(edit.assign_units(project, al.id, units, t2))
    assert history.undo_label == "Assign 3 units to T2"
    assert set(units) <= set(al.units_of(t2))
    history.undo()
    assert project.state() == before


def test_assign_to_same_territory_adds_no_step() -> None:
    project, _history, al = make()
    t1 = next(iter(al.territories))
    assert edit.assign_units(project, al.id, al.units_of(t1), t1) is None


def test_locked_territories_keep_their_units() -> None:
    project, history, al = make()
    t1, t2, _ = list(al.territories)
    history.push(edit.set_territory_property(project, al.id, t1, "locked", True))
    assert history.undo_label == "Lock territory T1"
    mixed = np.concatenate([al.units_of(t1)[:2], al.units_of(t2)[:2]])
    t3 = list(al.territories)[2]
    cmd = edit.assign_units(project, al.id, mixed, t3)
    assert cmd is not None and len(cmd.units) == 2
    with pytest.raises(ValueError, match="locked"):
        edit.assign_units(project, al.id, al.units_of(t2), t1)


def test_dissolved_geometry_follows_assignment_and_undo() -> None:
    project, history, al = make()
    t1, t2, _ = list(al.territories)
    area_before = territory_geometry(project, al, t1).area
    history.push(edit.assign_units(project, al.id, al.units_of(t2)[:1], t1))
    assert territory_geometry(project, al, t1).area == pytest.approx(area_before + 1e6)
    history.undo()
    assert territory_geometry(project, al, t1).area == pytest.approx(area_before)


def test_delete_territory_unassigns_and_undo_restores_units_and_pins() -> None:
    project, history, al = make()
    t1 = next(iter(al.territories))
    acc = project.accounts.ids[0]
    history.push(edit.pin_accounts(project, al.id, [acc], t1))
    before = project.state()
    units = al.units_of(t1)
    history.push(edit.delete_territory(project, al.id, t1))
    assert t1 not in al.territories and (al.assignment[units] == -1).all()
    assert acc not in al.pins
    history.undo()
    assert project.state() == before


def test_property_merge_only_for_continuous_edits() -> None:
    project, history, al = make()
    t1 = next(iter(al.territories))
    history.push(edit.rename_territory(project, al.id, t1, "North"))
    history.push(edit.rename_territory(project, al.id, t1, "North-West"))
    assert len(history) == 2
    history.push(edit.set_territory_property(project, al.id, t1, "colour", "#112233", continuous=True))
    history.push(edit.set_territory_property(project, al.id, t1, "colour", "#445566", continuous=True))
    assert len(history) == 3
    history.undo()
    assert al.territory(t1).colour != "#445566" and al.territory(t1).colour != "#112233"


def test_bad_property_values_are_refused() -> None:
    project, _history, al = make()
    t1 = next(iter(al.territories))
    with pytest.raises(ValueError, match="#rrggbb"):
        edit.set_territory_property(project, al.id, t1, "colour", "blue")
    with pytest.raises(ValueError, match="name"):
        edit.rename_territory(project, al.id, t1, "   ")
    with pytest.raises(ValueError, match="owner"):
        edit.set_territory_property(project, al.id, t1, "owner_id", "nobody")
    with pytest.raises(ValueError, match="unknown"):
        edit.set_territory_property(project, al.id, t1, "geometry", None)


def test_alignment_verbs_round_trip() -> None:
    project, history, al = make()
    before = project.state()
    history.push(edit.duplicate_alignment(project, al.id))
    twin = list(project.alignments.values())[1]
    assert twin.name == "Sales (copy)"
    history.push(edit.rename_alignment(project, twin.id, "Sales 2027"))
    with pytest.raises(ValueError, match="exists"):
        edit.rename_alignment(project, twin.id, "Sales")
    history.push(edit.add_alignment(project, "Partners", kind="freeform"))
    history.push(edit.remove_alignment(project, al.id))
    assert project.active_alignment_id != al.id
    history.undo_all()
    assert project.state() == before


def test_freeform_geometry_is_set_by_command_and_unit_plans_refuse() -> None:
    project, history, al = make()
    with pytest.raises(ValueError, match="units"):
        edit.set_territory_geometry(project, al.id, next(iter(al.territories)), shapely.box(0, 0, 1, 1))
    history.push(edit.add_alignment(project, "Drawn", kind="freeform"))
    drawn = project.alignment_by_name("Drawn")
    history.push(edit.create_territory(project, drawn.id, "Area 1"))
    tid = next(iter(drawn.territories))
    history.push(edit.set_territory_geometry(project, drawn.id, tid, shapely.box(0, 0, 10, 10)))
    assert territory_geometry(project, drawn, tid).area == 100
    history.undo()
    assert drawn.territory(tid).geometry is None


def test_accounts_add_edit_remove_and_undo() -> None:
    project, history, _al = make()
    before = project.state()
    rows = AccountLayer(
        {"id": ["20000000-0000-4000-8000-000000000001"], "name": ["New"], "x": [4e6], "y": [3e6]},
        {"revenue": [10.0], "tier": ["gold"]},
    )
    history.push(edit.add_accounts(project, rows))
    assert len(project.accounts) == 21 and project.accounts.fields["tier"][-1] == "gold"
    with pytest.raises(ValueError, match="exist"):
        edit.add_accounts(project, rows)
    ids = list(project.accounts.ids[:3])
    history.push(edit.set_account_values(project, ids, "revenue", 0.0))
    assert (project.accounts.fields["revenue"][:3] == 0).all()
    history.push(edit.remove_accounts(project, ids))
    assert len(project.accounts) == 18
    history.undo_all()
    assert project.state() == before


def test_owner_removal_clears_and_restores_territory_owner() -> None:
    project, history, al = make()
    owner = next(iter(project.owners))
    t1 = next(iter(al.territories))
    history.push(edit.set_territory_property(project, al.id, t1, "owner_id", owner))
    history.push(edit.set_owner_property(project, owner, "capacity", 250))
    assert project.owners[owner].capacity == 250.0
    with pytest.raises(ValueError):
        edit.set_owner_property(project, owner, "capacity", -1)
    history.push(edit.remove_owner(project, owner))
    assert al.territory(t1).owner_id is None
    history.undo()
    assert al.territory(t1).owner_id == owner


def test_project_metadata_edit() -> None:
    project, history, _ = make()
    history.push(edit.set_project_meta(project, "name", "Sales plan 2027"))
    assert project.meta.name == "Sales plan 2027"
    history.undo()
    assert project.meta.name == "Grid"
    with pytest.raises(ValueError):
        edit.set_project_meta(project, "crs", "EPSG:4326")


def test_history_clean_state_and_redo_branch() -> None:
    project, history, al = make()
    t1 = next(iter(al.territories))
    history.set_clean()
    history.push(edit.rename_territory(project, al.id, t1, "A"))
    assert not history.is_clean
    history.undo()
    assert history.is_clean and history.redo_label == "Rename territory T1 to A"
    history.push(edit.rename_territory(project, al.id, t1, "B"))
    assert not history.can_redo and not history.is_clean
