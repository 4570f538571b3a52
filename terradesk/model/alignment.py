"""An alignment: one complete territory plan ("Sales 2027", "Customer support")."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from terradesk.model.ids import Id, new_id
from terradesk.model.territory import Territory

AlignmentKind = Literal["units", "freeform"]
UNASSIGNED = -1

IntArray = npt.NDArray[np.intp]


@dataclass(eq=False)
class Alignment:
    """Territories plus, for unit-built plans, the assignment of every unit.

    The assignment is an int array over the unit layer holding *keys*: small integers
    given to territories in this alignment, never reused (deleting a territory keeps its
    key so undo can put the same units back). ``UNASSIGNED`` (-1) marks free units.
    ``pins`` maps account ids to a territory that overrides the spatial owner.
    ``geometry_cache`` holds dissolved territory shapes; the model invalidates entries
    when it changes an assignment, :mod:`terradesk.geo.dissolve` fills them.
    """

    name: str
    kind: AlignmentKind = "units"
    description: str = ""
    id: Id = ""
    territories: dict[Id, Territory] = field(default_factory=dict)
    assignment: IntArray = field(default_factory=lambda: np.empty(0, dtype=np.intp))
    pins: dict[Id, Id] = field(default_factory=dict)
    geometry_cache: dict[Id, BaseGeometry] = field(default_factory=dict, repr=False)
    _key_of: dict[Id, int] = field(default_factory=dict, repr=False)
    _id_of_key: list[Id] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        if not self.id:
            self.id = new_id()
        if self.kind not in ("units", "freeform"):
            raise ValueError(f"alignment kind must be 'units' or 'freeform', got {self.kind!r}")
        for tid in self.territories:
            self.key(tid)

    # -- territories ----------------------------------------------------------
    def __iter__(self) -> Iterator[Territory]:
        return iter(self.territories.values())

    def territory(self, tid: Id) -> Territory:
        return self.territories[tid]

    def territory_by_name(self, name: str) -> Territory | None:
        for t in self.territories.values():
            if t.name == name:
                return t
        return None

    def key(self, tid: Id) -> int:
        """The assignment key of a territory (created on first use)."""
        k = self._key_of.get(tid)
        if k is None:
            k = len(self._id_of_key)
            self._key_of[tid] = k
            self._id_of_key.append(tid)
        return k

    def territory_id_of_key(self, key: int) -> Id | None:
        return None if key < 0 else self._id_of_key[key]

    def insert_territory(self, territory: Territory, position: int | None = None) -> None:
        items = list(self.territories.items())
        pos = len(items) if position is None else position
        items.insert(pos, (territory.id, territory))
        self.territories = dict(items)
        self.key(territory.id)

    def remove_territory(self, tid: Id) -> tuple[Territory, int]:
        pos = list(self.territories).index(tid)
        territory = self.territories.pop(tid)
        self.geometry_cache.pop(tid, None)
        return territory, pos

    # -- assignment -------------------------------------------------------------
    def units_of(self, tid: Id) -> IntArray:
        k = self._key_of.get(tid)
        if k is None:
            return np.empty(0, dtype=np.intp)
        return np.flatnonzero(self.assignment == k)

    def territory_of_unit(self, unit: int) -> Id | None:
        return self.territory_id_of_key(int(self.assignment[unit]))

    def unassigned_units(self) -> IntArray:
        return np.flatnonzero(self.assignment == UNASSIGNED)

    def set_keys(self, units: npt.ArrayLike, keys: npt.ArrayLike) -> set[Id]:
        """Low-level: write assignment keys; returns the territory ids touched."""
        idx = np.asarray(units, dtype=np.intp)
        new = np.broadcast_to(np.asarray(keys, dtype=np.intp), idx.shape)
        touched_keys = set(np.unique(self.assignment[idx]).tolist()) | set(np.unique(new).tolist())
        self.assignment[idx] = new
        touched = {self._id_of_key[k] for k in touched_keys if k >= 0}
        for tid in touched:
            self.geometry_cache.pop(tid, None)
        return touched

    def assignment_by_id(self) -> list[Id | None]:
        """The assignment as territory ids (stable across files, unlike keys)."""
        lookup = [*self._id_of_key, None]
        return [lookup[k] for k in self.assignment.tolist()]

    def clone(self, name: str) -> Alignment:
        """A deep copy with fresh ids for the alignment and its territories."""
        twin = Alignment(name=name, kind=self.kind, description=self.description)
        remap: dict[Id, Id] = {}
        for t in self.territories.values():
            nt = t.copy(id=new_id())
            remap[t.id] = nt.id
            twin.insert_territory(nt)
        keymap = np.array(
            [twin.key(remap[tid]) if tid in remap else UNASSIGNED for tid in self._id_of_key]
            + [UNASSIGNED],
            dtype=np.intp,
        )
        twin.assignment = keymap[self.assignment] if len(self.assignment) else self.assignment.copy()
        twin.pins = {a: remap[t] for a, t in self.pins.items() if t in remap}
        twin.geometry_cache = {remap[t]: g for t, g in self.geometry_cache.items() if t in remap}
        return twin

    def state(self) -> tuple[object, ...]:
        return (
            self.id,
            self.name,
            self.kind,
            self.description,
            tuple(t.state() for t in self.territories.values()),
            tuple(self.assignment_by_id()),
            tuple(sorted(self.pins.items())),
        )

    def __deepcopy__(self, memo: dict[int, object]) -> Alignment:
        twin = copy.copy(self)
        twin.territories = {k: v.copy() for k, v in self.territories.items()}
        twin.assignment = self.assignment.copy()
        twin.pins = dict(self.pins)
        twin.geometry_cache = dict(self.geometry_cache)
        twin._key_of = dict(self._key_of)
        twin._id_of_key = list(self._id_of_key)
        return twin
