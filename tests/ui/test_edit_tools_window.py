"""The shape-editing tools inside the main window: actions, toolbar, merge/delete/fill/check."""

from __future__ import annotations

from pathlib import Path

import pytest
import shapely
from PySide6.QtCore import QPointF, QSettings, Qt
from PySide6.QtWidgets import QSpinBox, QToolBar

from terradesk.edit import set_territory_geometry
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools.draw_polygon import DrawPolygonTool
from terradesk.ui.canvas.tools.editing import feedback_for
from terradesk.ui.canvas.tools.vertex_edit import VertexEditTool
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
from terradesk.ui.window.edit_tools import TOOLS, EditTools
from tests.factories import freeform_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
X0, Y0, S = 4_000_000.0, 3_000_000.0, 1000.0


@pytest.fixture
def win(qtbot, tmp_path: Path):
    settings = Settings(QSettings(str(tmp_path / "terradesk.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=settings)
    w.maybe_save = lambda: True  # closing at teardown must not ask about unsaved edits
    qtbot.addWidget(w)
    assert isinstance(w.canvas, MapCanvas)
    w.set_project(freeform_project(units=True), None)
    return w


def tools_of(w) -> EditTools:
    return w.edit_tools


def ids(w, *names):
    al = w.project.active_alignment
    return tuple(next(t.id for t in al if t.name == n) for n in names)


def test_actions_menus_toolbar_and_snapping_controls(win):
    et = tools_of(win)
    tools_menu = [a.objectName() for a in win.menus["Tools"].actions()]
    territory_menu = [a.objectName() for a in win.menus["Territory"].actions()]
    for key, _cls, _glyph in TOOLS:
        assert key in tools_menu and win.actions_by_key[key].isEnabled()
        assert win.actions_by_key[key].actionGroup() is win.actions_by_key["tools.pan"].actionGroup()
    for key in ("territory.merge", "territory.delete_selected", "territory.fill_holes", "territory.check"):
        assert key in territory_menu
    bar = win.findChild(QToolBar, "editShapesToolbar")
    assert bar is not None and win.actions_by_key["edit.snapping"] in bar.actions()
    spin = bar.findChild(QSpinBox, "snapTolerance")
    spin.setValue(17)
    assert et.snapper.tolerance_px == 17
    win.actions_by_key["edit.snapping"].trigger()
    assert not et.snapper.enabled
    win.actions_by_key["tools.vertex"].trigger()
    assert isinstance(win.canvas.tool(), VertexEditTool)
    win.actions_by_key["edit.take_area"].trigger()
    win.actions_by_key["tools.draw"].trigger()
    assert isinstance(win.canvas.tool(), DrawPolygonTool) and win.canvas.tool().mode == "take"
    shortcuts = [a.shortcut().toString() for a in win.actions_by_key.values()]
    assert len(shortcuts) == len(set(shortcuts))


def test_merge_selected_keeps_the_chosen_territory_in_one_step(win):
    et = tools_of(win)
    a, b = ids(win, "R0C0", "R0C1")
    win.select("territories", (a, b))
    assert win.actions_by_key["territory.merge"].isEnabled()
    et.ask_keep = lambda parent, names: names.index("R0C1")
    before = win.project.state()
    assert et.merge_selected()
    al = win.project.active_alignment
    assert a not in al.territories and al.territory(b).geometry.area == pytest.approx(2 * S * S)
    assert win.undo.undo_label.startswith("Merge 2 territories into R0C1")
    win.undo.undo()
    assert win.project.state() == before
    et.ask_keep = lambda parent, names: None  # cancelled: nothing happens
    win.select("territories", (a, b))
    assert not et.merge_selected() and win.project.state() == before


def test_delete_selected_and_fill_holes(win):
    et = tools_of(win)
    a, b = ids(win, "R0C0", "R1C2")
    al = win.project.active_alignment
    holed = shapely.box(X0, Y0, X0 + S, Y0 + S).difference(shapely.box(X0 + 300, Y0 + 300, X0 + 600, Y0 + 600))
    win.undo.push(set_territory_geometry(win.project, al.id, a, holed))
    win.select("territories", (a,))
    n = len(win.undo)
    assert et.fill_holes() and len(win.undo) == n + 1
    assert al.territory(a).geometry.area == pytest.approx(S * S)
    win.select("territories", (a, b))
    assert et.delete_selected() and len(win.undo) == n + 2
    assert a not in al.territories and b not in al.territories and len(al.territories) == 4


def test_check_geometry_lists_overlap_and_double_click_zooms(win, qtbot):
    et = tools_of(win)
    win.show()
    qtbot.waitExposed(win)
    a, b = ids(win, "R0C0", "R0C1")
    al = win.project.active_alignment
    grown = shapely.box(X0, Y0, X0 + S + 200, Y0 + S)  # overlaps R0C1 by 200 x 1000
    win.undo.push(set_territory_geometry(win.project, al.id, a, grown))
    win.actions_by_key["territory.check"].trigger()
    assert et.check_dock.isVisibleTo(win)
    issues = et.check_panel.issues
    assert [i.kind for i in issues] == ["overlap"] and set(issues[0].keys) == {a, b}
    assert "1 overlap" in et.check_panel.summary.text()
    item = et.check_panel.list.item(0)
    et.check_panel.list.itemDoubleClicked.emit(item)
    x0, y0, x1, y1 = win.canvas.view_rect()
    assert abs((x0 + x1) / 2 - (X0 + S + 100)) < 50 and abs((y0 + y1) / 2 - (Y0 + S / 2)) < 50
    assert y1 - y0 < 2.5 * S  # framed: the overlap's height plus padding
    assert set(win.selected()[1]) == {a, b}
    win.undo.undo()
    assert et.check_panel.run() == []


def test_tool_messages_reach_the_status_bar(win):
    feedback_for(win.canvas).say("Repaired the shape of North: Self-intersection")
    assert "Repaired" in win.statusBar().currentMessage()


def test_escape_and_enter_reach_the_sketch_despite_window_shortcuts(win, qtbot):
    win.show()
    qtbot.waitExposed(win)
    win.actions_by_key["tools.draw"].trigger()
    tool = win.canvas.tool()
    c = win.canvas
    vp = c.view.viewport()
    for x, y in [(X0 + 2200, Y0 + 200), (X0 + 2800, Y0 + 200), (X0 + 2800, Y0 + 800)]:
        p = c.view.mapFromScene(c.vb.mapViewToScene(QPointF(x, y)))
        qtbot.mouseMove(vp, p)
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, p)
    assert len(tool.points) == 3
    c.view.setFocus()
    qtbot.keyClick(c.view, Qt.Key.Key_Backspace)
    assert len(tool.points) == 2
    qtbot.keyClick(c.view, Qt.Key.Key_Escape)
    assert tool.points == [] and len(win.undo) == 0
