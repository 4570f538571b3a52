"""Reference layers: background shapes and counted point layers that travel in the project.

A planner adds a county outline, a road network or a list of competitor sites beside the
plan. They are project data (saved in the file, so the colleague who opens the e-mailed
project sees them), but they never change a territory: polygons and lines are drawn
below the map, point layers marked ``counted`` add a "how many lie in each territory"
column. Geometry is held in the project CRS, one geometry type per layer (polygon
layers hold MultiPolygons, line layers MultiLineStrings, point layers Points or None for
an unplaced row), so the file's declared geometry type always matches and a save/open
round trip is exact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.model.ids import Id, new_id
from terradesk.model.table import as_column
from terradesk.model.territory import check_colour

LayerKind = Literal["polygon", "line", "point"]
LAYER_KINDS: tuple[str, ...] = ("polygon", "line", "point")
#: Properties ``SetReferenceProperty`` may change (style has its own command).
REFERENCE_PROPERTIES = ("name", "counted")
#: Default colours for new layers, muted so the plan stays in front.
REFERENCE_PALETTE = ("#7f8c8d", "#6c7a89", "#8e7f6f", "#5d8aa8", "#a0522d", "#556b2f")

GeomArray = npt.NDArray[np.object_]

_SHAPELY_KIND = {0: "point", 1: "line", 2: "line", 3: "polygon", 4: "point", 5: "line", 6: "polygon"}


@dataclass(frozen=True, slots=True)
class ReferenceStyle:
    """How the layer is drawn; one value so a restyle is one swap (and one undo step)."""

    colour: str = "#7f8c8d"
    opacity: float = 1.0
    visible: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "colour", check_colour(self.colour))
        op = float(self.opacity)
        if not 0.0 <= op <= 1.0:
            raise ValueError(f"opacity must lie between 0 and 1, got {self.opacity!r}")
        object.__setattr__(self, "opacity", op)
        object.__setattr__(self, "visible", bool(self.visible))


def normalise_geometries(kind: str, geoms: Iterable[Any] | GeomArray) -> GeomArray:
    """Geometries of one kind as the file stores them: Multi* for polygons and lines.

    Missing or empty geometries become None; a geometry of another kind raises ValueError.
    """
    if kind not in LAYER_KINDS:
        raise ValueError(f"layer kind must be one of {', '.join(LAYER_KINDS)}, got {kind!r}")
    src = list(geoms) if not isinstance(geoms, np.ndarray) else geoms
    arr = np.empty(len(src), dtype=object)
    arr[:] = list(src)
    if len(arr) == 0:
        return arr
    arr[shapely.is_empty(arr)] = None
    present = ~shapely.is_missing(arr)
    types = shapely.get_type_id(arr)
    wrong = [t for t in np.unique(types[present]).tolist() if _SHAPELY_KIND.get(t) != kind]
    if wrong:
        raise ValueError(f"a {kind} layer cannot hold {shapely.GeometryType(wrong[0]).name.title()} geometries")
    if kind == "polygon":
        single = types == 3
        if single.any():
            arr[single] = shapely.multipolygons(arr[single][:, None])
    elif kind == "line":
        for i in np.flatnonzero(types == 2).tolist():  # a LinearRing is a closed line
            arr[i] = shapely.linestrings(shapely.get_coordinates(arr[i]))
        single = (types == 1) | (types == 2)
        if single.any():
            arr[single] = shapely.multilinestrings(arr[single][:, None])
    elif (types == 4).any():
        raise ValueError("a point layer holds single points; split MultiPoints into rows first")
    return arr


def _field_column(values: Any) -> npt.NDArray[Any]:
    """float64 for numbers (NaN = null), otherwise text (str or None): what the file stores."""
    arr = np.asarray(values)
    if arr.dtype.kind in "biuf":
        return np.asarray(arr, dtype=np.float64)
    col = as_column(arr, numeric=False)
    col[:] = [v if v is None or type(v) is str else str(v) for v in col.tolist()]
    return col


class ReferenceLayer:
    """A background layer kept in the project.

    ``geometry`` is an object array in the project CRS (any sequence is accepted and
    normalised, see :func:`normalise_geometries`); ``fields`` holds one column per
    attribute (float64 or text), each as long as ``geometry``. ``counted`` point layers
    get a per-territory count column (competitor sites, partner offices).
    """

    __slots__ = ("counted", "fields", "geometry", "id", "kind", "name", "style")
    #: attribute order of :meth:`state` (and of the constructor)
    STATE = ("name", "kind", "geometry", "fields", "style", "counted", "id")

    def __init__(self, name: str, kind: str, geometry: Iterable[Any] | GeomArray,
                 fields: Mapping[str, Any] | None = None, style: ReferenceStyle | None = None,
                 counted: bool = False, id: Id = "") -> None:
        if not str(name).strip():
            raise ValueError("a reference layer needs a name")
        self.name = str(name)
        self.kind = kind
        self.geometry: GeomArray = normalise_geometries(kind, geometry)
        n = len(self.geometry)
        cols: dict[str, npt.NDArray[Any]] = {}
        for fname, values in dict(fields or {}).items():
            col = _field_column(values)
            if len(col) != n:
                raise ValueError(f"field {fname!r} has {len(col)} rows, expected {n}")
            cols[str(fname)] = col
        self.fields = cols
        self.style = style if style is not None else ReferenceStyle()
        if counted and kind != "point":
            raise ValueError("only point layers can be counted per territory")
        self.counted = bool(counted)
        self.id: Id = id or new_id()

    def __len__(self) -> int:
        return len(self.geometry)

    def xy(self) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Point coordinates (NaN for unplaced rows); only meaningful for point layers."""
        x = np.full(len(self), np.nan)
        y = np.full(len(self), np.nan)
        if self.kind == "point" and len(self):
            ok = ~shapely.is_missing(self.geometry)
            x[ok] = shapely.get_x(self.geometry[ok])
            y[ok] = shapely.get_y(self.geometry[ok])
        return x, y

    def bounds(self) -> tuple[float, float, float, float] | None:
        present = self.geometry[~shapely.is_missing(self.geometry)] if len(self) else self.geometry
        if not len(present):
            return None
        b = shapely.total_bounds(present)
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3])) if np.isfinite(b).all() else None

    def copy(self, **changes: Any) -> ReferenceLayer:
        values = {k: getattr(self, k) for k in self.STATE}
        values.update(changes)
        return ReferenceLayer(**values)

    def __repr__(self) -> str:
        return f"ReferenceLayer({self.name!r}, {self.kind!r}, {len(self)} rows, id={self.id!r})"

    def state(self) -> tuple[object, ...]:
        """A comparable snapshot (geometry as WKB, numbers as bytes) for tests and round trips."""
        def conv(v: npt.NDArray[Any]) -> object:
            return v.tobytes() if v.dtype.kind == "f" else tuple(v.tolist())

        geoms = tuple(shapely.to_wkb(self.geometry).tolist()) if len(self) else ()
        fields = tuple((k, conv(v)) for k, v in self.fields.items())
        return (self.name, self.kind, geoms, fields, self.style, self.counted, self.id)


def kind_of(geoms: GeomArray) -> dict[str, npt.NDArray[np.intp]]:
    """Row indices per layer kind (a mixed file becomes one layer per kind)."""
    arr = np.asarray(geoms, dtype=object)
    types = shapely.get_type_id(arr) if len(arr) else np.empty(0, dtype=int)
    out: dict[str, npt.NDArray[np.intp]] = {}
    for kind in LAYER_KINDS:
        rows = np.flatnonzero(np.isin(types, [t for t, k in _SHAPELY_KIND.items() if k == kind]))
        if len(rows):
            out[kind] = rows
    return out


def slug(name: str) -> str:
    """Lower-case ASCII words joined by underscores: for table and column names."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def fields_from(columns: Mapping[str, Any], rows: npt.NDArray[np.intp] | None = None) -> dict[str, npt.NDArray[Any]]:
    """Columns as reference-layer fields, optionally restricted to ``rows``."""
    out = {}
    for name, values in columns.items():
        col = _field_column(values)
        out[str(name)] = col if rows is None else col[rows]
    return out
