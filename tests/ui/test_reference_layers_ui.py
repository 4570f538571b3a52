"""Reference layers on the map and in the Layers panel are project data: every edit is one
undo step, the map follows undo, and counted point layers feed the balance table."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import shapely
from PySide6.QtCore import Qt

from terradesk.analysis.point_layers import PointLayer
from terradesk.edit import History, add_reference_layer
from terradesk.model import ReferenceLayer, ReferenceStyle
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.panels.layers import LayerPanel
from terradesk.ui.window.balance_controller import BalanceController
from tests.factories import grid_project
from tests.ui.test_canvas import X0, Y0, pixel

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _geojson(path: Path, lon0: float = 10.0) -> None:
    ring = [[lon0, 50.0], [lon0 + 0.1, 50.0], [lon0 + 0.1, 50.1], [lon0, 50.0]]
    feats = [{"type": "Feature", "properties": {"name": "area"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))


@pytest.fixture
def setup(qtbot):  # type: ignore[no-untyped-def]
    project = grid_project(accounts=6)
    history = History(project)
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(project)
    canvas.undo_sink = history
    return project, history, canvas


def test_adding_a_file_is_one_undo_step_saved_in_the_project(setup, tmp_path):  # type: ignore[no-untyped-def]
    project, history, canvas = setup
    src = tmp_path / "counties.geojson"
    _geojson(src)
    start = project.state()
    lid = canvas.add_reference_layer(str(src))
    (ref,) = project.reference_layers.values()
    assert lid == f"ref:{ref.id}" and ref.name == "counties" and ref.kind == "polygon"
    assert len(history) == 1 and history.undo_label == "Add layer counties"
    assert [ly.id for ly in canvas.layers()][-1] == lid
    history.undo()
    assert project.state() == start and lid not in [ly.id for ly in canvas.layers()] and lid not in canvas.scene_data.refs
    history.redo()
    assert lid in canvas.scene_data.refs


def test_style_order_and_removal_from_the_map_become_commands(setup):  # type: ignore[no-untyped-def]
    project, history, canvas = setup
    box = shapely.box(X0, Y0, X0 + 3000, Y0 + 4000)
    a = ReferenceLayer("A", "polygon", [box], style=ReferenceStyle("#ff0000"))
    b = ReferenceLayer("B", "line", [shapely.LineString([(X0, Y0), (X0 + 3000, Y0 + 4000)])])
    history.push(add_reference_layer(project, a))
    history.push(add_reference_layer(project, b))
    assert [ly.id for ly in canvas.layers()] == ["accounts", "territories", "units", f"ref:{a.id}", f"ref:{b.id}"]
    for value in (0.8, 0.6, 0.4):  # an opacity drag
        canvas.set_layer_state(f"ref:{a.id}", opacity=value)
    assert project.reference_layers[a.id].style.opacity == 0.4 and len(history) == 3
    canvas.set_layer_state(f"ref:{a.id}", visible=False)
    assert not project.reference_layers[a.id].style.visible and not canvas.scene_data.layer(f"ref:{a.id}").visible
    canvas.move_layer(f"ref:{b.id}", 3)  # B above A: the project's order changes
    assert list(project.reference_layers) == [b.id, a.id]
    assert [ly.id for ly in canvas.layers()][3:] == [f"ref:{b.id}", f"ref:{a.id}"]
    canvas.move_layer(f"ref:{a.id}", 0)  # to the top: above B again, so the project's order follows
    assert list(project.reference_layers) == [a.id, b.id] and canvas.layers()[0].id == f"ref:{a.id}"
    steps = len(history)
    canvas.move_layer(f"ref:{a.id}", 1)  # past a core layer only: view state, no undo step
    assert canvas.layers()[1].id == f"ref:{a.id}" and len(history) == steps
    canvas.remove_layer(f"ref:{b.id}")
    assert list(project.reference_layers) == [a.id]
    with pytest.raises(ValueError, match="part of the project"):
        canvas.remove_layer("units")
    history.undo_all()
    assert project.reference_layers == {} and all(not ly.id.startswith("ref:") for ly in canvas.layers())


def test_project_layers_are_drawn_and_hidden_by_their_style(setup):  # type: ignore[no-untyped-def]
    project, history, canvas = setup
    for lid in ("units", "territories", "accounts"):
        canvas.set_layer_state(lid, visible=False)
    ref = ReferenceLayer("Block", "polygon", [shapely.box(X0, Y0, X0 + 6000, Y0 + 4000)],
                         style=ReferenceStyle("#0000ff"))
    blank = pixel(canvas, canvas.render_image(300, 200), X0 + 1500, Y0 + 1500)
    history.push(add_reference_layer(project, ref))
    shown = pixel(canvas, canvas.render_image(300, 200), X0 + 1500, Y0 + 1500)
    assert shown != blank and shown.blue() > shown.red()
    canvas.set_layer_state(f"ref:{ref.id}", visible=False)
    assert pixel(canvas, canvas.render_image(300, 200), X0 + 1500, Y0 + 1500) == blank


def test_layer_panel_edits_land_in_the_project_as_undo_steps(qtbot, setup):  # type: ignore[no-untyped-def]
    project, history, canvas = setup
    panel = LayerPanel()
    qtbot.addWidget(panel)
    panel.set_canvas(canvas)
    panel.set_project(project)
    ref = ReferenceLayer("Sites", "point", [shapely.Point(X0 + 10, Y0 + 10)])
    history.push(add_reference_layer(project, ref))
    items = [panel.list.item(i) for i in range(panel.list.count())]
    item = next(i for i in items if i.text() == "Sites")
    item.setCheckState(Qt.CheckState.Unchecked)
    assert not project.reference_layers[ref.id].style.visible and len(history) == 2
    panel.list.setCurrentRow(panel.list.row(next(
        panel.list.item(i) for i in range(panel.list.count()) if panel.list.item(i).text() == "Sites")))
    assert panel.remove_button.isEnabled()
    panel.remove_button.click()
    assert project.reference_layers == {} and len(history) == 3
    history.undo()  # the panel follows undo
    assert "Sites" in [panel.list.item(i).text() for i in range(panel.list.count())]


def test_counted_point_layers_come_from_the_project_and_follow_undo(qtbot):  # type: ignore[no-untyped-def]
    project = grid_project(accounts=6)
    history = History(project)
    controller = BalanceController(sink=history)
    controller.set_project(project)
    changes: list[bool] = []
    controller.point_layers_changed.connect(lambda: changes.append(True))
    xs = np.array([X0 + 500, X0 + 5500, np.nan])
    controller.add_point_layer(PointLayer("Competitor sites", xs, np.array([Y0 + 500, Y0 + 500, np.nan])))
    (ref,) = project.reference_layers.values()
    assert ref.counted and ref.kind == "point" and len(ref) == 3 and ref.geometry[2] is None
    assert [p.name for p in controller.point_layers] == ["Competitor sites"] and changes
    assert controller.point_layers[0].placed == 2 and len(history) == 1
    history.undo()
    assert controller.point_layers == []
    history.redo()
    assert [p.column for p in controller.point_layers] == ["points_competitor_sites"]
    controller.set_project(None)
