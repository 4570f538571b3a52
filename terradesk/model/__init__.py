"""Domain model: plain Python and numpy, no Qt (enforced by import-linter)."""

from terradesk.model.alignment import UNASSIGNED, Alignment, AlignmentKind
from terradesk.model.events import Change, ChangeKind, Signal
from terradesk.model.ids import Id, new_id
from terradesk.model.layers import LAYER_KINDS, REFERENCE_PROPERTIES, ReferenceLayer, ReferenceStyle
from terradesk.model.project import META_PROPERTIES, SCHEMA_VERSION, Project, ProjectMeta
from terradesk.model.table import AccountLayer, ColumnTable, UnitLayer
from terradesk.model.territory import OWNER_PROPERTIES, OWNER_ROLES, TERRITORY_PROPERTIES, Owner, Territory

__all__ = [
    "LAYER_KINDS",
    "META_PROPERTIES",
    "OWNER_PROPERTIES",
    "OWNER_ROLES",
    "REFERENCE_PROPERTIES",
    "SCHEMA_VERSION",
    "TERRITORY_PROPERTIES",
    "UNASSIGNED",
    "AccountLayer",
    "Alignment",
    "AlignmentKind",
    "Change",
    "ChangeKind",
    "ColumnTable",
    "Id",
    "Owner",
    "Project",
    "ProjectMeta",
    "ReferenceLayer",
    "ReferenceStyle",
    "Signal",
    "Territory",
    "UnitLayer",
    "new_id",
]
