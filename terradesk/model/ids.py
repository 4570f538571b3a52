"""Stable identifiers: every domain row carries a UUID that survives save, load and copies."""

from __future__ import annotations

import uuid
from random import Random

Id = str


def new_id() -> Id:
    """A fresh random UUID in canonical text form (what the project file stores)."""
    return str(uuid.uuid4())


def seeded_ids(rng: Random, count: int) -> list[Id]:
    """Deterministic UUIDs (version 4 layout) for generated data, e.g. the demo project."""
    return [str(uuid.UUID(int=rng.getrandbits(128), version=4)) for _ in range(count)]


def is_uuid(text: object) -> bool:
    """True for a canonical UUID string."""
    if not isinstance(text, str):
        return False
    try:
        return str(uuid.UUID(text)) == text.lower()
    except ValueError:
        return False
