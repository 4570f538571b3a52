"""The command protocol: every change to a project is an object with apply and revert.

Modelled on glue's ``core/command.py`` and QGIS's one-class-per-verb undo commands: a
command captures the before-state when a factory builds it; ``apply`` and ``revert``
mirror each other; ``merge`` folds a later command of the same continuous gesture into
this one (like ``QUndoCommand.mergeWith``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from terradesk.model import Project


@runtime_checkable
class Command(Protocol):
    @property
    def label(self) -> str: ...

    def apply(self, project: Project) -> None: ...

    def revert(self, project: Project) -> None: ...

    def merge(self, later: Command) -> Command | None: ...


class CommandBase:
    """Default ``merge`` (never merge) shared by the concrete commands."""

    def merge(self, later: Command) -> Command | None:
        return None


@dataclass(frozen=True, eq=False)
class Composite(CommandBase):
    """One gesture made of several commands (a split, a merge, a paint stroke)."""

    label: str
    parts: Sequence[Command]

    def apply(self, project: Project) -> None:
        for part in self.parts:
            part.apply(project)

    def revert(self, project: Project) -> None:
        for part in reversed(self.parts):
            part.revert(project)


class Sink(Protocol):
    """Where tools push commands: the headless History or the Qt undo stack adapter."""

    def push(self, command: Command) -> None: ...
