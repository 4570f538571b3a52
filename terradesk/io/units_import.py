"""Import base geography (postal codes, counties) from a foreign file into a UnitLayer.

One vectorised pass: pyogrio's raw reader hands us WKB and numpy columns, shapely 2 checks
and repairs every geometry at once, pyproj reprojects them in one call. Bad rows are
reported, never silently dropped (see :class:`~terradesk.io.import_report.ImportReport`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyogrio
import shapely
from pyproj import CRS

from terradesk.geo.crs import (
    UnknownCRSError,
    crs_to_storage,
    equal_area_crs,
    lonlat_centre,
    parse_crs,
    transform_geometries,
)
from terradesk.io.errors import ExitCode, ImportSourceError
from terradesk.io.import_report import ImportReport, RowIssue
from terradesk.io.sources import FieldInfo, SourceInfo, detect_wkt_column, inspect_source, resolve
from terradesk.model import UnitLayer
from terradesk.model.ids import new_id

__all__ = [
    "FieldInfo",
    "ImportCRSError",
    "ImportReport",
    "RowIssue",
    "SourceInfo",
    "UnitImport",
    "guess_code_field",
    "guess_name_field",
    "inspect_source",
    "read_units",
    "suggest_project_crs",
]

Obj = npt.NDArray[np.object_]

#: Field names tried, in order, for the unit code (case-insensitive regexes).
CODE_PATTERNS = (
    r"^(unit_?)?code$", r"post_?code|postal|^zip|^plz|^cap$|^npa$|^cp$", r"fips|geoid|geocode|^ags$|insee|nuts|^lau|gss",
    r"code", r"^id$|_id$|^id_",
)
NAME_PATTERNS = (r"^name$", r"^(unit_?)?name|_name$|^nom$|^nombre$|^nome$", r"name|bezeichnung|label|title|^gen$")
#: Formats whose specifications fix the CRS to WGS 84 lon/lat when the file names none.
WGS84_DRIVERS = {"GeoJSON": "EPSG:4326", "TopoJSON": "EPSG:4326", "KML": "EPSG:4326", "LIBKML": "EPSG:4326"}
#: Formats that store every attribute as text.
UNTYPED_DRIVERS = frozenset({"CSV", "KML", "LIBKML"})
_POLYGONAL = (3, 6)  # shapely type ids: Polygon, MultiPolygon
_COLLECTION = 7


class ImportCRSError(ImportSourceError):
    """The CRS given for an import is not one pyproj understands."""

    exit_code = ExitCode.UNKNOWN_CRS


@dataclass(slots=True)
class UnitImport:
    """The imported units (in ``crs``) and the report of what happened to every row."""

    units: UnitLayer
    report: ImportReport
    crs: str

    def summary(self) -> str:
        return self.report.summary()


def read_units(
    source: str | Path,
    *,
    layer: str | None = None,
    code_field: str | None = None,
    name_field: str | None = None,
    keep_fields: list[str] | tuple[str, ...] | None = None,
    crs: str | None = None,
    target_crs: str | None = None,
) -> UnitImport:
    """Read polygons with a unique code from ``source`` into a UnitLayer.

    Parameters
    ----------
    code_field, name_field
        Guessed from the field names when not given (see :func:`guess_code_field`).
    keep_fields
        Attribute fields to carry over; default: every numeric field (metrics).
    crs
        The source CRS; required when the file has none, and overrides the file's when given.
    target_crs
        Reproject to this CRS (the project's); default: stay in the source CRS.
    """
    ds = resolve(source, layer)
    name = Path(source).name
    try:
        meta, _, wkb, data = pyogrio.raw.read(
            ds.gdal_path, layer=ds.layer, read_geometry=not ds.is_csv, force_2d=True
        )
    except Exception as exc:
        raise ImportSourceError(f"{name} cannot be read ({str(exc).splitlines()[0][:200]})") from exc
    names = [str(n) for n in meta["fields"]]
    columns = dict(zip(names, data, strict=True))
    n = len(data[0]) if data else (0 if wkb is None else len(wkb))

    geoms, unreadable = _geometries(ds.is_csv, wkb, names, data, n, name)
    if ds.is_csv:
        columns = {k: v for k, v in columns.items() if k != _wkt_name(names, data)}
    if ds.is_csv or ds.driver in UNTYPED_DRIVERS:
        columns = {k: _text_numbers(v) for k, v in columns.items()}
    src_crs = _source_crs(meta.get("crs") or WGS84_DRIVERS.get(ds.driver), crs, name)

    code_name = code_field or guess_code_field(columns)
    if code_name is None:
        raise ImportSourceError(
            f"{name}: no field with a unique code per feature; choose one with --code-field "
            f"(fields: {', '.join(columns) or 'none'})"
        )
    if code_name not in columns:
        raise ImportSourceError(f"{name} has no field {code_name!r} (fields: {', '.join(columns)})")
    label_name = name_field or guess_name_field(columns, exclude=code_name)
    if label_name is not None and label_name not in columns:
        raise ImportSourceError(f"{name} has no field {label_name!r} (fields: {', '.join(columns)})")
    kept = _kept_fields(columns, keep_fields, {code_name, label_name}, name)

    codes = as_codes(columns[code_name])
    report = ImportReport(
        source=name, layer=ds.layer, read=n, code_field=code_name, name_field=label_name, kept_fields=tuple(kept)
    )
    reject = np.zeros(n, dtype=bool)
    reasons: dict[int, str] = {}

    def mark(mask: npt.NDArray[np.bool_], why: str | list[str]) -> None:
        for i in np.flatnonzero(mask & ~reject):
            reasons[int(i)] = why if isinstance(why, str) else why[int(i)]
        reject[mask] = True

    mark(unreadable, "unreadable geometry")
    missing = shapely.is_missing(geoms) & ~unreadable
    mark(missing, "no geometry")
    mark(~missing & shapely.is_empty(geoms), "empty geometry")
    geoms, repaired = _polygonal(geoms, reject, mark)
    target = src_crs if target_crs is None else _parse(target_crs, "target")
    if target != src_crs:
        geoms = _reproject(geoms, reject, src_crs, target, mark)
    mark(np.array([c is None for c in codes], dtype=bool), "no code")
    dup_of = _duplicates(codes, reject)
    mark(dup_of >= 0, [f"duplicate code (first at row {d + 1})" for d in dup_of])

    keep = ~reject
    report.rejected = [RowIssue(i + 1, codes[i], reasons[i]) for i in sorted(reasons)]
    report.repaired = [RowIssue(i + 1, codes[i], why) for i, why in sorted(repaired.items()) if keep[i]]
    report.imported = int(keep.sum())
    report.source_crs, report.target_crs = crs_to_storage(src_crs), crs_to_storage(target)

    idx = np.flatnonzero(keep)
    labels = as_codes(columns[label_name]) if label_name else codes
    unit_codes = np.asarray(codes, dtype=object)[idx]
    unit_names = np.asarray([lab if lab is not None else c for lab, c in zip(labels, codes, strict=True)], dtype=object)[idx]
    fields = {_field_name(k): _field_values(columns[k])[idx] for k in kept}
    units = UnitLayer(
        {"id": np.array([new_id() for _ in range(len(idx))], dtype=object), "code": unit_codes, "name": unit_names, "geometry": geoms[idx]},
        fields,
    )
    return UnitImport(units, report, report.target_crs)


# -- geometry ---------------------------------------------------------------------
def _wkt_name(names: list[str], data: list[np.ndarray]) -> str | None:
    return detect_wkt_column(names, data)


def _geometries(is_csv: bool, wkb: Any, names: list[str], data: list[np.ndarray], n: int, source: str) -> tuple[Obj, npt.NDArray[np.bool_]]:
    """Shapes plus a mask of rows whose bytes or text could not be parsed."""
    if is_csv:
        col = _wkt_name(names, data)
        if col is None:
            raise ImportSourceError(f"{source}: no column holds WKT geometries (name it WKT or geometry)")
        raw = np.array([v if isinstance(v, str) and v.strip() else None for v in data[names.index(col)]], dtype=object)
        geoms = shapely.from_wkt(raw, on_invalid="ignore")
    else:
        raw = np.empty(n, dtype=object) if wkb is None else wkb
        geoms = shapely.from_wkb(raw, on_invalid="ignore")
    geoms = np.asarray(geoms, dtype=object)
    present = np.array([r is not None for r in raw], dtype=bool)
    return geoms, present & shapely.is_missing(geoms)


def _polygonal(geoms: Obj, reject: npt.NDArray[np.bool_], mark: Any) -> tuple[Obj, dict[int, str]]:
    """Keep polygons; take the polygonal part of collections; make invalid shapes valid."""
    repaired: dict[int, str] = {}
    live = ~reject
    types = np.full(len(geoms), -1)
    types[live] = shapely.get_type_id(geoms[live])
    mixed = np.flatnonzero(types == _COLLECTION)
    geoms = geoms.copy()
    for i in mixed:
        poly = _polygon_part(geoms[i])
        if poly is not None:
            geoms[i], types[i] = poly, 6
            repaired[int(i)] = "kept the polygon parts of a geometry collection"
    other = live & ~np.isin(types, _POLYGONAL)
    kinds = [f"not a polygon ({g.geom_type})" if other[i] else "" for i, g in enumerate(geoms)] if other.any() else []
    mark(other, kinds if kinds else "not a polygon")
    live = ~reject
    invalid = np.zeros(len(geoms), dtype=bool)
    invalid[live] = ~shapely.is_valid(geoms[live])
    for i in np.flatnonzero(invalid):
        why = str(shapely.is_valid_reason(geoms[i])).split("[")[0]
        fixed = _polygon_part(shapely.make_valid(geoms[i]))
        if fixed is None or fixed.area == 0:
            mark(_one(len(geoms), int(i)), f"invalid geometry with no area left after repair ({why})")
            continue
        geoms[i] = fixed
        repaired[int(i)] = f"invalid geometry repaired ({why})"
    return geoms, repaired


def _polygon_part(geom: Any) -> Any:
    """The (Multi)Polygon inside a geometry, or None when it has no area."""
    if geom is None:
        return None
    tid = shapely.get_type_id(geom)
    if tid in _POLYGONAL:
        return geom
    if tid != _COLLECTION:
        return None
    parts = shapely.get_parts(geom)
    polys = [p for p in parts if shapely.get_type_id(p) in _POLYGONAL and not p.is_empty]
    if not polys:
        return None
    flat = shapely.get_parts(np.asarray(polys, dtype=object))
    return shapely.multipolygons(flat) if len(flat) > 1 else flat[0]


def _duplicates(codes: list[str | None], reject: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """For each row, the first earlier usable row with the same code (-1 when none)."""
    first: dict[str, int] = {}
    out = np.full(len(codes), -1, dtype=np.intp)
    for i, c in enumerate(codes):
        if c is None or reject[i]:
            continue
        j = first.setdefault(c, i)
        if j != i:
            out[i] = j
    return out


def _one(n: int, i: int) -> npt.NDArray[np.bool_]:
    m = np.zeros(n, dtype=bool)
    m[i] = True
    return m


def _reproject(geoms: Obj, reject: npt.NDArray[np.bool_], src: CRS, dst: CRS, mark: Any) -> Obj:
    live = np.flatnonzero(~reject)
    out = geoms.copy()
    out[live] = transform_geometries(geoms[live], crs_to_storage(src), crs_to_storage(dst))
    bad = np.zeros(len(geoms), dtype=bool)
    if len(live):
        bounds = shapely.bounds(out[live])
        bad[live] = ~np.isfinite(bounds).all(axis=1)
    mark(bad, f"cannot be reprojected to {crs_to_storage(dst)}")
    return out


# -- CRS ----------------------------------------------------------------------------
def _parse(text: str, what: str) -> CRS:
    try:
        return parse_crs(text)
    except UnknownCRSError as exc:
        raise ImportCRSError(f"{what} CRS {text!r} is not a known coordinate reference system") from exc


def _source_crs(file_crs: str | None, given: str | None, source: str) -> CRS:
    if given:
        return _parse(given, "the given")
    if not file_crs:
        raise ImportSourceError(
            f"{source} does not say which coordinate reference system it uses; give it with --crs (e.g. EPSG:4326)"
        )
    return _parse(file_crs, f"{source}'s")


def suggest_project_crs(imported: UnitImport) -> str:
    """The CRS for a new project: the source's if projected, else equal-area at the data."""
    crs = CRS.from_user_input(imported.crs)
    if crs.is_projected or len(imported.units) == 0:
        return imported.crs
    b = shapely.total_bounds(imported.units.geometry)
    lon, lat = lonlat_centre((b[0], b[1], b[2], b[3]), imported.crs)
    return crs_to_storage(equal_area_crs(lon, lat))


# -- codes and fields -------------------------------------------------------------------
def as_codes(column: np.ndarray) -> list[str | None]:
    """Codes as text: integral floats lose their ``.0``, blanks and NaN become None."""
    out: list[str | None] = []
    kind = column.dtype.kind
    for v in column.tolist():
        if v is None or (kind == "f" and v != v):
            out.append(None)
        elif kind == "f" and float(v).is_integer():
            out.append(str(int(v)))
        elif isinstance(v, bytes):
            out.append(v.decode("utf-8", "replace").strip() or None)
        else:
            out.append(str(v).strip() or None)
    return out


def _is_unique_key(col: np.ndarray) -> bool:
    if col.dtype.kind == "f" and not np.all(np.isnan(col) | (col == np.round(col))):
        return False
    if col.dtype.kind not in "iuOUf":
        return False
    codes = as_codes(col)
    present = [c for c in codes if c is not None]
    return len(present) >= max(1, int(0.99 * len(codes))) and len(set(present)) == len(present)


def guess_code_field(columns: dict[str, np.ndarray]) -> str | None:
    """A unique text/int column named like code/zip/postcode/plz/fips/id; else any unique one."""
    for pattern in CODE_PATTERNS:
        for name, col in columns.items():
            if re.search(pattern, name, re.IGNORECASE) and _is_unique_key(col):
                return name
    for kinds in ("OU", "iu"):
        for name, col in columns.items():
            if col.dtype.kind in kinds and _is_unique_key(col):
                return name
    return None


def guess_name_field(columns: dict[str, np.ndarray], exclude: str | None = None) -> str | None:
    for pattern in NAME_PATTERNS:
        for name, col in columns.items():
            if name != exclude and col.dtype.kind in "OU" and re.search(pattern, name, re.IGNORECASE):
                return name
    return None


def _kept_fields(columns: dict[str, np.ndarray], keep: Any, used: set[str | None], source: str) -> list[str]:
    if keep is None:
        return [k for k, v in columns.items() if v.dtype.kind in "iuf" and k not in used]
    missing = [k for k in keep if k not in columns]
    if missing:
        raise ImportSourceError(f"{source} has no field {missing[0]!r} to keep (fields: {', '.join(columns)})")
    return list(keep)


def _field_name(name: str) -> str:
    return f"source_{name}" if name in UnitLayer.CORE else name


def _field_values(col: np.ndarray) -> np.ndarray:
    if col.dtype.kind in "iub":
        return col.astype(np.float64)
    if col.dtype.kind == "f":
        return col
    out = np.empty(len(col), dtype=object)
    out[:] = [v.decode("utf-8", "replace") if isinstance(v, bytes) else v for v in col.tolist()]
    return out


def _text_numbers(col: np.ndarray) -> np.ndarray:
    """CSV and KML columns arrive as text; make a column numeric when every non-blank value is."""
    vals = col.tolist()
    present = [v for v in vals if isinstance(v, str) and v.strip()]
    if not present:
        return col
    if any(v.strip() != v or (len(v) > 1 and v[0] == "0" and v[1].isdigit()) for v in present):
        return col  # leading zeros: a code, not a number
    try:
        return np.array([float(v) if isinstance(v, str) and v.strip() else np.nan for v in vals], dtype=np.float64)
    except ValueError:
        return col
