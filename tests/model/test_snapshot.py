"""Project.snapshot(): the frozen copy a background autosave writes while editing goes on."""

from __future__ import annotations

import numpy as np
import shapely

from terradesk.edit import (
    History,
    add_owner,
    assign_units,
    create_territory,
    rename_territory,
    set_account_values,
    set_owner_property,
    set_project_meta,
)
from terradesk.model import Project, ReferenceLayer
from tests.factories import grid_project


def _project() -> Project:
    project = grid_project(accounts=20)
    project.reference_layers["r1"] = ReferenceLayer(
        "Sites", "point", np.array([shapely.Point(1, 2), None], dtype=object),
        {"kind": np.array(["a", "b"], dtype=object)}, id="r1",
    )
    return project


def test_the_copy_holds_the_same_state_and_no_listeners() -> None:
    project = _project()
    project.changed.connect(lambda change: None)
    copy = project.snapshot()
    assert copy is not project and copy.state() == project.state()
    assert len(copy.changed) == 0
    assert copy.meta.revision_id == project.meta.revision_id


def test_later_edits_to_the_original_leave_the_copy_alone() -> None:
    project = _project()
    before = project.state()
    copy = project.snapshot()
    history = History(project)
    al = project.active_alignment
    assert al is not None
    first, second = list(al.territories)[:2]
    history.push(rename_territory(project, al.id, first, "Renamed"))
    assign = assign_units(project, al.id, np.arange(0, 24, 5), second)
    assert assign is not None
    history.push(assign)
    history.push(set_account_values(project, [project.accounts.ids[0]], "revenue", [123.0]))
    history.push(set_project_meta(project, "name", "Changed"))
    owner = next(iter(project.owners))
    history.push(set_owner_property(project, owner, "capacity", 5.0))
    history.push(add_owner(project, "Grace"))
    history.push(create_territory(project, al.id, "New one"))
    project.accounts.set_values("name", [1], ["Renamed account"])
    project.units.set_values("geometry", [0], [shapely.box(0, 0, 1, 1)])
    project.reference_layers["r1"].name = "Renamed layer"
    project.reference_layers["r1"].fields["kind"][0] = "z"
    assert project.state() != before
    assert copy.state() == before


def test_edits_to_the_copy_do_not_reach_the_original() -> None:
    project = _project()
    before = project.state()
    copy = project.snapshot()
    al = copy.active_alignment
    assert al is not None
    al.set_keys([0, 1, 2], al.key(list(al.territories)[-1]))
    al.geometry_cache.clear()
    copy.meta.revision_id = "other"
    assert project.state() == before
    assert project.active_alignment is not None and project.active_alignment.geometry_cache is not al.geometry_cache
