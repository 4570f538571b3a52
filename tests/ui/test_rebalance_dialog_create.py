"""Tools > Create Territories: generated on the worker, previewed filled on the map,
added as a new alignment in one undo step (or discarded without a trace)."""

from __future__ import annotations

import numpy as np
import pytest

from terradesk.edit import History, set_owner_property
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.dialogs.create_alignment import CreatePreview, CreateTerritoriesDialog, plan_rows
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def setup(qtbot):
    project = grid_project(10, 8, territories=4)
    history = History(project)
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(500, 400)
    canvas.set_project(project)
    return project, history, canvas


def run_create(qtbot, project, count: int = 5, selected=()):
    dlg = CreateTerritoriesDialog(project, selected)
    qtbot.addWidget(dlg)
    for choice in dlg.goals.choices:
        dlg.goals.set_goal(choice.name, choice.name == "population", 10.0)
    dlg.count.setValue(count)
    dlg.time_limit.setValue(5)
    dlg.show()
    with qtbot.waitSignal(dlg.result_ready, timeout=15_000):
        dlg.run_button.click()
    assert dlg.plan is not None
    return dlg, dlg.plan


def test_create_adds_one_alignment_in_one_undo_step(qtbot, setup):
    project, history, canvas = setup
    before = project.state()
    _, plan = run_create(qtbot, project)
    assert project.state() == before  # generating is not an edit
    al = plan.alignment
    assert len(al.territories) == 5 and (al.assignment >= 0).all()
    preview = CreatePreview(project, plan, canvas, history)
    qtbot.addWidget(preview)
    assert len(canvas.preview_units()) == len(project.units)  # the whole plan shown on the map
    headers, rows, _ = plan_rows(plan, project)
    assert preview.model.rowCount() == 5 and sum(r[headers.index("Units")] for r in rows) == len(project.units)
    preview.accept_button.click()
    assert len(history) == 1 and history.undo_label == plan.label
    assert len(project.alignments) == 2 and project.active_alignment_id == al.id
    assert len(canvas.preview_units()) == 0
    history.undo()
    assert project.state() == before


def test_discard_leaves_the_project_untouched(qtbot, setup):
    project, history, canvas = setup
    before = project.state()
    _, plan = run_create(qtbot, project)
    preview = CreatePreview(project, plan, canvas, history)
    qtbot.addWidget(preview)
    preview.reject_button.click()
    assert project.state() == before and len(history) == 0 and len(canvas.preview_units()) == 0


def test_selected_units_and_owner_homes_seed_the_plan(qtbot, setup):
    project, history, _ = setup
    ada = project.owner_by_name("Ada")
    corner = project.units.geometry[79].centroid
    history.push(set_owner_property(project, ada.id, "home", (corner.x, corner.y)))
    selected = np.flatnonzero(np.arange(80) % 10 >= 5)  # the east half
    dlg, plan = run_create(qtbot, project, count=3, selected=selected)
    assert dlg.use_owners.isChecked() and dlg.selected.isChecked()
    al = plan.alignment
    assert np.array_equal(np.flatnonzero(al.assignment >= 0), selected)
    owned = [t for t in al.territories.values() if t.owner_id == ada.id]
    assert len(owned) == 1 and al.territory_of_unit(79) == owned[0].id


def test_a_taken_name_is_refused(qtbot, setup):
    project, _, _ = setup
    dlg = CreateTerritoriesDialog(project)
    qtbot.addWidget(dlg)
    dlg.name.setText("Sales")
    dlg.run_button.click()
    assert "already exists" in dlg.message.text() and not dlg.run.running
