"""A tiny observer mechanism so the model can announce changes without Qt.

Views subscribe to :attr:`Project.changed` and redraw only what a :class:`Change`
names; undo therefore needs no UI code at all.
"""

from __future__ import annotations

import contextlib
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt


class ChangeKind(enum.Enum):
    """What part of the project a change touched."""

    META = "meta"
    UNITS = "units"
    ACCOUNTS = "accounts"
    OWNERS = "owners"
    ALIGNMENTS = "alignments"
    TERRITORIES = "territories"
    GEOMETRY = "geometry"
    ASSIGNMENT = "assignment"
    PINS = "pins"
    ACTIVE_ALIGNMENT = "active_alignment"
    RESET = "reset"
    #: reference layers (added, removed, restyled, reordered); ``ids`` holds layer ids
    LAYERS = "layers"


def _no_units() -> npt.NDArray[np.intp]:
    return np.empty(0, dtype=np.intp)


@dataclass(frozen=True, eq=False)
class Change:
    """One announcement: the kind, the alignment it concerns and the ids it touched.

    ``ids`` holds territory ids for TERRITORIES/GEOMETRY/ASSIGNMENT changes, account ids
    for ACCOUNTS and PINS, owner ids for OWNERS. ``units`` holds the unit indices whose
    assignment changed.
    """

    kind: ChangeKind
    alignment: str | None = None
    ids: frozenset[str] = frozenset()
    units: npt.NDArray[np.intp] = field(default_factory=_no_units)


Listener = Callable[[Any], None]


class Signal:
    """A list of callbacks. ``emit`` calls each with the payload, in connection order."""

    __slots__ = ("_listeners",)

    def __init__(self) -> None:
        self._listeners: list[Listener] = []

    def connect(self, listener: Listener) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def disconnect(self, listener: Listener) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def emit(self, payload: Any = None) -> None:
        for listener in list(self._listeners):
            listener(payload)

    def __len__(self) -> int:
        return len(self._listeners)
