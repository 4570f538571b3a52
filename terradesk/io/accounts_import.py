"""Reading accounts (or any point data) from CSV, GeoPackage, Shapefile or GeoJSON.

Nothing is dropped: a row that cannot be placed is kept with NaN x/y and a text field
``unplaced_reason``, and listed in :attr:`AccountImport.unplaced` with its row number
(as a spreadsheet shows it: the header is row 1). Rows without coordinates but with a
postal code matching a unit code are placed on the unit's representative point
(offline geocoding). The result is an :class:`AccountLayer` in the project CRS; adding it
to the project is one undo step through ``terradesk.edit.add_accounts``.
"""

from __future__ import annotations

import csv
import io
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pyogrio
import shapely

from terradesk.geo.crs import UnknownCRSError, parse_crs, transform_points
from terradesk.io import csv_sniff as sniff
from terradesk.io.errors import FileMissingError, ImportSourceError
from terradesk.model import AccountLayer, Project

VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".fgb")
SOURCE_ID_FIELD = "account_id"
REASON_FIELD = "unplaced_reason"
POSTAL_FIELD = "postal_code"


@dataclass(frozen=True)
class CsvOptions:
    """How to read the file; None means "detect". ``crs`` is the CRS of the coordinates."""

    delimiter: str | None = None
    encoding: str | None = None
    lat: str | None = None
    lon: str | None = None
    id_field: str | None = None
    name_field: str | None = None
    postal_field: str | None = None
    decimal_comma: bool | None = None
    crs: str = "EPSG:4326"
    duplicate_ids: str = "rename"  # or "reject"


@dataclass
class AccountImport:
    rows: AccountLayer
    unplaced: list[tuple[int, str]]
    options: CsvOptions
    warnings: list[str] = field(default_factory=list)
    read: int = 0
    placed_by_postal: int = 0

    @property
    def placed(self) -> int:
        return self.read - len(self.unplaced)


def read_accounts(path: str | Path, *, options: CsvOptions | None = None, project: Project) -> AccountImport:
    """Read ``path`` into accounts in the project CRS (see the module docstring)."""
    p = Path(path)
    if not p.exists():
        raise FileMissingError(f"{p} does not exist")
    opts = options or CsvOptions()
    if opts.duplicate_ids not in ("rename", "reject"):
        raise ImportSourceError(f"duplicate_ids must be 'rename' or 'reject', not {opts.duplicate_ids!r}")
    if p.suffix.lower() in VECTOR_SUFFIXES or p.is_dir():
        return _assemble(*_read_vector(p, opts), project, p.name)
    return _assemble(*_read_csv(p, opts), project, p.name)


# -- CSV ---------------------------------------------------------------------------
def _read_csv(p: Path, opts: CsvOptions) -> tuple[dict[str, list[str]], list[str] | None, list[str] | None, CsvOptions, list[str]]:
    raw = p.read_bytes()
    if not raw.strip():
        raise ImportSourceError(f"{p.name} is empty")
    encoding = opts.encoding or sniff.detect_encoding(raw[:1 << 20])
    try:
        text = raw.decode(encoding)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportSourceError(f"{p.name} cannot be read as {encoding}: {exc}") from None
    delimiter = opts.delimiter or sniff.detect_delimiter(text[:65536])
    records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    while records and not any(c.strip() for c in records[-1]):
        records.pop()
    if not records:
        raise ImportSourceError(f"{p.name} has no header row")
    headers = [h.strip() for h in records[0]]
    if len(headers) < 2:
        raise ImportSourceError(f"{p.name}: found one column only with delimiter {delimiter!r}; pass --delimiter")
    body = records[1:]
    width = len(headers)
    warnings: list[str] = []
    ragged = sum(1 for r in body if len(r) != width)
    if ragged:
        warnings.append(f"{ragged} row(s) have a different number of columns than the header")
    if ragged:
        body = [r + [""] * (width - len(r)) if len(r) < width else r[:width] for r in body]
    columns = {h: list(col) for h, col in zip(_unique_headers(headers), zip(*body, strict=True), strict=True)} if body \
        else {h: [] for h in _unique_headers(headers)}
    names = list(columns)
    lat, lon = opts.lat, opts.lon
    if lat is None or lon is None:
        dlat, dlon = sniff.detect_lat_lon(names)
        lat, lon = lat or dlat, lon or dlon
    for given in (lat, lon, opts.id_field, opts.name_field, opts.postal_field):
        if given is not None and given not in columns:
            raise ImportSourceError(f"{p.name} has no column {given!r} (columns: {', '.join(names)})")
    decimal = opts.decimal_comma
    if decimal is None:
        sample = [v for c in (lat, lon) if c for v in columns[c][:2000]]
        decimal = sniff.uses_decimal_comma(sample or [v for col in columns.values() for v in col[:200]])
    opts = replace(opts, encoding=encoding, delimiter=delimiter, lat=lat, lon=lon, decimal_comma=decimal)
    if lat is None or lon is None:
        warnings.append("no latitude/longitude columns found; accounts are placed by postal code only")
    x = columns.pop(lon) if lon else None
    y = columns.pop(lat) if lat else None
    return columns, x, y, opts, warnings


def _unique_headers(headers: list[str]) -> list[str]:
    seen: dict[str, int] = {}
    out = []
    for i, h in enumerate(headers):
        name = h or f"column_{i + 1}"
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 1
        out.append(name)
    return out


# -- vector files --------------------------------------------------------------------
def _read_vector(p: Path, opts: CsvOptions) -> tuple[dict[str, list[str]], list[str], list[str], CsvOptions, list[str]]:
    try:
        meta, _, wkb, data = pyogrio.raw.read(str(p))
    except Exception as exc:  # pyogrio raises several DataSource/DataLayer errors
        raise ImportSourceError(f"{p.name} cannot be read: {str(exc).splitlines()[0]}") from None
    geoms = shapely.from_wkb(wkb) if wkb is not None else np.full(len(data[0]) if data else 0, None, dtype=object)
    n = len(geoms)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    single = shapely.get_type_id(geoms) == 0
    multi = (shapely.get_type_id(geoms) == 4) & (shapely.get_num_geometries(geoms) == 1)
    pts = np.where(multi, shapely.get_geometry(geoms, 0), geoms)
    ok = (single | multi) & ~shapely.is_empty(pts)
    x[ok], y[ok] = shapely.get_x(pts[ok]), shapely.get_y(pts[ok])
    warnings = []
    bad = (~ok) & ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    if bad.any():
        warnings.append(f"{int(bad.sum())} feature(s) are not points; they are kept unplaced unless a postal code places them")
    crs = meta.get("crs") or opts.crs
    opts = replace(opts, crs=crs)
    columns = {str(name): [_text(v) for v in col] for name, col in zip(meta["fields"], data, strict=True)}
    return columns, [repr(v) for v in x.tolist()], [repr(v) for v in y.tolist()], opts, warnings


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


# -- shared -----------------------------------------------------------------------------
def _assemble(columns: dict[str, list[str]], xs: list[str] | None, ys: list[str] | None, opts: CsvOptions,
              warnings: list[str], project: Project, source: str) -> AccountImport:
    names = list(columns)
    n = len(next(iter(columns.values()))) if columns else len(xs or [])
    id_field = opts.id_field or sniff.find_column(names, sniff.ID_NAMES)
    name_field = opts.name_field or sniff.find_column(names, sniff.NAME_NAMES)
    postal_field = opts.postal_field or sniff.find_column(names, sniff.POSTAL_NAMES)
    opts = replace(opts, id_field=id_field, name_field=name_field, postal_field=postal_field)
    reasons: list[str | None] = [None] * n
    x, y = _coordinates(xs, ys, n, opts, reasons)
    postal = _place_by_postal(project, columns.get(postal_field) if postal_field else None, reasons)
    source_ids = _source_ids(columns.get(id_field) if id_field else None, n, opts, warnings)
    account_names = [v.strip() for v in columns[name_field]] if name_field else [f"Account {i + 1}" for i in range(n)]
    fields: dict[str, npt.NDArray[np.generic]] = {SOURCE_ID_FIELD: np.array(source_ids, dtype=object)}
    for name, col in columns.items():
        if name in (id_field, name_field):
            continue
        key = POSTAL_FIELD if name == postal_field else _field_name(name, fields)
        fields[key] = _typed(col, opts.decimal_comma or False, keep_text=name == postal_field)
    fields[REASON_FIELD] = np.array([r or "" for r in reasons], dtype=object)
    x, y = _to_project(x, y, opts.crs, project.meta.crs, postal)
    core = {"id": fresh_ids(n), "name": np.array(account_names, dtype=object),
            "x": x, "y": y}
    rows = AccountLayer(core, fields)
    unplaced = [(i + 2, r) for i, r in enumerate(reasons) if r]
    if unplaced:
        warnings.append(f"{len(unplaced)} of {n} rows from {source} could not be placed; they are kept as unplaced")
    return AccountImport(rows, unplaced, opts, warnings, n, len(postal[0]))


def _coordinates(xs: list[str] | None, ys: list[str] | None, n: int, opts: CsvOptions,
                 reasons: list[str | None]) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    x, y = np.full(n, np.nan), np.full(n, np.nan)
    if xs is None or ys is None:
        for i in range(n):
            reasons[i] = "no coordinates"
        return x, y
    geographic = parse_crs(opts.crs).is_geographic
    comma = bool(opts.decimal_comma)
    vx, bad_x = sniff.parse_numbers(xs, comma)
    vy, bad_y = sniff.parse_numbers(ys, comma)
    ok = ~(bad_x | bad_y) & np.isfinite(vx) & np.isfinite(vy)
    if geographic:
        ok &= (np.abs(vy) <= 90) & (np.abs(vx) <= 180)
    x[ok], y[ok] = vx[ok], vy[ok]
    for i in np.flatnonzero(~ok).tolist():
        if bad_x[i] or bad_y[i]:
            reasons[i] = f"coordinates are not numbers ({ys[i]!r}, {xs[i]!r})"
        elif np.isnan(vx[i]) or np.isnan(vy[i]):
            reasons[i] = "no coordinates"
        elif not (np.isfinite(vx[i]) and np.isfinite(vy[i])):
            reasons[i] = "coordinates are not finite"
        elif not (-90 <= vy[i] <= 90):
            reasons[i] = f"latitude {vy[i]:g} is outside -90..90"
        else:
            reasons[i] = f"longitude {vx[i]:g} is outside -180..180"
    return x, y


Postal = tuple[npt.NDArray[np.intp], npt.NDArray[np.float64], npt.NDArray[np.float64]]


def _place_by_postal(project: Project, postal: list[str] | None, reasons: list[str | None]) -> Postal:
    """Rows without usable coordinates go to the representative point of their postal unit.

    Returns the rows placed and their points, already in the project CRS.
    """
    none: Postal = (np.empty(0, np.intp), np.empty(0), np.empty(0))
    todo = [i for i, r in enumerate(reasons) if r]
    if not todo or postal is None or len(project.units) == 0:
        return none
    index = {str(c).strip(): i for i, c in enumerate(project.units.codes)}
    rows: list[int] = []
    units: list[int] = []
    for i in todo:
        code = postal[i].strip()
        if not code:
            continue
        u = index.get(code)
        if u is None:
            reasons[i] = f"{reasons[i]}; postal code {code!r} matches no unit"
            continue
        rows.append(i)
        units.append(u)
        reasons[i] = None
    if not rows:
        return none
    pts = shapely.point_on_surface(project.units.geometry[np.array(units)])
    return np.array(rows, dtype=np.intp), shapely.get_x(pts), shapely.get_y(pts)


def _to_project(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], src: str, dst: str,
                postal: Postal) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    try:
        parse_crs(src)
    except UnknownCRSError as exc:
        raise ImportSourceError(str(exc)) from None
    ok = np.isfinite(x) & np.isfinite(y)
    if ok.any():
        x[ok], y[ok] = transform_points(x[ok], y[ok], src, dst)
    rows, px, py = postal
    x[rows], y[rows] = px, py
    return x, y


def _source_ids(col: list[str] | None, n: int, opts: CsvOptions, warnings: list[str]) -> list[str]:
    if col is None:
        return [str(i + 1) for i in range(n)]
    ids = [v.strip() for v in col]
    first: dict[str, int] = {}
    dups: list[tuple[int, str]] = []
    for i, v in enumerate(ids):
        if not v:
            continue
        if v in first:
            dups.append((i, v))
        else:
            first[v] = i
    if dups and opts.duplicate_ids == "reject":
        i, v = dups[0]
        raise ImportSourceError(
            f"{len(dups)} duplicate account id(s), e.g. {v!r} on rows {first[v] + 2} and {i + 2}; "
            "fix the file or import with duplicate ids renamed"
        )
    taken = set(first)
    for i, v in dups:
        k = 2
        while f"{v}-{k}" in taken:
            k += 1
        ids[i] = f"{v}-{k}"
        taken.add(ids[i])
    if dups:
        shown = ", ".join(f"{v!r} (row {i + 2})" for i, v in dups[:5])
        warnings.append(f"{len(dups)} duplicate account id(s) renamed with a -2, -3 suffix: {shown}")
    empty = sum(1 for v in ids if not v)
    if empty:
        warnings.append(f"{empty} row(s) have no account id")
    return ids


def _field_name(name: str, existing: dict[str, npt.NDArray[np.generic]]) -> str:
    key = name.strip() or "field"
    if key.lower() in ("id", "name", "x", "y", "geometry", SOURCE_ID_FIELD, REASON_FIELD):
        key = f"{key}_source"
    while key in existing:
        key = f"{key}_"
    return key


def fresh_ids(n: int) -> npt.NDArray[np.object_]:
    """``n`` random version-4 UUIDs, vectorised (``uuid.uuid4()`` in a loop costs 1 s per 200,000)."""
    b = np.frombuffer(os.urandom(16 * n), dtype=np.uint8).reshape(n, 16).copy()
    b[:, 6] = (b[:, 6] & 0x0F) | 0x40
    b[:, 8] = (b[:, 8] & 0x3F) | 0x80
    h = b.tobytes().hex()
    out = np.empty(n, dtype=object)
    out[:] = [f"{h[i:i + 8]}-{h[i + 8:i + 12]}-{h[i + 12:i + 16]}-{h[i + 16:i + 20]}-{h[i + 20:i + 32]}"
              for i in range(0, 32 * n, 32)]
    return out


def _typed(col: list[str], decimal_comma: bool, keep_text: bool) -> npt.NDArray[np.generic]:
    """Numbers when every non-empty cell is one (codes like 01234 stay text), else text."""
    if not keep_text:
        leading_zero = any(len(v.strip()) > 1 and v.strip()[0] == "0" and v.strip()[1].isdigit() for v in col[:1000])
        sample = [v for v in col[:200] if v.strip()]
        if not leading_zero and all(sniff.parse_number(v, decimal_comma) is not None for v in sample):
            values, bad = sniff.parse_numbers(col, decimal_comma)
            if not bad.any():
                return values
    return np.array([v.strip() or None for v in col], dtype=object)
