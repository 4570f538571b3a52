"""Map tools through real mouse events, and reference layers from files."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from terradesk.geo.crs import transform_points
from terradesk.io.errors import ImportSourceError
from terradesk.ui.canvas import MapCanvas, PanTool, SelectTool, ZoomBoxTool
from tests.factories import grid_project

from .test_canvas import SIZE, X0, Y0, unit_centre

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def shown(qtbot):
    c = MapCanvas()
    qtbot.addWidget(c)
    c.resize(640, 480)
    c.set_project(grid_project())
    c.show()
    qtbot.waitExposed(c)
    c.zoom_full()
    return c


def screen_pos(canvas: MapCanvas, x: float, y: float) -> QPoint:
    scene_pt = canvas.vb.mapViewToScene(QPointF(x, y))
    return canvas.view.mapFromScene(scene_pt)


def test_select_tool_click_and_shift_click(shown, qtbot):
    tool = SelectTool()
    shown.set_tool(tool)
    assert shown.tool() is tool and tool.canvas is shown
    vp = shown.view.viewport()
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=screen_pos(shown, *unit_centre(3)))
    assert shown.selection().indices == (3,)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, screen_pos(shown, *unit_centre(10)))
    assert shown.selection().indices == (3, 10)
    qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.ShiftModifier, screen_pos(shown, *unit_centre(3)))
    assert shown.selection().indices == (10,)
    shown.zoom_to_selection()
    x0, y0, x1, y1 = shown.view_rect()
    cx, cy = unit_centre(10)
    assert x0 < cx < x1 and y0 < cy < y1 and x1 - x0 < 3 * SIZE


def test_select_tool_rectangle_drag(shown, qtbot):
    shown.set_tool(SelectTool())
    vp = shown.view.viewport()
    a = screen_pos(shown, X0 + 0.2 * SIZE, Y0 + 0.2 * SIZE)
    b = screen_pos(shown, X0 + 1.8 * SIZE, Y0 + 1.8 * SIZE)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(vp, QPoint((a.x() + b.x()) // 2, (a.y() + b.y()) // 2))
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)
    assert sorted(shown.selection().indices) == [0, 1, 6, 7]


def test_zoom_box_tool_zooms_to_the_dragged_rectangle(shown, qtbot):
    shown.set_tool(ZoomBoxTool())
    vp = shown.view.viewport()
    a = screen_pos(shown, X0, Y0)
    b = screen_pos(shown, X0 + 2 * SIZE, Y0 + 2 * SIZE)
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(vp, b)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, pos=b)
    x0, y0, x1, _y1 = shown.view_rect()
    assert x0 <= X0 + 1 and y0 <= Y0 + 1 and x1 >= X0 + 2 * SIZE - 1 and (x1 - x0) < 4 * SIZE
    shown.set_tool(PanTool())
    assert isinstance(shown.tool(), PanTool)


def test_keyboard_pans_and_zooms(shown, qtbot):
    before = shown.view_rect()
    qtbot.keyClick(shown.view, Qt.Key.Key_Right)
    after = shown.view_rect()
    assert after[0] > before[0]
    qtbot.keyClick(shown.view, Qt.Key.Key_Plus)
    zoomed = shown.view_rect()
    assert zoomed[2] - zoomed[0] < after[2] - after[0]


def test_hover_emits_cursor_position(shown, qtbot):
    seen = []
    shown.cursor_moved.connect(lambda x, y: seen.append((x, y)))
    qtbot.mouseMove(shown.view.viewport(), screen_pos(shown, *unit_centre(14)))
    assert seen
    x, y = seen[-1]
    assert abs(x - unit_centre(14)[0]) < SIZE / 2 and abs(y - unit_centre(14)[1]) < SIZE / 2
    lon, lat = shown.to_lonlat(x, y)
    assert -30 < lon < 40 and 30 < lat < 70  # EPSG:3035 covers Europe


def write_geojson(path, crs="EPSG:3035"):
    xs = [X0 - 500, X0 + 7000, X0 + 7000, X0 - 500, X0 - 500]
    ys = [Y0 - 500, Y0 - 500, Y0 + 5000, Y0 + 5000, Y0 - 500]
    lon, lat = transform_points(xs, ys, crs, "EPSG:4326")
    feature = {
        "type": "Feature",
        "properties": {"name": "county"},
        "geometry": {"type": "Polygon", "coordinates": [list(map(list, zip(lon.tolist(), lat.tolist(), strict=True)))]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))


def test_reference_layer_from_geojson_draws_below_the_units(qtbot, tmp_path):
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(grid_project())
    src = tmp_path / "counties.geojson"
    write_geojson(src)
    changed = []
    canvas.layers_changed.connect(lambda: changed.append(True))
    lid = canvas.add_reference_layer(str(src))
    assert lid.startswith("ref:") and changed
    assert [layer.id for layer in canvas.layers()] == ["accounts", "territories", "units", lid]
    ref = canvas.scene_data.refs[lid]
    assert ref.bounds[0] == pytest.approx(X0 - 500, abs=1) and ref.bounds[3] == pytest.approx(Y0 + 5000, abs=1)
    canvas.set_layer_state("units", visible=False)
    canvas.set_layer_state("territories", visible=False)
    from .test_canvas import pixel

    img = canvas.render_image(400, 300)
    inside = pixel(canvas, img, *unit_centre(14))
    empty = canvas.render_image(400, 300)
    canvas.set_layer_state(lid, visible=False)
    empty = pixel(canvas, canvas.render_image(400, 300), *unit_centre(14))
    assert inside != empty
    assert canvas.legend(lid)[0][0] == "counties"
    canvas.move_layer(lid, 0)
    assert canvas.layers()[0].id == lid
    canvas.remove_layer(lid)
    assert lid not in [layer.id for layer in canvas.layers()]


def test_bad_reference_files_raise_import_source_error(qtbot, tmp_path):
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.set_project(grid_project())
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not geojson {")
    with pytest.raises(ImportSourceError, match=r"junk\.geojson"):
        canvas.add_reference_layer(str(junk))
    with pytest.raises(ImportSourceError, match="no such file"):
        canvas.add_reference_layer(str(tmp_path / "missing.shp"))
    assert [layer.id for layer in canvas.layers()] == ["accounts", "territories", "units"]
