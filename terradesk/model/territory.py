"""Territories and owners: the small, hand-edited objects of a plan."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from typing import Any

from shapely.geometry.base import BaseGeometry

from terradesk.model.ids import Id, new_id

_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

OWNER_ROLES = ("sales", "partner", "support")


def check_colour(value: str) -> str:
    """Colours are stored as ``#rrggbb``; anything else is refused with a clear message."""
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise ValueError(f"colour must look like #rrggbb, got {value!r}")
    return value.lower()


@dataclass(slots=True, eq=False)
class Territory:
    """One territory of an alignment.

    In an alignment built from units, the geometry is the dissolve of the assigned units
    (computed by :mod:`terradesk.geo.dissolve`) and ``geometry`` stays None. In a
    free-form alignment, ``geometry`` is the drawn (Multi)Polygon.
    """

    name: str
    colour: str = "#888888"
    owner_id: Id | None = None
    region: str = ""
    notes: str = ""
    locked: bool = False
    geometry: BaseGeometry | None = None
    id: Id = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = new_id()
        self.colour = check_colour(self.colour)

    def copy(self, **changes: Any) -> Territory:
        return replace(self, **changes)

    def state(self) -> tuple[object, ...]:
        """A comparable snapshot (geometry as WKB) for tests and file round-trips."""
        geom = None if self.geometry is None else self.geometry.wkb
        return tuple(
            geom if f.name == "geometry" else getattr(self, f.name) for f in fields(self)
        )


#: Properties a planner may set on a territory through ``SetTerritoryProperty``.
TERRITORY_PROPERTIES = ("name", "colour", "owner_id", "region", "notes", "locked")


@dataclass(slots=True, eq=False)
class Owner:
    """A rep, partner or support team who holds territories."""

    name: str
    role: str = "sales"
    home: tuple[float, float] | None = None  # in the project CRS
    capacity: float | None = None
    email: str = ""
    id: Id = ""

    def __post_init__(self) -> None:
        if not self.id:
            self.id = new_id()
        if self.role not in OWNER_ROLES:
            raise ValueError(f"owner role must be one of {', '.join(OWNER_ROLES)}, got {self.role!r}")

    def copy(self, **changes: Any) -> Owner:
        return replace(self, **changes)

    def state(self) -> tuple[object, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


OWNER_PROPERTIES = ("name", "role", "home", "capacity", "email")
