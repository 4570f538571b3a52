"""Stand-ins used when the real map canvas cannot be imported (keeps the window usable)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QLabel, QWidget

from terradesk.model import Project


@dataclass(frozen=True)
class PlaceholderSelection:
    kind: str | None = None
    ids: tuple[str, ...] = ()
    indices: Any = field(default=())


class PlaceholderCanvas(QLabel):
    """Same signals and methods as MapCanvas; draws nothing but a note."""

    cursor_moved = Signal(float, float)
    scale_changed = Signal(float)
    selection_changed = Signal(object)
    layers_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("The map canvas is not available in this build.", parent)
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.undo_sink: Any = None
        self._tool: Any = None
        self._selection = PlaceholderSelection()

    def set_project(self, project: Project | None) -> None:
        self._selection = PlaceholderSelection()

    def display_crs(self) -> str:
        return "EPSG:4326"

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return x, y

    def zoom_full(self) -> None: ...
    def zoom_in(self) -> None: ...
    def zoom_out(self) -> None: ...
    def zoom_to_layer(self, layer_id: str) -> None: ...
    def zoom_to_selection(self) -> None: ...

    def set_tool(self, tool: Any) -> None:
        self._tool = tool

    def tool(self) -> Any:
        return self._tool

    def selection(self) -> PlaceholderSelection:
        return self._selection

    def set_selection(self, sel: Any) -> None:
        self._selection = sel
        self.selection_changed.emit(sel)

    def layers(self) -> list[Any]:
        return []

    def render_image(self, w: int, h: int) -> QImage:
        image = QImage(w, h, QImage.Format.Format_ARGB32)
        image.fill(Qt.GlobalColor.white)
        return image

    def export_image(self, path: str, w: int, h: int) -> None:
        if not self.render_image(w, h).save(path):
            raise OSError(f"could not write {path}")
