"""Brush overlays cache what they drew: a frame adds only the new paths, and looks the same."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor, QImage, QPainterPath, QPen

from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools.assign_overlay import PathOverlay, cosmetic
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def square(x: float, y: float, size: float) -> QPainterPath:
    path = QPainterPath()
    path.addRect(x, y, size, size)
    return path


def frame(canvas: MapCanvas) -> QImage:
    image: QImage = canvas.view.viewport().grab().toImage()
    return image


def test_cached_overlay_draws_each_path_once_and_matches_direct_drawing(qtbot: Any) -> None:
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(500, 400)
    project = grid_project()
    canvas.set_project(project)
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.zoom_full()
    qtbot.waitUntil(canvas.is_current)
    x0, y0, x1, _ = canvas.view_rect()
    step = (x1 - x0) / 10
    cached, direct = PathOverlay(z=14, cached=True), PathOverlay(z=14)
    canvas.vb.addItem(cached, ignoreBounds=True)
    fill = (QPen(Qt.PenStyle.NoPen), QBrush(QColor(200, 40, 40, 160)))
    edge = (cosmetic("#202020", 2.0), QBrush(Qt.BrushStyle.NoBrush))
    paths = [(square(x0 + k * step, y0 + k * step, 2.5 * step), *(fill if k % 2 else edge)) for k in range(5)]
    for p in paths[:3]:
        cached.add_path(*p)
    frame(canvas)
    assert cached._drawn == 3  # the first frame drew what was there
    for p in paths[3:]:
        cached.add_path(*p)
    seen = frame(canvas)
    assert cached._drawn == 5  # the next frame added only the two new paths
    canvas.vb.removeItem(cached)
    canvas.vb.addItem(direct, ignoreBounds=True)
    direct.set_paths(paths)
    expected = frame(canvas)
    worst = max(
        max(abs(a.red() - b.red()), abs(a.green() - b.green()), abs(a.blue() - b.blue()))
        for a, b in ((seen.pixelColor(x, y), expected.pixelColor(x, y))
                     for x in range(0, seen.width(), 3) for y in range(0, seen.height(), 3))
    )
    assert worst <= 2
    cached.clear()
    assert cached._drawn == 0  # a new stroke starts from an empty cache
