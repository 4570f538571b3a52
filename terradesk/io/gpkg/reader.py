"""Read a TerraDesk GeoPackage (an open, read-only sqlite3 connection) into a Project.

Columns are fetched with one SELECT per table and turned into numpy columns; geometry
blobs are decoded in bulk (:mod:`terradesk.io.gpkg.blob`). Problems that still leave a
usable project (repaired geometries, dangling references) become warnings; the caller
maps anything else to an error class.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
from collections.abc import Sequence
from itertools import repeat
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.geo.dissolve import as_multipolygon
from terradesk.io.errors import BadGeometryError
from terradesk.io.gpkg import blob, bulk, schema
from terradesk.io.gpkg.schema import TableSpec, quote_ident
from terradesk.io.gpkg.writer import territory_cache_key
from terradesk.model import UNASSIGNED, AccountLayer, Alignment, Owner, Project, ProjectMeta, Territory, UnitLayer

Array = npt.NDArray[Any]


def _names(labels: Sequence[object], limit: int = 5) -> str:
    shown = ", ".join(str(x) for x in labels[:limit])
    more = len(labels) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def _float_column(values: Sequence[Any] | Array, label: str, warnings: list[str]) -> npt.NDArray[np.float64]:
    try:
        return np.array(values, dtype=np.float64)
    except (TypeError, ValueError):
        out = np.full(len(values), np.nan)
        for i, v in enumerate(values):
            with contextlib.suppress(TypeError, ValueError):
                out[i] = np.nan if v is None else float(v)
        warnings.append(f"{label}: some values are not numbers and were left empty")
        return out


def _text_column(values: Sequence[Any] | Array) -> Array:
    out = np.empty(len(values), dtype=object)
    if set(map(type, values)) <= {str, type(None)}:
        out[:] = values
    else:
        out[:] = [v if v is None or type(v) is str else str(v) for v in values]
    return out


class Reader:
    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.warnings: list[str] = []
        self.meta_row: dict[str, Any] = {}
        self.layout: dict[str, Any] = {}
        self.units_repaired = False

    # -- helpers ------------------------------------------------------------------
    def select(self, table: str, columns: Sequence[str], order: str = schema.FID) -> list[tuple[Any, ...]]:
        cols = ", ".join(quote_ident(c) for c in columns)
        return self.conn.execute(f"SELECT {cols} FROM {quote_ident(table)} ORDER BY {quote_ident(order)}").fetchall()

    def table_columns(self, table: str) -> list[tuple[str, str]]:
        rows = self.conn.execute("SELECT name, type FROM pragma_table_info(?)", (table,)).fetchall()
        return [(str(n), str(t or "").upper()) for n, t in rows]

    def fields_of(self, spec: TableSpec) -> list[tuple[str, str, bool]]:
        """(field name, column, numeric) for the columns beyond our fixed ones."""
        fixed = {schema.FID, schema.GEOMETRY_COLUMN, *(c for c, _ in spec.columns)}
        known = self._layout_fields(spec.name)
        out = []
        for col, decl in self.table_columns(spec.name):
            if col in fixed:
                continue
            name, kind = known.get(col, (col, "real" if decl.split("(")[0] in schema.NUMERIC_SQL_TYPES else "text"))
            out.append((name, col, kind == "real"))
        return out

    def _layout_fields(self, table: str) -> dict[str, tuple[str, str]]:
        """column -> (field name, kind) from file_layout; a malformed record is ignored with a warning."""
        try:
            known = {}
            for name, col, kind in self.layout.get("fields", {}).get(table, []):
                if not (isinstance(name, str) and isinstance(col, str) and kind in ("real", "text")):
                    raise ValueError(name)
                known[col] = (name, kind)
            return known
        except (AttributeError, TypeError, ValueError):
            self._layout_warning()
            return {}

    def _layout_warning(self) -> None:
        text = "the file's layout record is unreadable; fields were read from the table columns"
        if text not in self.warnings:
            self.warnings.append(text)

    def columns(self, spec: TableSpec, extra: Sequence[str]) -> tuple[list[Array], int]:
        """Columns of a table in fid order: one fetch, poured into a 2-D array (:mod:`.bulk`)."""
        cols = ", ".join(quote_ident(c) for c in extra)
        sql = f"SELECT {cols} FROM {quote_ident(spec.name)} ORDER BY {quote_ident(schema.FID)}"
        matrix = bulk.select_columns(self.conn, sql, len(extra))
        return [matrix[:, j].copy() for j in range(len(extra))], len(matrix)

    # -- project ------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        names = [c for c, _ in schema.PROJECT.columns]
        present = {c for c, _ in self.table_columns(schema.PROJECT.name)}
        cols = [c for c in names if c in present]
        row = self.conn.execute(
            f"SELECT {', '.join(quote_ident(c) for c in cols)} FROM {quote_ident(schema.PROJECT.name)} LIMIT 1"
        ).fetchone()
        self.meta_row = dict(zip(cols, row, strict=True)) if row else {}
        try:
            self.layout = json.loads(self.meta_row.get("file_layout") or "{}")
            if not isinstance(self.layout, dict):
                raise ValueError("not an object")
        except (TypeError, ValueError, RecursionError):
            self.layout = {}
            self._layout_warning()
        return self.meta_row

    def polygon_mask(self, table: str, n: int) -> npt.NDArray[np.bool_]:
        """Rows that were plain Polygons in memory (the file stores MultiPolygons)."""
        mask = np.zeros(n, dtype=bool)
        try:
            rec = self.layout.get("single_polygons", {}).get(table)
            if not rec:
                return mask
            fids = np.asarray(rec.get("fids", []), dtype=np.int64) - 1
            mask[fids[(fids >= 0) & (fids < n)]] = True
            return ~mask if rec.get("mode") == "all_except" else mask
        except (AttributeError, TypeError, ValueError, OverflowError):
            self._layout_warning()
            return np.zeros(n, dtype=bool)

    def _repair(self, geoms: Array, labels: Array, what: str, rows: npt.NDArray[np.bool_] | None = None) -> bool:
        """make_valid on invalid polygons, keeping the polygonal parts; warn with names."""
        check = ~shapely.is_missing(geoms) if rows is None else rows & ~shapely.is_missing(geoms)
        invalid = np.flatnonzero(check)
        invalid = invalid[~shapely.is_valid(geoms[invalid])]
        for i in invalid.tolist():
            fixed = as_multipolygon(shapely.make_valid(geoms[i]))
            geoms[i] = fixed.geoms[0] if geoms[i].geom_type == "Polygon" and len(fixed.geoms) == 1 else fixed
        if len(invalid):
            self.warnings.append(f"repaired invalid geometries of {len(invalid)} {what}: {_names(labels[invalid].tolist())}")
        return bool(len(invalid))

    def units(self) -> tuple[UnitLayer, Array]:
        fields = self.fields_of(schema.UNITS)
        cols, n = self.columns(schema.UNITS, [schema.GEOMETRY_COLUMN, "uuid", "code", "name", *(c for _, c, _ in fields)])
        blobs = cols[0]
        geoms, bad = blob.decode_geometries(blobs, self.polygon_mask("units", n))
        codes = _text_column(cols[2])
        if bad.any():
            raise BadGeometryError(
                f"{int(bad.sum())} units have unreadable geometries: {_names(codes[bad].tolist())}"
            )
        self.units_repaired = self._repair(geoms, codes, "units")
        empty = np.flatnonzero(shapely.is_missing(geoms) | shapely.is_empty(geoms))
        if len(empty):
            self.warnings.append(f"{len(empty)} units have no geometry: {_names(codes[empty].tolist())}")
        values = {
            name: _float_column(col, f"units field {name!r}", self.warnings) if numeric else _text_column(col)
            for (name, _, numeric), col in zip(fields, cols[4:], strict=True)
        }
        layer = UnitLayer({"id": _text_column(cols[1]), "code": codes, "name": _text_column(cols[3]), "geometry": geoms},
                          values)
        return layer, blobs

    def accounts(self) -> AccountLayer:
        fields = self.fields_of(schema.ACCOUNTS)
        cols, _n = self.columns(schema.ACCOUNTS, [schema.GEOMETRY_COLUMN, "uuid", "name", *(c for _, c, _ in fields)])
        x, y, bad = blob.decode_points(cols[0])
        names = _text_column(cols[2])
        if bad.any():
            self.warnings.append(
                f"{int(bad.sum())} accounts had unreadable locations and are now unplaced: {_names(names[bad].tolist())}"
            )
        values = {
            name: _float_column(col, f"accounts field {name!r}", self.warnings) if numeric else _text_column(col)
            for (name, _, numeric), col in zip(fields, cols[3:], strict=True)
        }
        return AccountLayer({"id": _text_column(cols[1]), "name": names, "x": x, "y": y}, values)

    def owners(self) -> dict[str, Owner]:
        cols = [c for c, _ in schema.OWNERS.columns]
        rows = self.select("owners", [schema.GEOMETRY_COLUMN, *cols])
        x, y, _bad = blob.decode_points([r[0] for r in rows])
        out: dict[str, Owner] = {}
        for i, (_, oid, name, role, capacity, email) in enumerate(rows):
            home = None if np.isnan(x[i]) or np.isnan(y[i]) else (float(x[i]), float(y[i]))
            if role not in ("sales", "partner", "support"):
                self.warnings.append(f"owner {name!r} had an unknown role {role!r}; set to 'sales'")
                role = "sales"
            out[oid] = Owner(name=name or "", role=role, home=home,
                             capacity=None if capacity is None else float(capacity), email=email or "", id=oid)
        return out

    def alignments(self, n_units: int) -> dict[str, Alignment]:
        rows = self.select("alignments", ["uuid", "name", "kind", "description"], order="position")
        out: dict[str, Alignment] = {}
        for aid, name, kind, description in rows:
            if kind not in ("units", "freeform"):
                self.warnings.append(f"alignment {name!r} had an unknown kind {kind!r}; read as unit-built")
                kind = "units"
            al = Alignment(name=name or "", kind=kind, description=description or "", id=aid)
            if kind == "units":
                al.assignment = np.full(n_units, UNASSIGNED, dtype=np.intp)
            out[aid] = al
        return out

    def territories(self, alignments: dict[str, Alignment]) -> dict[str, Any]:
        """Territories into their alignments; returns the stored shapes of unit-built ones."""
        cols = [c for c, _ in schema.TERRITORIES.columns]
        rows = self.select("territories", [schema.GEOMETRY_COLUMN, *cols])
        geoms, bad = blob.decode_geometries([r[0] for r in rows], self.polygon_mask("territories", len(rows)))
        labels = np.array([r[4] for r in rows], dtype=object)
        freeform = np.array([alignments[r[2]].kind == "freeform" if r[2] in alignments else False for r in rows],
                            dtype=bool)
        self._repair(geoms, labels, "territories", freeform)  # unit-built shapes are recomputed when stale
        order = sorted(range(len(rows)), key=lambda i: (rows[i][11] if rows[i][11] is not None else 0, i))
        stored: dict[str, Any] = {}
        for i in order:
            _, tid, aid, _, name, colour, owner_id, _, region, notes, locked, _ = rows[i]
            al = alignments.get(aid)
            if al is None:
                self.warnings.append(f"territory {name!r} belongs to no alignment in the file and was skipped")
                continue
            try:
                t = Territory(name=name or "", colour=colour or "#888888", owner_id=owner_id, region=region or "",
                              notes=notes or "", locked=bool(locked), id=tid)
            except ValueError:
                self.warnings.append(f"territory {name!r} had an invalid colour {colour!r}; set to grey")
                t = Territory(name=name or "", owner_id=owner_id, region=region or "", notes=notes or "",
                              locked=bool(locked), id=tid)
            if al.kind == "freeform":
                if bad[i]:
                    self.warnings.append(f"territory {name!r} had an unreadable shape, which was dropped")
                t.geometry = geoms[i]
            else:
                stored[tid] = geoms[i]
            al.insert_territory(t)
        return stored

    def assignments(self, alignments: dict[str, Alignment], units: UnitLayer) -> None:
        """Rebuild assignment keys; uuid lookups run through ``map(dict.get)`` (no Python loop)."""
        rows = self.select("assignments", ["alignment_uuid", "unit_uuid", "territory_uuid"])
        if not rows:
            return
        aids, uids, tids = zip(*rows, strict=True)
        n = len(rows)
        unit_pos = {u: i for i, u in enumerate(units.ids.tolist())}
        al_list = list(alignments.values())
        al_index = {a.id: i for i, a in enumerate(al_list) if a.kind == "units"}
        t_index: dict[str, int] = {}
        t_al: list[int] = []
        t_key: list[int] = []
        for ai, al in enumerate(al_list):
            for tid in al.territories:
                t_index[tid] = len(t_key)
                t_al.append(ai)
                t_key.append(al.key(tid))
        pos = np.fromiter(map(unit_pos.get, uids, repeat(-1)), dtype=np.intp, count=n)
        a = np.fromiter(map(al_index.get, aids, repeat(-1)), dtype=np.intp, count=n)
        g = np.fromiter(map(t_index.get, tids, repeat(-1)), dtype=np.intp, count=n)
        t_al_arr = np.asarray([*t_al, -2], dtype=np.intp)
        t_key_arr = np.asarray([*t_key, UNASSIGNED], dtype=np.intp)
        ok = (pos >= 0) & (a >= 0) & (t_al_arr[g] == a)
        for ai in np.unique(a[ok]).tolist():
            sel = ok & (a == ai)
            al_list[ai].assignment[pos[sel]] = t_key_arr[g[sel]]
        missing = int(n - ok.sum())
        if missing:
            self.warnings.append(f"{missing} assignments refer to missing units, territories or alignments and were skipped")

    def pins(self, alignments: dict[str, Alignment], accounts: AccountLayer) -> None:
        rows = self.select("pins", ["alignment_uuid", "account_uuid", "territory_uuid"])
        skipped = 0
        for aid, acc, tid in rows:
            al = alignments.get(aid)
            if al is None or tid not in al.territories:
                skipped += 1
                continue
            al.pins[acc] = tid
        if skipped:
            self.warnings.append(f"{skipped} pinned accounts refer to missing territories and were skipped")

    def project(self, crs_text: str) -> Project:
        m = self.meta_row
        units, unit_blobs = self.units()
        accounts = self.accounts()
        meta = ProjectMeta(
            name=m.get("name") or "", description=m.get("description") or "", crs=crs_text,
            project_id=m.get("project_id") or "", revision_id=m.get("revision_id") or "",
            created=m.get("created") or "", app_version=m.get("app_version") or "",
            schema_version=int(m.get("schema_version") or 0),
        )
        project = Project(meta, units, accounts)
        project.owners = self.owners()
        alignments = self.alignments(len(units))
        stored = self.territories(alignments)
        self.assignments(alignments, units)
        self.pins(alignments, accounts)
        project.alignments = alignments
        active = m.get("active_alignment")
        project.active_alignment_id = active if active in alignments else next(iter(alignments), None)
        from terradesk.io.gpkg.reference import read_reference_layers  # optional tables, own module

        project.reference_layers = read_reference_layers(self.conn, self.warnings)
        if not self.units_repaired and self.layout.get("territory_cache_key") == territory_cache_key(unit_blobs, project):
            for al in alignments.values():
                if al.kind == "units":
                    for tid in al.territories:
                        al.geometry_cache[tid] = as_multipolygon(stored.get(tid))
        return project
