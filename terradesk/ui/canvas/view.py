"""The pyqtgraph view inside MapCanvas: forwards gestures to the active tool, draws the
scale bar and north arrow in screen space, and handles keyboard navigation."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QKeyEvent, QMouseEvent, QPainter, QResizeEvent

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
        sd = self.canvas.scene_data
        if sd.project is None:
            return
        painter.save()
        painter.resetTransform()
        w, h = self.viewport().width(), self.viewport().height()
        x0, y0, x1, y1 = self.canvas.view_rect()
        mpp = (x1 - x0) / max(self.vb.width(), 1.0) * sd.metres_per_unit()
        theme = self.canvas.theme
        draw_scale_bar(painter, h, mpp, theme)
        draw_north_arrow(painter, w, sd.north_angle((x0 + x1) / 2, (y0 + y1) / 2), theme)
        painter.restore()


