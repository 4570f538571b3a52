"""Press, drag, release a rectangle with a rubber band: shared by the zoom, select and box tools."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QRectF, Qt

from terradesk.ui.canvas.tools.base import MapMouseEvent, MapTool

#: Screen pixels the mouse must travel before a press becomes a rectangle drag (else a click).
DRAG_PX = 5.0


@dataclass(frozen=True)
class Gesture:
    """What a finished press-release was: a click, or a drag over ``bounds`` (map units)."""

    dragged: bool
    bounds: tuple[float, float, float, float]


class RectangleDrag:
    """Tracks one left-button gesture and draws the rubber band once it is a drag."""

    def __init__(self) -> None:
        self.start: tuple[float, float] | None = None
        self.dragging = False

    def press(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton:
            return False
        self.start, self.dragging = (event.x, event.y), False
        return True

    def move(self, canvas: Any, event: MapMouseEvent) -> bool:
        if self.start is None or canvas is None:
            return False
        if canvas.pixels_between(self.start, (event.x, event.y)) >= DRAG_PX:
            self.dragging = True
        if self.dragging:
            x0, y0 = self.start
            canvas.set_rubber_band(QRectF(x0, y0, event.x - x0, event.y - y0))
        return True

    def release(self, canvas: Any, event: MapMouseEvent) -> Gesture | None:
        """The finished gesture, or None when no press of ours is under way."""
        if self.start is None or canvas is None:
            return None
        (x0, y0), self.start = self.start, None
        canvas.set_rubber_band(None)
        bounds = (min(x0, event.x), min(y0, event.y), max(x0, event.x), max(y0, event.y))
        return Gesture(self.dragging, bounds)

    def cancel(self, canvas: Any) -> None:
        self.start, self.dragging = None, False
        if canvas is not None:
            canvas.set_rubber_band(None)


class RectangleDragTool(MapTool):
    """A tool whose gesture is a click or a rubber-band rectangle; subclasses say what it does."""

    @property
    def drag(self) -> RectangleDrag:
        existing: RectangleDrag | None = getattr(self, "_drag", None)
        if existing is None:
            existing = self._drag = RectangleDrag()
        return existing

    def deactivate(self) -> None:
        super().deactivate()
        self.drag.cancel(self.canvas)

    def canvas_press(self, event: MapMouseEvent) -> bool:
        return self.drag.press(event)

    def canvas_move(self, event: MapMouseEvent) -> bool:
        return self.drag.move(self.canvas, event)

    def canvas_release(self, event: MapMouseEvent) -> bool:
        gesture = self.drag.release(self.canvas, event)
        if gesture is None or self.canvas is None:
            return False
        self.gesture_done(gesture, event)
        return True

    def gesture_done(self, gesture: Gesture, event: MapMouseEvent) -> None:
        raise NotImplementedError
