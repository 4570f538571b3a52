"""Edit commands and the headless History. Every change to a project goes through here."""

from terradesk.edit.accounts import (
    AddAccounts, PinAccounts, RemoveAccounts, SetAccountValues, add_accounts, pin_accounts,
    remove_accounts, set_account_values,
)
from terradesk.edit.alignments import (
    AddAlignment, RemoveAlignment, SetAlignmentProperty, add_alignment, duplicate_alignment,
    remove_alignment, rename_alignment, set_alignment_description,
)
from terradesk.edit.assign import AssignUnits, assign_units, unassign_units
from terradesk.edit.command import Command, CommandBase, Composite, Sink
from terradesk.edit.history import History
from terradesk.edit.owners import (
    AddOwner, RemoveOwner, SetOwnerProperty, SetProjectMeta, add_owner, remove_owner,
    set_owner_property, set_project_meta,
)
from terradesk.edit.territories import (
    PALETTE, CreateTerritory, DeleteTerritory, SetTerritoryGeometry, SetTerritoryProperty,
    create_territory, delete_territory, next_colour, rename_territory, set_territory_geometry,
    set_territory_property,
)

__all__ = [
    "AddAccounts", "PinAccounts", "RemoveAccounts", "SetAccountValues", "add_accounts", "pin_accounts",
    "remove_accounts", "set_account_values", "AddAlignment", "RemoveAlignment", "SetAlignmentProperty",
    "add_alignment", "duplicate_alignment", "remove_alignment", "rename_alignment",
    "set_alignment_description", "AssignUnits", "assign_units", "unassign_units", "Command",
    "CommandBase", "Composite", "Sink", "History", "AddOwner", "RemoveOwner", "SetOwnerProperty",
    "SetProjectMeta", "add_owner", "remove_owner", "set_owner_property", "set_project_meta", "PALETTE",
    "CreateTerritory", "DeleteTerritory", "SetTerritoryGeometry", "SetTerritoryProperty",
    "create_territory", "delete_territory", "next_colour", "rename_territory",
    "set_territory_geometry", "set_territory_property",
]
