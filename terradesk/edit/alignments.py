"""Commands on alignments (whole plans): add, rename, duplicate, remove."""

from __future__ import annotations

from dataclasses import dataclass

from terradesk.edit.command import CommandBase
from terradesk.model import Alignment, ChangeKind, Id, Project


@dataclass(frozen=True, eq=False)
class AddAlignment(CommandBase):
    alignment: Alignment
    position: int | None = None
    label: str = "Add alignment"

    def apply(self, project: Project) -> None:
        project.insert_alignment(self.alignment, self.position)

    def revert(self, project: Project) -> None:
        project.remove_alignment(self.alignment.id)


@dataclass(frozen=True, eq=False)
class RemoveAlignment(CommandBase):
    alignment: Alignment
    position: int
    was_active: bool
    label: str = "Remove alignment"

    def apply(self, project: Project) -> None:
        project.remove_alignment(self.alignment.id)

    def revert(self, project: Project) -> None:
        project.insert_alignment(self.alignment, self.position)
        if self.was_active:
            project.set_active_alignment(self.alignment.id)


@dataclass(frozen=True, eq=False)
class SetAlignmentProperty(CommandBase):
    alignment: Id
    name: str
    old: object
    new: object
    label: str = "Rename alignment"

    def apply(self, project: Project) -> None:
        setattr(project.alignment(self.alignment), self.name, self.new)
        project.notify(ChangeKind.ALIGNMENTS, self.alignment)

    def revert(self, project: Project) -> None:
        setattr(project.alignment(self.alignment), self.name, self.old)
        project.notify(ChangeKind.ALIGNMENTS, self.alignment)


def _check_name(project: Project, name: str, ignore: Id | None = None) -> str:
    name = name.strip()
    if not name:
        raise ValueError("an alignment needs a name")
    for a in project.alignments.values():
        if a.name == name and a.id != ignore:
            raise ValueError(f"an alignment named {name!r} exists already")
    return name


def add_alignment(project: Project, name: str, kind: str = "units", description: str = "") -> AddAlignment:
    al = Alignment(name=_check_name(project, name), kind=kind, description=description)  # type: ignore[arg-type]
    return AddAlignment(al, label=f"Add alignment {al.name}")


def rename_alignment(project: Project, alignment: Id, name: str) -> SetAlignmentProperty:
    al = project.alignment(alignment)
    return SetAlignmentProperty(alignment, "name", al.name, _check_name(project, name, alignment))


def set_alignment_description(project: Project, alignment: Id, text: str) -> SetAlignmentProperty:
    al = project.alignment(alignment)
    return SetAlignmentProperty(alignment, "description", al.description, text, "Edit alignment description")


def duplicate_alignment(project: Project, alignment: Id, name: str | None = None) -> AddAlignment:
    source = project.alignment(alignment)
    twin = source.clone(_check_name(project, name or f"{source.name} (copy)"))
    return AddAlignment(twin, list(project.alignments).index(alignment) + 1, f"Duplicate alignment {source.name}")


def remove_alignment(project: Project, alignment: Id) -> RemoveAlignment:
    al = project.alignment(alignment)
    return RemoveAlignment(
        al, list(project.alignments).index(alignment), project.active_alignment_id == alignment,
        f"Remove alignment {al.name}",
    )
