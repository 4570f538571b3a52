"""Sketching a line or polygon by clicks: the gesture shared by Draw, Reshape and Split.

Click adds a vertex (snapped), the rubber band follows the cursor, double-click, Enter or
a right-click finishes, Backspace removes the last vertex, Esc cancels. A drag between
clicks still pans the map (the press is left to the view), as in QGIS. The view gets
Enter/Esc/Backspace/Delete even when the window binds them to actions: the tool accepts
the shortcut-override event while it is active.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QKeyEvent
from shapely.geometry import LineString

from terradesk.edit import Command
from terradesk.model import Id, Project
from terradesk.ui.canvas.tools.base import MapMouseEvent
from terradesk.ui.canvas.tools.editing import EditTool

#: A press and release further apart than this (pixels) is a pan, not a click.
CLICK_SLOP = 4.0
Point = tuple[float, float]


class KeyGrabber(EditTool):
    """An EditTool that receives its keys even when the window has them as shortcuts."""

    keys: tuple[Qt.Key, ...] = (Qt.Key.Key_Escape, Qt.Key.Key_Return, Qt.Key.Key_Enter,
                                Qt.Key.Key_Backspace, Qt.Key.Key_Delete)

    def activate(self) -> None:
        super().activate()
        if self.canvas is not None:
            self.canvas.view.installEventFilter(self)

    def deactivate(self) -> None:
        if self.canvas is not None:
            self.canvas.view.removeEventFilter(self)
        super().deactivate()

    def wants_key(self, key: int) -> bool:
        return key in self.keys

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent)
                and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier and self.wants_key(event.key())):
            event.accept()
            return True
        return False


class SketchTool(KeyGrabber):
    """Collects clicked points; subclasses turn the finished sketch into a command."""

    closed = False  # a polygon (True) or a line
    min_points = 2

    def reset(self) -> None:
        super().reset()
        self.points: list[Point] = []  # project coordinates
        self.shown: list[Point] = []  # the same points in display coordinates
        self._press: tuple[float, float] | None = None
        self._cursor: Point | None = None

    def wants_key(self, key: int) -> bool:
        return bool(self.points) and super().wants_key(key)

    # -- mouse -------------------------------------------------------------------------
    def canvas_press(self, event: MapMouseEvent) -> bool:
        self._press = (event.pos.x(), event.pos.y())
        return False  # the view may pan if this turns into a drag

    def canvas_release(self, event: MapMouseEvent) -> bool:
        press, self._press = self._press, None
        if press is None or abs(press[0] - event.pos.x()) + abs(press[1] - event.pos.y()) > CLICK_SLOP:
            return False
        if event.button == Qt.MouseButton.LeftButton:
            self.add_point(event)
        elif event.button == Qt.MouseButton.RightButton and self.points:
            self.finish(event.modifiers)
            return True
        return False

    def canvas_double_click(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or not self.points:
            return False
        self.finish(event.modifiers)
        return True

    def canvas_move(self, event: MapMouseEvent) -> bool:
        if event.buttons != Qt.MouseButton.NoButton:
            return False  # panning
        x, y, _hit = self.snap_event(event)
        self._cursor = self.to_display(x, y)
        self._show()
        return True

    def canvas_key(self, event: QKeyEvent) -> bool:
        key = event.key()
        if not self.points:
            return False
        if key == Qt.Key.Key_Escape:
            self.reset()
            self.say(f"{self.name}: cancelled")
        elif key in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.finish(event.modifiers())
        elif key in (Qt.Key.Key_Backspace, Qt.Key.Key_Delete):
            self.points.pop()
            self.shown.pop()
            self.points_changed()
            self._show()
        else:
            return False
        return True

    # -- the sketch ----------------------------------------------------------------------
    def add_point(self, event: MapMouseEvent) -> None:
        x, y, _hit = self.snap_event(event)
        if self.points and self.points[-1] == (x, y):
            return
        self.points.append((x, y))
        self.shown.append(self.to_display(x, y))
        self.points_changed()
        self._show()

    def _show(self) -> None:
        line = list(self.shown)
        if self._cursor is not None and line:
            line.append(self._cursor)
        self.preview.set_sketch(line, closed=self.closed, vertices=self.shown)

    def points_changed(self) -> None:
        """Hook: the vertex list changed (a unit preview may follow it)."""

    def finish(self, modifiers: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> bool:
        """Turn the sketch into one command and push it; False when refused."""
        points = list(self.points)
        if len(points) < self.min_points:
            self.say(f"{self.name}: needs at least {self.min_points} points")
            return False
        try:
            command = self.build(points, modifiers)
        except ValueError as exc:
            self.say(str(exc))
            return False
        self.reset()
        return self.push(command)

    def build(self, points: list[Point], modifiers: Qt.KeyboardModifier) -> Command | None:
        raise NotImplementedError


class LineEditTool(SketchTool):
    """A line drawn over one territory and handed to a line edit (reshape, split)."""

    #: ``edit(project, alignment_id, territory_id, line) -> Command``
    line_edit: Callable[[Project, Id, Id, LineString], Command | None]
    #: what to tell the planner when no territory is chosen
    no_target: str = ""

    def target(self) -> Id | None:
        raise NotImplementedError

    def build(self, points: list[Point], modifiers: Qt.KeyboardModifier) -> Command | None:
        al = self.ready()
        p = self.project()
        if al is None or p is None:
            return None
        tid = self.target()
        if tid is None:
            raise ValueError(self.no_target)
        return type(self).line_edit(p, al.id, tid, LineString(points))
