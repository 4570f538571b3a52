"""Assign tools driven by real mouse events on a bare MapCanvas (grid project, 6x4 units).

Grid: unit i sits at column i % 6, row i // 6; territories are vertical strips:
columns 0-1 -> T1, 2-3 -> T2, 4-5 -> T3.
"""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from terradesk.edit import History, set_territory_property
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools import (
    AssignClickTool,
    AssignSettings,
    BoxAssignTool,
    BoxSelectTool,
    BrushTool,
    LassoAssignTool,
    LassoSelectTool,
)
from tests.factories import grid_project

from .test_canvas import SIZE, X0, Y0, unit_centre

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
LEFT = Qt.MouseButton.LeftButton


class Sink:
    """The undo_sink a window would give: here the headless History."""

    def __init__(self, history: History) -> None:
        self.history = history

    def push(self, command) -> None:
        if command is not None:
            self.history.push(command)


@pytest.fixture
def env(qtbot):
    project = grid_project()
    history = History(project)
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(640, 480)
    c.set_project(project)
    c.undo_sink = Sink(history)
    c.show()
    qtbot.waitExposed(c)
    c.zoom_full()
    al = project.active_alignment
    t1, t2, t3 = list(al.territories)
    settings = AssignSettings()
    settings.set_territory(t3)
    return c, project, history, settings, (t1, t2, t3)


def at(canvas: MapCanvas, x: float, y: float) -> QPoint:
    return canvas.view.mapFromScene(canvas.vb.mapViewToScene(QPointF(x, y)))


def owner(project, unit: int) -> str | None:
    return project.active_alignment.territory_of_unit(unit)


def drag(qtbot, canvas, points, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    vp = canvas.view.viewport()
    qtbot.mousePress(vp, LEFT, modifier, at(canvas, *points[0]))
    for p in points[1:]:
        qtbot.mouseMove(vp, at(canvas, *p))
    qtbot.mouseRelease(vp, LEFT, modifier, at(canvas, *points[-1]))


def test_click_assigns_one_unit_as_one_labelled_undo_step(env, qtbot):
    canvas, project, history, settings, (t1, _t2, t3) = env
    canvas.set_tool(AssignClickTool(canvas, settings))
    qtbot.mouseClick(canvas.view.viewport(), LEFT, pos=at(canvas, *unit_centre(7)))
    assert owner(project, 7) == t3
    assert len(history) == 1 and history.undo_label == "Assign 1 unit to T3"
    history.undo()
    assert owner(project, 7) == t1
    history.redo()
    assert owner(project, 7) == t3


def test_click_on_a_unit_already_in_the_territory_adds_no_step(env, qtbot):
    canvas, project, history, settings, (_t1, _t2, t3) = env
    canvas.set_tool(AssignClickTool(canvas, settings))
    qtbot.mouseClick(canvas.view.viewport(), LEFT, pos=at(canvas, *unit_centre(5)))  # column 5 is T3
    assert len(history) == 0 and owner(project, 5) == t3


def test_shift_click_selects_and_alt_click_picks_the_active_territory(env, qtbot):
    canvas, project, history, settings, (t1, t2, _t3) = env
    canvas.set_tool(AssignClickTool(canvas, settings))
    vp = canvas.view.viewport()
    qtbot.mouseClick(vp, LEFT, Qt.KeyboardModifier.ShiftModifier, at(canvas, *unit_centre(0)))
    qtbot.mouseClick(vp, LEFT, Qt.KeyboardModifier.ShiftModifier, at(canvas, *unit_centre(9)))
    assert canvas.selection().kind == "units" and canvas.selection().indices == (0, 9)
    qtbot.mouseClick(vp, LEFT, Qt.KeyboardModifier.ShiftModifier, at(canvas, *unit_centre(0)))
    assert canvas.selection().indices == (9,)
    picked = []
    settings.territory_changed.connect(picked.append)
    qtbot.mouseClick(vp, LEFT, Qt.KeyboardModifier.AltModifier, at(canvas, *unit_centre(8)))  # column 2 -> T2
    assert settings.territory == t2 and picked == [t2]
    assert len(history) == 0 and owner(project, 8) == t2  # picking never assigns
    qtbot.mouseClick(vp, LEFT, pos=at(canvas, *unit_centre(0)))
    assert owner(project, 0) == t2 and history.undo_label == "Assign 1 unit to T2"
    assert owner(project, 1) == t1


def test_locked_territories_keep_their_units_unless_allowed(env, qtbot):
    canvas, project, history, settings, (t1, _t2, t3) = env
    al = project.active_alignment
    history.push(set_territory_property(project, al.id, t1, "locked", True))
    messages: list[str] = []
    settings.message.connect(messages.append)
    canvas.set_tool(AssignClickTool(canvas, settings))
    vp = canvas.view.viewport()
    qtbot.mouseClick(vp, LEFT, pos=at(canvas, *unit_centre(6)))
    assert owner(project, 6) == t1 and len(history) == 1
    settings.skip_locked = False
    qtbot.mouseClick(vp, LEFT, pos=at(canvas, *unit_centre(6)))
    assert owner(project, 6) == t3 and len(history) == 2


def test_no_active_territory_explains_instead_of_assigning(env, qtbot):
    canvas, _project, history, settings, _ = env
    settings.set_territory(None)
    messages: list[str] = []
    settings.message.connect(messages.append)
    canvas.set_tool(AssignClickTool(canvas, settings))
    qtbot.mouseClick(canvas.view.viewport(), LEFT, pos=at(canvas, *unit_centre(0)))
    assert len(history) == 0 and "Choose the territory" in messages[-1]


def test_box_select_then_box_assign(env, qtbot):
    canvas, project, history, settings, (t1, _t2, t3) = env
    canvas.set_tool(BoxSelectTool(canvas, settings))
    a, b = (X0 + 0.2 * SIZE, Y0 + 0.2 * SIZE), (X0 + 1.8 * SIZE, Y0 + 1.8 * SIZE)
    drag(qtbot, canvas, [a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), b])
    assert sorted(canvas.selection().indices) == [0, 1, 6, 7]
    assert len(history) == 0
    drag(qtbot, canvas, [(X0 + 2.2 * SIZE, Y0 + 0.2 * SIZE), (X0 + 2.5 * SIZE, Y0 + 0.5 * SIZE),
                         (X0 + 2.8 * SIZE, Y0 + 0.8 * SIZE)], Qt.KeyboardModifier.ShiftModifier)
    assert sorted(canvas.selection().indices) == [0, 1, 2, 6, 7]

    canvas.set_tool(BoxAssignTool(canvas, settings))
    drag(qtbot, canvas, [a, ((a[0] + b[0]) / 2, (a[1] + b[1]) / 2), b])
    assert [owner(project, u) for u in (0, 1, 6, 7)] == [t3] * 4
    assert owner(project, 12) == t1
    assert len(history) == 1 and history.undo_label == "Assign 4 units to T3"
    history.undo()
    assert [owner(project, u) for u in (0, 1, 6, 7)] == [t1] * 4


def test_lasso_assign_takes_units_whose_inside_lies_in_the_shape(env, qtbot):
    canvas, project, history, settings, (t1, t2, t3) = env
    canvas.set_tool(LassoAssignTool(canvas, settings))
    # a triangle around the centres of units 0, 1 and 6 (and the corner of 7)
    pts = [(X0 + 0.1 * SIZE, Y0 + 0.1 * SIZE), (X0 + 2.1 * SIZE, Y0 + 0.1 * SIZE), (X0 + 0.1 * SIZE, Y0 + 2.1 * SIZE)]
    path = []
    for (xa, ya), (xb, yb) in zip(pts, pts[1:] + pts[:1], strict=True):
        path += [(xa + (xb - xa) * k / 8, ya + (yb - ya) * k / 8) for k in range(8)]
    drag(qtbot, canvas, path)
    assert {u for u in range(24) if owner(project, u) == t3} - {4, 5, 10, 11, 16, 17, 22, 23} == {0, 1, 6}
    assert owner(project, 7) == t1 and owner(project, 2) == t2
    assert len(history) == 1 and history.undo_label == "Assign 3 units to T3"

    canvas.set_tool(LassoSelectTool(canvas, settings))
    drag(qtbot, canvas, path)
    assert sorted(canvas.selection().indices) == [0, 1, 6] and len(history) == 1


def test_brush_stroke_previews_then_pushes_one_command(env, qtbot):
    canvas, project, history, settings, (t1, t2, t3) = env
    settings.radius_px = 3
    messages: list[str] = []
    settings.message.connect(messages.append)
    tool = BrushTool(canvas, settings)
    canvas.set_tool(tool)
    vp = canvas.view.viewport()
    row = [(X0 + (i + 0.5) * SIZE / 2, Y0 + 1.5 * SIZE) for i in range(8)]  # along row 1, columns 0-3
    qtbot.mousePress(vp, LEFT, pos=at(canvas, *row[0]))
    for p in row[1:]:
        qtbot.mouseMove(vp, at(canvas, *p))
    # during the stroke: nothing changed in the model, the preview says what will
    assert owner(project, 6) == t1 and len(history) == 0
    assert sorted(tool.touched.tolist()) == [6, 7, 8, 9]
    assert tool.preview["units"] == 4 and tool.preview["donors"] == {"T1": 2, "T2": 2}
    assert messages[-1].startswith("Brush: 4 units to T3 (8 → 12 units, population")
    qtbot.mouseRelease(vp, LEFT, pos=at(canvas, *row[-1]))
    assert [owner(project, u) for u in (6, 7, 8, 9)] == [t3] * 4
    assert owner(project, 0) == t1 and owner(project, 12) == t1 and owner(project, 2) == t2
    assert len(history) == 1 and history.undo_label == "Assign 4 units to T3"
    history.undo()
    assert [owner(project, u) for u in (6, 7, 8, 9)] == [t1, t1, t2, t2]
    assert len(history) == 1


def test_brush_escape_cancels_and_brackets_resize(env, qtbot):
    canvas, _project, history, settings, _ = env
    tool = BrushTool(canvas, settings)
    canvas.set_tool(tool)
    vp = canvas.view.viewport()
    qtbot.mousePress(vp, LEFT, pos=at(canvas, *unit_centre(0)))
    qtbot.mouseMove(vp, at(canvas, *unit_centre(1)))
    assert len(tool.touched)
    qtbot.keyClick(canvas.view, Qt.Key.Key_Escape)
    qtbot.mouseRelease(vp, LEFT, pos=at(canvas, *unit_centre(1)))
    assert len(history) == 0
    r = settings.radius_px
    qtbot.keyClick(canvas.view, Qt.Key.Key_BracketRight)
    assert settings.radius_px > r


def test_patched_image_matches_a_full_render(env, qtbot, monkeypatch):
    """The fast partial repaint after an assignment shows what a full redraw shows."""
    import terradesk.ui.canvas.widget as widget

    canvas, _project, _history, settings, (_t1, _t2, _t3) = env
    canvas.refresh()
    patches = []
    real = widget.patch_image
    monkeypatch.setattr(widget, "patch_image", lambda *a: (patches.append(a[5]), real(*a)))
    canvas.set_tool(AssignClickTool(canvas, settings))
    qtbot.mouseClick(canvas.view.viewport(), LEFT, pos=at(canvas, *unit_centre(7)))
    qtbot.waitUntil(canvas.is_current)
    assert len(patches) == 1  # only the edited unit's box was repainted
    assert patches[0] == (X0 + SIZE, Y0 + SIZE, X0 + 2 * SIZE, Y0 + 2 * SIZE)
    patched = canvas._image_item.image().copy()
    canvas.scene_data.damage = None  # force a full redraw
    canvas.scene_data.generation += 1
    canvas.refresh()
    full = canvas._image_item.image()
    a = np.frombuffer(patched.constBits(), np.uint8).reshape(patched.height(), -1).astype(int)
    b = np.frombuffer(full.constBits(), np.uint8).reshape(full.height(), -1).astype(int)
    assert a.shape == b.shape
    diff = np.abs(a - b)
    assert (diff > 40).mean() < 0.001  # at most a few antialiased seam pixels


def test_territory_shapes_follow_edits_incrementally_and_match_a_dissolve(env, qtbot):
    import shapely

    from terradesk.geo.dissolve import dissolve

    canvas, project, history, settings, (t1, t2, t3) = env
    al = project.active_alignment
    terr = canvas.scene_data.territories
    terr.items()  # drawn once: later edits patch these shapes
    canvas.set_tool(AssignClickTool(canvas, settings))
    vp = canvas.view.viewport()
    for unit in (7, 8, 13, 0):
        qtbot.mouseClick(vp, LEFT, pos=at(canvas, *unit_centre(unit)))
    history.undo()
    items = terr.items()
    for tid in (t1, t2, t3):
        expected = dissolve(project.units.geometry[al.units_of(tid)])
        assert shapely.equals(items[tid].geom, expected), al.territories[tid].name
