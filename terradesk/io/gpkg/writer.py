"""Write a whole project into an empty SQLite file as GeoPackage tables, in one transaction.

Big tables go in as multi-row INSERTs cut from columns prepared by numpy/shapely
(:mod:`.bulk`), small ones with ``executemany``; no SQL is ever built from values. The
caller (:mod:`terradesk.io.gpkg.atomic`) owns the file, the journal settings and the safe
replacement of the previous file.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Callable, Iterable, Sequence
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import shapely

from terradesk import __version__
from terradesk.geo.crs import parse_crs
from terradesk.geo.dissolve import all_territory_geometries
from terradesk.io.gpkg import blob, bulk, rtree, schema, styles
from terradesk.io.gpkg.schema import ColumnKind, TableSpec
from terradesk.model import SCHEMA_VERSION, ColumnTable, Project

Fault = Callable[[str], None]


def _no_fault(step: str) -> None:
    return None


def srs_for(crs_text: str) -> tuple[int, tuple[object, ...] | None]:
    """srs_id for the project CRS and the gpkg_spatial_ref_sys row to add (None if mandatory)."""
    crs = parse_crs(crs_text)
    auth = crs.to_authority(min_confidence=90)
    try:
        wkt = crs.to_wkt("WKT1_GDAL")
    except Exception:  # pragma: no cover - CRSs with no WKT1 form
        wkt = None
    wkt = wkt or crs.to_wkt()
    if auth and auth[0] == "EPSG" and auth[1].isdigit():
        code = int(auth[1])
        row = None if code == 4326 else (crs.name, code, "EPSG", code, wkt, crs.name)
        return code, row
    sid = schema.CUSTOM_SRS_ID
    return sid, (crs.name or "Custom", sid, "NONE", sid, wkt, "TerraDesk project CRS")


def field_layout(table: ColumnTable, spec: TableSpec) -> list[tuple[str, str, ColumnKind]]:
    """(field name, SQL column, kind) per field; names clashing case-insensitively get a suffix."""
    used = {schema.FID, schema.GEOMETRY_COLUMN, *(c for c, _ in spec.columns)}
    used_lower = {u.lower() for u in used}
    out: list[tuple[str, str, ColumnKind]] = []
    for i, (name, col) in enumerate(table.fields.items()):
        column = name if name and "\x00" not in name else f"field_{i}"
        k = 1
        while column.lower() in used_lower:
            column = f"{name.replace(chr(0), '')}_{k}"
            k += 1
        used_lower.add(column.lower())
        out.append((name, column, "real" if col.dtype.kind == "f" else "text"))
    return out


def _sql_values(col: npt.NDArray[Any], kind: ColumnKind) -> npt.NDArray[np.object_]:
    """A column as SQLite parameters: NaN -> NULL for numbers, str or None for text."""
    if kind == "real":
        arr = np.asarray(col, dtype=np.float64)
        obj = arr.astype(object)
        obj[np.isnan(arr)] = None
        return obj
    values = np.asarray(col, dtype=object)
    if set(map(type, values)) <= {str, type(None)}:  # the usual case: no per-value work
        return values
    out = np.empty(len(values), dtype=object)
    out[:] = [v if v is None or type(v) is str else str(v) for v in values.tolist()]
    return out


def _polygon_record(geoms: npt.NDArray[np.object_]) -> dict[str, object]:
    """Which rows were plain Polygons (the file stores MultiPolygons); the smaller list wins."""
    was_poly = shapely.get_type_id(geoms) == 3
    fids = np.flatnonzero(was_poly) + 1
    others = np.flatnonzero(~was_poly) + 1
    if len(fids) > len(others):
        return {"mode": "all_except", "fids": others.tolist()}
    return {"mode": "only", "fids": fids.tolist()}


def territory_cache_key(unit_blobs: Sequence[bytes | None] | npt.NDArray[np.object_], project: Project) -> str:
    """Fingerprint of what territory shapes derive from: unit geometry and assignments."""
    h = hashlib.blake2b(digest_size=16)
    try:
        h.update(b"".join(cast("Sequence[bytes]", unit_blobs)))  # no NULL geometry: nothing to stand in for
    except TypeError:
        h.update(b"".join(b or b"\0" for b in unit_blobs))
    for al in project.alignments.values():
        if al.kind == "units":
            h.update(al.id.encode())
            lookup = np.array([*(t or "" for t in al._id_of_key), ""], dtype=object)  # key -1: unassigned
            h.update("\x1f".join(lookup[al.assignment].tolist()).encode())
    return h.hexdigest()


class _Writer:
    def __init__(self, conn: sqlite3.Connection, project: Project, revision_id: str, fault: Fault) -> None:
        self.conn, self.project, self.revision_id, self.fault = conn, project, revision_id, fault
        self.srs_id, self.srs_row = srs_for(project.meta.crs)
        self.counts: dict[str, int] = {}
        self.extents: dict[str, tuple[float, float, float, float] | None] = {}
        self.layout: dict[str, Any] = {"fields": {}, "single_polygons": {}}

    def create(self, spec: TableSpec, fields: list[tuple[str, ColumnKind]] | None = None) -> None:
        self.fault(f"write:{spec.name}")
        self.conn.execute(schema.table_ddl(spec, fields or []))

    def insert(self, table: str, columns: list[str], rows: Iterable[Sequence[object]], count: int) -> None:
        self.conn.executemany(schema.insert_sql(table, columns), rows)
        self.counts[table] = count

    def insert_columns(self, table: str, columns: list[str], values: Sequence[bulk.Column]) -> None:
        """Big tables: many rows per INSERT straight from columns (see :mod:`.bulk`)."""
        self.counts[table] = bulk.insert_columns(self.conn, table, columns, values)

    def rtree(self, table: str, bounds: npt.NDArray[np.float64]) -> None:
        """Fill the spatial index straight from bounds (fid order), skipping null rows."""
        self.conn.execute(schema.rtree_ddl(table))
        ok = ~np.isnan(bounds).any(axis=1)
        b = bounds[ok]
        rtree.bulk_load(self.conn, schema.rtree_name(table), np.flatnonzero(ok) + 1, b)
        self.extents[table] = None if not ok.any() else (
            float(b[:, 0].min()), float(b[:, 1].min()), float(b[:, 2].max()), float(b[:, 3].max())
        )

    # -- layers ---------------------------------------------------------------------
    def units(self) -> list[bytes | None]:
        units = self.project.units
        layout = field_layout(units, schema.UNITS)
        self.layout["fields"]["units"] = [list(f) for f in layout]
        self.create(schema.UNITS, [(c, k) for _, c, k in layout])
        geoms = np.asarray(units.geometry, dtype=object)
        self.layout["single_polygons"]["units"] = _polygon_record(geoms)
        blobs = blob.encode_multipolygons(geoms, self.srs_id)
        cols = [schema.FID, schema.GEOMETRY_COLUMN, "uuid", "code", "name", *(c for _, c, _ in layout)]
        values = [_sql_values(units.column(n), k) for n, _, k in layout]
        self.insert_columns("units", cols, [np.arange(1, len(units) + 1), blobs, _sql_values(units.ids, "text"),
                                            _sql_values(units.codes, "text"), _sql_values(units.names, "text"), *values])
        self.rtree("units", np.asarray(shapely.bounds(geoms), dtype=float).reshape(-1, 4))
        return blobs

    def alignments(self) -> None:
        self.create(schema.ALIGNMENTS)
        rows = [(i + 1, a.id, a.name, a.kind, a.description, i) for i, a in enumerate(self.project.alignments.values())]
        self.insert("alignments", [schema.FID, *(c for c, _ in schema.ALIGNMENTS.columns)], rows, len(rows))

    def territories(self) -> list[tuple[str, str, str]]:
        self.create(schema.TERRITORIES)
        owners = self.project.owners
        rows: list[tuple[object, ...]] = []
        shapes: list[object] = []
        for al in self.project.alignments.values():
            dissolved = all_territory_geometries(self.project, al) if al.kind == "units" else {}
            for pos, t in enumerate(al.territories.values()):
                owner = owners.get(t.owner_id) if t.owner_id else None
                rows.append((t.id, al.id, al.name, t.name, t.colour, t.owner_id, owner.name if owner else None,
                             t.region, t.notes, bool(t.locked), pos))
                shapes.append(dissolved[t.id] if al.kind == "units" else t.geometry)
        geoms = np.empty(len(shapes), dtype=object)
        geoms[:] = shapes
        self.layout["single_polygons"]["territories"] = _polygon_record(geoms)
        blobs = blob.encode_multipolygons(geoms, self.srs_id)
        cols = [schema.FID, schema.GEOMETRY_COLUMN, *(c for c, _ in schema.TERRITORIES.columns)]
        self.insert("territories", cols, [(i + 1, b, *r) for i, (b, r) in enumerate(zip(blobs, rows, strict=True))],
                    len(rows))
        self.rtree("territories", np.asarray(shapely.bounds(geoms), dtype=float).reshape(-1, 4))
        return [(str(r[0]), str(r[3]), str(r[4])) for r in rows]

    def assignments(self) -> None:
        self.create(schema.ASSIGNMENTS)
        ids = np.asarray(self.project.units.ids, dtype=object)
        aids: list[npt.NDArray[np.object_]] = []
        uids: list[npt.NDArray[np.object_]] = []
        tids: list[npt.NDArray[np.object_]] = []
        for al in self.project.alignments.values():
            if al.kind != "units" or len(al.assignment) == 0:
                continue
            lookup = np.array([*(al.territory_id_of_key(k) for k in range(len(al._id_of_key))), None], dtype=object)
            keep = np.flatnonzero(al.assignment >= 0)
            aids.append(np.full(len(keep), al.id, dtype=object))
            uids.append(ids[keep])
            tids.append(lookup[al.assignment[keep]])
        n = sum(len(k) for k in aids)
        cols = [np.arange(1, n + 1)] + [np.concatenate(c) if c else np.empty(0, dtype=object) for c in (aids, uids, tids)]
        self.insert_columns("assignments", [schema.FID, *(c for c, _ in schema.ASSIGNMENTS.columns)], cols)

    def accounts(self) -> None:
        acc = self.project.accounts
        layout = field_layout(acc, schema.ACCOUNTS)
        self.layout["fields"]["accounts"] = [list(f) for f in layout]
        self.create(schema.ACCOUNTS, [(c, k) for _, c, k in layout])
        blobs = blob.encode_points(acc.x, acc.y, self.srs_id)
        cols = [schema.FID, schema.GEOMETRY_COLUMN, "uuid", "name", *(c for _, c, _ in layout)]
        values = [_sql_values(acc.column(n), k) for n, _, k in layout]
        self.insert_columns("accounts", cols, [np.arange(1, len(acc) + 1), blobs, _sql_values(acc.ids, "text"),
                                               _sql_values(acc.names, "text"), *values])
        x, y = np.asarray(acc.x, float), np.asarray(acc.y, float)
        self.rtree("accounts", np.column_stack([x, y, x, y]) if len(acc) else np.zeros((0, 4)))

    def owners(self) -> None:
        self.create(schema.OWNERS)
        owners = list(self.project.owners.values())
        x = np.array([o.home[0] if o.home else np.nan for o in owners], dtype=float)
        y = np.array([o.home[1] if o.home else np.nan for o in owners], dtype=float)
        blobs = blob.encode_points(x, y, self.srs_id)
        rows = [(i + 1, b, o.id, o.name, o.role, o.capacity, o.email) for i, (o, b) in enumerate(zip(owners, blobs, strict=True))]
        self.insert("owners", [schema.FID, schema.GEOMETRY_COLUMN, *(c for c, _ in schema.OWNERS.columns)], rows, len(rows))
        ok = ~np.isnan(x) & ~np.isnan(y)
        self.extents["owners"] = (
            (float(x[ok].min()), float(y[ok].min()), float(x[ok].max()), float(y[ok].max())) if ok.any() else None
        )

    def pins(self) -> None:
        self.create(schema.PINS)
        parts = [(al.id, a, t) for al in self.project.alignments.values() for a, t in sorted(al.pins.items())]
        rows = [(i + 1, *r) for i, r in enumerate(parts)]
        self.insert("pins", [schema.FID, *(c for c, _ in schema.PINS.columns)], rows, len(rows))

    def project_row(self, cache_key: str) -> None:
        self.create(schema.PROJECT)
        m = self.project.meta
        self.layout["territory_cache_key"] = cache_key
        row = (1, SCHEMA_VERSION, m.project_id, self.revision_id, __version__, m.name, m.description,
               m.crs, m.created, self.project.active_alignment_id, json.dumps(self.layout, ensure_ascii=False))
        self.insert("terradesk_project", [schema.FID, *(c for c, _ in schema.PROJECT.columns)], [row], 1)

    # -- GeoPackage bookkeeping -----------------------------------------------------
    def registry(self, territory_styles: list[tuple[str, str, str]]) -> None:
        self.fault("write:gpkg_contents")
        c = self.conn
        if self.srs_row is not None:
            c.execute(schema.insert_sql("gpkg_spatial_ref_sys", _SRS_COLS), self.srs_row)
        for spec in schema.TABLES:
            ext = self.extents.get(spec.name)
            srs = self.srs_id if spec.geometry else None
            c.execute(
                schema.insert_sql("gpkg_contents", ["table_name", "data_type", "identifier", "description",
                                                    "min_x", "min_y", "max_x", "max_y", "srs_id"]),
                (spec.name, spec.data_type, spec.name, spec.description, *(ext or (None,) * 4), srs),
            )
            if spec.geometry:
                c.execute(
                    schema.insert_sql("gpkg_geometry_columns",
                                      ["table_name", "column_name", "geometry_type_name", "srs_id", "z", "m"]),
                    (spec.name, schema.GEOMETRY_COLUMN, schema.GEOMETRY_TYPE[spec.name], self.srs_id, 0, 0),
                )
        self.fault("write:layer_styles")
        c.execute(styles.DDL)
        c.executemany(schema.insert_sql(styles.TABLE, styles.COLUMNS), styles.style_rows(territory_styles))
        c.execute(
            schema.insert_sql("gpkg_contents", ["table_name", "data_type", "identifier", "description"]),
            (styles.TABLE, "attributes", styles.TABLE, "QGIS layer styles"),
        )
        self.fault("write:rtree_triggers")
        for table in schema.RTREE_TABLES:
            c.execute(
                schema.insert_sql("gpkg_extensions", ["table_name", "column_name", "extension_name", "definition", "scope"]),
                (table, schema.GEOMETRY_COLUMN, "gpkg_rtree_index", schema.RTREE_EXTENSION_URL, "write-only"),
            )
            for sql in schema.rtree_triggers(table):
                c.execute(sql)


_SRS_COLS = ["srs_name", "srs_id", "organization", "organization_coordsys_id", "definition", "description"]


def write_project(conn: sqlite3.Connection, project: Project, revision_id: str, fault: Fault = _no_fault) -> dict[str, int]:
    """Fill an empty database with the project; returns the row count written per table."""
    conn.execute(f"PRAGMA application_id = {schema.APPLICATION_ID:d}")
    conn.execute(f"PRAGMA user_version = {schema.USER_VERSION:d}")
    conn.execute("BEGIN")
    for sql in schema.CORE_DDL:
        conn.execute(sql)
    conn.executemany(schema.insert_sql("gpkg_spatial_ref_sys", _SRS_COLS), schema.MANDATORY_SRS)
    w = _Writer(conn, project, revision_id, fault)
    unit_blobs = w.units()
    w.alignments()
    territory_styles = w.territories()
    w.assignments()
    w.accounts()
    w.owners()
    w.pins()
    w.project_row(territory_cache_key(unit_blobs, project))
    w.registry(territory_styles)
    from terradesk.io.gpkg.reference import write_reference_layers  # reference layers: own module

    write_reference_layers(conn, project, w.srs_id, w.counts)
    fault("commit")
    conn.execute("COMMIT")
    return w.counts
