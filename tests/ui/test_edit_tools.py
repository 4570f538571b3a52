"""The shape-editing map tools driven by real mouse/key events on a bare MapCanvas.

Each gesture must push exactly ONE command to ``canvas.undo_sink``, change the shapes
the way a planner expects, and undo back to the exact starting project.
"""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QPoint, QPointF, Qt

from terradesk.edit import History, set_territory_geometry
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools.draw_polygon import DrawPolygonTool
from terradesk.ui.canvas.tools.editing import feedback_for
from terradesk.ui.canvas.tools.fill_hole import FillHoleTool
from terradesk.ui.canvas.tools.move import MoveTool
from terradesk.ui.canvas.tools.pick_territory import PickTerritoryTool
from terradesk.ui.canvas.tools.reshape import ReshapeTool
from terradesk.ui.canvas.tools.split import SplitTool
from terradesk.ui.canvas.tools.vertex_edit import VertexEditTool
from tests.factories import freeform_project, grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")

X0, Y0, S = 4_000_000.0, 3_000_000.0, 1000.0
LEFT, RIGHT = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton


class CountingSink:
    """The headless History, counting what the tools push."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.pushed: list[object] = []

    def push(self, command: object) -> None:
        self.history.push(command)  # type: ignore[arg-type]
        self.pushed.append(command)


class Driver:
    """A canvas with a project, a sink and mouse/key helpers in map coordinates."""

    def __init__(self, qtbot, project) -> None:
        self.qtbot = qtbot
        self.project = project
        self.canvas = c = MapCanvas()
        qtbot.addWidget(c)
        c.resize(640, 480)
        c.set_project(project)
        c.show()
        qtbot.waitExposed(c)
        c.zoom_full()
        self.sink = CountingSink(History(project))
        c.undo_sink = self.sink
        # a plain click with the pan tool resets the modifiers QTest remembers from earlier tests
        qtbot.mouseClick(self.vp, LEFT, Qt.KeyboardModifier.NoModifier, QPoint(5, 5))
        self.start = project.state()
        self.messages: list[str] = []
        feedback_for(c).message.connect(self.messages.append)

    @property
    def vp(self):
        return self.canvas.view.viewport()

    def pos(self, x: float, y: float) -> QPoint:
        return self.canvas.view.mapFromScene(self.canvas.vb.mapViewToScene(QPointF(x, y)))

    def use(self, tool):
        self.canvas.set_tool(tool)
        return tool

    def click(self, x, y, button=LEFT, mods=Qt.KeyboardModifier.NoModifier):
        self.qtbot.mouseMove(self.vp, self.pos(x, y))
        self.qtbot.mouseClick(self.vp, button, mods, self.pos(x, y))

    def double_click(self, x, y, mods=Qt.KeyboardModifier.NoModifier):
        """What Qt really delivers: press, release, double-click, release."""
        self.click(x, y, mods=mods)
        self.qtbot.mouseDClick(self.vp, LEFT, mods, self.pos(x, y))
        self.qtbot.mouseRelease(self.vp, LEFT, mods, self.pos(x, y))

    def drag(self, path, mods=Qt.KeyboardModifier.NoModifier):
        pts = [self.pos(x, y) for x, y in path]
        self.qtbot.mouseMove(self.vp, pts[0])
        self.qtbot.mousePress(self.vp, LEFT, mods, pts[0])
        for p in pts[1:]:
            self.qtbot.mouseMove(self.vp, p)
        self.qtbot.mouseRelease(self.vp, LEFT, mods, pts[-1])

    def key(self, key, mods=Qt.KeyboardModifier.NoModifier):
        self.canvas.view.setFocus()
        self.qtbot.keyClick(self.canvas.view, key, mods)

    def one_step_then_undo(self) -> None:
        assert len(self.sink.pushed) == 1, [c.label for c in self.sink.pushed]
        self.sink.history.undo()
        assert self.project.state() == self.start

    def territory(self, name):
        al = self.project.active_alignment
        return next(t for t in al if t.name == name)

    @property
    def px(self) -> float:
        x0, _, x1, _ = self.canvas.view_rect()
        return (x1 - x0) / self.canvas.vb.width()


@pytest.fixture
def free(qtbot):
    return Driver(qtbot, freeform_project(units=True))


def coverage_ok(project) -> bool:
    geoms = np.array([t.geometry for t in project.active_alignment], dtype=object)
    return bool(shapely.coverage_is_valid(geoms)) and bool(shapely.is_valid(geoms).all())


# -- draw ---------------------------------------------------------------------------------
def test_draw_polygon_clips_against_neighbours_one_step(free):
    tool = free.use(DrawPolygonTool())
    corners = [(X0 + 2500, Y0 + 200), (X0 + 3500, Y0 + 200), (X0 + 3500, Y0 + 800)]
    for x, y in corners:
        free.click(x, y)
    free.double_click(X0 + 2500, Y0 + 800)
    assert not tool.points
    al = free.project.active_alignment
    assert len(al.territories) == 7
    new = list(al)[-1]
    # only the part outside R0C2 (x > X0 + 3000) remains: 500 x 600
    assert new.geometry.area == pytest.approx(500 * 600, rel=0.05)
    assert free.territory("R0C2").geometry.area == pytest.approx(S * S)
    free.one_step_then_undo()


def test_draw_polygon_take_mode_with_ctrl_enter(free):
    free.use(DrawPolygonTool())
    for x, y in [(X0 + 2200, Y0 + 200), (X0 + 2800, Y0 + 200), (X0 + 2800, Y0 + 800), (X0 + 2200, Y0 + 800)]:
        free.click(x, y)
    free.key(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert free.territory("R0C2").geometry.area == pytest.approx(S * S - 600 * 600, rel=0.02)
    assert coverage_ok(free.project)
    free.one_step_then_undo()


def test_draw_backspace_and_escape_push_nothing(free):
    tool = free.use(DrawPolygonTool())
    for x, y in [(X0 + 2200, Y0 + 200), (X0 + 2800, Y0 + 200), (X0 + 2800, Y0 + 800)]:
        free.click(x, y)
    assert len(tool.points) == 3
    free.key(Qt.Key.Key_Backspace)
    assert len(tool.points) == 2
    assert not tool.preview.is_empty()
    free.key(Qt.Key.Key_Escape)
    assert tool.points == [] and tool.preview.is_empty()
    free.key(Qt.Key.Key_Return)  # nothing to finish
    assert free.sink.pushed == [] and free.project.state() == free.start


def test_draw_in_unit_alignment_previews_then_assigns_those_units(qtbot):
    d = Driver(qtbot, grid_project())
    tool = d.use(DrawPolygonTool(mode="take"))
    # grid units are 1000 m squares; this box holds the centres of units 0, 1, 6, 7
    for x, y in [(X0 + 300, Y0 + 300), (X0 + 1700, Y0 + 300), (X0 + 1700, Y0 + 1450)]:
        d.click(x, y)
    assert tool.preview_count == 1  # only unit 1's centre lies in the triangle
    assert not tool.preview.is_empty()
    d.click(X0 + 1700, Y0 + 1700)
    d.click(X0 + 300, Y0 + 1700)
    assert tool.preview_count == 4
    d.key(Qt.Key.Key_Enter)
    al = d.project.active_alignment
    new = list(al)[-1]
    assert sorted(al.units_of(new.id).tolist()) == [0, 1, 6, 7]
    d.one_step_then_undo()


def test_draw_in_unit_alignment_clip_mode_refuses_with_a_message(qtbot):
    d = Driver(qtbot, grid_project())  # every unit is assigned already
    d.use(DrawPolygonTool())
    for x, y in [(X0 + 100, Y0 + 100), (X0 + 1900, Y0 + 100), (X0 + 1900, Y0 + 1900)]:
        d.click(x, y)
    d.key(Qt.Key.Key_Return)
    assert d.sink.pushed == []
    assert "takes no units" in d.messages[-1] and "Ctrl" in d.messages[-1]


# -- vertices -------------------------------------------------------------------------------
def test_vertex_drag_moves_shared_vertex_in_all_four_territories(free):
    tool = free.use(VertexEditTool())
    corner = (X0 + S, Y0 + S)
    target = (X0 + S + 230, Y0 + S + 170)
    path = [corner] + [(corner[0] + k * 23, corner[1] + k * 17) for k in range(1, 11)]
    free.drag(path)
    assert path[-1] == target
    assert tool.frames >= 5
    assert len(free.sink.pushed) == 1
    moved = [t.name for t in free.project.active_alignment
             if list(corner) not in shapely.get_coordinates(t.geometry).tolist()
             and t.name not in ("R0C2", "R1C2")]
    assert all(list(corner) not in shapely.get_coordinates(t.geometry).tolist() for t in free.project.active_alignment)
    assert sorted(moved) == ["R0C0", "R0C1", "R1C0", "R1C1"]
    for name in moved:
        xy = shapely.get_coordinates(free.territory(name).geometry)
        d = np.hypot(xy[:, 0] - target[0], xy[:, 1] - target[1])
        assert d.min() < 2 * free.px
    assert coverage_ok(free.project)
    assert free.sink.pushed[0].label == "Move vertex"
    free.one_step_then_undo()


def test_vertex_click_without_drag_and_escape_push_nothing(free):
    tool = free.use(VertexEditTool())
    corner = (X0 + S, Y0 + S)
    free.click(*corner)
    free.qtbot.mousePress(free.vp, LEFT, pos=free.pos(*corner))
    free.qtbot.mouseMove(free.vp, free.pos(corner[0] + 200, corner[1]))
    assert tool.drag is not None and not tool.preview.is_empty()
    free.key(Qt.Key.Key_Escape)
    free.qtbot.mouseRelease(free.vp, LEFT, pos=free.pos(corner[0] + 200, corner[1]))
    assert free.sink.pushed == [] and free.project.state() == free.start


def test_double_click_inserts_vertex_on_shared_edge_then_right_click_deletes_it(free):
    free.use(VertexEditTool())
    on_edge = (X0 + S, Y0 + 400)  # the edge R0C0 | R0C1
    free.double_click(*on_edge)
    assert len(free.sink.pushed) == 1
    for name in ("R0C0", "R0C1"):
        assert shapely.get_num_coordinates(free.territory(name).geometry) == 6
    after_insert = free.project.state()
    free.click(*on_edge, button=RIGHT)
    assert len(free.sink.pushed) == 2
    for name in ("R0C0", "R0C1"):
        assert shapely.get_num_coordinates(free.territory(name).geometry) == 5
    free.sink.history.undo()
    assert free.project.state() == after_insert
    free.sink.history.undo()
    assert free.project.state() == free.start


def test_delete_key_removes_hovered_vertex(free):
    tool = free.use(VertexEditTool())
    free.double_click(X0 + S, Y0 + 400)
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 2 * free.px, Y0 + 400))
    assert tool.wants_key(Qt.Key.Key_Delete)
    free.key(Qt.Key.Key_Delete)
    assert len(free.sink.pushed) == 2
    assert shapely.get_num_coordinates(free.territory("R0C0").geometry) == 5


def test_vertex_tool_refuses_unit_alignment_and_locked_territory(qtbot, free):
    d = Driver(qtbot, grid_project())
    d.use(VertexEditTool())
    d.drag([(X0 + 2000, Y0 + 1000), (X0 + 2300, Y0 + 1200)])
    assert d.sink.pushed == [] and "built from units" in d.messages[-1]
    from terradesk.edit import set_territory_property

    t = free.territory("R0C0")
    free.sink.history.push(set_territory_property(free.project, free.project.active_alignment.id, t.id, "locked", True))
    free.start = free.project.state()
    free.sink.pushed.clear()
    free.use(VertexEditTool())
    free.drag([(X0 + S, Y0 + S), (X0 + S + 300, Y0 + S + 100)])
    assert free.sink.pushed == [] and "locked" in free.messages[-1]
    assert free.project.state() == free.start


# -- reshape, split, move, fill -------------------------------------------------------------------
def test_reshape_gives_area_from_neighbour(free):
    free.use(ReshapeTool())
    for x, y in [(X0 + 800, Y0 + 300), (X0 + 1300, Y0 + 300), (X0 + 1300, Y0 + 700)]:
        free.click(x, y)
    free.double_click(X0 + 800, Y0 + 700)
    assert free.territory("R0C0").geometry.area == pytest.approx(S * S + 300 * 400, rel=0.02)
    assert free.territory("R0C1").geometry.area == pytest.approx(S * S - 300 * 400, rel=0.02)
    assert coverage_ok(free.project)
    free.one_step_then_undo()


def test_split_makes_a_new_territory_of_the_smaller_side(free):
    free.use(SplitTool())
    free.click(X0 + 400, Y0 - 100)
    free.double_click(X0 + 400, Y0 + 100)  # ends inside R0C0
    assert free.sink.pushed == []  # a line ending inside does not cross: refused, sketch kept
    assert "cross" in free.messages[-1]
    free.key(Qt.Key.Key_Escape)
    free.click(X0 + 400, Y0 - 100)
    free.double_click(X0 + 400, Y0 + S + 150)  # across R0C0, ending in R1C0
    al = free.project.active_alignment
    assert len(al.territories) == 7
    new = list(al)[-1]
    assert new.name == "R0C0 (split)"
    assert new.geometry.area == pytest.approx(400 * S, rel=0.02)
    assert free.territory("R0C0").geometry.area == pytest.approx(600 * S, rel=0.02)
    assert coverage_ok(free.project)
    free.one_step_then_undo()


def test_move_territory_by_drag(free):
    tool = free.use(MoveTool())
    free.drag([(X0 + 2500, Y0 + 500), (X0 + 2700, Y0 + 500), (X0 + 3000, Y0 + 500)])
    assert tool.preview.is_empty()
    b = free.territory("R0C2").geometry.bounds
    assert b[0] == pytest.approx(X0 + 2500, abs=2 * free.px)  # snapped onto the unit edge: exact
    assert free.territory("R0C2").geometry.area == pytest.approx(S * S)
    free.one_step_then_undo()


def test_fill_hole_by_click(free):
    t = free.territory("R0C0")
    al = free.project.active_alignment
    holed = shapely.box(X0, Y0, X0 + S, Y0 + S).difference(shapely.box(X0 + 300, Y0 + 300, X0 + 600, Y0 + 600))
    free.sink.history.push(set_territory_geometry(free.project, al.id, t.id, holed))
    free.start, free.sink.pushed = free.project.state(), []
    tool = free.use(FillHoleTool())
    free.qtbot.mouseMove(free.vp, free.pos(X0 + 450, Y0 + 450))
    assert not tool.preview.is_empty()
    free.click(X0 + 450, Y0 + 450)
    assert free.territory("R0C0").geometry.area == pytest.approx(S * S)
    free.one_step_then_undo()
    free.click(X0 + 1500, Y0 + 500)  # not in a hole
    assert len(free.sink.pushed) == 1 and "hole" in free.messages[-1]


def test_pick_territory_tool_selects_and_shift_toggles(free):
    free.use(PickTerritoryTool())
    free.click(X0 + 500, Y0 + 500)
    a = free.territory("R0C0").id
    b = free.territory("R1C2").id
    assert free.canvas.selection().ids == (a,)
    free.click(X0 + 2500, Y0 + 1500, mods=Qt.KeyboardModifier.ShiftModifier)
    assert free.canvas.selection().ids == (a, b)
    free.click(X0 + 500, Y0 + 500, mods=Qt.KeyboardModifier.ShiftModifier)
    assert free.canvas.selection().ids == (b,)


# -- snapping ----------------------------------------------------------------------------------------
def test_snap_indicator_vertex_square_segment_x_toggle_and_rebuild(free):
    tool = free.use(DrawPolygonTool())
    snapper = tool.snapper
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 3 * free.px, Y0 + S - 2 * free.px))
    assert tool.indicator.kind == "vertex"
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 3 * free.px, Y0 + 500))
    assert tool.indicator.kind == "segment"
    free.click(X0 + S + 3 * free.px, Y0 + 500)
    assert tool.points[-1] == (X0 + S, pytest.approx(Y0 + 500, abs=free.px))
    snapper.set_tolerance_px(2)
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 5 * free.px, Y0 + 600))
    assert tool.indicator.kind is None
    snapper.set_tolerance_px(10)
    snapper.set_enabled(False)
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 3 * free.px, Y0 + 600))
    assert tool.indicator.kind is None
    snapper.set_enabled(True)
    builds = snapper.builds
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 3 * free.px, Y0 + 650))
    assert snapper.builds == builds  # cached while nothing changes
    free.key(Qt.Key.Key_Escape)
    free.use(VertexEditTool())
    free.drag([(X0 + S, Y0 + S), (X0 + S + 100, Y0 + S + 150), (X0 + S + 200, Y0 + S + 300)])
    free.use(tool)
    free.qtbot.mouseMove(free.vp, free.pos(X0 + S + 3 * free.px, Y0 + 700))
    assert snapper.builds > builds  # rebuilt after the edit
