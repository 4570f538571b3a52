"""Commands on accounts: add, remove, edit values, pin to a territory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from terradesk.edit.command import CommandBase
from terradesk.model import AccountLayer, ChangeKind, Id, Project


@dataclass(frozen=True, eq=False)
class AddAccounts(CommandBase):
    """Append rows; fields they bring that the layer lacked are dropped again on undo."""

    rows: AccountLayer
    pre_fields: tuple[str, ...]
    label: str = "Add accounts"

    def apply(self, project: Project) -> None:
        project.accounts.insert_rows(self.rows)
        project.notify(ChangeKind.ACCOUNTS, ids=set(self.rows.ids.tolist()))

    def revert(self, project: Project) -> None:
        project.accounts.delete_rows(project.accounts.positions(self.rows.ids))
        for name in [f for f in project.accounts.fields if f not in self.pre_fields]:
            project.accounts.remove_field(name)
        project.notify(ChangeKind.ACCOUNTS, ids=set(self.rows.ids.tolist()))


@dataclass(frozen=True, eq=False)
class RemoveAccounts(CommandBase):
    positions: npt.NDArray[np.intp]
    rows: AccountLayer
    pins: tuple[tuple[Id, Id, Id], ...]  # (alignment, account, territory)
    label: str = "Remove accounts"

    def apply(self, project: Project) -> None:
        project.accounts.delete_rows(self.positions)
        for aid, account, _ in self.pins:
            project.alignment(aid).pins.pop(account, None)
        project.notify(ChangeKind.ACCOUNTS, ids=set(self.rows.ids.tolist()))

    def revert(self, project: Project) -> None:
        project.accounts.insert_rows(self.rows, self.positions)
        for aid, account, tid in self.pins:
            project.alignment(aid).pins[account] = tid
        project.notify(ChangeKind.ACCOUNTS, ids=set(self.rows.ids.tolist()))


@dataclass(frozen=True, eq=False)
class SetAccountValues(CommandBase):
    ids: tuple[Id, ...]
    field: str
    old: npt.NDArray[np.generic]
    new: npt.NDArray[np.generic]
    label: str = "Edit accounts"

    def apply(self, project: Project) -> None:
        project.accounts.set_values(self.field, project.accounts.positions(self.ids), self.new)
        project.notify(ChangeKind.ACCOUNTS, ids=set(self.ids))

    def revert(self, project: Project) -> None:
        project.accounts.set_values(self.field, project.accounts.positions(self.ids), self.old)
        project.notify(ChangeKind.ACCOUNTS, ids=set(self.ids))


@dataclass(frozen=True, eq=False)
class PinAccounts(CommandBase):
    """Pin accounts to a territory (named accounts), or unpin with ``territory=None``."""

    alignment: Id
    accounts: tuple[Id, ...]
    old: tuple[Id | None, ...]
    territory: Id | None
    label: str = "Pin accounts"

    def apply(self, project: Project) -> None:
        self._set(project, [self.territory] * len(self.accounts))

    def revert(self, project: Project) -> None:
        self._set(project, list(self.old))

    def _set(self, project: Project, values: Sequence[Id | None]) -> None:
        pins = project.alignment(self.alignment).pins
        for account, tid in zip(self.accounts, values, strict=True):
            if tid is None:
                pins.pop(account, None)
            else:
                pins[account] = tid
        project.notify(ChangeKind.PINS, self.alignment, set(self.accounts))


# -- factories ------------------------------------------------------------------
def add_accounts(project: Project, rows: AccountLayer, label: str | None = None) -> AddAccounts:
    clash = set(rows.ids.tolist()) & set(project.accounts.ids.tolist())
    if clash:
        raise ValueError(f"{len(clash)} account ids exist already")
    n = len(rows)
    return AddAccounts(rows, tuple(project.accounts.fields), label or f"Add {n} account{'s' if n != 1 else ''}")


def remove_accounts(project: Project, ids: Sequence[Id]) -> RemoveAccounts:
    pos = np.unique(project.accounts.positions(ids))
    gone = set(ids)
    pins = tuple(
        (a.id, acc, tid) for a in project.alignments.values() for acc, tid in a.pins.items() if acc in gone
    )
    n = len(pos)
    return RemoveAccounts(pos, project.accounts.take(pos), pins, f"Remove {n} account{'s' if n != 1 else ''}")


def set_account_values(project: Project, ids: Sequence[Id], field: str, values: npt.ArrayLike) -> SetAccountValues:
    col = project.accounts.column(field)
    pos = project.accounts.positions(ids)
    new = np.broadcast_to(np.asarray(values, dtype=col.dtype), pos.shape).copy()
    n = len(pos)
    return SetAccountValues(tuple(ids), field, col[pos].copy(), new, f"Edit {field} of {n} account{'s' if n != 1 else ''}")


def pin_accounts(project: Project, alignment: Id, ids: Sequence[Id], territory: Id | None) -> PinAccounts:
    al = project.alignment(alignment)
    if territory is not None:
        al.territory(territory)  # KeyError for an unknown territory
    project.accounts.positions(ids)  # KeyError for unknown accounts
    old = tuple(al.pins.get(a) for a in ids)
    verb = f"Pin {len(ids)} account(s) to {al.territory(territory).name}" if territory else f"Unpin {len(ids)} account(s)"
    return PinAccounts(alignment, tuple(ids), old, territory, verb)
