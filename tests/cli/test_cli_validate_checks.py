"""What ``validate`` looks for in an opened project (checked in memory, no files)."""

from __future__ import annotations

import numpy as np
import shapely

from terradesk.cli.validate import project_problems
from terradesk.edit import History, add_alignment, create_territory, delete_territory, set_territory_geometry
from terradesk.model import Project
from tests.factories import grid_project


def test_a_clean_project_has_no_problems() -> None:
    assert project_problems(grid_project()) == []


def test_invalid_and_empty_unit_geometries() -> None:
    project = grid_project()
    geoms = project.units.geometry
    geoms[0] = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])  # a bow-tie
    geoms[1] = shapely.Polygon()
    problems = project_problems(project)
    assert "1 empty unit geometries (00001)" in problems
    assert "1 invalid unit geometries (00000)" in problems


def test_duplicate_codes() -> None:
    project = grid_project()
    project.units.codes[3] = project.units.codes[2]
    assert project_problems(project) == ["1 duplicate unit codes (00002)"]


def test_assignment_to_a_territory_that_no_longer_exists() -> None:
    project = grid_project()
    al = project.active_alignment
    assert al is not None
    tid = next(iter(al.territories))
    units = al.units_of(tid)
    al.remove_territory(tid)  # bypassing the command: what a hand-edited file could hold
    problems = project_problems(project)
    assert problems == [f"alignment 'Sales': {len(units)} units assigned to territories that do not exist"]


def test_deleting_through_the_command_stays_valid() -> None:
    project = grid_project()
    al = project.active_alignment
    assert al is not None
    History(project).push(delete_territory(project, al.id, next(iter(al.territories))))
    assert project_problems(project) == []


def test_missing_owner() -> None:
    project = grid_project()
    al = project.active_alignment
    assert al is not None
    territory = next(iter(al))
    territory.owner_id = "00000000-0000-4000-8000-00000000beef"
    assert project_problems(project) == [
        f"alignment 'Sales': territory {territory.name!r} has an owner that does not exist "
        "(00000000-0000-4000-8000-00000000beef)"
    ]


def _freeform(project: Project, shapes: dict[str, shapely.Geometry]) -> None:
    history = History(project)
    history.push(add_alignment(project, "Drawn", kind="freeform"))
    al = project.alignment_by_name("Drawn")
    assert al is not None
    for name, shape in shapes.items():
        history.push(create_territory(project, al.id, name))
        tid = list(al.territories)[-1]
        history.push(set_territory_geometry(project, al.id, tid, shape))


def test_overlapping_freeform_territories() -> None:
    project = grid_project()
    _freeform(project, {"A": shapely.box(0, 0, 10, 10), "B": shapely.box(5, 5, 15, 15), "C": shapely.box(10, 0, 20, 5)})
    assert project_problems(project) == ["alignment 'Drawn': territories 'A' and 'B' overlap"]


def test_touching_freeform_territories_are_fine() -> None:
    project = grid_project()
    _freeform(project, {"A": shapely.box(0, 0, 10, 10), "B": shapely.box(10, 0, 20, 10)})
    assert project_problems(project) == []


def test_many_problems_are_all_listed() -> None:
    project = grid_project()
    project.units.codes[:] = np.array(["11111"] * len(project.units), dtype=object)
    project.units.geometry[0] = shapely.Polygon()
    assert len(project_problems(project)) == 2
