"""The headless undo stack, used by the CLI and tests (the GUI wraps QUndoStack)."""

from __future__ import annotations

from terradesk.edit.command import Command
from terradesk.model import Project, Signal


class History:
    """Undo/redo over command objects, with a clean index tied to Save."""

    def __init__(self, project: Project) -> None:
        self.project = project
        self._commands: list[Command] = []
        self._index = 0
        self._clean: int | None = 0
        self.changed = Signal()

    def push(self, command: Command) -> None:
        """Apply ``command`` and record it, merging with the top when it allows."""
        command.apply(self.project)
        del self._commands[self._index :]
        if self._commands and self._clean != self._index:
            merged = self._commands[-1].merge(command)
            if merged is not None:
                self._commands[-1] = merged
                self.changed.emit(self)
                return
        if self._clean is not None and self._clean > self._index:
            self._clean = None
        self._commands.append(command)
        self._index += 1
        self.changed.emit(self)

    def undo(self) -> None:
        if not self.can_undo:
            return
        self._index -= 1
        self._commands[self._index].revert(self.project)
        self.changed.emit(self)

    def redo(self) -> None:
        if not self.can_redo:
            return
        self._commands[self._index].apply(self.project)
        self._index += 1
        self.changed.emit(self)

    def undo_all(self) -> None:
        while self.can_undo:
            self.undo()

    def redo_all(self) -> None:
        while self.can_redo:
            self.redo()

    def clear(self) -> None:
        self._commands.clear()
        self._index = 0
        self._clean = 0
        self.changed.emit(self)

    @property
    def can_undo(self) -> bool:
        return self._index > 0

    @property
    def can_redo(self) -> bool:
        return self._index < len(self._commands)

    @property
    def undo_label(self) -> str:
        return self._commands[self._index - 1].label if self.can_undo else ""

    @property
    def redo_label(self) -> str:
        return self._commands[self._index].label if self.can_redo else ""

    @property
    def index(self) -> int:
        return self._index

    def __len__(self) -> int:
        return len(self._commands)

    def set_clean(self) -> None:
        self._clean = self._index
        self.changed.emit(self)

    @property
    def is_clean(self) -> bool:
        return self._clean == self._index
