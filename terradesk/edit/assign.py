"""Assigning units to territories: one command for any number of units."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from terradesk.edit.command import Command, CommandBase, Composite
from terradesk.model import UNASSIGNED, ChangeKind, Id, Project


@dataclass(frozen=True, eq=False)
class AssignUnits(CommandBase):
    """Give ``units`` to one territory (or none); remembers each unit's previous key."""

    alignment: Id
    units: npt.NDArray[np.intp]
    old_keys: npt.NDArray[np.intp]
    new_key: int
    label: str

    def apply(self, project: Project) -> None:
        touched = project.alignment(self.alignment).set_keys(self.units, self.new_key)
        project.notify(ChangeKind.ASSIGNMENT, self.alignment, touched, self.units)

    def revert(self, project: Project) -> None:
        touched = project.alignment(self.alignment).set_keys(self.units, self.old_keys)
        project.notify(ChangeKind.ASSIGNMENT, self.alignment, touched, self.units)


def assign_units(
    project: Project,
    alignment: Id,
    units: npt.ArrayLike,
    territory: Id | None,
    skip_locked: bool = True,
) -> AssignUnits | None:
    """Build the command that assigns ``units`` to ``territory`` (None = unassign).

    Units already in the target are left out; with ``skip_locked`` units of locked
    territories are left out too, and a locked target is refused. Returns None when
    nothing would change, so a click on an already-assigned unit adds no undo step.
    """
    al = project.alignment(alignment)
    if al.kind != "units":
        raise ValueError(f"alignment {al.name!r} is drawn by hand; it has no unit assignment")
    idx = np.unique(np.asarray(units, dtype=np.intp))
    if len(idx) and (idx[0] < 0 or idx[-1] >= len(al.assignment)):
        raise IndexError("unit index outside the unit layer")
    if territory is not None:
        target = al.territory(territory)
        if skip_locked and target.locked:
            raise ValueError(f"territory {target.name!r} is locked")
        new_key = al.key(territory)
        name = target.name
    else:
        new_key, name = UNASSIGNED, ""
    old = al.assignment[idx]
    keep = old != new_key
    if skip_locked:
        locked = [al.key(t.id) for t in al.territories.values() if t.locked]
        if locked:
            keep &= ~np.isin(old, locked)
    idx, old = idx[keep], old[keep]
    if len(idx) == 0:
        return None
    n = len(idx)
    noun = "unit" if n == 1 else "units"
    label = f"Assign {n} {noun} to {name}" if territory is not None else f"Unassign {n} {noun}"
    return AssignUnits(alignment, idx, old.copy(), new_key, label)


def unassign_units(project: Project, alignment: Id, units: npt.ArrayLike, skip_locked: bool = True) -> AssignUnits | None:
    return assign_units(project, alignment, units, None, skip_locked)


def reassign_units(
    project: Project, alignment: Id, units: npt.ArrayLike, new_keys: npt.ArrayLike, label: str
) -> Composite | None:
    """One undo step giving each unit its own new territory key (a proposed plan).

    Builds one :class:`AssignUnits` per receiving key inside a :class:`Composite`; units
    whose key does not change are left out; None when nothing changes. Used to accept a
    rebalance or a generated plan (analysis proposes keys, the edit layer applies them).
    """
    al = project.alignment(alignment)
    idx = np.asarray(units, dtype=np.intp)
    keys = np.broadcast_to(np.asarray(new_keys, dtype=np.intp), idx.shape)
    if len(idx) and (idx.min() < 0 or idx.max() >= len(al.assignment)):
        raise IndexError("unit index outside the unit layer")
    valid = set(al.key(t) for t in al.territories) | {UNASSIGNED}
    bad = set(np.unique(keys).tolist()) - valid
    if bad:
        raise ValueError(f"no territory with key(s) {sorted(bad)} in alignment {al.name!r}")
    change = al.assignment[idx] != keys
    idx, keys = idx[change], keys[change]
    if len(idx) == 0:
        return None
    parts: list[Command] = []
    for key in np.unique(keys).tolist():
        members = idx[keys == key]
        tid = al.territory_id_of_key(key)
        name = al.territory(tid).name if tid is not None else ""
        n = len(members)
        noun = "unit" if n == 1 else "units"
        text = f"Assign {n} {noun} to {name}" if tid is not None else f"Unassign {n} {noun}"
        parts.append(AssignUnits(alignment, members, al.assignment[members].copy(), int(key), text))
    return Composite(label, parts)
