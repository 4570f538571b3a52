"""Column tables for the big layers (units, accounts).

Tens of thousands of rows are kept as numpy columns, not Python objects, so that reads,
writes, metrics and rendering stay vectorised. Rows are addressed by position; every row
also carries a stable UUID (``id`` column) for files and merges.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, TypeVar

import numpy as np
import numpy.typing as npt

from terradesk.model.ids import Id

T = TypeVar("T", bound="ColumnTable")

Array = npt.NDArray[Any]


def as_column(values: Iterable[Any] | Array, numeric: bool | None = None) -> Array:
    """Coerce values to a column: float64 for numbers (NaN = null), object otherwise."""
    arr = np.asarray(values if isinstance(values, np.ndarray) else list(values))
    if numeric is None:
        numeric = arr.dtype.kind in "biuf"
    if numeric:
        return np.asarray(arr, dtype=np.float64)
    out = np.empty(len(arr), dtype=object)
    out[:] = list(arr) if arr.dtype != object else arr
    return out


def is_numeric(column: Array) -> bool:
    return column.dtype.kind == "f"


class ColumnTable:
    """Core columns (fixed per layer) plus planner-defined attribute fields."""

    CORE: ClassVar[tuple[str, ...]] = ("id",)
    NUMERIC_CORE: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, core: Mapping[str, Array], fields: Mapping[str, Array] | None = None):
        missing = [c for c in self.CORE if c not in core]
        if missing:
            raise ValueError(f"{type(self).__name__} needs columns {missing}")
        self._core: dict[str, Array] = {
            c: as_column(core[c], numeric=c in self.NUMERIC_CORE) for c in self.CORE
        }
        self.fields: dict[str, Array] = {}
        for name, col in (fields or {}).items():
            if name in self.CORE:
                raise ValueError(f"field name {name!r} is reserved")
            self.fields[name] = as_column(col)
        n = len(self._core["id"])
        for name, col in [*self._core.items(), *self.fields.items()]:
            if len(col) != n:
                raise ValueError(f"column {name!r} has {len(col)} rows, expected {n}")
        self._index: dict[Id, int] | None = None

    # -- access ---------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._core["id"])

    @property
    def ids(self) -> Array:
        return self._core["id"]

    def column(self, name: str) -> Array:
        if name in self._core:
            return self._core[name]
        return self.fields[name]

    def numeric_fields(self) -> list[str]:
        return [n for n, c in self.fields.items() if is_numeric(c)]

    def index_of(self, row_id: Id) -> int:
        if self._index is None:
            self._index = {rid: i for i, rid in enumerate(self.ids)}
        return self._index[row_id]

    def positions(self, row_ids: Iterable[Id]) -> npt.NDArray[np.intp]:
        return np.fromiter((self.index_of(r) for r in row_ids), dtype=np.intp)

    # -- row edits (used by edit commands) --------------------------------------
    def _all(self) -> dict[str, Array]:
        return {**self._core, **{f"field:{k}": v for k, v in self.fields.items()}}

    def _set_all(self, cols: dict[str, Array]) -> None:
        for k, v in cols.items():
            if k.startswith("field:"):
                self.fields[k[6:]] = v
            else:
                self._core[k] = v
        self._index = None

    def copy(self: T) -> T:
        """An independent copy for a background save: columns copied, cells shared.

        Geometries and strings are immutable, so copying the column arrays (a few ms for
        200,000 rows) is enough: later ``set_values``/row edits on ``self`` leave it alone.
        """
        twin = object.__new__(type(self))
        twin._core = {c: v.copy() for c, v in self._core.items()}
        twin.fields = {c: v.copy() for c, v in self.fields.items()}
        twin._index = None
        return twin

    def take(self: T, positions: npt.ArrayLike) -> T:
        pos = np.asarray(positions, dtype=np.intp)
        return type(self)(
            {c: v[pos] for c, v in self._core.items()},
            {c: v[pos] for c, v in self.fields.items()},
        )

    def delete_rows(self: T, positions: npt.ArrayLike) -> T:
        """Remove rows and return them (as a table) so the deletion can be undone."""
        pos = np.unique(np.asarray(positions, dtype=np.intp))
        removed = self.take(pos)
        keep = np.ones(len(self), dtype=bool)
        keep[pos] = False
        self._set_all({k: v[keep] for k, v in self._all().items()})
        return removed

    def insert_rows(self, rows: ColumnTable, positions: npt.ArrayLike | None = None) -> None:
        """Insert rows so that they end up at ``positions`` (default: appended).

        Fields the rows lack are filled with nulls; fields only the rows have are added.
        """
        n, k = len(self), len(rows)
        pos = np.arange(n, n + k) if positions is None else np.asarray(positions, np.intp)
        if len(pos) != k:
            raise ValueError("one position per inserted row is needed")
        mask = np.zeros(n + k, dtype=bool)
        mask[pos] = True
        for name in rows.fields:
            if name not in self.fields:
                self.fields[name] = _nulls_like(rows.fields[name], n)
        mine = self._all()
        theirs = rows._all()
        merged: dict[str, Array] = {}
        for key, col in mine.items():
            other = theirs.get(key)
            if other is None:
                other = _nulls_like(col, k)
            out = np.empty(n + k, dtype=np.result_type(col.dtype, other.dtype))
            out[~mask] = col
            out[mask] = other
            merged[key] = out
        self._set_all(merged)

    def set_values(self, name: str, positions: npt.ArrayLike, values: npt.ArrayLike) -> None:
        col = self.column(name)
        col[np.asarray(positions, dtype=np.intp)] = values
        if name == "id":
            self._index = None

    def add_field(self, name: str, values: Array) -> None:
        if name in self.CORE or name in self.fields:
            raise ValueError(f"field {name!r} exists already")
        col = as_column(values)
        if len(col) != len(self):
            raise ValueError("field length does not match the layer")
        self.fields[name] = col

    def remove_field(self, name: str) -> Array:
        return self.fields.pop(name)

    # -- comparison -----------------------------------------------------------
    def state(self) -> tuple[object, ...]:
        """A comparable snapshot: used by undo property tests and file round-trips."""
        def conv(v: Array) -> object:
            if v.dtype == object and len(v) and hasattr(v[0], "wkb"):
                import shapely

                return tuple(shapely.to_wkb(v))
            if v.dtype.kind == "f":
                return v.tobytes()
            return tuple(v.tolist())

        return (
            tuple((k, conv(v)) for k, v in self._core.items()),
            tuple(sorted((k, conv(v)) for k, v in self.fields.items())),
        )


def _nulls_like(col: Array, n: int) -> Array:
    if col.dtype.kind == "f":
        return np.full(n, np.nan)
    return np.full(n, None, dtype=object)


class UnitLayer(ColumnTable):
    """Base geography: one polygon per postal code / county, with attribute fields."""

    CORE = ("id", "code", "name", "geometry")

    @property
    def codes(self) -> Array:
        return self._core["code"]

    @property
    def names(self) -> Array:
        return self._core["name"]

    @property
    def geometry(self) -> Array:
        return self._core["geometry"]

    def index_of_code(self, code: str) -> int:
        """Row of a unit code (KeyError when absent); the lookup is rebuilt after edits."""
        cache: tuple[Array, dict[str, int]] | None = getattr(self, "_code_cache", None)
        if cache is None or cache[0] is not self.codes:
            cache = (self.codes, {c: i for i, c in enumerate(self.codes)})
            self._code_cache = cache
        return cache[1][code]

    @classmethod
    def empty(cls) -> UnitLayer:
        return cls({c: np.empty(0, dtype=object) for c in cls.CORE})


class AccountLayer(ColumnTable):
    """Customer accounts as points (project CRS); x/y are NaN for unplaced accounts."""

    CORE = ("id", "name", "x", "y")
    NUMERIC_CORE = frozenset({"x", "y"})

    @property
    def names(self) -> Array:
        return self._core["name"]

    @property
    def x(self) -> Array:
        return self._core["x"]

    @property
    def y(self) -> Array:
        return self._core["y"]

    @classmethod
    def empty(cls) -> AccountLayer:
        return cls(
            {"id": np.empty(0, object), "name": np.empty(0, object), "x": np.empty(0), "y": np.empty(0)}
        )
