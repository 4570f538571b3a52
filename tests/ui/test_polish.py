"""Polish after the 1366x768 walkthrough: selection that keeps the fill readable, a label
for every territory with room, an empty Layers panel without a project, the selected
territory's bar in the Balance chart, capacity and metric names shown alike everywhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import shapely
from PySide6.QtCore import QPointF, QSettings
from PySide6.QtGui import QColor, QImage

from terradesk.edit import History, rename_territory
from terradesk.model import Alignment, Project
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.labels import box_inside, candidate_anchors, wrapped
from terradesk.ui.canvas.paint import SELECTION_VEIL_ALPHA, world_transform
from terradesk.ui.canvas.state import SELECTION_COLOUR, Selection
from terradesk.ui.dialogs.optimiser_run import metric_choices
from terradesk.ui.dialogs.owners import OwnersDialog, format_capacity
from terradesk.ui.main_window import MainWindow
from terradesk.ui.panels.balance import SELECTED_PEN
from terradesk.ui.panels.metrics import metric_title
from terradesk.ui.settings import Settings
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore(r"propagateSizeHints", "This plugin does not support")
W, H = 600, 400


def active(project: Project) -> Alignment:
    al = project.active_alignment
    assert al is not None
    return al


def near(c: QColor, ref: QColor, tol: int) -> bool:
    return max(abs(c.red() - ref.red()), abs(c.green() - ref.green()), abs(c.blue() - ref.blue())) <= tol


def pixel(canvas: MapCanvas, img: QImage, x: float, y: float) -> QColor:
    rect = canvas.image_rect(img.width(), img.height())
    assert rect is not None
    p = world_transform(rect, img.width()).map(QPointF(x, y))
    return img.pixelColor(round(p.x()), round(p.y()))


@pytest.fixture
def canvas(qtbot: Any) -> MapCanvas:
    c = MapCanvas()
    qtbot.addWidget(c)
    return c


@pytest.fixture
def win(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    w = MainWindow(settings=Settings(QSettings(str(tmp_path / "p.ini"), QSettings.Format.IniFormat)), canvas=MapCanvas())
    yield w
    w.undo.set_clean()
    w.close()
    w.deleteLater()


# -- 1. selection: an outline and a light veil, not a tint ------------------------------------------
def test_a_selected_territory_keeps_its_own_colour_and_gets_a_strong_outline(canvas: MapCanvas) -> None:
    project = grid_project()
    canvas.set_project(project)
    t1 = next(t for t in active(project).territories.values() if t.name == "T1")
    canvas.set_selection(Selection("territories", (t1.id,)))
    img = canvas.render_image(W, H)
    inside = pixel(canvas, img, 4_000_500, 3_001_500)  # a unit centre, away from every line
    fill, a = QColor(t1.colour), SELECTION_VEIL_ALPHA / 255
    veiled = QColor(*(round(c * (1 - a) + 255 * a) for c in (fill.red(), fill.green(), fill.blue())))
    assert near(inside, veiled, 10), (inside.name(), veiled.name())
    assert inside.hue() == pytest.approx(fill.hue(), abs=6)  # was olive: cyan over the fill
    # T1's right edge (shared with T2) carries the 3 px highlight ring
    edge = [pixel(canvas, img, 4_002_000, 3_000_000 + y) for y in (1_200, 2_000, 2_800)]
    assert all(near(c, SELECTION_COLOUR, 40) for c in edge), [c.name() for c in edge]


# -- 2. labels: several anchors, two lines, a smaller font before a label is dropped ----------------
def test_long_names_that_would_overlap_still_all_get_a_label(canvas: MapCanvas) -> None:
    project = grid_project()
    history = History(project)
    al = active(project)
    for t in list(al.territories.values()):
        history.push(rename_territory(project, al.id, t.id, f"{t.name} Northern Marches Sales District"))
    canvas.set_project(project)
    canvas.render_image(W, H)
    assert set(canvas.scene_data.placed_labels) == set(al.territories)


def test_candidate_anchors_reach_the_room_a_surface_point_misses() -> None:
    # an L: the surface point sits in the thin arm, the pole of inaccessibility in the body
    shape = shapely.Polygon([(0, 0), (100, 0), (100, 100), (90, 100), (90, 10), (0, 10)])
    body = shapely.box(0, 0, 100, 10).union(shapely.box(40, 10, 100, 60))
    anchors = candidate_anchors(body, (5.0, 5.0))
    assert anchors[0] == (5.0, 5.0) and len(anchors) >= 2
    assert all(shapely.contains_xy(body, x, y) for x, y in anchors)
    assert any(box_inside(body, x - 20, y - 10, x + 20, y + 10) for x, y in anchors[1:])
    assert not box_inside(shape, 0, 0, 50, 50)
    assert wrapped("Fenport North-East") == "Fenport\nNorth-East" and wrapped("Queneham") == "Queneham"


def test_labels_stay_put_in_partial_repaints_and_after_selection(canvas: MapCanvas) -> None:
    project = grid_project()
    canvas.resize(W, H)
    canvas.set_project(project)
    canvas.render_image(W, H)
    first = dict(canvas.scene_data.placed_labels)
    assert len(first) == 3 and all(len(v) == 4 for v in first.values())  # x, y, font size, lines
    tid = next(iter(active(project).territories))
    canvas.set_selection(Selection("territories", (tid,)))
    canvas.render_image(W, H)
    assert canvas.scene_data.placed_labels == first


# -- 3. Layers panel without a project ------------------------------------------------------------
def test_layers_panel_is_empty_and_disabled_until_a_project_opens(win: MainWindow) -> None:
    panel = win.layer_panel
    assert panel.list.count() == 0 and not panel.list.isEnabled()
    assert not panel.colour.isEnabled() and panel.colour.text() == ""
    assert not panel.opacity.isEnabled() and not panel.add_button.isEnabled()
    win.set_project(grid_project(accounts=5), None)
    assert panel.list.count() >= 3 and panel.list.isEnabled() and panel.add_button.isEnabled()
    win.set_project(None, None)
    assert panel.list.count() == 0 and not panel.colour.isEnabled()


# -- 4. Balance chart follows the selection -------------------------------------------------------
def test_balance_chart_outlines_the_selected_territorys_bar(win: MainWindow) -> None:
    win.set_project(grid_project(accounts=20), None)
    panel = getattr(win, "balance_ui").panel  # noqa: B009 - added by window.balance
    assert panel.data.tids and panel.selected_bars() == []
    tid = panel.data.tids[1]
    win.select("territories", (tid,))
    assert panel.selected_bars() == [1]
    pens = panel.bar_item.opts["pens"]
    assert pens[1] is SELECTED_PEN and all(p is not SELECTED_PEN for i, p in enumerate(pens) if i != 1)
    assert len(panel.selected_item.opts["x"]) == 1 and panel.selected_item.opts["x"][0] == 1
    win.select(None, ())
    assert panel.selected_bars() == [] and len(panel.selected_item.opts["x"]) == 0


# -- 5. Owners: capacity reads the same in the table and the editor ------------------------------
def test_owner_capacity_reads_the_same_in_table_and_editor(qtbot: Any) -> None:
    project = grid_project()
    dlg = OwnersDialog(project, History(project))
    qtbot.addWidget(dlg)
    dlg.table.selectRow(0)
    cell = dlg.table.item(0, 2)
    assert cell is not None and cell.text() == "100"
    assert dlg.capacity.text() == "100"
    assert format_capacity(37.5) == "37.5" and format_capacity(3050.0) == "3050" and format_capacity(None) == ""
    assert format_capacity(2_500_000.0) == "2500000"  # never "2.5e+06"


# -- 6. metric names in the optimiser dialogs ---------------------------------------------------
def test_optimiser_dialogs_use_the_tables_metric_names() -> None:
    project = grid_project(accounts=5)
    labels = {c.name: c.label for c in metric_choices(project)}
    assert labels["population"] == "Population (units)"
    assert labels["accounts"] == "Accounts (number of accounts)"
    assert all(not label.split(" (")[0].count("_") for label in labels.values())
    assert metric_title("market_potential") == "Market potential"
