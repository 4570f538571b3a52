"""Commands on owners (reps, partners, support teams) and on project metadata."""

from __future__ import annotations

from dataclasses import dataclass

from terradesk.edit.command import CommandBase
from terradesk.model import META_PROPERTIES, OWNER_PROPERTIES, OWNER_ROLES, ChangeKind, Id, Owner, Project


@dataclass(frozen=True, eq=False)
class AddOwner(CommandBase):
    owner: Owner
    label: str = "Add owner"

    def apply(self, project: Project) -> None:
        project.owners[self.owner.id] = self.owner
        project.notify(ChangeKind.OWNERS, ids={self.owner.id})

    def revert(self, project: Project) -> None:
        del project.owners[self.owner.id]
        project.notify(ChangeKind.OWNERS, ids={self.owner.id})


@dataclass(frozen=True, eq=False)
class RemoveOwner(CommandBase):
    """Removes an owner and clears it from the territories that named it."""

    owner: Owner
    position: int
    held: tuple[tuple[Id, Id], ...]  # (alignment, territory)
    label: str = "Remove owner"

    def apply(self, project: Project) -> None:
        del project.owners[self.owner.id]
        for aid, tid in self.held:
            project.alignment(aid).territory(tid).owner_id = None
        self._notify(project)

    def revert(self, project: Project) -> None:
        items = list(project.owners.items())
        items.insert(self.position, (self.owner.id, self.owner))
        project.owners = dict(items)
        for aid, tid in self.held:
            project.alignment(aid).territory(tid).owner_id = self.owner.id
        self._notify(project)

    def _notify(self, project: Project) -> None:
        project.notify(ChangeKind.OWNERS, ids={self.owner.id})
        for aid in {a for a, _ in self.held}:
            project.notify(ChangeKind.TERRITORIES, aid, {t for a, t in self.held if a == aid})


@dataclass(frozen=True, eq=False)
class SetOwnerProperty(CommandBase):
    owner: Id
    name: str
    old: object
    new: object
    label: str = "Edit owner"

    def apply(self, project: Project) -> None:
        setattr(project.owners[self.owner], self.name, self.new)
        project.notify(ChangeKind.OWNERS, ids={self.owner})

    def revert(self, project: Project) -> None:
        setattr(project.owners[self.owner], self.name, self.old)
        project.notify(ChangeKind.OWNERS, ids={self.owner})


@dataclass(frozen=True, eq=False)
class SetProjectMeta(CommandBase):
    name: str
    old: object
    new: object
    label: str = "Edit project properties"

    def apply(self, project: Project) -> None:
        setattr(project.meta, self.name, self.new)
        project.notify(ChangeKind.META)

    def revert(self, project: Project) -> None:
        setattr(project.meta, self.name, self.old)
        project.notify(ChangeKind.META)


def add_owner(project: Project, name: str, **props: object) -> AddOwner:
    if not name.strip():
        raise ValueError("an owner needs a name")
    owner = Owner(name=name.strip(), **props)  # type: ignore[arg-type]
    return AddOwner(owner, f"Add owner {owner.name}")


def remove_owner(project: Project, owner: Id) -> RemoveOwner:
    o = project.owners[owner]
    held = tuple(
        (a.id, t.id) for a in project.alignments.values() for t in a.territories.values() if t.owner_id == owner
    )
    return RemoveOwner(o, list(project.owners).index(owner), held, f"Remove owner {o.name}")


def set_owner_property(project: Project, owner: Id, name: str, value: object) -> SetOwnerProperty:
    if name not in OWNER_PROPERTIES:
        raise ValueError(f"unknown owner property {name!r}")
    if name == "role" and value not in OWNER_ROLES:
        raise ValueError(f"owner role must be one of {', '.join(OWNER_ROLES)}")
    if name == "name" and not str(value).strip():
        raise ValueError("an owner needs a name")
    if name == "capacity" and value is not None:
        value = float(value)  # type: ignore[arg-type]
        if value < 0:
            raise ValueError("capacity cannot be negative")
    if name == "home" and value is not None:
        home: tuple[object, ...] = tuple(value) if isinstance(value, tuple | list) else ()
        if len(home) != 2:
            raise ValueError("home must be an (x, y) pair")
        value = (float(home[0]), float(home[1]))  # type: ignore[arg-type]
    o = project.owners[owner]
    return SetOwnerProperty(owner, name, getattr(o, name), value, f"Edit owner {o.name}")


def set_project_meta(project: Project, name: str, value: str) -> SetProjectMeta:
    if name not in META_PROPERTIES:
        raise ValueError(f"unknown project property {name!r}")
    return SetProjectMeta(name, getattr(project.meta, name), value, "Edit project properties")
