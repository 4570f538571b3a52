"""Map canvas: what a planner sees at known map positions, and that edits show up."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor, QImage

from terradesk.edit import History, assign_units, set_territory_property
from terradesk.ui.canvas import LayerStyle, MapCanvas, Selection
from terradesk.ui.canvas.paint import world_transform
from tests.factories import grid_project

X0, Y0, SIZE = 4_000_000.0, 3_000_000.0, 1000.0
W, H = 600, 400


def unit_centre(i: int, nx: int = 6) -> tuple[float, float]:
    return X0 + (i % nx + 0.5) * SIZE, Y0 + (i // nx + 0.5) * SIZE


def pixel(canvas: MapCanvas, img: QImage, x: float, y: float) -> QColor:
    rect = canvas.image_rect(img.width(), img.height())
    assert rect is not None
    p = world_transform(rect, img.width()).map(QPointF(x, y))
    return img.pixelColor(int(p.x()), int(p.y()))


def close(c: QColor, hex_colour: str, tol: int = 6) -> bool:
    ref = QColor(hex_colour)
    return max(abs(c.red() - ref.red()), abs(c.green() - ref.green()), abs(c.blue() - ref.blue())) <= tol


@pytest.fixture
def canvas(qtbot):
    c = MapCanvas()
    qtbot.addWidget(c)
    return c


def test_units_are_filled_with_their_territory_colour_without_showing_the_widget(canvas):
    project = grid_project()
    canvas.set_project(project)
    assert not canvas.isVisible()
    img = canvas.render_image(W, H)
    al = project.active_alignment
    colours = [t.colour for t in al]
    # strips: columns 0-1 -> T1, 2-3 -> T2, 4-5 -> T3
    for unit, colour in [(0, colours[0]), (8, colours[1]), (23, colours[2]), (13, colours[0])]:
        assert close(pixel(canvas, img, *unit_centre(unit)), colour), unit


def test_outlines_are_darker_than_the_fills_and_territory_edges_darkest(canvas):
    project = grid_project()
    canvas.set_project(project)
    img = canvas.render_image(W, H)
    fill = pixel(canvas, img, *unit_centre(6))
    # unit edge between unit 6 and 12 (same territory), territory edge between columns 1 and 2
    unit_edge = pixel(canvas, img, X0 + 0.5 * SIZE, Y0 + 2 * SIZE)
    territory_edge = pixel(canvas, img, X0 + 2 * SIZE, Y0 + 1.5 * SIZE)
    assert unit_edge.lightness() < fill.lightness()
    assert territory_edge.lightness() < unit_edge.lightness()
    assert territory_edge.lightness() < 110


def test_unassigned_units_look_distinct_and_undo_restores_the_colour(canvas):
    project = grid_project()
    al = project.active_alignment
    canvas.set_project(project)
    history = History(project)
    before = pixel(canvas, canvas.render_image(W, H), *unit_centre(7))
    assert close(before, next(iter(al.territories.values())).colour)

    history.push(assign_units(project, al.id, [7], None))
    after = pixel(canvas, canvas.render_image(W, H), *unit_centre(7))
    assert abs(after.red() - after.green()) < 12 and abs(after.green() - after.blue()) < 12  # grey
    assert not close(after, next(iter(al.territories.values())).colour, 20)

    history.push(assign_units(project, al.id, [7], list(al.territories)[2]))
    moved = pixel(canvas, canvas.render_image(W, H), *unit_centre(7))
    assert close(moved, list(al.territories.values())[2].colour)

    history.undo()
    history.undo()
    restored = pixel(canvas, canvas.render_image(W, H), *unit_centre(7))
    assert close(restored, next(iter(al.territories.values())).colour)


def test_a_territory_colour_change_repaints_only_that_territory(canvas):
    project = grid_project()
    al = project.active_alignment
    canvas.set_project(project)
    canvas.render_image(W, H)
    terr = canvas.scene_data.territories
    first, second = list(al.territories)[:2]
    kept = terr.items()[second]
    History(project).push(set_territory_property(project, al.id, first, "colour", "#ff0000"))
    assert first not in terr._items and terr._items[second] is kept  # only the named one rebuilt
    img = canvas.render_image(W, H)
    assert close(pixel(canvas, img, *unit_centre(0)), "#ff0000")


def test_selection_is_highlighted(canvas):
    project = grid_project()
    canvas.set_project(project)
    plain = pixel(canvas, canvas.render_image(W, H), *unit_centre(9))
    seen = []
    canvas.selection_changed.connect(seen.append)
    canvas.set_selection(Selection("units", (str(project.units.ids[9]),), (9,)))
    lit = pixel(canvas, canvas.render_image(W, H), *unit_centre(9))
    assert seen and seen[-1].indices == (9,)
    assert lit != plain and lit.lightness() > plain.lightness()  # a light veil keeps the fill's hue
    other = pixel(canvas, canvas.render_image(W, H), *unit_centre(8))  # same territory as 9
    assert close(other, plain.name(), 8)  # neighbours stay as they were


def test_hit_testing_picks_the_unit_under_the_cursor(canvas):
    project = grid_project()
    canvas.set_project(project)
    for unit in (0, 5, 14, 23):
        sel = canvas.pick(*unit_centre(unit))
        assert sel.kind == "units" and sel.indices == (unit,)
        assert sel.ids == (project.units.ids[unit],)
    assert canvas.pick(X0 - 5000, Y0 - 5000) == Selection()
    territory = canvas.pick(*unit_centre(0), territory=True)
    assert territory.kind == "territories" and territory.ids == (next(iter(project.active_alignment.territories)),)
    text = canvas.hover_at(*unit_centre(14))
    assert project.units.codes[14] in text and "T2" in text


@pytest.mark.qt_log_ignore("propagateSizeHints")
def test_zoom_and_pan_change_the_view_range(canvas, qtbot):
    canvas.resize(640, 480)
    canvas.set_project(grid_project())
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.zoom_full()
    x0, y0, x1, y1 = canvas.view_rect()
    assert x0 <= X0 and x1 >= X0 + 6 * SIZE and y0 <= Y0 and y1 >= Y0 + 4 * SIZE
    canvas.zoom_in()
    z = canvas.view_rect()
    assert (z[2] - z[0]) < (x1 - x0) * 0.8
    canvas.pan_by(0.25, 0)
    p = canvas.view_rect()
    assert p[0] > z[0] and p[2] - p[0] == pytest.approx(z[2] - z[0])
    scales = []
    canvas.scale_changed.connect(scales.append)
    canvas.zoom_out()
    assert scales and scales[-1] > 0
    canvas.zoom_to_bounds(X0, Y0, X0 + SIZE, Y0 + SIZE)
    b = canvas.view_rect()
    assert b[2] - b[0] < 2 * SIZE * 1.6
    qtbot.waitUntil(canvas.is_current, timeout=2000)


def test_choropleth_style_and_legend(canvas):
    project = grid_project()
    canvas.set_project(project)
    legend = canvas.legend("units")
    assert [name for name, _ in legend] == ["T1", "T2", "T3"]
    canvas.set_layer_state("units", style=LayerStyle(mode="field", field="population", ramp="viridis", classes=3))
    entries = canvas.legend("units")
    assert len(entries) == 3 and all(isinstance(c, QColor) for _, c in entries)
    img = canvas.render_image(W, H)
    low = np.argmin(project.units.column("population"))
    high = np.argmax(project.units.column("population"))
    assert pixel(canvas, img, *unit_centre(int(low))) != pixel(canvas, img, *unit_centre(int(high)))
    with pytest.raises(ValueError):
        canvas.remove_layer("units")


def test_accounts_are_drawn_and_pickable(canvas):
    project = grid_project(accounts=5)
    canvas.set_project(project)
    canvas.set_account_style("revenue", "revenue")
    x, y = float(project.accounts.x[2]), float(project.accounts.y[2])
    sel = canvas.pick(x, y)
    assert sel.kind == "accounts" and sel.indices == (2,)
    assert len(canvas.legend("accounts")) >= 2
    canvas.set_layer_state("accounts", visible=False)
    assert canvas.pick(x, y).kind == "units"


def test_export_png_and_svg(canvas, tmp_path):
    canvas.set_project(grid_project())
    png, svg = tmp_path / "map.png", tmp_path / "map.svg"
    canvas.export_image(str(png), 320, 200)
    canvas.export_image(str(svg), 320, 200)
    assert QImage(str(png)).size().width() == 320
    assert "<svg" in svg.read_text()[:2000]
