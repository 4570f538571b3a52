"""Hand edits of territory shapes: one undoable command per gesture.

Each factory turns an intent (a drawn polygon, a dragged vertex, a split line) into a
:class:`ShapeEdit`, a :class:`~terradesk.edit.command.Composite` of the existing commands
(SetTerritoryGeometry, CreateTerritory, DeleteTerritory, AssignUnits, PinAccounts) plus
``notes`` for the planner (repaired rings, absorbed slivers). The geometry work is done
by pure functions in :mod:`terradesk.geo`; every result passes through one pipeline
(:func:`_finish`): repair invalid shapes, clip overlaps, absorb slivers, then commands.

Free-form alignments change geometry. In an alignment built from units a drawn, reshaped
or split shape *assigns units* (those whose representative point falls inside) instead.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from shapely.geometry import LineString
from shapely.geometry.base import BaseGeometry

from terradesk.edit.accounts import PinAccounts
from terradesk.edit.assign import AssignUnits
from terradesk.edit.command import Command, Composite
from terradesk.edit.territories import (
    CreateTerritory,
    DeleteTerritory,
    SetTerritoryGeometry,
    create_territory,
    next_colour,
)
from terradesk.geo import check, clean, reshape, split, topology
from terradesk.geo.dissolve import all_territory_geometries, as_multipolygon
from terradesk.geo.reshape import DrawMode
from terradesk.geo.snap import SnapIndex
from terradesk.model import UNASSIGNED, Alignment, Id, Project

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class ShapeEdit(Composite):
    """A shape-editing gesture: its parts, what the planner should be told, what it created."""

    notes: tuple[str, ...] = ()
    created: Id | None = None


@dataclass(frozen=True, slots=True)
class UnitPreview:
    """What a drawn shape would do in a unit-built alignment, before it is committed."""

    units: IntArray
    command: ShapeEdit | None


# -- helpers ---------------------------------------------------------------------------
def _alignment(project: Project, alignment: Id, kind: str | None = None) -> Alignment:
    al = project.alignment(alignment)
    if kind == "freeform" and al.kind != "freeform":
        raise ValueError(f"alignment {al.name!r} is built from units; edit it by assigning units")
    return al


def _unlocked(al: Alignment, tids: Iterable[Id]) -> None:
    for tid in tids:
        t = al.territory(tid)
        if t.locked:
            raise ValueError(f"territory {t.name!r} is locked")


def _shape(al: Alignment, territory: Id, purpose: str = "") -> BaseGeometry:
    """The territory's drawn shape; a ValueError saying so when it has none."""
    geom = al.territory(territory).geometry
    if geom is None or geom.is_empty:
        raise ValueError(f"territory {al.territory(territory).name!r} has no shape{f' to {purpose}' if purpose else ''}")
    return geom


def _shapes(al: Alignment) -> dict[Id, BaseGeometry]:
    return {t.id: t.geometry for t in al if t.geometry is not None and not t.geometry.is_empty}


def _split_locked(al: Alignment, shapes: Mapping[Id, BaseGeometry], skip: Iterable[Id] = ()) -> tuple[dict, dict]:
    gone = set(skip)
    free = {k: g for k, g in shapes.items() if k not in gone and not al.territory(k).locked}
    locked = {k: g for k, g in shapes.items() if k not in gone and al.territory(k).locked}
    return free, locked


def _new_name(al: Alignment, stem: str = "Territory") -> str:
    names = {t.name for t in al}
    n = len(al.territories) + 1
    while f"{stem} {n}" in names:
        n += 1
    return f"{stem} {n}"


def _finish(
    project: Project,
    al: Alignment,
    new: Mapping[Id, BaseGeometry],
    label: str,
    primary: Id | None = None,
    before: Sequence[Command] = (),
    after: Sequence[Command] = (),
    created: CreateTerritory | None = None,
) -> ShapeEdit:
    """Repair, clip overlaps, absorb slivers, and turn the new shapes into one command.

    ``new`` holds the shapes that changed (a created territory's shape included, under its
    id). Among changed shapes, ``primary`` wins an overlap; a changed shape is clipped
    against unchanged neighbours.
    """
    names = {t.id: t.name for t in al}
    if created is not None:
        names[created.territory.id] = created.territory.name
    notes: list[str] = []
    fixed: dict[Id, BaseGeometry] = {}
    for tid, geom in new.items():
        fixed[tid], rep = clean.repair(geom, tid)
        if rep is not None:
            notes.append(rep.message(names[tid]))
    unchanged = {k: g for k, g in _shapes(al).items() if k not in fixed}
    order = sorted(fixed, key=lambda k: k != primary)  # primary first: it wins overlaps
    for i, tid in enumerate(order):
        if i and primary is not None:
            fixed[tid] = reshape.clip(fixed[tid], {primary: fixed[primary]})
        fixed[tid] = reshape.clip(fixed[tid], unchanged)
    everything: dict[Id, BaseGeometry] = {**unchanged, **fixed}
    absorbed, moves = clean.absorb_slivers(everything, set(fixed))
    for move in moves:
        where = f"into {names[move.target]}" if move.target is not None else "(no neighbour, removed)"
        notes.append(f"Absorbed a sliver of {move.area:.3g} square units from {names[move.source]} {where}")
    fixed.update(absorbed)
    fixed.update(topology.add_topological_points(fixed, _shapes(al), topology.node_tolerance(everything)))
    parts: list[Command] = list(before)
    if created is not None:
        tid = created.territory.id
        shape = as_multipolygon(fixed.pop(tid, None))
        if shape.is_empty:
            raise ValueError("the shape lies entirely inside other territories: nothing is left to draw")
        created.territory.geometry = shape
        parts.append(created)
    for tid, geom in fixed.items():
        old = al.territory(tid).geometry
        if old is not None and old.equals_exact(geom, 0.0):
            continue
        parts.append(SetTerritoryGeometry(al.id, tid, old, geom, label))
    parts.extend(after)
    return ShapeEdit(label, tuple(parts), tuple(notes), created.territory.id if created else None)


# -- unit-built alignments -------------------------------------------------------------
_POINTS: dict[int, tuple[weakref.ref, npt.NDArray[np.float64]]] = {}


def unit_points(project: Project) -> npt.NDArray[np.float64]:
    """Representative points of the units, computed once per unit geometry column."""
    geoms = project.units.geometry
    hit = _POINTS.get(id(geoms))
    if hit is not None and hit[0]() is geoms:
        return hit[1]
    pts = reshape.representative_points(geoms)
    _POINTS.clear()
    _POINTS[id(geoms)] = (weakref.ref(geoms), pts)
    return pts


def _assign_shapes(project: Project, al: Alignment, new: Mapping[Id, BaseGeometry], label: str) -> list[Command]:
    """AssignUnits commands giving each territory the units inside its new shape.

    Units a changed territory held but whose point now lies in none of the new shapes
    become unassigned. Units of locked territories never move.
    """
    pts = unit_points(project)
    locked = [al.key(t.id) for t in al if t.locked]
    taken = np.zeros(len(al.assignment), dtype=bool)
    out: list[Command] = []
    for tid, shape in new.items():
        key = al.key(tid)
        idx = reshape.units_inside(shape, pts)
        idx = idx[~taken[idx] & (al.assignment[idx] != key) & ~np.isin(al.assignment[idx], locked)]
        taken[idx] = True
        if len(idx):
            out.append(AssignUnits(al.id, idx, al.assignment[idx].copy(), key, label))
    for tid in new:
        mine = al.units_of(tid)
        inside = np.isin(mine, reshape.units_inside(new[tid], pts, boundary=True))
        orphans = mine[~inside & ~taken[mine]]
        if len(orphans):
            out.append(AssignUnits(al.id, orphans, al.assignment[orphans].copy(), UNASSIGNED, label))
    return out


def preview_units(
    project: Project, alignment: Id, shape: BaseGeometry, territory: Id | None = None, mode: DrawMode = "clip"
) -> IntArray:
    """The units a drawn ``shape`` would give ``territory``: a cheap, side-effect-free preview.

    ``mode='clip'`` takes only unassigned units; ``'take'`` also takes them from other
    (unlocked) territories.
    """
    al = _alignment(project, alignment)
    if al.kind != "units":
        raise ValueError(f"alignment {al.name!r} is drawn by hand; it has no units to assign")
    idx = reshape.units_inside(clean.repair(shape)[0], unit_points(project))
    keys = al.assignment[idx]
    if mode == "clip":
        return idx[keys == UNASSIGNED]
    locked = [al.key(t.id) for t in al if t.locked]
    keep = ~np.isin(keys, locked)
    if territory is not None:
        keep &= keys != al.key(territory)
    return idx[keep]


def draw_units(
    project: Project, alignment: Id, shape: BaseGeometry, territory: Id | None = None,
    mode: DrawMode = "clip", name: str | None = None, colour: str | None = None,
) -> UnitPreview:
    """Units a drawn shape assigns and the command doing it (to ``territory``, or a new one)."""
    units = preview_units(project, alignment, shape, territory, mode)
    al = project.alignment(alignment)
    if len(units) == 0:
        return UnitPreview(units, None)
    parts: list[Command] = []
    created = None
    if territory is None:
        create = create_territory(project, alignment, name or _new_name(al), colour or next_colour(len(al.territories)))
        parts.append(create)
        territory, created, title = create.territory.id, create.territory.id, create.territory.name
    else:
        _unlocked(al, [territory])
        title = al.territory(territory).name
    label = f"Draw {title}"
    parts.append(AssignUnits(alignment, units, al.assignment[units].copy(), al.key(territory), label))
    return UnitPreview(units, ShapeEdit(label, tuple(parts), (), created))


# -- draw, move, fill --------------------------------------------------------------------
def draw_territory(
    project: Project, alignment: Id, shape: BaseGeometry, name: str | None = None,
    colour: str | None = None, mode: DrawMode = "clip",
) -> ShapeEdit:
    """A new territory from a drawn polygon, fitted into the coverage (``mode`` 'clip' or 'take').

    In a unit-built alignment the units inside are assigned to the new territory instead.
    """
    al = _alignment(project, alignment)
    if al.kind == "units":
        preview = draw_units(project, alignment, shape, None, mode, name, colour)
        if preview.command is None:
            raise ValueError("the shape takes no units: no representative point of a free unit lies inside")
        return preview.command
    fixed, rep = clean.repair(shape)
    free, locked = _split_locked(al, _shapes(al))
    placed, changed = reshape.place_shape(fixed, free, mode, locked)
    create = create_territory(project, alignment, name or _new_name(al), colour or next_colour(len(al.territories)))
    edit = _finish(project, al, {create.territory.id: placed, **changed}, f"Draw {create.territory.name}",
                   primary=create.territory.id, created=create)
    if rep is not None:
        return ShapeEdit(edit.label, edit.parts, (f"The drawn shape crossed itself and was repaired: {rep.reason}",
                                                  *edit.notes), edit.created)
    return edit


def move_territory(project: Project, alignment: Id, territory: Id, dx: float, dy: float) -> ShapeEdit:
    """Translate a territory; it is clipped against the neighbours it lands on."""
    al = _alignment(project, alignment, "freeform")
    _unlocked(al, [territory])
    geom = _shape(al, territory, "move")
    others = {k: g for k, g in _shapes(al).items() if k != territory}
    moved = reshape.translate(geom, dx, dy, others)
    return _finish(project, al, {territory: moved}, f"Move {al.territory(territory).name}", primary=territory)


def fill_hole(project: Project, alignment: Id, territory: Id, at: tuple[float, float] | None = None) -> ShapeEdit:
    """Fill the hole at ``at`` (or all holes); territories inside the hole keep their area."""
    al = _alignment(project, alignment, "freeform")
    _unlocked(al, [territory])
    geom = _shape(al, territory)
    filled = split.fill_holes(geom, at)
    return _finish(project, al, {territory: filled}, f"Fill hole in {al.territory(territory).name}", primary=territory)


# -- vertices ------------------------------------------------------------------------------
def _vertex_shapes(al: Alignment, territory: Id, x: float, y: float, tolerance: float) -> tuple[tuple[float, float], dict]:
    geom = _shape(al, territory)
    v = topology.nearest_vertex(geom, x, y, tolerance)
    if v is None:
        raise ValueError("no vertex of the territory within the snapping tolerance")
    return v, _shapes(al)


def _check_holders(al: Alignment, keys: Iterable[Id]) -> None:
    locked = [al.territory(k).name for k in keys if al.territory(k).locked]
    if locked:
        raise ValueError(f"the vertex is on locked territory {', '.join(map(repr, locked))}")


def begin_vertex_drag(
    project: Project, alignment: Id, territory: Id, x: float, y: float, tolerance: float
) -> topology.VertexDrag:
    """At mouse press: grab the territory's vertex nearest (x, y) and all territories sharing it.

    Call ``drag.preview(x, y)`` per mouse move (shapes for the rubber band) and
    :func:`commit_vertex_drag` on release.
    """
    al = _alignment(project, alignment, "freeform")
    v, shapes = _vertex_shapes(al, territory, x, y, tolerance)
    drag = topology.begin_drag(shapes, *v)
    _check_holders(al, drag.keys)
    return drag


def commit_vertex_drag(
    project: Project, alignment: Id, territory: Id, drag: topology.VertexDrag, x: float, y: float
) -> ShapeEdit | None:
    """At mouse release: one command moving the vertex in every territory holding it (None: not moved)."""
    if (x, y) == drag.origin:
        return None
    al = _alignment(project, alignment, "freeform")
    new = drag.preview(x, y)
    return _finish(project, al, new, "Move vertex", primary=territory)


def move_vertex(
    project: Project, alignment: Id, territory: Id, x: float, y: float, new_x: float, new_y: float,
    tolerance: float = 0.0,
) -> ShapeEdit | None:
    """Move the vertex at (x, y) to (new_x, new_y) in the territory and every neighbour sharing it."""
    drag = begin_vertex_drag(project, alignment, territory, x, y, tolerance)
    return commit_vertex_drag(project, alignment, territory, drag, new_x, new_y)


def insert_vertex(project: Project, alignment: Id, territory: Id, x: float, y: float, tolerance: float) -> ShapeEdit:
    """Add a vertex on the territory's segment nearest (x, y), in every territory sharing that segment."""
    al = _alignment(project, alignment, "freeform")
    geom = _shape(al, territory)
    seg = topology.nearest_segment(geom, x, y, tolerance)
    if seg is None:
        raise ValueError("no segment of the territory within the snapping tolerance")
    new = topology.insert_vertex(_shapes(al), *seg)
    _check_holders(al, new)
    return _finish(project, al, new, "Add vertex", primary=territory)


def delete_vertex(project: Project, alignment: Id, territory: Id, x: float, y: float, tolerance: float) -> ShapeEdit:
    """Remove the vertex nearest (x, y) from the territory and every neighbour sharing it."""
    al = _alignment(project, alignment, "freeform")
    v, shapes = _vertex_shapes(al, territory, x, y, tolerance)
    new = topology.delete_vertex(shapes, *v)
    _check_holders(al, new)
    return _finish(project, al, new, "Delete vertex", primary=territory)


# -- reshape, split, merge, delete -----------------------------------------------------------
def _current_shapes(project: Project, al: Alignment) -> dict[Id, BaseGeometry]:
    if al.kind == "freeform":
        return _shapes(al)
    return {k: g for k, g in all_territory_geometries(project, al).items() if not g.is_empty}


def reshape_territory(project: Project, alignment: Id, territory: Id, line: LineString) -> ShapeEdit:
    """Move part of a territory's boundary onto ``line``; the neighbours change to match."""
    al = _alignment(project, alignment)
    _unlocked(al, [territory])
    shapes = _current_shapes(project, al)
    if territory not in shapes:
        raise ValueError(f"territory {al.territory(territory).name!r} has no shape to reshape")
    free, locked = _split_locked(al, shapes, [territory])
    target, changed = reshape.reshape(shapes[territory], line, free, locked)
    label = f"Reshape {al.territory(territory).name}"
    if al.kind == "units":
        parts = _assign_shapes(project, al, {territory: target, **changed}, label)
        if not parts:
            raise ValueError("the reshape moves no unit: no representative point changes side")
        return ShapeEdit(label, tuple(parts))
    return _finish(project, al, {territory: target, **changed}, label, primary=territory)


def split_territory(
    project: Project, alignment: Id, territory: Id, line: LineString, name: str | None = None,
    colour: str | None = None,
) -> ShapeEdit:
    """Cut a territory in two along ``line``; the smaller side becomes a new territory."""
    al = _alignment(project, alignment)
    _unlocked(al, [territory])
    shapes = _current_shapes(project, al)
    if territory not in shapes:
        raise ValueError(f"territory {al.territory(territory).name!r} has no shape to split")
    a, b = split.split_polygon(shapes[territory], line)
    keep, give = (a, b) if a.area >= b.area else (b, a)
    old = al.territory(territory)
    create = create_territory(project, alignment, name or f"{old.name} (split)",
                              colour or next_colour(len(al.territories)), owner_id=old.owner_id, region=old.region)
    label = f"Split {old.name}"
    if al.kind == "units":
        moves = _assign_shapes(project, al, {create.territory.id: give}, label)
        if not moves:
            raise ValueError("the split moves no unit: every representative point is on one side")
        return ShapeEdit(label, (create, *moves), (), create.territory.id)
    return _finish(project, al, {territory: keep, create.territory.id: give}, label, primary=territory, created=create)


def _deletions(al: Alignment, tids: Iterable[Id], keep_units: bool = True) -> list[Command]:
    """DeleteTerritory commands in descending position, so undo re-inserts each in place."""
    order = list(al.territories)
    out: list[Command] = []
    for tid in sorted(set(tids), key=order.index, reverse=True):
        t = al.territory(tid)
        units = al.units_of(tid) if keep_units else np.empty(0, dtype=np.intp)
        pins = tuple(a for a, p in al.pins.items() if p == tid) if keep_units else ()
        out.append(DeleteTerritory(al.id, t, order.index(tid), units, pins, label=f"Delete territory {t.name}"))
    return out


def merge_territories(project: Project, alignment: Id, territories: Sequence[Id], keep: Id | None = None) -> ShapeEdit:
    """Merge territories into one; ``keep`` (default: the first) keeps its name and attributes."""
    al = _alignment(project, alignment)
    tids = list(dict.fromkeys(territories))
    if len(tids) < 2:
        raise ValueError("select at least two territories to merge")
    keep = tids[0] if keep is None else keep
    if keep not in tids:
        raise ValueError("the territory to keep must be one of those merged")
    _unlocked(al, tids)
    others = [t for t in tids if t != keep]
    label = f"Merge {len(tids)} territories into {al.territory(keep).name}"
    pinned = tuple(a for a, p in al.pins.items() if p in others)
    before: list[Command] = []
    if pinned:
        before.append(PinAccounts(al.id, pinned, tuple(al.pins[a] for a in pinned), keep, label))
    if al.kind == "units":
        units = np.concatenate([al.units_of(t) for t in others])
        if len(units):
            before.append(AssignUnits(al.id, units, al.assignment[units].copy(), al.key(keep), label))
        return ShapeEdit(label, (*before, *_deletions(al, others, keep_units=False)))
    merged = split.merge_polygons([al.territory(t).geometry for t in tids])
    old = al.territory(keep).geometry
    parts = [*before, SetTerritoryGeometry(al.id, keep, old, merged, label), *_deletions(al, others, keep_units=False)]
    notes: tuple[str, ...] = ()
    if not merged.is_empty and len(merged.geoms) > 1:
        notes = (f"{al.territory(keep).name} now has {len(merged.geoms)} separate parts",)
    return ShapeEdit(label, tuple(parts), notes)


def delete_territories(project: Project, alignment: Id, territories: Sequence[Id]) -> ShapeEdit:
    """Delete territories (their units become free, their pins are dropped)."""
    al = _alignment(project, alignment)
    if not territories:
        raise ValueError("select at least one territory to delete")
    _unlocked(al, territories)
    n = len(set(territories))
    label = f"Delete {al.territory(territories[0]).name}" if n == 1 else f"Delete {n} territories"
    return ShapeEdit(label, tuple(_deletions(al, territories)))


# -- read-only helpers for the canvas ----------------------------------------------------------
def check_alignment(project: Project, alignment: Id, min_area: float = 0.0) -> list[check.Issue]:
    """Overlaps, gaps and invalid shapes of an alignment, each with a point to zoom to."""
    al = project.alignment(alignment)
    shapes = _current_shapes(project, al)
    return check.check_coverage(shapes, {t.id: t.name for t in al}, min_area)


def snap_index(project: Project, alignment: Id | None = None, units: bool = True) -> SnapIndex:
    """Snap targets: the alignment's territory shapes and (optionally) the unit shapes."""
    al = project.alignment(alignment) if alignment is not None else None
    shapes: Mapping[Id, BaseGeometry] = _current_shapes(project, al) if al is not None else {}
    return SnapIndex.build(shapes, project.units.geometry if units and len(project.units) else None)


__all__ = [
    "ShapeEdit", "UnitPreview", "begin_vertex_drag", "check_alignment", "commit_vertex_drag",
    "delete_territories", "delete_vertex", "draw_territory", "draw_units", "fill_hole", "insert_vertex",
    "merge_territories", "move_territory", "move_vertex", "preview_units", "reshape_territory",
    "snap_index", "split_territory", "unit_points",
]
