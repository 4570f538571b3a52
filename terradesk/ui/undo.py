"""The Qt undo stack over the same command objects the headless History uses.

A :class:`CommandAdapter` wraps one ``terradesk.edit`` command in a ``QUndoCommand``;
``redo()``/``undo()`` call ``apply()``/``revert()``. :class:`UndoStack` implements the
``terradesk.edit.Sink`` protocol so canvas tools, panels and menus push commands the same
way the CLI pushes them on ``History``.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoCommand, QUndoStack

from terradesk.edit import Command
from terradesk.model import Project

#: All adapters share one merge id; the wrapped commands decide whether they merge.
_MERGE_ID = 0x7D


class CommandAdapter(QUndoCommand):
    """One undo step: a terradesk command bound to the project it edits."""

    def __init__(self, project: Project, command: Command) -> None:
        super().__init__(command.label)
        self.project = project
        self.command = command
        self._applied = True  # push() applies first so errors reach the caller, not Qt

    def redo(self) -> None:
        if self._applied:
            self._applied = False
            return
        self.command.apply(self.project)

    def undo(self) -> None:
        self.command.revert(self.project)

    def id(self) -> int:
        return _MERGE_ID

    def mergeWith(self, other: QUndoCommand) -> bool:
        if not isinstance(other, CommandAdapter) or other.project is not self.project:
            return False
        merged = self.command.merge(other.command)
        if merged is None:
            return False
        self.command = merged
        self.setText(merged.label)
        return True


class UndoStack(QObject):
    """A ``QUndoStack`` for one project; ``push`` is the :class:`terradesk.edit.Sink` API.

    ``project`` may change (File > Open); the stack is cleared then, because commands hold
    references into the project they were built for.
    """

    failed = Signal(str)  # a command refused to apply (message for the status bar)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.stack = QUndoStack(self)
        self.project: Project | None = None

    def set_project(self, project: Project | None) -> None:
        self.stack.clear()
        self.project = project
        self.stack.setClean()

    def push(self, command: Command | None) -> None:
        """Apply ``command`` and record it (merging like ``QUndoCommand.mergeWith``).

        ``None`` is accepted and ignored: factories return None when nothing would change.
        Exceptions from ``apply`` propagate to the caller and nothing is recorded.
        """
        if command is None:
            return
        if self.project is None:
            raise RuntimeError("no project is open")
        command.apply(self.project)
        self.stack.push(CommandAdapter(self.project, command))

    # -- conveniences mirroring edit.History --------------------------------------
    def undo(self) -> None:
        self.stack.undo()

    def redo(self) -> None:
        self.stack.redo()

    def set_clean(self) -> None:
        self.stack.setClean()

    @property
    def is_clean(self) -> bool:
        return self.stack.isClean()

    @property
    def can_undo(self) -> bool:
        return self.stack.canUndo()

    @property
    def can_redo(self) -> bool:
        return self.stack.canRedo()

    @property
    def undo_label(self) -> str:
        return self.stack.undoText()

    @property
    def redo_label(self) -> str:
        return self.stack.redoText()

    def __len__(self) -> int:
        return self.stack.count()
