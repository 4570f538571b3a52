"""The pyqtgraph view inside MapCanvas: forwards gestures to the active tool, draws the
scale bar and north arrow in screen space, and handles keyboard navigation."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QFont, QImage, QKeyEvent, QMouseEvent, QPainter, QResizeEvent

from terradesk.ui.canvas.overlays import draw_north_arrow, draw_scale_bar
from terradesk.ui.canvas.tools.base import MapMouseEvent

if TYPE_CHECKING:
    from terradesk.ui.canvas.widget import MapCanvas


class MapView(pg.GraphicsView):  # type: ignore[misc]
    resized = Signal()

    def __init__(self, canvas: MapCanvas) -> None:
        super().__init__(parent=canvas, background=canvas.theme.background)
        self.canvas = canvas
        self.vb = pg.ViewBox(lockAspect=True, enableMenu=False, invertY=False, defaultPadding=0.03)
        self.vb.setMouseMode(pg.ViewBox.PanMode)
        self.vb.disableAutoRange()
        self.setCentralItem(self.vb)
        self.setMouseTracking(True)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAntialiasing(False)  # the map image is antialiased already; items draw their own
        # scale bar and north arrow as small images, redrawn only when view, size or theme change
        self._fg_key: tuple[object, ...] | None = None
        self._fg: list[tuple[QPointF, QImage]] = []

    # -- coordinates --------------------------------------------------------------
    def map_event(self, ev: QMouseEvent) -> MapMouseEvent:
        p = self.vb.mapSceneToView(self.mapToScene(ev.position().toPoint()))
        return MapMouseEvent(p.x(), p.y(), ev.position(), ev.button(), ev.buttons(), ev.modifiers())

    # -- events -------------------------------------------------------------------
    def mousePressEvent(self, ev: QMouseEvent) -> None:
        tool = self.canvas.tool()
        if tool is not None and tool.canvas_press(self.map_event(ev)):
            ev.accept()
            return
        super().mousePressEvent(ev)

    def mouseMoveEvent(self, ev: QMouseEvent) -> None:
        mev = self.map_event(ev)
        self.canvas.cursor_moved.emit(mev.x, mev.y)
        tool = self.canvas.tool()
        if tool is not None and tool.canvas_move(mev):
            ev.accept()
            return
        if ev.buttons() == Qt.MouseButton.NoButton:
            self.canvas.hover_at(mev.x, mev.y, QPointF(ev.globalPosition()))
        super().mouseMoveEvent(ev)

    def mouseReleaseEvent(self, ev: QMouseEvent) -> None:
        tool = self.canvas.tool()
        if tool is not None and tool.canvas_release(self.map_event(ev)):
            ev.accept()
            return
        super().mouseReleaseEvent(ev)

    def mouseDoubleClickEvent(self, ev: QMouseEvent) -> None:
        tool = self.canvas.tool()
        if tool is not None and tool.canvas_double_click(self.map_event(ev)):
            ev.accept()
            return
        super().mouseDoubleClickEvent(ev)

    def leaveEvent(self, ev: object) -> None:
        self.canvas._set_hover(None)
        super().leaveEvent(ev)

    def keyPressEvent(self, ev: QKeyEvent) -> None:
        tool = self.canvas.tool()
        if tool is not None and tool.canvas_key(ev):
            return
        key = ev.key()
        steps: dict[object, tuple[float, float]] = {
            Qt.Key.Key_Left: (-0.25, 0.0), Qt.Key.Key_Right: (0.25, 0.0),
            Qt.Key.Key_Up: (0.0, 0.25), Qt.Key.Key_Down: (0.0, -0.25),
        }
        if key in steps:
            self.canvas.pan_by(*steps[key])
        elif key in (Qt.Key.Key_Plus, Qt.Key.Key_Equal):
            self.canvas.zoom_in()
        elif key == Qt.Key.Key_Minus:
            self.canvas.zoom_out()
        else:
            super().keyPressEvent(ev)

    def resizeEvent(self, ev: QResizeEvent) -> None:
        super().resizeEvent(ev)
        self.resized.emit()

    # -- overlays -----------------------------------------------------------------
    def drawForeground(self, painter: QPainter, rect: QRectF) -> None:
        """Scale bar and north arrow; cached, since a brush stroke repaints every move."""
        sd = self.canvas.scene_data
        if sd.project is None:
            return
        w, h = self.viewport().width(), self.viewport().height()
        x0, y0, x1, y1 = self.canvas.view_rect()
        mpp = (x1 - x0) / max(self.vb.width(), 1.0) * sd.metres_per_unit()
        theme = self.canvas.theme
        angle = sd.north_angle((x0 + x1) / 2, (y0 + y1) / 2)
        font = QFont(painter.font())
        dpr = self.viewport().devicePixelRatioF()
        key = (w, h, mpp, angle, id(theme), theme.name, dpr, font.key())
        if key != self._fg_key:
            # the bar is at most ~170 px wide in the bottom-left corner; the arrow is top-right
            self._fg = [
                _sprite(QRectF(0, h - 48, 184, 48), dpr, font, lambda p: draw_scale_bar(p, h, mpp, theme)),
                _sprite(QRectF(w - 60, 0, 60, 72), dpr, font, lambda p: draw_north_arrow(p, w, angle, theme)),
            ]
            self._fg_key = key
        painter.save()
        painter.resetTransform()
        for at, image in self._fg:
            painter.drawImage(at, image)
        painter.restore()


def _sprite(area: QRectF, dpr: float, font: QFont, draw: Callable[[QPainter], None]) -> tuple[QPointF, QImage]:
    """``draw`` (in viewport pixels) rendered into a transparent image covering ``area``."""
    image = QImage(math.ceil(area.width() * dpr), math.ceil(area.height() * dpr),
                   QImage.Format.Format_ARGB32_Premultiplied)
    image.setDevicePixelRatio(dpr)
    image.fill(Qt.GlobalColor.transparent)
    p = QPainter(image)
    try:
        p.setFont(font)
        p.translate(-area.x(), -area.y())
        draw(p)
    finally:
        p.end()
    return area.topLeft(), image
