"""The assign toolbar, context menu and Territory/File items inside the main window."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings, Qt

from terradesk.edit import assign_units
from terradesk.ui.canvas import MapCanvas, Selection
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
from tests.factories import grid_project

from .test_assign_tools import LEFT, at
from .test_canvas import unit_centre

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def win(qtbot, tmp_path):
    settings = Settings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=settings, canvas=MapCanvas())
    w.set_project(grid_project(), None)
    yield w
    w.undo.set_clean()  # closing must not stop at "Save the changes?"
    w.close()
    w.deleteLater()


def test_toolbar_lists_territories_and_alt_click_picks_one(win, qtbot):
    ctl = win.assign_tools
    al = win.project.active_alignment
    names = [ctl.combo.itemText(i) for i in range(ctl.combo.count())]
    assert names == ["T1", "T2", "T3"]
    assert ctl.settings.territory == next(iter(al.territories))
    for key in ("assign.click", "assign.box", "assign.lasso", "assign.brush"):
        action = ctl.actions[key]
        assert not action.shortcut().isEmpty() and action.shortcut().toString() in action.toolTip()
    win.show()
    qtbot.waitExposed(win)
    win.canvas.zoom_full()
    ctl.use("assign.click")
    qtbot.mouseClick(win.canvas.view.viewport(), LEFT, Qt.KeyboardModifier.AltModifier,
                     at(win.canvas, *unit_centre(5)))
    assert ctl.combo.currentText() == "T3"
    qtbot.mouseClick(win.canvas.view.viewport(), LEFT, pos=at(win.canvas, *unit_centre(0)))
    assert al.territory_of_unit(0) == list(al.territories)[2]
    assert win.undo.undo_label == "Assign 1 unit to T3" and len(win.undo) == 1
    ctl.radius.setValue(33)
    assert ctl.settings.radius_px == 33
    ctl.lock.trigger()
    assert ctl.settings.skip_locked is False


def test_context_menu_assigns_and_unassigns_the_selection(win):
    ctl = win.assign_tools
    p = win.project
    al = p.active_alignment
    t2 = list(al.territories)[1]
    win.canvas.set_selection(Selection("units", tuple(str(i) for i in p.units.ids[[0, 6]]), (0, 6)))
    menu = ctl.context_menu()
    sub = next(a.menu() for a in menu.actions() if a.menu() is not None)
    assert [a.text() for a in sub.actions()] == ["T1", "T2", "T3"]
    next(a for a in sub.actions() if a.text() == "T2").trigger()
    assert al.territory_of_unit(0) == t2 and al.territory_of_unit(6) == t2
    assert win.undo.undo_label == "Assign 2 units to T2"
    next(a for a in ctl.context_menu().actions() if a.text() == "Unassign").trigger()
    assert al.territory_of_unit(0) is None and len(win.undo) == 2


def test_find_unassigned_and_non_contiguous(win):
    ctl = win.assign_tools
    p = win.project
    al = p.active_alignment
    t1 = next(iter(al.territories))
    win.undo.push(assign_units(p, al.id, [7, 13], None))
    win.undo.push(assign_units(p, al.id, [5], t1))  # T1 gains a detached unit in column 5
    ctl.actions["assign.unassigned"].trigger()
    assert win.canvas.selection().indices == (7, 13)
    ctl.actions["assign.contiguity"].trigger()
    assert win.canvas.selection() == Selection("territories", (t1,))
    assert "T1 (2 pieces)" in win.statusBar().currentMessage()


def test_assignment_csv_round_trip_and_unknown_codes(win, tmp_path: Path):
    ctl = win.assign_tools
    p = win.project
    al = p.active_alignment
    out = tmp_path / "plan.csv"
    assert ctl.write_assignments(str(out))
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "code,territory" and lines[1] == "00000,T1" and len(lines) == 25
    table = tmp_path / "in.csv"
    table.write_text("code,territory\n00000,Nord-Süd 東\n00001,T3\n99999,T2\n", encoding="utf-8")
    assert ctl.apply_assignment_table(str(table), confirm=False)
    created = al.territory_by_name("Nord-Süd 東")
    assert created is not None and al.territory_of_unit(0) == created.id
    assert "99999" in win.statusBar().currentMessage()
    assert ctl.combo.findText("Nord-Süd 東") >= 0
    assert len(win.undo) == 1
    win.undo.undo()
    assert al.territory_by_name("Nord-Süd 東") is None


def test_importing_units_into_an_empty_window_starts_a_project(win, tmp_path: Path):
    from terradesk.io.units_import import read_units
    from terradesk.ui.window.assign_tools import apply_import

    src = tmp_path / "zips.geojson"
    src.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"plz":"01067","name":"Dresden","pop":100},'
        '"geometry":{"type":"Polygon","coordinates":[[[13,51],[13.1,51],[13.1,51.1],[13,51.1],[13,51]]]}},'
        '{"type":"Feature","properties":{"plz":"01069","name":"Dresden Süd","pop":50},'
        '"geometry":{"type":"Polygon","coordinates":[[[13.1,51],[13.2,51],[13.2,51.1],[13.1,51.1],[13.1,51]]]}}]}',
        encoding="utf-8",
    )
    win.set_project(None)
    apply_import(win, read_units(str(src)))
    p = win.project
    assert p is not None and list(p.units.codes) == ["01067", "01069"]
    assert not p.crs.is_geographic and p.active_alignment is not None
    assert np.all(p.active_alignment.assignment == -1)
    assert win.assign_tools.actions["assign.brush"].isEnabled()
