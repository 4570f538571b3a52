"""Domain model: plain Python and numpy, no Qt (enforced by import-linter)."""

from terradesk.model.alignment import UNASSIGNED, Alignment, AlignmentKind
from terradesk.model.events import Change, ChangeKind, Signal
from terradesk.model.ids import Id, new_id
from terradesk.model.project import META_PROPERTIES, SCHEMA_VERSION, Project, ProjectMeta
from terradesk.model.table import AccountLayer, ColumnTable, UnitLayer
from terradesk.model.territory import OWNER_PROPERTIES, OWNER_ROLES, TERRITORY_PROPERTIES, Owner, Territory

__all__ = [
    "UNASSIGNED", "Alignment", "AlignmentKind", "Change", "ChangeKind", "Signal", "Id", "new_id",
    "META_PROPERTIES", "SCHEMA_VERSION", "Project", "ProjectMeta", "AccountLayer", "ColumnTable",
    "UnitLayer", "OWNER_PROPERTIES", "OWNER_ROLES", "TERRITORY_PROPERTIES", "Owner", "Territory",
]
