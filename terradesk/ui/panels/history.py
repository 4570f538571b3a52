"""The History dock: every undo step by name; click a row to jump back or forward to it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QUndoStack
from PySide6.QtWidgets import QUndoView, QVBoxLayout, QWidget


class HistoryPanel(QWidget):
    """A ``QUndoView`` whose first row is the state the project was opened in."""

    def __init__(self, stack: QUndoStack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = QUndoView(stack, self)
        self.view.setObjectName("historyView")
        self.view.setEmptyLabel("No project open")
        self.view.setToolTip("Undo history - click a step to go back (or forward) to it")
        self.view.setWordWrap(True)  # long step names ("Create alignment …") wrap instead of scrolling sideways
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.addWidget(self.view)

    def set_origin(self, text: str) -> None:
        """Name the state before the first step ("Opened plan.gpkg", "Started Untitled")."""
        self.view.setEmptyLabel(text)
        self.view.viewport().update()

    def jump_to(self, index: int) -> None:
        """Same as clicking row ``index`` (0 = before the first step)."""
        stack = self.view.stack()
        if stack is not None:
            stack.setIndex(index)
