"""Shape-editing command factories: one undo step per gesture, undo restores the project exactly."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Polygon, box

from terradesk.edit import Composite, History, PinAccounts, pin_accounts, set_territory_property, shapes
from terradesk.model import UNASSIGNED, Project
from tests.factories import freeform_project, grid_project

X0, Y0 = 4_000_000.0, 3_000_000.0


def ids(project: Project) -> dict[str, str]:
    al = project.active_alignment
    assert al is not None
    return {t.name: t.id for t in al}


def assert_coverage_clean(project: Project) -> None:
    al = project.active_alignment
    assert al is not None
    geoms = [t.geometry for t in al if t.geometry is not None and not t.geometry.is_empty]
    assert all(g.is_valid for g in geoms)
    assert shapely.coverage_is_valid(geoms)
    assert sum(g.area for g in geoms) == pytest.approx(shapely.union_all(geoms).area, rel=1e-12)


def line(*pts: tuple[float, float]) -> LineString:
    return LineString([(X0 + x, Y0 + y) for x, y in pts])


Edit = Callable[[Project, str, dict[str, str]], Composite | None]

FREEFORM_EDITS: dict[str, Edit] = {
    "move vertex": lambda p, a, t: shapes.move_vertex(p, a, t["R0C0"], X0 + 1000, Y0 + 1000, X0 + 1200, Y0 + 1300, 1.0),
    "insert vertex": lambda p, a, t: shapes.insert_vertex(p, a, t["R0C0"], X0 + 1002, Y0 + 500, 5.0),
    "delete vertex": lambda p, a, t: shapes.delete_vertex(p, a, t["R0C0"], X0 + 1000, Y0 + 1000, 5.0),
    "reshape": lambda p, a, t: shapes.reshape_territory(
        p, a, t["R0C0"], line((500, 200), (1500, 200), (1500, 700), (500, 700))
    ),
    "split": lambda p, a, t: shapes.split_territory(p, a, t["R0C1"], line((1600, -10), (1600, 1100))),
    "merge": lambda p, a, t: shapes.merge_territories(p, a, [t["R0C0"], t["R1C0"], t["R1C1"]], keep=t["R1C0"]),
    "draw clip": lambda p, a, t: shapes.draw_territory(p, a, box(X0 + 2500, Y0 + 500, X0 + 3500, Y0 + 1500)),
    "draw take": lambda p, a, t: shapes.draw_territory(p, a, box(X0 + 500, Y0 + 500, X0 + 1500, Y0 + 1500), mode="take"),
    "move": lambda p, a, t: shapes.move_territory(p, a, t["R1C2"], 300.0, 150.0),
    "delete": lambda p, a, t: shapes.delete_territories(p, a, [t["R0C0"], t["R1C2"]]),
}


@pytest.mark.parametrize("name", list(FREEFORM_EDITS))
def test_each_edit_is_one_step_keeps_coverage_and_undo_restores_state(name: str) -> None:
    project = freeform_project()
    al = project.active_alignment
    assert al is not None
    history = History(project)
    before = project.state()
    command = FREEFORM_EDITS[name](project, al.id, ids(project))
    assert isinstance(command, Composite) and command.parts
    history.push(command)
    assert len(history) == 1
    after = project.state()
    assert after != before
    assert_coverage_clean(project)
    history.undo()
    assert project.state() == before
    history.redo()
    assert project.state() == after


def test_vertex_move_is_shared_and_drag_previews_without_touching_the_model() -> None:
    project = freeform_project()
    al = project.active_alignment
    assert al is not None
    t = ids(project)
    drag = shapes.begin_vertex_drag(project, al.id, t["R0C0"], X0 + 999, Y0 + 1001, tolerance=5)
    assert len(drag.keys) == 4  # the corner shared by four squares
    before = project.state()
    preview = drag.preview(X0 + 1100, Y0 + 900)
    assert project.state() == before and set(preview) == set(drag.keys)
    assert shapes.commit_vertex_drag(project, al.id, t["R0C0"], drag, *drag.origin) is None
    cmd = shapes.commit_vertex_drag(project, al.id, t["R0C0"], drag, X0 + 1100, Y0 + 900)
    assert cmd is not None
    History(project).push(cmd)
    assert_coverage_clean(project)
    for name in ("R0C0", "R0C1", "R1C0", "R1C1"):  # moved in all four, areas shift by triangles
        assert [X0 + 1100, Y0 + 900] in shapely.get_coordinates(al.territory(t[name]).geometry).tolist()
    assert al.territory(t["R0C1"]).geometry.area == pytest.approx(1e6 - 2 * 50_000)  # two triangles lost
    assert sum(al.territory(t[n]).geometry.area for n in ("R0C0", "R0C1", "R1C0", "R1C1")) == pytest.approx(4e6)


def test_vertex_dragged_across_a_neighbour_is_clipped_and_repair_reported() -> None:
    project = freeform_project()
    al = project.active_alignment
    assert al is not None
    t = ids(project)
    # the outer corner of R0C0 dragged deep into R0C1, folding R0C0's outline over itself
    cmd = shapes.move_vertex(project, al.id, t["R0C0"], X0, Y0, X0 + 1500, Y0 + 500, 1.0)
    assert cmd is not None
    History(project).push(cmd)
    assert_coverage_clean(project)
    assert any("Repaired the shape of R0C0" in n for n in cmd.notes)


def test_split_gives_the_smaller_side_to_a_new_territory_with_the_owner() -> None:
    project = freeform_project()
    al = project.active_alignment
    assert al is not None
    t = ids(project)
    cmd = shapes.split_territory(project, al.id, t["R0C1"], line((1300, -10), (1300, 1100)), name="West")
    History(project).push(cmd)
    assert cmd.created is not None
    new = al.territory(cmd.created)
    assert new.name == "West" and new.geometry.area == pytest.approx(300 * 1000)
    assert al.territory(t["R0C1"]).geometry.area == pytest.approx(700 * 1000)
    assert_coverage_clean(project)
    with pytest.raises(ValueError, match="cross the territory completely"):
        shapes.split_territory(project, al.id, t["R0C2"], line((2500, -10), (2500, 500)))


def test_draw_clip_take_respect_locks_and_report_repair() -> None:
    project = freeform_project()
    al = project.active_alignment
    assert al is not None
    t = ids(project)
    history = History(project)
    history.push(set_territory_property(project, al.id, t["R0C1"], "locked", True))
    cmd = shapes.draw_territory(project, al.id, box(X0 + 500, Y0 + 200, X0 + 1500, Y0 + 800), mode="take")
    history.push(cmd)
    assert al.territory(t["R0C1"]).geometry.area == pytest.approx(1e6)  # locked: kept its area
    assert al.territory(t["R0C0"]).geometry.area == pytest.approx(1e6 - 500 * 600)
    assert_coverage_clean(project)
    with pytest.raises(ValueError, match="entirely inside"):
        shapes.draw_territory(project, al.id, box(X0 + 100, Y0 + 1100, X0 + 200, Y0 + 1200))
    bowtie = Polygon([(X0 - 500, Y0), (X0 - 100, Y0 + 400), (X0 - 100, Y0), (X0 - 500, Y0 + 400)])
    cmd = shapes.draw_territory(project, al.id, bowtie, name="Bow")
    assert any("crossed itself" in n for n in cmd.notes)
    with pytest.raises(ValueError, match="locked"):
        shapes.move_territory(project, al.id, t["R0C1"], 10, 10)
    with pytest.raises(ValueError, match="locked"):
        shapes.move_vertex(project, al.id, t["R0C0"], X0 + 1000, Y0 + 1000, X0 + 900, Y0 + 900, 1.0)


def test_fill_hole_keeps_an_enclave() -> None:
    project = freeform_project(nx=1, ny=1, size=3000)
    al = project.active_alignment
    assert al is not None
    (tid,) = ids(project).values()
    history = History(project)
    enclave = box(X0 + 1000, Y0 + 1000, X0 + 1500, Y0 + 1500)
    history.push(shapes.draw_territory(project, al.id, box(X0 + 1000, Y0 + 1000, X0 + 2000, Y0 + 2000), mode="take"))
    history.push(shapes.delete_territories(project, al.id, [list(al.territories)[-1]]))
    history.push(shapes.draw_territory(project, al.id, enclave, name="Enclave"))
    assert al.territory(tid).geometry.area == pytest.approx(9e6 - 1e6)
    history.push(shapes.fill_hole(project, al.id, tid, (X0 + 1800, Y0 + 1800)))
    assert al.territory(tid).geometry.area == pytest.approx(9e6 - 0.25e6)
    assert_coverage_clean(project)
    with pytest.raises(ValueError, match="no hole"):
        shapes.fill_hole(project, al.id, tid, (X0 + 100, Y0 + 100))


def test_check_and_snap_index_for_an_alignment() -> None:
    project = freeform_project(units=True)
    al = project.active_alignment
    assert al is not None
    assert shapes.check_alignment(project, al.id) == []
    idx = shapes.snap_index(project, al.id)
    assert len(idx) == 6 + 6
    hit = idx.snap(X0 + 1001, Y0 + 999, 5.0)
    assert hit is not None and hit.kind == "vertex" and hit.point == (X0 + 1000, Y0 + 1000)


def test_freeform_only_operations_refuse_unit_alignments() -> None:
    project = grid_project()
    al = project.active_alignment
    assert al is not None
    tid = next(iter(al.territories))
    with pytest.raises(ValueError, match="built from units"):
        shapes.move_territory(project, al.id, tid, 1, 1)
    with pytest.raises(ValueError, match="no units to assign"):
        fp = freeform_project()
        shapes.preview_units(fp, fp.active_alignment.id, box(0, 0, 1, 1))  # type: ignore[union-attr]


# -- unit-built alignments -----------------------------------------------------------------
def unit_project() -> tuple[Project, str, dict[str, str]]:
    project = grid_project(nx=6, ny=4, territories=2, accounts=5)  # T1: columns 0-2, T2: 3-5
    al = project.active_alignment
    assert al is not None
    return project, al.id, ids(project)


def test_draw_in_units_alignment_previews_then_assigns_units() -> None:
    project, aid, t = unit_project()
    al = project.alignment(aid)
    history = History(project)
    before = project.state()
    # free two units of T2 first, so 'clip' has something to take
    history.push(shapes.draw_territory(project, aid, box(X0 + 4000, Y0, X0 + 6000, Y0 + 1000), mode="take", name="East"))
    east = al.territory_by_name("East")
    assert east is not None and sorted(al.units_of(east.id).tolist()) == [4, 5]
    history.push(shapes.delete_territories(project, aid, [east.id]))
    shape = box(X0 + 2500, Y0 - 100, X0 + 6500, Y0 + 1100)  # unit points of columns 3-5, row 0
    assert shapes.preview_units(project, aid, shape).tolist() == [4, 5]  # clip: only the free ones
    assert shapes.preview_units(project, aid, shape, mode="take").tolist() == [3, 4, 5]
    preview = shapes.draw_units(project, aid, shape, territory=t["T1"], mode="take")
    assert preview.units.tolist() == [3, 4, 5] and preview.command is not None
    history.push(preview.command)
    assert al.territory_of_unit(3) == t["T1"]
    history.undo_all()
    assert project.state() == before


def test_reshape_split_merge_in_units_alignment_assign_units() -> None:
    project, aid, t = unit_project()
    al = project.alignment(aid)
    history = History(project)
    before = project.state()
    # T1 covers x in [0, 3000): push its boundary one column east in rows 0-1
    history.push(shapes.reshape_territory(project, aid, t["T1"], line((2500, 1), (4000, 1), (4000, 1999), (2500, 1999))))
    assert al.territory_of_unit(3) == t["T1"] and al.territory_of_unit(9) == t["T1"]
    assert al.territory_of_unit(15) == t["T2"]
    split = shapes.split_territory(project, aid, t["T2"], line((5000, -100), (5000, 4100)), name="Far east")
    history.push(split)
    assert split.created is not None
    assert sorted(al.units_of(split.created).tolist()) == [5, 11, 17, 23]
    history.push(pin_accounts(project, aid, [project.accounts.ids[0]], split.created))
    merge = shapes.merge_territories(project, aid, [t["T2"], split.created])
    assert any(isinstance(p, PinAccounts) for p in merge.parts)
    history.push(merge)
    assert split.created not in al.territories
    assert al.pins[project.accounts.ids[0]] == t["T2"]
    assert (al.assignment != UNASSIGNED).all()
    history.undo_all()
    assert project.state() == before
    history.redo_all()
    assert len(al.territories) == 2


def test_bad_input_gives_clear_messages() -> None:
    project = freeform_project()
    al = project.active_alignment
    assert al is not None
    t = ids(project)
    with pytest.raises(ValueError, match="at least two"):
        shapes.merge_territories(project, al.id, [t["R0C0"]])
    with pytest.raises(ValueError, match="must be one of those merged"):
        shapes.merge_territories(project, al.id, [t["R0C0"], t["R0C1"]], keep=t["R1C1"])
    with pytest.raises(ValueError, match="no vertex"):
        shapes.move_vertex(project, al.id, t["R0C0"], X0 + 500, Y0 + 500, X0, Y0, 1.0)
    with pytest.raises(ValueError, match="no segment"):
        shapes.insert_vertex(project, al.id, t["R0C0"], X0 + 500, Y0 + 500, 1.0)
    with pytest.raises(ValueError, match="at least twice"):
        shapes.reshape_territory(project, al.id, t["R0C0"], line((500, 500), (1500, 500)))
    with pytest.raises(ValueError, match="at least one"):
        shapes.delete_territories(project, al.id, [])
    assert np.all(shapes.unit_points(grid_project()) == shapes.unit_points(grid_project())[:, :])
