"""The two pyqtgraph items of the canvas: the cached map image and the hover highlight.

The whole map is one image rendered at rest; while the view pans or zooms the item just
re-blits that image under the new transform (a pan frame is a single drawImage), and the
canvas renders a fresh image once the view settles.
"""

from __future__ import annotations

from collections.abc import Callable

import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPainterPath, QPen

from terradesk.ui.canvas.state import HOVER_COLOUR


class MapImageItem(pg.GraphicsObject):  # type: ignore[misc]
    """Shows a QImage rendered for a map rectangle, at whatever the view transform is now."""

    def __init__(self) -> None:
        super().__init__()
        self._image: QImage | None = None
        self._rect = QRectF()
        self.setZValue(0)
        #: called after each paint that showed an image (the canvas's "frame is on screen")
        self.on_painted: Callable[[], None] | None = None

    def set_image(self, image: QImage, rect: QRectF) -> None:
        self.prepareGeometryChange()
        self._image, self._rect = image, QRectF(rect)
        self.update()

    def image(self) -> QImage | None:
        """The shown image (the canvas patches it in place after small edits)."""
        return self._image

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, *args: object) -> None:
        if self._image is None or self._rect.isEmpty():
            return
        target = painter.transform().mapRect(self._rect)
        painter.save()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        painter.drawImage(target, self._image)
        painter.restore()
        if self.on_painted is not None:
            self.on_painted()


class HighlightItem(pg.GraphicsObject):  # type: ignore[misc]
    """The hovered unit/territory outline, drawn live over the cached image."""

    def __init__(self) -> None:
        super().__init__()
        self._path = QPainterPath()
        self.setZValue(10)

    def set_path(self, path: QPainterPath | None) -> None:
        self.prepareGeometryChange()
        self._path = path if path is not None else QPainterPath()
        self.update()

    def boundingRect(self) -> QRectF:
        return self._path.boundingRect()

    def paint(self, painter: QPainter, *args: object) -> None:
        if self._path.isEmpty():
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        fill = QColor(HOVER_COLOUR)
        fill.setAlpha(45)
        pen = QPen(HOVER_COLOUR, 2)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(fill)
        painter.drawPath(self._path)


class RubberBandItem(pg.GraphicsObject):  # type: ignore[misc]
    """The dashed rectangle of zoom-box and rectangle-select drags (map coordinates)."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self.setZValue(20)

    def set_rect(self, rect: QRectF | None) -> None:
        self.prepareGeometryChange()
        self._rect = rect.normalized() if rect is not None else QRectF()
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(self._rect)

    def paint(self, painter: QPainter, *args: object) -> None:
        if self._rect.isEmpty():
            return
        pen = QPen(QColor("#0060c0"), 1, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(QColor(0, 96, 192, 35))
        painter.drawRect(self._rect)
