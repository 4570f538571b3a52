"""Reference layers in the project file: one feature table each plus a ``reference_layers`` list.

Each layer becomes an ordinary GeoPackage feature table (``ref_<title slug>``) registered
in ``gpkg_contents``/``gpkg_geometry_columns``, with an R-tree and a default QGIS style,
so QGIS shows it like any other layer and the file stays self-contained: nothing points
at the sender's disk. The ``reference_layers`` attributes table holds what TerraDesk
needs besides (uuid, title, kind, style, order, counted, and the field-to-column layout).

Reading is tolerant: a file without the list (older TerraDesk) has no reference layers;
a row that points at a missing or unusable table is skipped with a warning, so a damaged
or hand-edited list never stops the project from opening.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.io.gpkg import blob, rtree, schema, styles
from terradesk.io.gpkg.schema import FID, GEOMETRY_COLUMN, quote_ident
from terradesk.model import LAYER_KINDS, Project, ReferenceLayer, ReferenceStyle
from terradesk.model.ids import is_uuid
from terradesk.model.layers import slug

LIST_TABLE = "reference_layers"
#: Columns of the list table after ``fid`` (name, SQL type).
LIST_COLUMNS: tuple[tuple[str, str], ...] = (
    ("uuid", "TEXT"), ("table_name", "TEXT"), ("title", "TEXT"), ("kind", "TEXT"), ("colour", "TEXT"),
    ("opacity", "REAL"), ("visible", "BOOLEAN"), ("position", "INTEGER"), ("counted", "BOOLEAN"),
    ("layout", "TEXT"),
)
#: Clause 2.1.3: the declared geometry type of each kind (the model normalises to it).
GEOMETRY_TYPE = {"polygon": "MULTIPOLYGON", "line": "MULTILINESTRING", "point": "POINT"}
#: Names a reference table may never take or point at (ours, GeoPackage's, SQLite's).
_RESERVED_PREFIXES = ("gpkg_", "rtree_", "sqlite_")


def _reserved(name: str) -> bool:
    low = name.lower()
    ours = {t.name for t in schema.TABLES} | {LIST_TABLE, styles.TABLE}
    return low in ours or low.startswith(_RESERVED_PREFIXES)


def table_names(layers: Sequence[ReferenceLayer]) -> list[str]:
    """``ref_<slug of title>``, unique ignoring case, at most 50 characters."""
    used: set[str] = set()
    out = []
    for i, layer in enumerate(layers):
        base = ("ref_" + (slug(layer.name) or str(i + 1)))[:50]
        name, k = base, 2
        while name.lower() in used or _reserved(name):
            name = f"{base}_{k}"
            k += 1
        used.add(name.lower())
        out.append(name)
    return out


def _field_layout(layer: ReferenceLayer) -> list[list[str]]:
    """[field name, column, 'real'|'text'] per field; clashes (fid, geom, repeats) get a suffix."""
    used = {FID, GEOMETRY_COLUMN}
    out = []
    for i, (name, col) in enumerate(layer.fields.items()):
        column = name.replace("\x00", "") or f"field_{i + 1}"
        base, k = column, 1
        while column.lower() in used:
            column = f"{base}_{k}"
            k += 1
        used.add(column.lower())
        out.append([name, column, "real" if col.dtype.kind == "f" else "text"])
    return out


def _sql_values(col: npt.NDArray[Any], kind: str) -> list[Any]:
    if kind == "real":
        obj = np.asarray(col, dtype=np.float64).astype(object)
        obj[np.isnan(np.asarray(col, dtype=np.float64))] = None
        return obj.tolist()
    return [v if v is None or type(v) is str else str(v) for v in col.tolist()]


# -- QGIS styles ------------------------------------------------------------------------------
def _rgba(colour: str, alpha: int) -> str:
    c = colour.lstrip("#")
    return f"{int(c[0:2], 16)},{int(c[2:4], 16)},{int(c[4:6], 16)},{alpha}"


def style_qml(layer: ReferenceLayer) -> str:
    """A single-symbol renderer in the layer's colour (fill at the canvas's 70/255 alpha)."""
    colour, opacity = layer.style.colour, layer.style.opacity
    renderer = ET.Element("renderer-v2", type="singleSymbol", symbollevels="0", enableorderby="0", forceraster="0")
    symbols = ET.SubElement(renderer, "symbols")
    kind = {"polygon": "fill", "line": "line", "point": "marker"}[layer.kind]
    sym = ET.SubElement(symbols, "symbol", type=kind, name="0", alpha=f"{opacity:g}", clip_to_extent="1",
                        force_rhr="0")
    klass = {"fill": "SimpleFill", "line": "SimpleLine", "marker": "SimpleMarker"}[kind]
    sl = ET.SubElement(sym, "layer", attrib={"class": klass, "enabled": "1", "locked": "0", "pass": "0"})
    if kind == "fill":
        props = {"color": _rgba(colour, 70), "outline_color": _rgba(colour, 255), "outline_style": "solid",
                 "outline_width": "0.26", "outline_width_unit": "MM", "style": "solid"}
    elif kind == "line":
        props = {"line_color": _rgba(colour, 255), "line_style": "solid", "line_width": "0.4",
                 "line_width_unit": "MM", "capstyle": "round", "joinstyle": "round"}
    else:
        props = {"color": _rgba(colour, 255), "name": "circle", "size": "2", "size_unit": "MM",
                 "outline_color": "35,35,35,255", "outline_width": "0.2", "outline_style": "solid"}
    opt = ET.SubElement(sl, "Option", type="Map")
    for k, v in props.items():
        ET.SubElement(opt, "Option", type="QString", name=k, value=v)
    for k, v in props.items():
        ET.SubElement(sl, "prop", k=k, v=v)
    root = ET.Element("qgis", version="3.22.0", styleCategories="Symbology")
    root.append(renderer)
    return "<!DOCTYPE qgis PUBLIC 'http://mrcc.com/qgis.dtd' 'SYSTEM'>\n" + ET.tostring(root, encoding="unicode")


# -- writing ------------------------------------------------------------------------------------
def write_reference_layers(conn: sqlite3.Connection, project: Project, srs_id: int, counts: dict[str, int],
                           fault: Callable[[str], None] | None = None) -> None:
    """Add every reference layer and the list table (called after the core tables and styles)."""
    layers = list(project.reference_layers.values())
    names = table_names(layers)
    rows = []
    used_ids = {str(r[0]) for r in conn.execute("SELECT identifier FROM gpkg_contents")}
    for pos, (layer, table) in enumerate(zip(layers, names, strict=True)):
        layout = _field_layout(layer)
        _write_table(conn, layer, table, layout, srs_id, counts)
        ident = layer.name if layer.name not in used_ids else table
        used_ids.add(ident)
        _register(conn, layer, table, ident, srs_id)
        rows.append((pos + 1, layer.id, table, layer.name, layer.kind, layer.style.colour, layer.style.opacity,
                     layer.style.visible, pos, layer.counted, json.dumps({"fields": layout}, ensure_ascii=False)))
    cols = ", ".join(f"{quote_ident(c)} {t}" for c, t in LIST_COLUMNS)
    conn.execute(f"CREATE TABLE {quote_ident(LIST_TABLE)} ({quote_ident(FID)} INTEGER PRIMARY KEY AUTOINCREMENT "
                 f"NOT NULL, {cols})")
    conn.executemany(schema.insert_sql(LIST_TABLE, [FID, *(c for c, _ in LIST_COLUMNS)]), rows)
    counts[LIST_TABLE] = len(rows)
    conn.execute(
        schema.insert_sql("gpkg_contents", ["table_name", "data_type", "identifier", "description"]),
        (LIST_TABLE, "attributes", LIST_TABLE, "TerraDesk reference layers: title, kind, style, order"),
    )


def _write_table(conn: sqlite3.Connection, layer: ReferenceLayer, table: str, layout: list[list[str]],
                 srs_id: int, counts: dict[str, int]) -> None:
    cols = [f"{quote_ident(FID)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL",
            f"{quote_ident(GEOMETRY_COLUMN)} {GEOMETRY_TYPE[layer.kind]}"]
    cols += [f"{quote_ident(c)} {'REAL' if k == 'real' else 'TEXT'}" for _, c, k in layout]
    conn.execute(f"CREATE TABLE {quote_ident(table)} (" + ", ".join(cols) + ")")
    geoms = layer.geometry
    if layer.kind == "point":
        x, y = layer.xy()
        blobs = blob.encode_points(x, y, srs_id)
    else:
        blobs = blob.encode_geometries(geoms, srs_id)
    values = [_sql_values(layer.fields[name], kind) for name, _, kind in layout]
    n = len(layer)
    insert = schema.insert_sql(table, [FID, GEOMETRY_COLUMN, *(c for _, c, _ in layout)])
    conn.executemany(insert, zip(range(1, n + 1), blobs, *values, strict=True))
    counts[table] = n
    conn.execute(schema.rtree_ddl(table))
    bounds = np.asarray(shapely.bounds(geoms), dtype=float).reshape(-1, 4) if n else np.zeros((0, 4))
    ok = ~np.isnan(bounds).any(axis=1)
    rtree.bulk_load(conn, schema.rtree_name(table), np.flatnonzero(ok) + 1, bounds[ok])


def _register(conn: sqlite3.Connection, layer: ReferenceLayer, table: str, ident: str, srs_id: int) -> None:
    ext = layer.bounds()
    conn.execute(
        schema.insert_sql("gpkg_contents", ["table_name", "data_type", "identifier", "description",
                                            "min_x", "min_y", "max_x", "max_y", "srs_id"]),
        (table, "features", ident, f"TerraDesk reference layer ({layer.kind})", *(ext or (None,) * 4), srs_id),
    )
    conn.execute(
        schema.insert_sql("gpkg_geometry_columns", ["table_name", "column_name", "geometry_type_name", "srs_id", "z", "m"]),
        (table, GEOMETRY_COLUMN, GEOMETRY_TYPE[layer.kind], srs_id, 0, 0),
    )
    conn.execute(
        schema.insert_sql("gpkg_extensions", ["table_name", "column_name", "extension_name", "definition", "scope"]),
        (table, GEOMETRY_COLUMN, "gpkg_rtree_index", schema.RTREE_EXTENSION_URL, "write-only"),
    )
    for sql in schema.rtree_triggers(table):
        conn.execute(sql)
    conn.execute(
        schema.insert_sql(styles.TABLE, styles.COLUMNS),
        ("", "", table, GEOMETRY_COLUMN, f"TerraDesk {layer.name}"[:30], style_qml(layer), "", True,
         "Written by TerraDesk", "", None, _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")),
    )


# -- reading ------------------------------------------------------------------------------------
def read_reference_layers(conn: sqlite3.Connection, warnings: list[str]) -> dict[str, ReferenceLayer]:
    """The file's reference layers in order; {} for files without the list table."""
    kinds = dict(conn.execute("SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view')").fetchall())
    if kinds.get(LIST_TABLE) != "table":
        if LIST_TABLE in kinds:
            warnings.append(f"the {LIST_TABLE} list is not a table and was ignored")
        return {}
    present = {str(r[0]) for r in conn.execute("SELECT name FROM pragma_table_info(?)", (LIST_TABLE,))}
    wanted = [c for c, _ in LIST_COLUMNS]
    if not {"uuid", "table_name", "kind"} <= present:
        warnings.append(f"the {LIST_TABLE} list lacks required columns; no reference layers were read")
        return {}
    cols = [c for c in wanted if c in present]
    order = "position" if "position" in present else FID
    rows = conn.execute(
        f"SELECT {', '.join(quote_ident(c) for c in cols)} FROM {quote_ident(LIST_TABLE)} "
        f"ORDER BY {quote_ident(order)}, {quote_ident(FID)}"
    ).fetchall()
    out: dict[str, ReferenceLayer] = {}
    for row in rows:
        rec = dict(zip(cols, row, strict=True))
        layer = _read_one(conn, rec, kinds, warnings)
        if layer is not None and layer.id not in out:
            out[layer.id] = layer
    return out


def _read_one(conn: sqlite3.Connection, rec: dict[str, Any], kinds: dict[str, str],
              warnings: list[str]) -> ReferenceLayer | None:
    title = str(rec.get("title") or rec.get("table_name") or "Layer")
    table = rec.get("table_name")
    label = f"reference layer {title!r}"
    if not isinstance(table, str) or kinds.get(table) != "table" or _reserved(table):
        warnings.append(f"{label} points at a table the file does not have ({table!r}) and was skipped")
        return None
    kind = rec.get("kind")
    if kind not in LAYER_KINDS:
        warnings.append(f"{label} has an unknown kind {kind!r} and was skipped")
        return None
    uid = rec.get("uuid")
    if not is_uuid(uid):
        warnings.append(f"{label} had an invalid id; a new one was given")
        uid = ""
    columns = [(str(n), str(t or "").upper()) for n, t in conn.execute(
        "SELECT name, type FROM pragma_table_info(?)", (table,))]
    if GEOMETRY_COLUMN not in {n for n, _ in columns}:
        warnings.append(f"{label}: the table {table} has no {GEOMETRY_COLUMN} column and was skipped")
        return None
    known = _layout(rec.get("layout"), label, warnings)
    fields = [(known.get(c, (c, _kind_of_decl(t)))[0], c, known.get(c, (c, _kind_of_decl(t)))[1])
              for c, t in columns if c not in (FID, GEOMETRY_COLUMN)]
    order = FID if FID in {n for n, _ in columns} else "rowid"
    data = conn.execute(
        f"SELECT {', '.join(quote_ident(c) for c in [GEOMETRY_COLUMN, *(c for _, c, _ in fields)])} "
        f"FROM {quote_ident(table)} ORDER BY {quote_ident(order) if order == FID else order}"
    ).fetchall()
    cols = list(zip(*data, strict=True)) if data else [() for _ in range(len(fields) + 1)]
    if kind == "point":  # fixed-size point blobs decode in one numpy pass
        x, y, bad = blob.decode_points(list(cols[0]))
        ok = np.isfinite(x) & np.isfinite(y)
        geoms = np.full(len(x), None, dtype=object)
        geoms[ok] = shapely.points(x[ok], y[ok])
    else:
        geoms, bad = blob.decode_geometries(list(cols[0]))
    if bad.any():
        warnings.append(f"{label}: {int(bad.sum())} unreadable shapes were left empty")
    values = {name: _column(col, kind) for (name, _, kind), col in zip(fields, cols[1:], strict=True)}
    style = _style(rec, label, warnings)
    try:
        return ReferenceLayer(title, kind, geoms, values, style=style,
                              counted=bool(rec.get("counted")) and kind == "point", id=uid or "")
    except ValueError as exc:
        warnings.append(f"{label} could not be used ({exc}) and was skipped")
        return None


def _kind_of_decl(decl: str) -> str:
    return "real" if decl.split("(")[0] in schema.NUMERIC_SQL_TYPES else "text"


def _layout(text: object, label: str, warnings: list[str]) -> dict[str, tuple[str, str]]:
    """column -> (field name, kind) from the row's layout JSON; ignored (with a warning) if malformed."""
    if not text:
        return {}
    try:
        data = json.loads(str(text))
        known = {}
        for name, col, kind in data.get("fields", []):
            if not (isinstance(name, str) and isinstance(col, str) and kind in ("real", "text")):
                raise ValueError(name)
            known[col] = (name, kind)
        return known
    except (AttributeError, TypeError, ValueError, RecursionError):
        warnings.append(f"{label}: its field layout is unreadable; fields were read from the table columns")
        return {}


def _column(values: Sequence[Any], kind: str) -> npt.NDArray[Any]:
    if kind == "real":
        with contextlib.suppress(TypeError, ValueError):
            return np.array([np.nan if v is None else v for v in values], dtype=np.float64)
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            with contextlib.suppress(TypeError, ValueError):
                out[i] = np.nan if v is None else float(v)
        return out
    col = np.empty(len(values), dtype=object)
    col[:] = [v if v is None or type(v) is str else str(v) for v in values]
    return col


def _style(rec: dict[str, Any], label: str, warnings: list[str]) -> ReferenceStyle:
    try:
        return ReferenceStyle(str(rec.get("colour") or "#7f8c8d"),
                              1.0 if rec.get("opacity") is None else float(rec["opacity"]),
                              True if rec.get("visible") is None else bool(rec["visible"]))
    except (TypeError, ValueError):
        warnings.append(f"{label} had an invalid colour or opacity; the default style is used")
        return ReferenceStyle()
