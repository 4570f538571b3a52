"""Re-importing units into a project: plans survive by unit code, one undo step."""

from __future__ import annotations

import numpy as np
import shapely

from terradesk.edit import History
from terradesk.edit.units import replace_units
from terradesk.model import UnitLayer
from tests.factories import grid_project


def new_units(codes: list[str], shift: float = 0.0) -> UnitLayer:
    n = len(codes)
    geoms = shapely.box(np.arange(n) * 1000.0 + shift, 0, np.arange(n) * 1000.0 + 1000 + shift, 1000)
    return UnitLayer(
        {"id": [f"new-{c}" for c in codes], "code": codes, "name": [f"New {c}" for c in codes], "geometry": geoms},
        {"households": np.arange(n, dtype=float)},
    )


def territory_of_code(project, al) -> dict[str, str | None]:
    by_id = al.assignment_by_id()
    return {c: (al.territory(t).name if t else None) for c, t in zip(project.units.codes, by_id, strict=True)}


def test_replace_remaps_assignments_by_code_and_undo_restores_everything():
    project = grid_project(6, 4, territories=3)
    al = project.active_alignment
    before_state = project.state()
    before = territory_of_code(project, al)
    history = History(project)
    # codes 00000..00005 survive (reordered), 00006.. disappear, 99999 is new
    incoming = new_units(["00005", "99999", "00000", "00001", "00002", "00003", "00004"])
    cmd = replace_units(project, incoming)
    history.push(cmd)
    after = territory_of_code(project, al)
    assert len(project.units) == 7 and len(al.assignment) == 7
    assert after["99999"] is None
    assert all(after[c] == before[c] for c in ["00000", "00001", "00002", "00003", "00004", "00005"])
    assert len(cmd.dropped_codes) == 24 - 6 and cmd.dropped_assigned == 18
    assert project.units.ids[2] == "00000000-0000-4000-8000-000000000000"  # known code keeps its id
    assert project.units.ids[1] == "new-99999"
    assert cmd.label == "Import 7 units"
    history.undo()
    assert project.state() == before_state
    history.redo()
    assert territory_of_code(project, al) == after


def test_merge_updates_known_codes_and_appends_new_ones():
    project = grid_project(3, 1, territories=1)  # codes 00000..00002, all in T1
    al = project.active_alignment
    history = History(project)
    history.push(replace_units(project, new_units(["00001", "77777"], shift=5e6), mode="merge"))
    assert list(project.units.codes) == ["00000", "00001", "00002", "77777"]
    assert project.units.names[1] == "New 00001" and project.units.names[0] == "Unit 0"
    assert np.isnan(project.units.column("households")[0]) and project.units.column("households")[3] == 1.0
    assert np.isnan(project.units.column("population")[3])
    assert territory_of_code(project, al) == {"00000": "T1", "00001": "T1", "00002": "T1", "77777": None}
    history.undo()
    assert list(project.units.codes) == ["00000", "00001", "00002"]


def test_change_events_name_units_and_assignment():
    project = grid_project(2, 2, territories=1)
    seen = []
    project.changed.connect(lambda change: seen.append(change.kind.value))
    History(project).push(replace_units(project, new_units(["00000"])))
    assert seen == ["units", "assignment"]
