"""Commands on territories: create, delete, set properties, set geometry."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from shapely.geometry.base import BaseGeometry

from terradesk.edit.command import Command, CommandBase
from terradesk.model import TERRITORY_PROPERTIES, ChangeKind, Id, Project, Territory
from terradesk.model.alignment import UNASSIGNED
from terradesk.model.territory import check_colour


def _property_label(name: str, territory: str, value: object) -> str:
    """The undo text names the territory, as planners read it in Edit > Undo and History."""
    if name == "name":
        return f"Rename territory {territory} to {value}"
    if name == "locked":
        return f"{'Lock' if value else 'Unlock'} territory {territory}"
    what = {"colour": "colour", "owner_id": "owner", "region": "region", "notes": "notes"}[name]
    return f"Set {what} of {territory}"


@dataclass(frozen=True, eq=False)
class CreateTerritory(CommandBase):
    alignment: Id
    territory: Territory
    position: int | None = None
    label: str = "New territory"

    def apply(self, project: Project) -> None:
        project.alignment(self.alignment).insert_territory(self.territory, self.position)
        project.notify(ChangeKind.TERRITORIES, self.alignment, {self.territory.id})

    def revert(self, project: Project) -> None:
        project.alignment(self.alignment).remove_territory(self.territory.id)
        project.notify(ChangeKind.TERRITORIES, self.alignment, {self.territory.id})


@dataclass(frozen=True, eq=False)
class DeleteTerritory(CommandBase):
    """Removes a territory; its units become unassigned and its pins are dropped."""

    alignment: Id
    territory: Territory
    position: int
    units: npt.NDArray[np.intp]
    pins: tuple[Id, ...]
    label: str = "Delete territory"

    def apply(self, project: Project) -> None:
        al = project.alignment(self.alignment)
        if len(self.units):
            al.set_keys(self.units, UNASSIGNED)
        for account in self.pins:
            al.pins.pop(account, None)
        al.remove_territory(self.territory.id)
        self._notify(project)

    def revert(self, project: Project) -> None:
        al = project.alignment(self.alignment)
        al.insert_territory(self.territory, self.position)
        if len(self.units):
            al.set_keys(self.units, al.key(self.territory.id))
        for account in self.pins:
            al.pins[account] = self.territory.id
        self._notify(project)

    def _notify(self, project: Project) -> None:
        ids = {self.territory.id}
        project.notify(ChangeKind.TERRITORIES, self.alignment, ids)
        if len(self.units):
            project.notify(ChangeKind.ASSIGNMENT, self.alignment, ids, self.units)
        if self.pins:
            project.notify(ChangeKind.PINS, self.alignment, set(self.pins))


@dataclass(frozen=True, eq=False)
class SetTerritoryProperty(CommandBase):
    alignment: Id
    territory: Id
    name: str
    old: object
    new: object
    label: str = "Change territory"
    continuous: bool = False  # merge with the next edit of the same property (sliders, pickers)

    def apply(self, project: Project) -> None:
        self._set(project, self.new)

    def revert(self, project: Project) -> None:
        self._set(project, self.old)

    def _set(self, project: Project, value: object) -> None:
        setattr(project.alignment(self.alignment).territory(self.territory), self.name, value)
        project.notify(ChangeKind.TERRITORIES, self.alignment, {self.territory})

    def merge(self, later: Command) -> Command | None:
        if (
            self.continuous
            and isinstance(later, SetTerritoryProperty)
            and (later.alignment, later.territory, later.name) == (self.alignment, self.territory, self.name)
        ):
            return SetTerritoryProperty(
                self.alignment, self.territory, self.name, self.old, later.new, self.label, later.continuous
            )
        return None


@dataclass(frozen=True, eq=False)
class SetTerritoryGeometry(CommandBase):
    """Replace a free-form territory's shape (shapely geometries are immutable: cheap)."""

    alignment: Id
    territory: Id
    old: BaseGeometry | None
    new: BaseGeometry | None
    label: str = "Edit territory shape"

    def apply(self, project: Project) -> None:
        self._set(project, self.new)

    def revert(self, project: Project) -> None:
        self._set(project, self.old)

    def _set(self, project: Project, geom: BaseGeometry | None) -> None:
        al = project.alignment(self.alignment)
        al.territory(self.territory).geometry = geom
        al.geometry_cache.pop(self.territory, None)
        project.notify(ChangeKind.GEOMETRY, self.alignment, {self.territory})


# -- factories ------------------------------------------------------------------
def create_territory(
    project: Project, alignment: Id, name: str, colour: str | None = None, **props: object
) -> CreateTerritory:
    al = project.alignment(alignment)
    if not name.strip():
        raise ValueError("a territory needs a name")
    territory = Territory(name=name.strip(), colour=colour or next_colour(len(al.territories)), **props)  # type: ignore[arg-type]
    return CreateTerritory(alignment, territory, label=f"New territory {territory.name}")


def delete_territory(project: Project, alignment: Id, territory: Id) -> DeleteTerritory:
    al = project.alignment(alignment)
    t = al.territory(territory)
    pos = list(al.territories).index(territory)
    pins = tuple(a for a, tid in al.pins.items() if tid == territory)
    return DeleteTerritory(alignment, t, pos, al.units_of(territory), pins, label=f"Delete territory {t.name}")


def set_territory_property(
    project: Project, alignment: Id, territory: Id, name: str, value: object, continuous: bool = False
) -> SetTerritoryProperty:
    if name not in TERRITORY_PROPERTIES:
        raise ValueError(f"unknown territory property {name!r}")
    if name == "colour":
        value = check_colour(str(value))
    if name == "name" and not str(value).strip():
        raise ValueError("a territory needs a name")
    if name == "owner_id" and value is not None and value not in project.owners:
        raise ValueError(f"no owner with id {value!r}")
    if name == "locked":
        value = bool(value)
    t = project.alignment(alignment).territory(territory)
    return SetTerritoryProperty(
        alignment, territory, name, getattr(t, name), value, _property_label(name, t.name, value), continuous
    )


def rename_territory(project: Project, alignment: Id, territory: Id, name: str) -> SetTerritoryProperty:
    return set_territory_property(project, alignment, territory, "name", name.strip())


def set_territory_geometry(
    project: Project, alignment: Id, territory: Id, geometry: BaseGeometry | None, label: str = "Edit territory shape"
) -> SetTerritoryGeometry:
    al = project.alignment(alignment)
    if al.kind != "freeform":
        raise ValueError("territories of a unit-built alignment take their shape from their units")
    return SetTerritoryGeometry(alignment, territory, al.territory(territory).geometry, geometry, label)


#: A qualitative palette (ColorBrewer Set3 + Paired, colour-blind aware enough to tell neighbours apart).
PALETTE = (
    "#8dd3c7", "#ffffb3", "#bebada", "#fb8072", "#80b1d3", "#fdb462", "#b3de69", "#fccde5",
    "#bc80bd", "#ccebc5", "#ffed6f", "#a6cee3", "#1f78b4", "#b2df8a", "#33a02c", "#fb9a99",
    "#e31a1c", "#fdbf6f", "#ff7f00", "#cab2d6", "#6a3d9a", "#b15928",
)


def next_colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]
