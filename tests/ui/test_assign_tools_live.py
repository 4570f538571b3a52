"""A brush stroke previews outlines and figures live; the model changes only on release."""

from __future__ import annotations

import numpy as np
import pytest
import shapely
from PySide6.QtCore import QPointF, QSettings, Qt

from terradesk.edit import History, assign_units
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools import BrushTool
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
from tests.factories import grid_project

from .test_assign_tools import LEFT, at, env  # noqa: F401  (pytest fixture)
from .test_canvas import SIZE, X0, Y0

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")
ROW = [(X0 + (i + 0.5) * SIZE / 2, Y0 + 1.5 * SIZE) for i in range(8)]  # row 1, units 6-9


def centroid(canvas: MapCanvas, unit: int) -> QPointF:
    c = shapely.centroid(canvas.scene_data.units.geoms[unit])
    return QPointF(c.x, c.y)


def stroke(qtbot, canvas: MapCanvas, points: list[tuple[float, float]]) -> None:
    vp = canvas.view.viewport()
    qtbot.mousePress(vp, LEFT, pos=at(canvas, *points[0]))
    for p in points[1:]:
        qtbot.mouseMove(vp, at(canvas, *p))


def test_outlines_follow_the_stroke_and_esc_clears_them(env, qtbot):  # noqa: F811
    canvas, project, history, settings, (t1, t2, t3) = env
    settings.radius_px = 3
    previews: list[object] = []
    settings.stroke_preview.connect(previews.append)
    tool = BrushTool(canvas, settings)
    canvas.set_tool(tool)
    stroke(qtbot, canvas, ROW)
    qtbot.waitUntil(lambda: tool.live is not None and not tool.live.pending)  # the throttle timer flushes
    assert len(history) == 0 and project.active_alignment.territory_of_unit(6) == t1
    paths = tool.outline_paths
    assert set(paths) == {t1, t2, t3}
    for u in (6, 7, 8, 9):
        assert paths[t3].contains(centroid(canvas, u))  # the receiver now covers the touched units
        donor = t1 if u < 8 else t2
        assert not paths[donor].contains(centroid(canvas, u))
    # only the part around the stroke is drawn (the rest of each outline is unchanged)
    assert not paths[t1].contains(centroid(canvas, 0)) and not paths[t3].contains(centroid(canvas, 23))
    units, tid = previews[-1]  # type: ignore[misc]
    assert tid == t3 and sorted(units.tolist()) == [6, 7, 8, 9]
    qtbot.keyClick(canvas.view, Qt.Key.Key_Escape)
    assert previews[-1] is None and tool.outline_paths == {} and tool._outline.boundingRect().isEmpty()
    qtbot.mouseRelease(canvas.view.viewport(), LEFT, pos=at(canvas, *ROW[-1]))
    assert len(history) == 0


def test_throttle_batches_moves_into_few_updates(env, qtbot):  # noqa: F811
    canvas, _project, history, settings, (_t1, _t2, t3) = env
    settings.radius_px = 3
    tool = BrushTool(canvas, settings)
    canvas.set_tool(tool)
    stroke(qtbot, canvas, ROW[:2])
    assert tool.live is not None and tool.live.updates == 1  # the first touch shows at once
    tool.live.interval_s = 60.0  # nothing else is due: later moves wait for the timer
    for p in ROW[2:]:
        qtbot.mouseMove(canvas.view.viewport(), at(canvas, *p))
    assert tool.live.updates == 1 and tool.live.pending
    tool.flush_live()
    assert tool.live.updates == 2 and tool.outline_paths[t3].contains(centroid(canvas, 9))
    qtbot.mouseRelease(canvas.view.viewport(), LEFT, pos=at(canvas, *ROW[-1]))
    assert len(history) == 1 and history.undo_label == "Assign 4 units to T3"


@pytest.fixture
def win(qtbot, tmp_path):
    settings = Settings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    w = MainWindow(settings=settings, canvas=MapCanvas())
    w.set_project(grid_project(), None)
    w.show()
    qtbot.waitExposed(w)
    w.canvas.zoom_full()
    yield w
    w.undo.set_clean()
    w.close()
    w.deleteLater()


def units_cell(win: MainWindow, tid: object) -> tuple[object, object]:
    model = win.balance_ui.model
    row = model.table.tids.index(tid)
    col = 3 + [c.name for c in model.columns()].index("units")
    idx = model.index(row, col)
    return model.value(row, col), idx.data(Qt.ItemDataRole.FontRole)


def test_table_and_chart_preview_the_stroke_until_release(win, qtbot):
    ctl = win.assign_tools
    al = win.project.active_alignment
    t1, t2, t3 = list(al.territories)
    ctl.settings.set_territory(t3)
    ctl.settings.radius_px = 3
    ctl.use("assign.brush")
    panel = win.balance_ui.panel
    panel.set_metric("units")
    assert units_cell(win, t3)[0] == 8.0
    stroke(qtbot, win.canvas, ROW)
    tool = ctl.tools["assign.brush"]
    qtbot.waitUntil(lambda: tool.live is not None and not tool.live.pending)
    value, font = units_cell(win, t3)
    assert value == 12.0 and font is not None and font.italic()  # would-be count, marked as a preview
    assert units_cell(win, t1)[0] == 6.0 and units_cell(win, t2)[0] == 6.0
    chart = dict(zip(panel.data.tids, panel.data.values, strict=True))
    assert chart[t3] == 12.0 and chart[t1] == 6.0
    assert len(win.undo) == 0 and al.territory_of_unit(6) == t1
    qtbot.mouseRelease(win.canvas.view.viewport(), LEFT, pos=at(win.canvas, *ROW[-1]))
    assert len(win.undo) == 1 and win.undo.undo_label == "Assign 4 units to T3"
    assert win.balance_ui.model.preview == {} and panel.preview == {}
    value, font = units_cell(win, t3)
    assert value == 12.0 and (font is None or not font.italic())
    win.undo.undo()
    assert units_cell(win, t3)[0] == 8.0


def test_engine_preview_rows_match_the_applied_command():
    from terradesk.analysis.metrics import MetricsEngine, MetricSpec, Target

    project = grid_project(accounts=40)
    al = project.active_alignment
    t1, _t2, t3 = list(al.territories)
    engine = MetricsEngine(project, al.id, MetricSpec(targets=(Target("units"),)))
    units = np.array([6, 7, 8, 9, 13], dtype=np.intp)
    before = engine.rows()
    preview = engine.preview_rows(units, t3)
    assert str(engine.rows()) == str(before)  # nothing moved (str: NaN != NaN)
    History(project).push(assign_units(project, al.id, units, t3))
    after = engine.rows()
    assert set(preview) == {t for t in al.territories if after[t]["units"] != before[t]["units"]}
    for tid, row in preview.items():
        for name in ("units", "accounts", "units_deviation"):
            assert row[name] == pytest.approx(after[tid][name]), (tid, name)
    assert preview[t3]["units"] == before[t3]["units"] + 5 and t1 in preview
    assert engine.preview_rows(np.array([6]), t3) == {}  # already there: nothing would change
    assert set(engine.preview_rows(np.array([6]), None)) == {t3}  # unassigning only touches the donor
    assert engine.preview_rows(np.empty(0, np.intp), t3) == {}
