"""The project: everything one GeoPackage file holds."""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field, fields

import numpy as np
from pyproj import CRS

from terradesk import __version__
from terradesk.model.alignment import UNASSIGNED, Alignment
from terradesk.model.events import Change, ChangeKind, Signal
from terradesk.model.ids import Id, new_id
from terradesk.model.layers import ReferenceLayer
from terradesk.model.table import AccountLayer, UnitLayer
from terradesk.model.territory import Owner

#: Version of the project-file schema this build writes. Files with a higher number are
#: refused (they may hold data this build would silently drop).
SCHEMA_VERSION = 1


def _now() -> str:
    return _dt.datetime.now(_dt.UTC).replace(microsecond=0).isoformat()


@dataclass(slots=True, eq=False)
class ProjectMeta:
    """Project-level metadata stored in the file's ``terradesk_project`` table."""

    name: str = "Untitled project"
    description: str = ""
    crs: str = "EPSG:4326"
    project_id: Id = field(default_factory=new_id)
    revision_id: Id = field(default_factory=new_id)
    created: str = field(default_factory=_now)
    app_version: str = __version__
    schema_version: int = SCHEMA_VERSION

    def state(self) -> tuple[object, ...]:
        return tuple(getattr(self, f.name) for f in fields(self))


#: Metadata a planner may edit with ``SetProjectMeta``.
META_PROPERTIES = ("name", "description")


class Project:
    """Units, accounts, owners and alignments, plus the ``changed`` signal.

    Edits go through command objects (:mod:`terradesk.edit`); they call the mutators here,
    which announce a :class:`Change` so views redraw only what changed.
    """

    def __init__(
        self,
        meta: ProjectMeta | None = None,
        units: UnitLayer | None = None,
        accounts: AccountLayer | None = None,
    ) -> None:
        self.meta = meta or ProjectMeta()
        self.units = units if units is not None else UnitLayer.empty()
        self.accounts = accounts if accounts is not None else AccountLayer.empty()
        self.owners: dict[Id, Owner] = {}
        self.alignments: dict[Id, Alignment] = {}
        self.active_alignment_id: Id | None = None
        #: background and counted point layers, top first (see :mod:`terradesk.model.layers`)
        self.reference_layers: dict[Id, ReferenceLayer] = {}
        self.changed = Signal()

    # -- convenience ----------------------------------------------------------
    @property
    def crs(self) -> CRS:
        return CRS.from_user_input(self.meta.crs)

    @property
    def active_alignment(self) -> Alignment | None:
        if self.active_alignment_id is None:
            return None
        return self.alignments.get(self.active_alignment_id)

    def alignment(self, aid: Id) -> Alignment:
        return self.alignments[aid]

    def alignment_by_name(self, name: str) -> Alignment | None:
        for a in self.alignments.values():
            if a.name == name:
                return a
        return None

    def owner_by_name(self, name: str) -> Owner | None:
        for o in self.owners.values():
            if o.name == name:
                return o
        return None

    def notify(self, kind: ChangeKind, alignment: Id | None = None, ids: set[Id] | frozenset[Id] = frozenset(),
               units: np.ndarray | None = None) -> None:
        change = Change(kind, alignment, frozenset(ids))
        if units is not None:
            change = Change(kind, alignment, frozenset(ids), np.asarray(units, dtype=np.intp))
        self.changed.emit(change)

    # -- mutators used by commands --------------------------------------------
    def set_active_alignment(self, aid: Id | None) -> None:
        """View state, not an edit: switching the active plan is not an undo step."""
        if aid is not None and aid not in self.alignments:
            raise KeyError(aid)
        if aid != self.active_alignment_id:
            self.active_alignment_id = aid
            self.notify(ChangeKind.ACTIVE_ALIGNMENT, aid)

    def insert_alignment(self, alignment: Alignment, position: int | None = None) -> None:
        if alignment.kind == "units" and len(alignment.assignment) != len(self.units):
            if len(alignment.assignment) == 0:
                alignment.assignment = np.full(len(self.units), UNASSIGNED, dtype=np.intp)
            else:
                raise ValueError("alignment assignment does not match the unit layer")
        items = list(self.alignments.items())
        items.insert(len(items) if position is None else position, (alignment.id, alignment))
        self.alignments = dict(items)
        if self.active_alignment_id is None:
            self.active_alignment_id = alignment.id
        self.notify(ChangeKind.ALIGNMENTS, alignment.id)

    def remove_alignment(self, aid: Id) -> tuple[Alignment, int]:
        pos = list(self.alignments).index(aid)
        alignment = self.alignments.pop(aid)
        if self.active_alignment_id == aid:
            self.active_alignment_id = next(iter(self.alignments), None)
            self.notify(ChangeKind.ACTIVE_ALIGNMENT, self.active_alignment_id)
        self.notify(ChangeKind.ALIGNMENTS, aid)
        return alignment, pos

    def snapshot(self) -> Project:
        """A frozen copy to save in a background thread while the planner keeps editing.

        Edits mutate in place (columns, assignment arrays, territory/owner/meta
        attributes), so those containers are copied; shapely geometries and strings are
        immutable and shared. Its ``state()`` equals this project's; it has no listeners.
        Takes a few ms for 40,000 units and 200,000 accounts.
        """
        import copy as _copy
        from dataclasses import replace as _replace

        twin = Project(_replace(self.meta), self.units.copy(), self.accounts.copy())
        twin.owners = {k: o.copy() for k, o in self.owners.items()}
        twin.alignments = {k: _copy.deepcopy(a) for k, a in self.alignments.items()}
        twin.active_alignment_id = self.active_alignment_id
        layers = {}
        for k, r in getattr(self, "reference_layers", {}).items():
            layer = _copy.copy(r)
            layer.geometry = r.geometry.copy()
            layer.fields = {name: col.copy() for name, col in r.fields.items()}
            layers[k] = layer
        twin.reference_layers = layers
        return twin

    # -- comparison -------------------------------------------------------------
    def state(self) -> tuple[object, ...]:
        """Everything a file stores, as a comparable value (revision id excluded)."""
        meta = tuple(
            getattr(self.meta, f.name) for f in fields(self.meta) if f.name not in ("revision_id", "app_version")
        )
        return (
            meta,
            self.units.state(),
            self.accounts.state(),
            tuple(o.state() for o in self.owners.values()),
            tuple(a.state() for a in self.alignments.values()),
            self.active_alignment_id,
            tuple(r.state() for r in self.reference_layers.values()),
        )
