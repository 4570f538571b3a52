"""Replacing the base geography, and applying an assignment table, as single undo steps.

A new postal-code file arrives every year: the planner imports it over the old one and
expects every plan to survive. :func:`replace_units` matches units by *code*, carries
each alignment's assignment over, remembers the old layer (shapely geometries are
immutable, so keeping it costs only references) and lists the codes that disappeared.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from terradesk.edit.assign import AssignUnits, assign_units
from terradesk.edit.command import Command, CommandBase, Composite
from terradesk.edit.territories import create_territory, next_colour
from terradesk.model import UNASSIGNED, ChangeKind, Id, Project, UnitLayer
from terradesk.model.table import Array, _nulls_like

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class ReplaceUnits(CommandBase):
    """Swap the unit layer and every unit-built alignment's assignment (remapped by code)."""

    old_units: UnitLayer
    new_units: UnitLayer
    old_assignments: Mapping[Id, IntArray]
    new_assignments: Mapping[Id, IntArray]
    dropped_codes: tuple[str, ...] = ()
    dropped_assigned: int = 0  # how many dropped units belonged to a territory in some plan
    label: str = "Import units"

    def apply(self, project: Project) -> None:
        self._set(project, self.new_units, self.new_assignments)

    def revert(self, project: Project) -> None:
        self._set(project, self.old_units, self.old_assignments)

    @staticmethod
    def _set(project: Project, units: UnitLayer, assignments: Mapping[Id, IntArray]) -> None:
        project.units = units
        for aid, keys in assignments.items():
            al = project.alignment(aid)
            al.assignment = keys.copy()  # later edits write in place; keep ours pristine
            al.geometry_cache.clear()
        project.notify(ChangeKind.UNITS)
        for aid in assignments:
            al = project.alignment(aid)
            project.notify(ChangeKind.ASSIGNMENT, aid, set(al.territories), np.arange(len(units), dtype=np.intp))


def replace_units(
    project: Project, units: UnitLayer, mode: Literal["replace", "merge"] = "replace", label: str | None = None
) -> ReplaceUnits:
    """Build the command that puts ``units`` in place of the project's unit layer.

    ``replace``: the layer becomes exactly ``units``; units whose code was known keep
    their stable id and their territory in every plan, the others start unassigned.
    ``merge``: units with a known code are updated in place, new codes are appended and
    units missing from ``units`` stay as they are.
    """
    old = project.units
    new = _merged(old, units) if mode == "merge" else _with_known_ids(old, units)
    old_pos = _old_positions(old.codes, new.codes)
    old_assign: dict[Id, IntArray] = {}
    new_assign: dict[Id, IntArray] = {}
    for al in project.alignments.values():
        if al.kind != "units":
            continue
        old_assign[al.id] = al.assignment.copy()
        padded = np.append(al.assignment, UNASSIGNED).astype(np.intp)  # -1 indexes the pad
        new_assign[al.id] = padded[old_pos]
    gone = np.ones(len(old), dtype=bool)
    gone[old_pos[old_pos >= 0]] = False
    dropped = tuple(old.codes[gone].tolist())
    held = np.zeros(len(old), dtype=bool)
    for keys in old_assign.values():
        held |= keys != UNASSIGNED
    assigned = int((gone & held).sum())
    n = len(new)
    text = label or (f"Import {n} unit{'s' if n != 1 else ''}" + (" (merge)" if mode == "merge" else ""))
    return ReplaceUnits(old, new, old_assign, new_assign, dropped, assigned, text)


def _old_positions(old_codes: Array, new_codes: Array) -> IntArray:
    """For every new unit, its position in the old layer (-1 when the code is new)."""
    lookup = {c: i for i, c in enumerate(old_codes.tolist())}
    return np.fromiter((lookup.get(c, -1) for c in new_codes.tolist()), dtype=np.intp, count=len(new_codes))


def _with_known_ids(old: UnitLayer, new: UnitLayer) -> UnitLayer:
    """``new`` with the old stable ids for codes the project knew (diffs stay per unit)."""
    pos = _old_positions(old.codes, new.codes)
    known = pos >= 0
    if not known.any():
        return new
    ids = new.ids.copy()
    ids[known] = old.ids[pos[known]]
    core = {"id": ids, "code": new.codes, "name": new.names, "geometry": new.geometry}
    return UnitLayer(core, dict(new.fields))


def _merged(old: UnitLayer, incoming: UnitLayer) -> UnitLayer:
    """Old rows updated from ``incoming`` by code, unknown codes appended."""
    pos = _old_positions(old.codes, incoming.codes)
    upd, add = np.flatnonzero(pos >= 0), np.flatnonzero(pos < 0)
    n_old, n = len(old), len(old) + len(add)

    def combine(mine: Array | None, theirs: Array | None) -> Array:
        a = mine if mine is not None else _nulls_like(theirs, n_old)  # type: ignore[arg-type]
        b = theirs if theirs is not None else _nulls_like(a, len(incoming))
        out = np.empty(n, dtype=np.result_type(a.dtype, b.dtype))
        out[:n_old] = a
        out[pos[upd]] = b[upd]
        out[n_old:] = b[add]
        return out

    core = {c: combine(old.column(c), incoming.column(c)) for c in ("code", "name", "geometry")}
    core["id"] = np.concatenate([old.ids, incoming.ids[add]]).astype(object)
    names = list(old.fields) + [f for f in incoming.fields if f not in old.fields]
    fields = {f: combine(old.fields.get(f), incoming.fields.get(f)) for f in names}
    return UnitLayer(core, fields)


# -- assignment tables -----------------------------------------------------------------
def assign_by_names(
    project: Project,
    alignment: Id,
    by_territory: Mapping[str, npt.ArrayLike],
    unassign: npt.ArrayLike = (),
    skip_locked: bool = True,
    label: str | None = None,
) -> Composite | None:
    """One undo step that creates missing territories and assigns units to each by name.

    ``by_territory`` maps a territory name to unit positions (disjoint groups, as an
    assignment table gives them); ``unassign`` lists units the table leaves blank.
    Returns None when nothing would change.
    """
    al = project.alignment(alignment)
    if al.kind != "units":
        raise ValueError(f"alignment {al.name!r} is drawn by hand; it has no unit assignment")
    parts: list[Command] = []
    created = 0
    total = 0
    for name, units in by_territory.items():
        existing = al.territory_by_name(name.strip())
        if existing is not None:
            cmd = assign_units(project, alignment, units, existing.id, skip_locked)
        else:
            # the colour cycles on the number of territories, counting those made here
            create = create_territory(project, alignment, name, colour=next_colour(len(al.territories) + created))
            parts.append(create)
            created += 1
            cmd = _assign_new(al.assignment, alignment, units, al.key(create.territory.id), create.territory.name)
        if cmd is not None:
            parts.append(cmd)
            total += len(cmd.units)
    free = assign_units(project, alignment, unassign, None, skip_locked) if len(np.atleast_1d(unassign)) else None
    if free is not None:
        parts.append(free)
        total += len(free.units)
    if not parts:
        return None
    text = label or (
        f"Assign {total} unit{'s' if total != 1 else ''} from table"
        + (f" ({created} new territor{'ies' if created != 1 else 'y'})" if created else "")
    )
    return Composite(text, tuple(parts))


def _assign_new(assignment: IntArray, alignment: Id, units: npt.ArrayLike, key: int, name: str) -> AssignUnits | None:
    idx = np.unique(np.asarray(units, dtype=np.intp))
    if len(idx) == 0:
        return None
    if idx[0] < 0 or idx[-1] >= len(assignment):
        raise IndexError("unit index outside the unit layer")
    n = len(idx)
    return AssignUnits(alignment, idx, assignment[idx].copy(), key, f"Assign {n} unit{'s' if n != 1 else ''} to {name}")
