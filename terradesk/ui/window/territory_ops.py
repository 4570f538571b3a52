"""Territory menu: territories and alignments, all through ``terradesk.edit`` factories.

Each menu item builds one command and pushes it on the undo stack; switching the active
alignment is view state (not an undo step), exactly as ``Project.set_active_alignment``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog, QInputDialog, QLineEdit, QMainWindow, QMessageBox

from terradesk.edit import (
    Command,
    Composite,
    add_alignment,
    assign_units,
    create_territory,
    delete_territory,
    duplicate_alignment,
    remove_alignment,
    rename_alignment,
    rename_territory,
    set_territory_property,
)
from terradesk.model import Id, Project

if TYPE_CHECKING:
    from terradesk.ui.undo import UndoStack


class TerritoryOpsMixin:
    project: Project | None
    undo: UndoStack
    canvas: Any

    def select(self, kind: str | None, ids: tuple[str, ...]) -> None:
        raise NotImplementedError

    def selected(self) -> tuple[str | None, tuple[str, ...]]:
        raise NotImplementedError

    def _parent(self) -> QMainWindow:
        assert isinstance(self, QMainWindow)
        return self

    def push(self, build: Callable[[], Command | None]) -> bool:
        """Build a command and push it; a refused intent shows its reason, nothing else."""
        try:
            self.undo.push(build())
        except (ValueError, KeyError, IndexError) as exc:
            QMessageBox.warning(self._parent(), "Not possible", str(exc).strip("'\""))
            return False
        return True

    def _ask(self, title: str, label: str, text: str = "") -> str | None:
        value, ok = QInputDialog.getText(self._parent(), title, label, QLineEdit.EchoMode.Normal, text)
        return value.strip() if ok and value.strip() else None

    def current_territory(self) -> Id | None:
        kind, ids = self.selected()
        al = self.project.active_alignment if self.project else None
        if al is None or not ids:
            return None
        if kind == "territories":
            return ids[0] if ids[0] in al.territories else None
        if kind == "units" and al.kind == "units" and self.project is not None:
            try:
                return al.territory_of_unit(self.project.units.index_of(ids[0]))
            except KeyError:
                return None
        return None

    # -- territories -----------------------------------------------------------------------
    def new_territory(self) -> None:
        p = self.project
        al = p.active_alignment if p else None
        if p is None or al is None:
            return
        name = self._ask("New territory", "Name of the new territory:", f"Territory {len(al.territories) + 1}")
        if name is None:
            return
        kind, ids = self.selected()
        units = p.units.positions(ids) if kind == "units" and al.kind == "units" else np.empty(0, np.intp)

        def build() -> Command:
            create = create_territory(p, al.id, name)
            if not len(units):
                return create
            create.apply(p)  # the assign factory needs the territory to exist
            try:
                assign = assign_units(p, al.id, units, create.territory.id)
            finally:
                create.revert(p)
            parts: list[Command] = [create] if assign is None else [create, assign]
            return Composite(f"New territory {name} from {len(units)} units", parts)

        before = set(al.territories)
        if self.push(build):
            new = [t for t in al.territories if t not in before]
            if new:
                self.select("territories", (new[0],))

    def rename_territory(self) -> None:
        p, tid = self.project, self.current_territory()
        al = p.active_alignment if p else None
        if p is None or al is None or tid is None:
            return
        name = self._ask("Rename territory", "New name:", al.territories[tid].name)
        if name is not None:
            self.push(lambda: rename_territory(p, al.id, tid, name))

    def set_territory_colour(self) -> None:
        p, tid = self.project, self.current_territory()
        al = p.active_alignment if p else None
        if p is None or al is None or tid is None:
            return
        colour = QColorDialog.getColor(QColor(al.territories[tid].colour), self._parent(), "Territory colour")
        if colour.isValid():
            self.push(lambda: set_territory_property(p, al.id, tid, "colour", colour.name()))

    def delete_territory(self) -> None:
        p, tid = self.project, self.current_territory()
        al = p.active_alignment if p else None
        if p is None or al is None or tid is None:
            return
        if self.push(lambda: delete_territory(p, al.id, tid)):
            self.select(None, ())

    # -- alignments ------------------------------------------------------------------------
    def add_alignment(self) -> None:
        p = self.project
        if p is None:
            return
        answer = self.ask_alignment(f"Plan {len(p.alignments) + 1}", len(p.units) > 0)
        if answer is not None:
            name, kind = answer
            self._push_and_activate(lambda: add_alignment(p, name, kind))

    def ask_alignment(self, default: str, has_units: bool) -> tuple[str, str] | None:
        """Name and kind ("units" or "freeform") of a new plan, or None when cancelled."""
        from terradesk.ui.window.dialogs import AddAlignmentDialog

        dialog = AddAlignmentDialog(default, has_units, self._parent())
        accepted = dialog.exec() == AddAlignmentDialog.DialogCode.Accepted and dialog.name()
        answer = (dialog.name(), dialog.kind()) if accepted else None
        dialog.deleteLater()
        return answer

    def duplicate_alignment(self) -> None:
        p = self.project
        al = p.active_alignment if p else None
        if p is None or al is None:
            return
        name = self._ask("Duplicate alignment", "Name of the copy:", f"{al.name} (copy)")
        if name is not None:
            self._push_and_activate(lambda: duplicate_alignment(p, al.id, name))

    def _push_and_activate(self, build: Callable[[], Any]) -> None:
        assert self.project is not None
        before = set(self.project.alignments)
        if self.push(build):
            new = [a for a in self.project.alignments if a not in before]
            if new:
                self.switch_alignment(new[0])

    def rename_alignment(self) -> None:
        p = self.project
        al = p.active_alignment if p else None
        if p is None or al is None:
            return
        name = self._ask("Rename alignment", "New name:", al.name)
        if name is not None and name != al.name:
            self.push(lambda: rename_alignment(p, al.id, name))

    def remove_alignment(self) -> None:
        p = self.project
        al = p.active_alignment if p else None
        if p is None or al is None:
            return
        self.push(lambda: remove_alignment(p, al.id))

    def switch_alignment(self, aid: Id) -> None:
        if self.project is not None and aid in self.project.alignments:
            self.select(None, ())
            self.project.set_active_alignment(aid)

    def _step_alignment(self, step: int) -> None:
        p = self.project
        if p is None or not p.alignments:
            return
        ids = list(p.alignments)
        i = ids.index(p.active_alignment_id) if p.active_alignment_id in ids else 0
        self.switch_alignment(ids[(i + step) % len(ids)])

    def next_alignment(self) -> None:
        self._step_alignment(+1)

    def previous_alignment(self) -> None:
        self._step_alignment(-1)
