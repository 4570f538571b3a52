"""Territory > Owners: each edit is one undo step; typed or map-picked homes; undo shows."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPointF, Qt

from terradesk.edit import History, set_territory_property
from terradesk.geo.crs import transform_points
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools import MapMouseEvent
from terradesk.ui.dialogs.owners import HomePickTool, OwnersDialog
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def setup(qtbot):
    project = grid_project()
    history = History(project)
    dlg = OwnersDialog(project, history)
    qtbot.addWidget(dlg)
    return project, history, dlg


def test_lists_owners_with_the_territories_they_hold(setup):
    project, history, dlg = setup
    al = project.active_alignment
    ada = project.owner_by_name("Ada")
    for t in list(al.territories)[:2]:
        history.push(set_territory_property(project, al.id, t, "owner_id", ada.id))
    assert dlg.table.rowCount() == 1
    assert [dlg.table.item(0, c).text() for c in (0, 1, 2, 4)] == ["Ada", "sales", "100", "2"]


def test_add_edit_and_remove_are_single_undo_steps(setup):
    project, history, dlg = setup
    dlg.add()
    assert len(history) == 1 and len(project.owners) == 2 and dlg.current() == list(project.owners)[1]
    oid = dlg.current()
    dlg.name.setText("Bea")
    dlg.name.editingFinished.emit()
    dlg.role.setCurrentIndex(dlg.role.findData("partner"))
    dlg.role.activated.emit(dlg.role.currentIndex())
    dlg.capacity.setValue(250)
    dlg.capacity.editingFinished.emit()
    dlg.name.editingFinished.emit()  # unchanged: no empty step
    assert len(history) == 4
    assert (project.owners[oid].name, project.owners[oid].role, project.owners[oid].capacity) == ("Bea", "partner", 250.0)
    dlg.capacity.setValue(dlg.capacity.minimum())  # shown as "none"
    dlg.capacity.editingFinished.emit()
    assert project.owners[oid].capacity is None and len(history) == 5
    history.undo()
    assert project.owners[oid].capacity == 250.0
    assert dlg.table.item(1, 2).text() == "250" and dlg.capacity.value() == 250  # the dialog follows undo
    dlg.remove()
    assert oid not in project.owners and history.undo_label == "Remove owner Bea"
    history.undo()
    assert oid in project.owners and dlg.table.rowCount() == 2


def test_home_typed_as_lon_lat_is_stored_in_the_project_crs(setup):
    project, history, dlg = setup
    oid = dlg.current()
    dlg.lon.setValue(5.55)
    dlg.lat.setValue(50.04)
    dlg._set_home_typed()
    x, y = transform_points([5.55], [50.04], "EPSG:4326", "EPSG:3035")
    assert project.owners[oid].home == pytest.approx((x[0], y[0]))
    assert len(history) == 1 and dlg.table.item(0, 3).text() == "5.5500, 50.0400"
    history.undo()
    assert project.owners[oid].home is None


def test_home_picked_on_the_map_is_one_step_and_restores_the_tool(qtbot):
    project = grid_project()
    history = History(project)
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(project)
    before_tool = canvas.tool()
    dlg = OwnersDialog(project, history, canvas=canvas)
    qtbot.addWidget(dlg)
    dlg.pick.click()
    tool = canvas.tool()
    assert isinstance(tool, HomePickTool)
    ev = MapMouseEvent(4_002_500.0, 3_001_500.0, QPointF(), Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton,
                       Qt.KeyboardModifier.NoModifier)
    assert tool.canvas_press(ev) and tool.canvas_release(ev)
    assert project.owners[dlg.current()].home == pytest.approx((4_002_500.0, 3_001_500.0))
    assert len(history) == 1 and canvas.tool() is before_tool


def test_bad_capacity_is_refused_with_a_message(setup, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    _project, history, dlg = setup
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: said.append(a[2])))
    dlg.name.setText("   ")
    dlg.name.editingFinished.emit()
    assert said == ["an owner needs a name"] and len(history) == 0
    assert dlg.name.text() == "Ada"


def test_home_not_set_reads_so_and_cannot_be_set_half_typed(setup, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    _project, history, dlg = setup
    assert dlg.lon.text() == "not set" and dlg.lat.text() == "not set"
    said: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", staticmethod(lambda *a: said.append(a[2])))
    dlg.lon.setValue(5.5)
    dlg._set_home_typed()
    assert said and len(history) == 0
