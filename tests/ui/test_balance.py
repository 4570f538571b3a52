"""Balance dock, engine-fed Territories table and deviation colouring on the map."""

from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from terradesk.analysis.metrics import MetricsEngine, MetricSpec, Target
from terradesk.analysis.targets import status
from terradesk.edit import History, assign_units
from terradesk.model import Project
from terradesk.ui.canvas import LayerStyle, MapCanvas, Selection
from terradesk.ui.canvas.state import deviation_colour
from terradesk.ui.panels.balance import INSIDE, OVER, UNDER, BalancePanel
from terradesk.ui.panels.balance_table import KIND_ROLE, EngineTableModel, RegionsLastProxy
from tests.factories import grid_project
from tests.ui.test_canvas import X0, Y0, close, pixel

COLOURS = {1: OVER, -1: UNDER, 0: INSIDE}
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def setup(qtbot):
    project = grid_project(accounts=60)
    history = History(project)
    al = project.active_alignment
    assert al is not None
    engine = MetricsEngine(project, al.id, MetricSpec(targets=(Target("accounts", tolerance=0.1),)))
    panel = BalancePanel()
    qtbot.addWidget(panel)
    panel.set_engine(engine, "accounts")
    yield project, history, engine, panel
    engine.close()


def _move_column(project: Project, history: History, column: int, to: int) -> None:
    al = project.active_alignment
    assert al is not None
    units = np.flatnonzero(np.arange(len(project.units)) % 6 == column)
    history.push(assign_units(project, al.id, units, list(al.territories)[to]))


def _bars(panel: BalancePanel) -> tuple[list[float], list[object]]:
    opts = panel.bar_item.opts
    return list(np.asarray(opts["height"], dtype=float)), list(opts["brushes"])


def test_bars_are_the_engine_values_sorted_and_coloured_over_under(setup):
    project, _, engine, panel = setup
    values = engine.values("accounts")
    heights, brushes = _bars(panel)
    assert heights == sorted(values.values(), reverse=True)
    assert panel.data.tids == sorted(values, key=lambda t: -values[t])
    for tid, brush in zip(panel.data.tids, brushes, strict=True):
        expected = COLOURS[status(engine.deviation(tid, "accounts"), 0.1)]
        assert brush.name() == expected.name(), project.active_alignment.territory(tid).name
    # the band is target ± tolerance around the mean
    mean = float(np.mean(list(values.values())))
    band = panel.band_item.opts
    assert np.allclose(band["y0"], mean * 0.9) and np.allclose(band["height"], mean * 0.2)
    assert "over" in panel.summary.text() and "±10 %" in panel.summary.text()


def test_an_unbalanced_plan_shows_red_and_blue_bars(setup):
    project, history, engine, panel = setup
    _move_column(project, history, 2, 0)  # T1 now holds three columns, T2 one
    assert panel.data.statuses[0] == 1 and panel.data.statuses[-1] == -1
    heights, brushes = _bars(panel)
    assert brushes[0].name() == OVER.name() and brushes[-1].name() == UNDER.name()
    assert heights[0] == max(engine.values("accounts").values())


def test_metric_chooser_and_tolerance_redraw(setup, qtbot):
    _, _, engine, panel = setup
    i = panel.metric_box.findData("population")
    assert i >= 0
    with qtbot.waitSignal(panel.metric_chosen):
        panel.metric_box.setCurrentIndex(i)
        panel.metric_box.activated.emit(i)
    assert _bars(panel)[0] == sorted(engine.values("population").values(), reverse=True)
    panel.tolerance.setValue(50.0)
    assert panel.data.tolerance == pytest.approx(0.5)
    assert set(panel.data.statuses) == {0}  # everything within ±50 %
    with qtbot.waitSignal(panel.tolerance_changed, timeout=2000) as blocker:
        pass
    assert blocker.args == ["population", pytest.approx(0.5)]


def test_clicking_a_bar_selects_the_territory_on_the_map(setup, qtbot):
    project, _, _, panel = setup
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(project)
    panel.set_canvas(canvas)
    panel.resize(600, 300)
    panel.show()
    qtbot.waitExposed(panel)
    target = panel.data.tids[1]
    vb = panel.plot.getPlotItem().vb
    scene_pt = vb.mapViewToScene(panel.bar_centre(target))
    pos = panel.plot.mapFromScene(scene_pt)
    with qtbot.waitSignal(panel.territory_clicked) as blocker:
        qtbot.mouseClick(panel.plot.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(pos.x(), pos.y()))
    assert blocker.args == [target]
    assert canvas.selection() == Selection("territories", (target,))
    # a click beside every bar selects nothing new
    assert panel.bar_at(len(panel.data.tids) + 2.0, 1.0) is None


def test_chart_and_table_follow_an_assignment_and_its_undo(setup, qtbot):
    project, history, engine, panel = setup
    model = EngineTableModel()
    model.set_engine(engine)
    before_chart = list(panel.data.values)
    col = [c.name for c in model.columns()].index("accounts") + 3
    t1 = next(iter(project.active_alignment.territories))
    before_t1 = model.value(model.table.row(t1), col)
    _move_column(project, history, 2, 0)
    after = engine.values("accounts")
    assert sorted(panel.data.values, reverse=True) == sorted(after.values(), reverse=True)
    assert model.value(model.table.row(t1), col) == after[t1] > before_t1
    history.undo()
    assert panel.data.values == before_chart
    assert model.value(model.table.row(t1), col) == before_t1
    model.set_engine(None)


def test_table_shows_deviation_region_totals_kept_last_and_exports_csv(setup):
    project, _, engine, _ = setup
    model = EngineTableModel()
    model.set_engine(engine)
    names = [c.name for c in model.columns()]
    assert "accounts_deviation" in names and "avg_population" not in names
    al = project.active_alignment
    assert model.table.regions == ["North", "South"]
    assert model.rowCount() == len(al.territories) + 2
    north = model.value(len(al.territories), 3 + names.index("population"))
    expected = sum(engine.values("population")[t.id] for t in al if t.region == "North")
    assert north == pytest.approx(expected)
    dev_col = 3 + names.index("accounts_deviation")
    t = al.territory(model.table.tids[0])
    shown = model.data(model.index(0, dev_col))
    assert shown.endswith("%") and shown[0] in "+-"
    proxy = RegionsLastProxy()
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole + 1)
    for order in (Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder):
        proxy.sort(3 + names.index("accounts"), order)
        kinds = [proxy.index(r, 0).data(KIND_ROLE) for r in range(proxy.rowCount())]
        assert kinds[-2:] == ["region", "region"] and "region" not in kinds[:-2]
        vals = [proxy.index(r, 3 + names.index("accounts")).data(Qt.ItemDataRole.UserRole + 1) for r in range(3)]
        assert vals == sorted(vals, reverse=order == Qt.SortOrder.DescendingOrder)
    rows = model.csv_rows()
    assert rows[0][:4] == ["row_type", "territory", "owner", "region"]
    assert rows[1][1] == t.name and float(rows[1][4 + names.index("accounts")]) == engine.values("accounts")[t.id]
    assert [r[0] for r in rows[-2:]] == ["region", "region"]
    model.set_engine(None)


def test_point_layer_is_counted_per_territory_as_a_column(setup):
    from terradesk.analysis.point_layers import PointLayer, count_per_territory

    project, _, engine, _ = setup
    al = project.active_alignment
    # three points in the first strip (T1), one in the last, one outside, one unplaced
    xs = [X0 + 500, X0 + 1500, X0 + 600, X0 + 5500, X0 - 9000, math.nan]
    ys = [Y0 + 500, Y0 + 2500, Y0 + 3500, Y0 + 500, Y0, math.nan]
    layer = PointLayer("Competitor sites", np.array(xs), np.array(ys))
    counts = count_per_territory(project, al, layer)
    assert list(counts.values()) == [3, 0, 1] and layer.placed == 5
    model = EngineTableModel()
    model.set_point_layers([layer])
    model.set_engine(engine)
    names = [c.name for c in model.columns()]
    assert names[-1] == "points_competitor_sites"
    assert [model.value(r, 3 + len(names) - 1) for r in range(3)] == [3.0, 0.0, 1.0]
    model.set_engine(None)


def test_map_coloured_by_deviation_shows_diverging_colours_and_legend(qtbot):
    project = grid_project(accounts=60)
    history = History(project)
    _move_column(project, history, 2, 0)
    al = project.active_alignment
    engine = MetricsEngine(project, al.id)
    devs = {t: engine.deviation(t, "accounts") for t in al.territories}
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(project)
    canvas.set_layer_state("units", style=LayerStyle(mode="deviation", field="accounts", values=devs, tolerance=0.1))
    img = canvas.render_image(600, 400)
    t1, t2 = list(al.territories)[:2]
    assert devs[t1] > 0.2 and devs[t2] < -0.2
    assert close(pixel(canvas, img, X0 + 500, Y0 + 1500), "#b2182b")  # T1 far over: dark red
    assert close(pixel(canvas, img, X0 + 3500, Y0 + 1500), "#2166ac")  # T2 far under: dark blue
    assert deviation_colour(0.05, 0.1).name() == "#f7f7f7"
    assert deviation_colour(math.nan, 0.1).name() == "#c8c8c8"
    legend = canvas.legend("units")
    assert "within ±10 %" in [label for label, _ in legend]
    engine.close()


def test_pinned_accounts_get_a_ring_on_the_map(qtbot):
    from terradesk.edit import pin_accounts
    from terradesk.model import AccountLayer
    from terradesk.ui.canvas.accounts import PIN_COLOUR
    from terradesk.ui.canvas.paint import world_transform

    project = grid_project()
    project.accounts.insert_rows(AccountLayer(
        {"id": ["a1", "a2"], "name": ["Pinned", "Free"], "x": [X0 + 500, X0 + 2500], "y": [Y0 + 500, Y0 + 500]}))
    history = History(project)
    al = project.active_alignment
    history.push(pin_accounts(project, al.id, ["a1"], list(al.territories)[2]))
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(project)
    img = canvas.render_image(600, 400)
    rect = canvas.image_rect(600, 400)
    world = world_transform(rect, 600)

    def ring_pixel(x: float, y: float):
        p = world.map(QPointF(x, y))
        return img.pixelColor(round(p.x() + 7), round(p.y()))

    assert close(ring_pixel(X0 + 500, Y0 + 500), PIN_COLOUR.name(), tol=40)
    assert not close(ring_pixel(X0 + 2500, Y0 + 500), PIN_COLOUR.name(), tol=40)


def test_hover_text_names_value_target_and_deviation(setup):
    _, _, engine, panel = setup
    tid = panel.data.tids[0]
    text = panel.bar_text(tid)
    assert engine.alignment.territory(tid).name in text
    assert f"{100 * engine.deviation(tid, 'accounts'):+.1f} %" in text
