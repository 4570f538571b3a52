"""The map-tool base: a tool turns canvas gestures (in map coordinates) into intents.

Modelled on QGIS's ``QgsMapTool``: the canvas forwards press/move/release/double-click
and key events to the active tool; a handler returns True when it consumed the event
(otherwise the canvas pans and zooms as usual). Tools never edit the model: they build
commands with :mod:`terradesk.edit` factories and push them to ``canvas.undo_sink``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QPointF, Qt
from PySide6.QtGui import QCursor, QKeyEvent

if TYPE_CHECKING:
    from terradesk.ui.canvas.widget import MapCanvas


@dataclass(frozen=True)
class MapMouseEvent:
    """A mouse event in map (display CRS) coordinates plus the widget position."""

    x: float
    y: float
    pos: QPointF
    button: Qt.MouseButton
    buttons: Qt.MouseButton
    modifiers: Qt.KeyboardModifier

    @property
    def shift(self) -> bool:
        return bool(self.modifiers & Qt.KeyboardModifier.ShiftModifier)


class MapTool(QObject):
    """Base class; subclasses override the handlers they need."""

    name = "Tool"
    tooltip = ""
    shortcut = ""

    def __init__(self, canvas: MapCanvas | None = None) -> None:
        super().__init__()
        self.canvas = canvas
        self.cursor = QCursor(Qt.CursorShape.ArrowCursor)
        self.active = False

    def activate(self) -> None:
        self.active = True

    def deactivate(self) -> None:
        self.active = False

    def canvas_press(self, event: MapMouseEvent) -> bool:
        return False

    def canvas_move(self, event: MapMouseEvent) -> bool:
        return False

    def canvas_release(self, event: MapMouseEvent) -> bool:
        return False

    def canvas_double_click(self, event: MapMouseEvent) -> bool:
        return False

    def canvas_key(self, event: QKeyEvent) -> bool:
        return False
