"""Commands on reference layers: add, remove, restyle, rename/count, reorder.

Each is one undo step. Layers are immutable in what they hold (geometry and fields are
never edited in place), so commands keep the layer object itself; a restyle swaps one
frozen :class:`ReferenceStyle` for another. Every command announces
``ChangeKind.LAYERS`` with the layer id, so the map and the balance table follow undo.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from terradesk.edit.command import Command, CommandBase
from terradesk.model import REFERENCE_PROPERTIES, ChangeKind, Id, Project, ReferenceLayer, ReferenceStyle
from terradesk.model.layers import REFERENCE_PALETTE


def _insert(project: Project, layer: ReferenceLayer, position: int) -> None:
    items = list(project.reference_layers.items())
    items.insert(max(0, min(position, len(items))), (layer.id, layer))
    project.reference_layers = dict(items)


def _notify(project: Project, lid: Id) -> None:
    project.notify(ChangeKind.LAYERS, ids={lid})


@dataclass(frozen=True, eq=False)
class AddReferenceLayer(CommandBase):
    layer: ReferenceLayer
    position: int
    label: str = "Add reference layer"

    def apply(self, project: Project) -> None:
        if self.layer.id in project.reference_layers:
            raise ValueError(f"the project already has the layer {self.layer.name!r}")
        _insert(project, self.layer, self.position)
        _notify(project, self.layer.id)

    def revert(self, project: Project) -> None:
        del project.reference_layers[self.layer.id]
        _notify(project, self.layer.id)


@dataclass(frozen=True, eq=False)
class RemoveReferenceLayer(CommandBase):
    layer: ReferenceLayer
    position: int
    label: str = "Remove reference layer"

    def apply(self, project: Project) -> None:
        del project.reference_layers[self.layer.id]
        _notify(project, self.layer.id)

    def revert(self, project: Project) -> None:
        _insert(project, self.layer, self.position)
        _notify(project, self.layer.id)


@dataclass(frozen=True, eq=False)
class SetReferenceStyle(CommandBase):
    """Colour, opacity and visibility in one swap; slider drags merge into one step."""

    layer: Id
    old: ReferenceStyle
    new: ReferenceStyle
    continuous: bool = False
    label: str = "Restyle layer"

    def apply(self, project: Project) -> None:
        project.reference_layers[self.layer].style = self.new
        _notify(project, self.layer)

    def revert(self, project: Project) -> None:
        project.reference_layers[self.layer].style = self.old
        _notify(project, self.layer)

    def merge(self, later: Command) -> Command | None:
        if (isinstance(later, SetReferenceStyle) and self.continuous and later.continuous
                and later.layer == self.layer and later.old == self.new):
            return replace(self, new=later.new)
        return None


@dataclass(frozen=True, eq=False)
class SetReferenceProperty(CommandBase):
    layer: Id
    name: str
    old: object
    new: object
    label: str = "Edit reference layer"

    def apply(self, project: Project) -> None:
        setattr(project.reference_layers[self.layer], self.name, self.new)
        _notify(project, self.layer)

    def revert(self, project: Project) -> None:
        setattr(project.reference_layers[self.layer], self.name, self.old)
        _notify(project, self.layer)


@dataclass(frozen=True, eq=False)
class MoveReferenceLayer(CommandBase):
    layer: Id
    old: int
    new: int
    label: str = "Move reference layer"

    def _move(self, project: Project, to: int) -> None:
        items = list(project.reference_layers.items())
        pos = [k for k, _ in items].index(self.layer)
        item = items.pop(pos)
        items.insert(to, item)
        project.reference_layers = dict(items)
        _notify(project, self.layer)

    def apply(self, project: Project) -> None:
        self._move(project, self.new)

    def revert(self, project: Project) -> None:
        self._move(project, self.old)


# -- factories ----------------------------------------------------------------------------
def next_reference_colour(project: Project) -> str:
    """A palette colour not used by another reference layer yet (cycling when all are)."""
    used = {r.style.colour for r in project.reference_layers.values()}
    free = [c for c in REFERENCE_PALETTE if c not in used]
    return free[0] if free else REFERENCE_PALETTE[len(project.reference_layers) % len(REFERENCE_PALETTE)]


def add_reference_layer(project: Project, layer: ReferenceLayer, position: int | None = None) -> AddReferenceLayer:
    """Add ``layer`` (default: at the end, i.e. the bottom of the reference layers)."""
    if layer.id in project.reference_layers:
        raise ValueError(f"the project already has the layer {layer.name!r}")
    pos = len(project.reference_layers) if position is None else max(0, min(position, len(project.reference_layers)))
    return AddReferenceLayer(layer, pos, f"Add layer {layer.name}")


def remove_reference_layer(project: Project, layer: Id) -> RemoveReferenceLayer:
    ref = project.reference_layers[layer]
    return RemoveReferenceLayer(ref, list(project.reference_layers).index(layer), f"Remove layer {ref.name}")


def set_reference_style(project: Project, layer: Id, *, continuous: bool = False,
                        **changes: Any) -> SetReferenceStyle | None:
    """Change colour/opacity/visible; None when nothing would change. Bad values raise ValueError."""
    ref = project.reference_layers[layer]
    unknown = set(changes) - {"colour", "opacity", "visible"}
    if unknown:
        raise ValueError(f"unknown layer style property {sorted(unknown)[0]!r}")
    new = replace(ref.style, **changes)
    if new == ref.style:
        return None
    what = "Show/hide" if set(changes) == {"visible"} else "Restyle"
    return SetReferenceStyle(layer, ref.style, new, continuous, f"{what} layer {ref.name}")


def set_reference_property(project: Project, layer: Id, name: str, value: object) -> SetReferenceProperty | None:
    """Rename a layer or switch per-territory counting of a point layer."""
    if name not in REFERENCE_PROPERTIES:
        raise ValueError(f"unknown reference layer property {name!r}")
    ref = project.reference_layers[layer]
    if name == "name":
        value = str(value).strip()
        if not value:
            raise ValueError("a reference layer needs a name")
    if name == "counted":
        value = bool(value)
        if value and ref.kind != "point":
            raise ValueError("only point layers can be counted per territory")
    if getattr(ref, name) == value:
        return None
    return SetReferenceProperty(layer, name, getattr(ref, name), value, f"Edit layer {ref.name}")


def move_reference_layer(project: Project, layer: Id, position: int) -> MoveReferenceLayer | None:
    """Move a layer to ``position`` among the reference layers (0 = top); None if it stays."""
    ids = list(project.reference_layers)
    old = ids.index(layer)
    new = max(0, min(position, len(ids) - 1))
    if new == old:
        return None
    return MoveReferenceLayer(layer, old, new, f"Move layer {project.reference_layers[layer].name}")
