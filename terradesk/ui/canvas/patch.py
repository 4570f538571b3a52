"""Partial repaints: redraw only the part of the cached map image an edit changed.

A full redraw of the 40,000-unit demo with 200,000 accounts takes over a second, most
of it spent on markers nowhere near the edit. Assigning a unit changes the picture only
inside that unit's bounding box (its fill, the outlines along its edges, markers and
labels on top), so we render that box, grown by a margin for thick outlines and marker
sprites that reach across its edge, into a small image and copy it into the cached one.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from terradesk.ui.canvas.layers import Bounds
from terradesk.ui.canvas.paint import paint_scene
from terradesk.ui.canvas.scene import MapScene
from terradesk.ui.canvas.theme import LIGHT, MapTheme

#: Pixels drawn around the edited box: markers (~7 px radius) and 2 px outlines reach in.
MARGIN_PX = 12
#: Patch origins snap to this grid so the hatching of unassigned units lines up.
ALIGN_PX = 8


def patch_box(rect: Bounds, width: int, height: int, box: Bounds) -> tuple[int, int, int, int] | None:
    """The device-pixel box (i0, j0, i1, j1) to repaint for map ``box``; None when off view."""
    px = (rect[2] - rect[0]) / width
    i0 = math.floor((box[0] - rect[0]) / px) - MARGIN_PX
    i1 = math.ceil((box[2] - rect[0]) / px) + MARGIN_PX
    j0 = math.floor((rect[3] - box[3]) / px) - MARGIN_PX
    j1 = math.ceil((rect[3] - box[1]) / px) + MARGIN_PX
    i0, j0 = max(0, i0 - i0 % ALIGN_PX), max(0, j0 - j0 % ALIGN_PX)
    i1, j1 = min(width, i1), min(height, j1)
    if i1 <= i0 or j1 <= j0:
        return None
    return i0, j0, i1, j1


def patch_image(
    scene: MapScene, image: QImage, rect: Bounds, width: int, height: int, box: Bounds,
    labels: dict[str, tuple[float, ...]], theme: MapTheme = LIGHT, highlight: QColor | None = None,
) -> None:
    """Repaint the part of ``image`` (showing ``rect`` at ``width`` x ``height``) under ``box``.

    The patch is painted with an extra margin all round and only its inner part is
    copied, so markers and outlines just outside the box are complete at the seam.
    """
    found = patch_box(rect, width, height, box)
    if found is None:
        return
    i0, j0, i1, j1 = found
    # paint a larger area, keep the inner one
    a0, b0 = max(0, i0 - MARGIN_PX), max(0, j0 - MARGIN_PX)
    a0, b0 = a0 - a0 % ALIGN_PX, b0 - b0 % ALIGN_PX
    a1, b1 = min(width, i1 + MARGIN_PX), min(height, j1 + MARGIN_PX)
    px = (rect[2] - rect[0]) / width
    sub_rect = (rect[0] + a0 * px, rect[3] - b1 * px, rect[0] + a1 * px, rect[3] - b0 * px)
    dpr = image.devicePixelRatio()
    sub = QImage(max(1, round((a1 - a0) * dpr)), max(1, round((b1 - b0) * dpr)), image.format())
    sub.setDevicePixelRatio(dpr)
    painter = QPainter(sub)
    try:
        paint_scene(scene, painter, sub_rect, a1 - a0, b1 - b0, overlays=False, labels=labels, theme=theme,
                    highlight=highlight)
    finally:
        painter.end()
    painter = QPainter(image)
    try:
        painter.setCompositionMode(QPainter.CompositionMode.CompositionMode_Source)
        source = QRectF((i0 - a0) * dpr, (j0 - b0) * dpr, (i1 - i0) * dpr, (j1 - j0) * dpr)
        painter.drawImage(QRectF(QPointF(i0, j0), QPointF(i1, j1)), sub, source)
    finally:
        painter.end()
