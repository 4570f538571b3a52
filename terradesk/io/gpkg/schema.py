"""The TerraDesk project file as GeoPackage tables: explicit type tables citing the spec.

Like Kart's ``kart/sqlalchemy/adapter/gpkg.py``, the mapping from our column kinds to
GeoPackage types is written out here once, with references to the OGC GeoPackage 1.3
encoding standard (OGC 12-128r17, http://www.geopackage.org/spec130/). Table and column
names below are constants of this module; the only identifiers that come from a planner
are attribute field names, and those always go through :func:`quote_ident`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: Requirement 2: application_id "GPKG" (0x47504B47); Requirement 2a: user_version 10300.
APPLICATION_ID = 0x47504B47
USER_VERSION = 10300
SPEC_URL = "http://www.geopackage.org/spec130/"
RTREE_EXTENSION_URL = "http://www.geopackage.org/spec120/#extension_rtree"

#: Custom srs_id for a project CRS without an EPSG code (Requirement 11 leaves ids free;
#: EPSG codes stop below 100000, so ours never collide).
CUSTOM_SRS_ID = 100000

ColumnKind = Literal["text", "real", "int", "bool", "geometry"]

#: Table 1 / clause 1.1.1.1.3 "GeoPackage Data Types": the SQL type each column kind gets.
#: Numbers are REAL (IEEE double, NaN stored as NULL), text is TEXT (UTF-8), flags BOOLEAN
#: (0/1), ordering positions INTEGER.
SQL_TYPE: dict[ColumnKind, str] = {"text": "TEXT", "real": "REAL", "int": "INTEGER", "bool": "BOOLEAN"}

#: Declared types we read back as numeric fields (clause 1.1.1.1.3 lists all of these).
NUMERIC_SQL_TYPES = frozenset({"REAL", "DOUBLE", "FLOAT", "INTEGER", "INT", "MEDIUMINT", "SMALLINT", "TINYINT"})

#: Clause 2.1.3 (gpkg_geometry_columns.geometry_type_name): the geometry type per layer.
GEOMETRY_TYPE = {"units": "MULTIPOLYGON", "territories": "MULTIPOLYGON", "accounts": "POINT", "owners": "POINT"}
GEOMETRY_COLUMN = "geom"
FID = "fid"


@dataclass(frozen=True)
class TableSpec:
    """A table we write: fixed columns (name, kind) in order; user fields follow them."""

    name: str
    columns: tuple[tuple[str, ColumnKind], ...]
    geometry: bool = False
    description: str = ""

    @property
    def data_type(self) -> str:
        """gpkg_contents.data_type (clause 1.1.3.1.1): 'features' or 'attributes'."""
        return "features" if self.geometry else "attributes"


PROJECT = TableSpec(
    "terradesk_project",
    (
        ("schema_version", "int"), ("project_id", "text"), ("revision_id", "text"), ("app_version", "text"),
        ("name", "text"), ("description", "text"), ("crs", "text"), ("created", "text"),
        ("active_alignment", "text"), ("file_layout", "text"),
    ),
    description="TerraDesk project metadata (one row)",
)
UNITS = TableSpec(
    "units", (("uuid", "text"), ("code", "text"), ("name", "text")), geometry=True,
    description="Base geography units",
)
ALIGNMENTS = TableSpec(
    "alignments",
    (("uuid", "text"), ("name", "text"), ("kind", "text"), ("description", "text"), ("position", "int")),
    description="Territory plans",
)
TERRITORIES = TableSpec(
    "territories",
    (
        ("uuid", "text"), ("alignment_uuid", "text"), ("alignment", "text"), ("name", "text"),
        ("colour", "text"), ("owner_uuid", "text"), ("owner", "text"), ("region", "text"),
        ("notes", "text"), ("locked", "bool"), ("position", "int"),
    ),
    geometry=True,
    description="Territories of every alignment",
)
ASSIGNMENTS = TableSpec(
    "assignments", (("alignment_uuid", "text"), ("unit_uuid", "text"), ("territory_uuid", "text")),
    description="Unit to territory, per alignment (unassigned units have no row)",
)
ACCOUNTS = TableSpec("accounts", (("uuid", "text"), ("name", "text")), geometry=True, description="Customer accounts")
OWNERS = TableSpec(
    "owners",
    (("uuid", "text"), ("name", "text"), ("role", "text"), ("capacity", "real"), ("email", "text")),
    geometry=True,
    description="Owners / reps (geometry = home location)",
)
PINS = TableSpec(
    "pins", (("alignment_uuid", "text"), ("account_uuid", "text"), ("territory_uuid", "text")),
    description="Accounts pinned to a territory, per alignment",
)

#: Every table of a project file, in writing order.
TABLES: tuple[TableSpec, ...] = (PROJECT, UNITS, ALIGNMENTS, TERRITORIES, ASSIGNMENTS, ACCOUNTS, OWNERS, PINS)
TABLES_BY_NAME = {t.name: t for t in TABLES}
#: Layers that get a gpkg_rtree_index spatial index (the big ones QGIS draws).
RTREE_TABLES = ("units", "territories", "accounts")


def quote_ident(name: str) -> str:
    """An SQL identifier in double quotes, inner quotes doubled (SQLite's only escaping rule)."""
    if "\x00" in name:
        raise ValueError("identifier contains a NUL character")
    return '"' + name.replace('"', '""') + '"'


# -- clause 1.1.2 / 1.1.3 / 2.1.5 / F.3: the core tables, as the spec's Annex C DDL ---------
CORE_DDL = (
    """CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL, srs_id INTEGER NOT NULL PRIMARY KEY, organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL, definition TEXT NOT NULL, description TEXT)""",
    """CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL, identifier TEXT UNIQUE,
  description TEXT DEFAULT '', last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id))""",
    """CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL, column_name TEXT NOT NULL, geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL, z TINYINT NOT NULL, m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id))""",
    """CREATE TABLE gpkg_extensions (
  table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL, definition TEXT NOT NULL,
  scope TEXT NOT NULL, CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name))""",
)

WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],'
    'AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],'
    'UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],'
    'AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)

#: Requirement 11: the three rows every gpkg_spatial_ref_sys must hold.
MANDATORY_SRS = (
    ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", "undefined cartesian coordinate reference system"),
    ("Undefined geographic SRS", 0, "NONE", 0, "undefined", "undefined geographic coordinate reference system"),
    ("WGS 84 geodetic", 4326, "EPSG", 4326, WGS84_WKT,
     "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid"),
)


def table_ddl(spec: TableSpec, fields: list[tuple[str, ColumnKind]]) -> str:
    """CREATE TABLE for a user data table (clause 1.1.3.1.2 / 2.1.4 / 2.4.3: integer fid key)."""
    cols = [f"{quote_ident(FID)} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL"]
    if spec.geometry:
        cols.append(f"{quote_ident(GEOMETRY_COLUMN)} {GEOMETRY_TYPE[spec.name]}")
    cols += [f"{quote_ident(name)} {SQL_TYPE[kind]}" for name, kind in [*spec.columns, *fields]]
    return f"CREATE TABLE {quote_ident(spec.name)} (\n  " + ",\n  ".join(cols) + "\n)"


def rtree_name(table: str) -> str:
    return f"rtree_{table}_{GEOMETRY_COLUMN}"


def rtree_ddl(table: str) -> str:
    """F.3 gpkg_rtree_index: the virtual table (populated directly from shapely bounds)."""
    return f"CREATE VIRTUAL TABLE {quote_ident(rtree_name(table))} USING rtree(id, minx, maxx, miny, maxy)"


def rtree_triggers(table: str) -> list[str]:
    """F.3 (GeoPackage 1.3) triggers keeping the index in step with later edits in QGIS/GDAL.

    They call ST_IsEmpty/ST_MinX... which GDAL registers; we create them after all our
    inserts, so Python's sqlite3 (which lacks those functions) never fires them.
    """
    t, c, i, r = quote_ident(table), quote_ident(GEOMETRY_COLUMN), quote_ident(FID), quote_ident(rtree_name(table))
    name = rtree_name(table)
    ins = f"INSERT OR REPLACE INTO {r} VALUES (NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c}));"
    return [
        f"CREATE TRIGGER {quote_ident(name + '_insert')} AFTER INSERT ON {t} "
        f"WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN {ins} END",
        f"CREATE TRIGGER {quote_ident(name + '_update1')} AFTER UPDATE OF {c} ON {t} "
        f"WHEN OLD.{i} = NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN {ins} END",
        f"CREATE TRIGGER {quote_ident(name + '_update2')} AFTER UPDATE OF {c} ON {t} "
        f"WHEN OLD.{i} = NEW.{i} AND (NEW.{c} IS NULL OR ST_IsEmpty(NEW.{c})) "
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END",
        f"CREATE TRIGGER {quote_ident(name + '_update3')} AFTER UPDATE ON {t} "
        f"WHEN OLD.{i} != NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) "
        f"BEGIN DELETE FROM {r} WHERE id = OLD.{i}; {ins} END",
        f"CREATE TRIGGER {quote_ident(name + '_update4')} AFTER UPDATE ON {t} "
        f"WHEN OLD.{i} != NEW.{i} AND (NEW.{c} IS NULL OR ST_IsEmpty(NEW.{c})) "
        f"BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END",
        f"CREATE TRIGGER {quote_ident(name + '_delete')} AFTER DELETE ON {t} "
        f"WHEN old.{c} NOT NULL BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END",
    ]


def insert_sql(table: str, columns: list[str]) -> str:
    """A parameterised INSERT: values always travel as parameters, never in the SQL text."""
    cols = ", ".join(quote_ident(c) for c in columns)
    marks = ", ".join("?" * len(columns))
    return f"INSERT INTO {quote_ident(table)} ({cols}) VALUES ({marks})"
