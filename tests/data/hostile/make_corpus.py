"""Generate the hostile corpus: broken, malicious and extreme files named ``*.gpkg``.

Run ``python tests/data/hostile/make_corpus.py OUT_DIR`` (the tests call :func:`make_corpus`
into a temporary folder). Nothing here is a hand-made binary: every file is built from a
valid TerraDesk project (``tests.factories.grid_project``) by the edits another program,
a broken download or an attacker would make. :data:`EXPECT` says what opening each one
must give: ``"ok"`` (opens, maybe with warnings), the name of the error class, or
``"any"`` (either a clean open or any ``TerraDeskError``).
"""

from __future__ import annotations

import io
import math
import random
import sqlite3
import struct
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parents[3]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from terradesk.io.gpkg import save_project  # noqa: E402
from tests.factories import grid_project  # noqa: E402

Builder = Callable[[Path, Path], None]
CASES: dict[str, Builder] = {}
EXPECT: dict[str, str] = {}


def case(expect: str) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        CASES[fn.__name__] = fn
        EXPECT[fn.__name__] = expect
        return fn

    return register


def edit(base: Path, out: Path, *statements: str, params: tuple[object, ...] = ()) -> None:
    """Copy ``base`` and run SQL on it as another program would (rtree triggers get stand-ins)."""
    out.write_bytes(base.read_bytes())
    conn = sqlite3.connect(out)
    conn.create_function("ST_IsEmpty", 1, lambda g: int(g is None))
    for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
        conn.create_function(name, 1, lambda g: 0.0)
    for i, sql in enumerate(statements):
        conn.execute(sql, params if i == len(statements) - 1 else ())
    conn.commit()
    conn.close()


def gp_blob(wkb: bytes, big_endian: bool = False) -> bytes:
    """GeoPackageBinary header (no envelope) + WKB."""
    flags = 0 if big_endian else 1
    return b"GP\x00" + bytes([flags]) + struct.pack(">i" if big_endian else "<i", 3035) + wkb


def set_first_unit(base: Path, out: Path, blob: bytes) -> None:
    edit(base, out, "UPDATE units SET geom = ? WHERE fid = 1", params=(blob,))


def square_ring(x0: float = 4_000_000.0, y0: float = 3_000_000.0, size: float = 1000.0) -> list[tuple[float, float]]:
    return [(x0, y0), (x0 + size, y0), (x0 + size, y0 + size), (x0, y0 + size), (x0, y0)]


def polygon_wkb(ring: list[tuple[float, float]], order: str = "<") -> bytes:
    """An ISO WKB Polygon with one ring, little (``<``) or big (``>``) endian."""
    flag = b"\x01" if order == "<" else b"\x00"
    head = flag + struct.pack(order + "II", 3, 1) + struct.pack(order + "I", len(ring))
    return head + b"".join(struct.pack(order + "dd", x, y) for x, y in ring)


# -- not SQLite at all ---------------------------------------------------------------------
@case("NotSQLiteError")
def empty(base: Path, out: Path) -> None:
    out.write_bytes(b"")


@case("NotSQLiteError")
def random_bytes(base: Path, out: Path) -> None:
    out.write_bytes(random.Random(7).randbytes(64 * 1024))


@case("NotSQLiteError")
def html_page(base: Path, out: Path) -> None:
    out.write_text("<!DOCTYPE html>\n<html><body><h1>Sign in to download plan.gpkg</h1></body></html>\n")


@case("NotSQLiteError")
def zip_archive(base: Path, out: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("plan.gpkg", base.read_bytes())
    out.write_bytes(buf.getvalue())


# -- damaged SQLite ---------------------------------------------------------------------------
@case("CorruptFileError")
def truncated(base: Path, out: Path) -> None:
    out.write_bytes(base.read_bytes()[: base.stat().st_size // 2])


@case("CorruptFileError")
def truncated_header(base: Path, out: Path) -> None:
    out.write_bytes(base.read_bytes()[:60])


@case("any")
def flipped_bytes(base: Path, out: Path) -> None:
    data = bytearray(base.read_bytes())
    page = struct.unpack(">H", data[16:18])[0]
    rng = random.Random(3)
    for p in (2, 3, len(data) // page // 2):  # schema page, an early page, a middle page
        for _ in range(40):
            i = p * page + rng.randrange(page)
            data[i] ^= 0xFF
    out.write_bytes(bytes(data))


@case("ok")
def wal_flag_without_sidecar(base: Path, out: Path) -> None:
    data = bytearray(base.read_bytes())
    data[18] = data[19] = 2
    out.write_bytes(bytes(data))


@case("CorruptFileError")
def huge_page_count(base: Path, out: Path) -> None:
    data = bytearray(base.read_bytes())
    data[28:32] = struct.pack(">I", 0x7FFFFFFF)
    out.write_bytes(bytes(data))


# -- SQLite, wrong kind of file ----------------------------------------------------------------
@case("NotGeoPackageError")
def plain_sqlite(base: Path, out: Path) -> None:
    conn = sqlite3.connect(out)
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers (name) VALUES ('Ada')")
    conn.commit()
    conn.close()


@case("NotGeoPackageError")
def wrong_application_id(base: Path, out: Path) -> None:
    edit(base, out, "PRAGMA application_id = 1297303106")  # 'MPBR': a different SQLite application


@case("NewerSchemaError")
def newer_schema_version(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE terradesk_project SET schema_version = 99")


@case("CorruptFileError")
def schema_version_not_a_number(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE terradesk_project SET schema_version = 'one'")


@case("ok")
def missing_spatial_ref_rows(base: Path, out: Path) -> None:
    edit(base, out, "DELETE FROM gpkg_spatial_ref_sys")


@case("UnknownCRSFileError")
def unknown_crs(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE terradesk_project SET crs = 'EPSG:999999'")


# -- geometry blobs ---------------------------------------------------------------------------
@case("BadGeometryError")
def geometry_bad_magic(base: Path, out: Path) -> None:
    set_first_unit(base, out, b"XP\x00\x01" + struct.pack("<i", 3035) + polygon_wkb(square_ring()))


@case("ok")
def geometry_big_endian(base: Path, out: Path) -> None:
    set_first_unit(base, out, gp_blob(polygon_wkb(square_ring(), ">"), big_endian=True))


@case("BadGeometryError")
def geometry_truncated_wkb(base: Path, out: Path) -> None:
    set_first_unit(base, out, gp_blob(polygon_wkb(square_ring())[:30]))


@case("BadGeometryError")
def geometry_billion_rings(base: Path, out: Path) -> None:
    wkb = b"\x01" + struct.pack("<II", 3, 10**9) + struct.pack("<I", 5) + b"\x00" * 80
    set_first_unit(base, out, gp_blob(wkb))


@case("BadGeometryError")
def geometry_billion_points(base: Path, out: Path) -> None:
    wkb = b"\x01" + struct.pack("<II", 3, 1) + struct.pack("<I", 10**9) + b"\x00" * 80
    set_first_unit(base, out, gp_blob(wkb))


@case("BadGeometryError")
def geometry_nan_inf(base: Path, out: Path) -> None:
    ring = square_ring()
    nan_ring = [ring[0], (math.nan, ring[1][1]), *ring[2:]]
    inf_ring = [ring[0], ring[1], (math.inf, -math.inf), *ring[3:]]
    edit(base, out, "UPDATE units SET geom = ? WHERE fid = 1", params=(gp_blob(polygon_wkb(nan_ring)),))
    edit(out, out, "UPDATE units SET geom = ? WHERE fid = 2", params=(gp_blob(polygon_wkb(inf_ring)),))


@case("BadGeometryError")
def geometry_curve_polygon(base: Path, out: Path) -> None:
    pts = [(4e6, 3e6), (4e6 + 500, 3e6 + 500), (4e6 + 1000, 3e6), (4e6 + 500, 3e6 - 500), (4e6, 3e6)]
    ring = b"\x01" + struct.pack("<II", 8, len(pts)) + b"".join(struct.pack("<dd", *p) for p in pts)
    set_first_unit(base, out, gp_blob(b"\x01" + struct.pack("<II", 10, 1) + ring))


@case("ok")
def geometry_million_vertices(base: Path, out: Path) -> None:
    t = np.linspace(0.0, 2.0 * np.pi, 1_000_000)
    xy = np.column_stack([4_000_500.0 + 500.0 * np.cos(t), 3_000_500.0 + 500.0 * np.sin(t)])
    xy[-1] = xy[0]
    circle = shapely.Polygon(xy)
    set_first_unit(base, out, gp_blob(shapely.to_wkb(circle, byte_order=1, flavor="iso")))


@case("ok")
def account_location_garbage(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE accounts SET geom = X'00FF00FF' WHERE fid = 1")


# -- text and columns ---------------------------------------------------------------------------
@case("ok")
def invalid_utf8_text(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE units SET name = CAST(X'556E6974FFFE20C328' AS TEXT) WHERE fid = 1")


@case("ok")
def ten_megabyte_strings(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE units SET name = ? WHERE fid <= 2", params=("x" * 10_000_000,))


@case("ok")
def two_thousand_columns(base: Path, out: Path) -> None:
    conn = sqlite3.connect(base)
    have = len(conn.execute("SELECT * FROM pragma_table_info('accounts')").fetchall())
    conn.close()
    statements = [f'ALTER TABLE accounts ADD COLUMN "c{i}" REAL' for i in range(2000 - have)]
    edit(base, out, *statements, "UPDATE accounts SET c7 = 1.5, c1990 = 'text in a number column'")


@case("ok")
def sql_keywords_and_quotes_as_names(base: Path, out: Path) -> None:
    names = ["select", "DROP TABLE units; --", 'quote"d', "it's", "[bracket]", "`tick`", "fid ", "géom ☃", "null"]
    statements = [f'ALTER TABLE units ADD COLUMN "{n.replace(chr(34), chr(34) * 2)}" TEXT' for n in names]
    edit(base, out, *statements, "UPDATE units SET \"select\" = 'x'")


# -- code inside the file -------------------------------------------------------------------------
@case("NotTerraDeskProjectError")
def view_calling_unknown_function(base: Path, out: Path) -> None:
    edit(base, out, "DROP TABLE pins", "CREATE VIEW pins AS SELECT evil_fn(1) AS fid, 1 AS alignment_uuid, "
         "1 AS account_uuid, 1 AS territory_uuid")


@case("ok")
def trigger_calling_unknown_function(base: Path, out: Path) -> None:
    edit(base, out, "CREATE TRIGGER t_evil AFTER UPDATE ON units BEGIN SELECT evil_fn(NEW.fid); END",
         "CREATE TRIGGER t_evil2 BEFORE DELETE ON owners BEGIN SELECT load_extension('/tmp/evil.so'); END")


@case("NotTerraDeskProjectError")
def view_with_endless_rows(base: Path, out: Path) -> None:
    edit(base, out, "DROP TABLE pins", "CREATE VIEW pins AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL "
         "SELECT x + 1 FROM c) SELECT x AS fid, 'a' AS alignment_uuid, 'b' AS account_uuid, 'c' AS territory_uuid FROM c")


@case("ok")
def generated_column_huge_blob(base: Path, out: Path) -> None:
    edit(base, out, "ALTER TABLE units ADD COLUMN big BLOB GENERATED ALWAYS AS (zeroblob(900000000 + fid)) VIRTUAL")


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<qgis>&lol9;</qgis>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE qgis [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY web SYSTEM "http://127.0.0.1:9/steal">]>
<qgis version="3.22.0"><renderer-v2 type="singleSymbol">&xxe;&web;</renderer-v2></qgis>"""


@case("ok")
def layer_styles_billion_laughs(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE layer_styles SET styleQML = ?", params=(BILLION_LAUGHS,))


@case("ok")
def layer_styles_external_entity(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE layer_styles SET styleQML = ?, styleSLD = ?", params=(EXTERNAL_ENTITY, EXTERNAL_ENTITY))


# -- TerraDesk tables ------------------------------------------------------------------------------
@case("NotTerraDeskProjectError")
def project_record_empty(base: Path, out: Path) -> None:
    edit(base, out, "DELETE FROM terradesk_project")


@case("ok")
def layout_json_garbage(base: Path, out: Path) -> None:
    edit(base, out, "UPDATE terradesk_project SET file_layout = ?", params=('{"fields": {"units": [[1, 2]]' * 3,))


@case("ok")
def layout_json_hostile_values(base: Path, out: Path) -> None:
    layout = '{"fields": {"units": [["population", "no such column", "real"]]}, "single_polygons": ' \
             '{"units": {"fids": [-5, 99999999999, "x"], "mode": "all_except"}}}'
    edit(base, out, "UPDATE terradesk_project SET file_layout = ?", params=(layout,))


def base_project(folder: Path) -> Path:
    """The valid project every hostile file starts from (24 units, 3 territories, 5 accounts)."""
    path = folder / "_base.gpkg"
    if not path.exists():
        save_project(grid_project(accounts=5), path, keep_backup=False)
    return path


def make_corpus(folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    """Write every case (or ``names``) as ``folder/<name>.gpkg``; returns name -> path."""
    folder.mkdir(parents=True, exist_ok=True)
    base = base_project(folder)
    out: dict[str, Path] = {}
    for name, build in CASES.items():
        if names is not None and name not in names:
            continue
        path = folder / f"{name}.gpkg"
        if not path.exists():
            build(base, path)
        out[name] = path
    return out


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile-corpus")
    for name, path in make_corpus(target).items():
        print(f"{EXPECT[name]:>26}  {path}  ({path.stat().st_size:,} bytes)")
