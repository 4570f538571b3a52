"""Foreign vector sources: find the dataset and layer, describe them for the import preview.

Every format goes through GDAL (pyogrio): GeoPackage, Shapefile (plain or zipped, read via
``/vsizip/``), GeoJSON, TopoJSON, KML, FlatGeobuf and CSV. CSV files carry their shapes as
WKT in a column we detect ourselves, so that codes stay text (GDAL would otherwise guess
``01234`` is the number 1234) and unparseable rows can be reported one by one.
"""

from __future__ import annotations

import csv
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyogrio
import shapely

from terradesk.io.errors import FileMissingError, ImportSourceError

#: Suffixes GDAL opens as vector datasets (a zip is searched for these inside).
VECTOR_SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".topojson", ".kml", ".kmz", ".fgb", ".csv")
#: Column names tried first when looking for WKT in a CSV file.
WKT_NAMES = ("wkt", "geometry", "geom", "the_geom", "shape", "wkt_geom", "geometrie")
_WKT_START = re.compile(r"^\s*(MULTI)?(POLYGON|POINT|LINESTRING|GEOMETRYCOLLECTION)\b", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class FieldInfo:
    """One attribute column: name, type as GDAL reports it, a few example values."""

    name: str
    type: str
    samples: tuple[Any, ...]

    @property
    def is_numeric(self) -> bool:
        return self.type.startswith(("int", "float", "uint"))


@dataclass(frozen=True, slots=True)
class SourceInfo:
    """What the import dialog previews before anything is read in full."""

    path: str
    driver: str
    layers: tuple[str, ...]
    layer: str
    feature_count: int
    crs: str | None
    geometry_type: str | None
    fields: tuple[FieldInfo, ...] = field(default_factory=tuple)
    wkt_column: str | None = None  # CSV only

    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True, slots=True)
class Dataset:
    """A resolved source: the GDAL path to open and the layer to read."""

    gdal_path: str
    layer: str
    driver: str
    is_csv: bool


def gdal_path(source: str | Path) -> str:
    """The path GDAL opens: zips become ``/vsizip/`` paths to the one dataset inside."""
    path = Path(source)
    if not path.exists():
        raise FileMissingError(f"{path} does not exist")
    if path.suffix.lower() != ".zip":
        return str(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = [n for n in zf.namelist() if n.lower().endswith(VECTOR_SUFFIXES) and "__MACOSX" not in n]
    except zipfile.BadZipFile as exc:
        raise ImportSourceError(f"{path.name} is not a readable zip file") from exc
    if not members:
        raise ImportSourceError(f"{path.name} holds no shapefile or other vector file")
    folders = {str(Path(m).parent) for m in members}
    if len(members) == 1:
        return f"/vsizip/{path.resolve()}/{members[0]}"
    if len(folders) == 1:  # several shapefiles side by side: GDAL reads the folder, one layer each
        inner = folders.pop()
        return f"/vsizip/{path.resolve()}" + ("" if inner == "." else f"/{inner}")
    raise ImportSourceError(f"{path.name} holds vector files in several folders; unzip it and pick one")


def resolve(source: str | Path, layer: str | None = None) -> Dataset:
    """Open ``source`` far enough to know its driver and the layer to read."""
    gpath = gdal_path(source)
    is_csv = gpath.lower().endswith(".csv")
    try:
        listed = pyogrio.list_layers(gpath)
    except Exception as exc:  # pyogrio raises DataSourceError and friends
        raise ImportSourceError(f"{Path(source).name} cannot be read as a vector file ({_short(exc)})") from exc
    names = [str(n) for n in listed[:, 0]]
    if not names:
        raise ImportSourceError(f"{Path(source).name} holds no layers")
    if layer is not None:
        if layer not in names:
            raise ImportSourceError(f"{Path(source).name} has no layer {layer!r} (layers: {', '.join(names)})")
        chosen = layer
    else:
        chosen = _pick_layer(source, names, [None if g is None else str(g) for g in listed[:, 1]], is_csv)
    try:
        driver = pyogrio.read_info(gpath, layer=chosen)["driver"]
    except Exception as exc:
        raise ImportSourceError(f"{Path(source).name} cannot be read ({_short(exc)})") from exc
    return Dataset(gpath, chosen, str(driver), is_csv)


def _pick_layer(source: str | Path, names: list[str], types: list[str | None], is_csv: bool) -> str:
    if len(names) == 1 or is_csv:
        return names[0]
    polygonal = [n for n, t in zip(names, types, strict=True) if t and "polygon" in t.lower()]
    if len(polygonal) == 1:
        return polygonal[0]
    raise ImportSourceError(
        f"{Path(source).name} has {len(names)} layers ({', '.join(names)}); choose one with --layer"
    )


def inspect_source(source: str | Path, layer: str | None = None, samples: int = 5) -> SourceInfo:
    """Layers, fields (type + sample values), feature count, CRS and geometry type."""
    ds = resolve(source, layer)
    layers = tuple(str(n) for n in pyogrio.list_layers(ds.gdal_path)[:, 0])
    try:
        info = pyogrio.read_info(ds.gdal_path, layer=ds.layer)
        meta, _, _, data = pyogrio.raw.read(ds.gdal_path, layer=ds.layer, read_geometry=False, max_features=samples)
    except Exception as exc:
        raise ImportSourceError(f"{Path(source).name} cannot be read ({_short(exc)})") from exc
    names = [str(n) for n in meta["fields"]]
    dtypes = [str(t) for t in info["dtypes"]]
    wkt_col = detect_wkt_column(names, data) if ds.is_csv else None
    fields = tuple(
        FieldInfo(n, t, tuple(_plain(v) for v in col))
        for n, t, col in zip(names, dtypes, data, strict=True)
        if n != wkt_col
    )
    crs = info["crs"]
    geom_type = info["geometry_type"]
    if ds.is_csv and wkt_col is not None:
        geom_type = _sample_wkt_type(data[names.index(wkt_col)])
    return SourceInfo(
        path=str(source), driver=ds.driver, layers=layers, layer=ds.layer, feature_count=int(info["features"]),
        crs=None if crs is None else str(crs), geometry_type=None if geom_type is None else str(geom_type),
        fields=fields, wkt_column=wkt_col,
    )


def detect_wkt_column(names: list[str], data: list[np.ndarray]) -> str | None:
    """The CSV column holding WKT: a well-known name first, else the first that parses."""
    def looks_like_wkt(col: np.ndarray) -> bool:
        vals = [v for v in col[:50] if isinstance(v, str) and v.strip()]
        return bool(vals) and all(_WKT_START.match(v) for v in vals)

    by_lower = {n.lower(): i for i, n in enumerate(names)}
    for wanted in WKT_NAMES:
        i = by_lower.get(wanted)
        if i is not None and looks_like_wkt(data[i]):
            return names[i]
    for i, n in enumerate(names):
        if looks_like_wkt(data[i]):
            return n
    return None


def _sample_wkt_type(col: np.ndarray) -> str | None:
    for v in col:
        if isinstance(v, str) and v.strip():
            g = shapely.from_wkt(v, on_invalid="ignore")
            return None if g is None else str(g.geom_type)
    return None


def sniff_csv_delimiter(path: str | Path) -> str:
    """``,`` unless the header says otherwise (European spreadsheets write ``;``)."""
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
        head = fh.read(4096)
    try:
        return csv.Sniffer().sniff(head.splitlines()[0] if head else ",", delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


def _plain(value: Any) -> Any:
    """numpy scalars to Python for display; bytes shown as text."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _short(exc: BaseException) -> str:
    """The first line of a GDAL message, without the path noise."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
