"""Opening a bad file never crashes, never changes it, and says clearly what is wrong."""

from __future__ import annotations

import os
import random
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely
from shapely.geometry import Polygon

from terradesk.io.errors import (
    BadGeometryError,
    CorruptFileError,
    FileMissingError,
    NewerSchemaError,
    NotAFileError,
    NotGeoPackageError,
    NotSQLiteError,
    NotTerraDeskProjectError,
    ProjectFileError,
    UnknownCRSFileError,
)
from terradesk.io.gpkg import blob, open_project, save_project
from tests.factories import grid_project


def _saved(tmp_path: Path, edit: Callable[[sqlite3.Connection], None] | None = None) -> Path:
    path = tmp_path / "p.gpkg"
    save_project(grid_project(accounts=5), path, keep_backup=False)
    if edit is not None:
        conn = sqlite3.connect(path)
        # the rtree triggers call GDAL's ST_* functions; stand-ins so another "program" can edit
        conn.create_function("ST_IsEmpty", 1, lambda g: int(g is None))
        for name in ("ST_MinX", "ST_MaxX", "ST_MinY", "ST_MaxY"):
            conn.create_function(name, 1, lambda g: 0.0)
        edit(conn)
        conn.commit()
        conn.close()
    return path


def _open_unchanged(path: Path):  # type: ignore[no-untyped-def]
    """open_project, asserting the file's bytes and the folder listing are unchanged."""
    before = path.read_bytes() if path.is_file() else None
    listing = sorted(os.listdir(path.parent))
    try:
        return open_project(path)
    finally:
        if before is not None:
            assert path.read_bytes() == before
        assert sorted(os.listdir(path.parent)) == listing


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileMissingError, match="does not exist"):
        open_project(tmp_path / "nope.gpkg")


def test_folder(tmp_path: Path) -> None:
    with pytest.raises(NotAFileError, match="is a folder"):
        _open_unchanged(tmp_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "is empty"),
        (bytes(random.Random(3).getrandbits(8) for _ in range(5000)), "not a GeoPackage/SQLite file"),
        (b"<!DOCTYPE html><html><body>Sign in</body></html>", "web page"),
    ],
)
def test_not_sqlite(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "p.gpkg"
    path.write_bytes(content)
    with pytest.raises(NotSQLiteError, match=message):
        _open_unchanged(path)


def test_sqlite_but_not_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    with sqlite3.connect(path) as c:
        c.execute("CREATE TABLE t (x)")
    with pytest.raises(NotGeoPackageError, match="not a GeoPackage"):
        _open_unchanged(path)


def test_geopackage_but_not_terradesk(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    geom = shapely.to_wkb(np.array([shapely.box(0, 0, 1, 1)]))
    pyogrio.raw.write(path, geom, [np.array([1.0])], ["v"], driver="GPKG", geometry_type="Polygon", crs="EPSG:3035")
    with pytest.raises(NotTerraDeskProjectError, match="not a TerraDesk project"):
        _open_unchanged(path)


def test_missing_one_of_our_tables(tmp_path: Path) -> None:
    path = _saved(tmp_path, lambda c: c.execute("DROP TABLE pins"))
    with pytest.raises(NotTerraDeskProjectError, match="pins"):
        _open_unchanged(path)


def test_truncated_file(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    path.write_bytes(path.read_bytes()[: 3 * 4096 + 100])
    with pytest.raises(CorruptFileError, match="truncated"):
        _open_unchanged(path)


def test_flipped_bytes(tmp_path: Path) -> None:
    path = _saved(tmp_path)
    raw = bytearray(path.read_bytes())
    for page in range(2, len(raw) // 4096, 3):
        for i in range(page * 4096, page * 4096 + 64):
            raw[i] ^= 0xFF
    path.write_bytes(bytes(raw))
    with pytest.raises(CorruptFileError, match="damaged"):
        _open_unchanged(path)


def test_random_damage_never_escapes_as_a_raw_exception(tmp_path: Path) -> None:
    good = _saved(tmp_path).read_bytes()
    rng = random.Random(7)
    path = tmp_path / "fuzz.gpkg"
    for _ in range(40):
        raw = bytearray(good)
        for _ in range(rng.choice([1, 8, 64])):
            raw[rng.randrange(len(raw))] = rng.getrandbits(8)
        path.write_bytes(bytes(raw))
        try:
            _open_unchanged(path)
        except ProjectFileError as exc:
            assert str(exc) and "\n" not in str(exc)


def test_newer_schema(tmp_path: Path) -> None:
    path = _saved(tmp_path, lambda c: c.execute("UPDATE terradesk_project SET schema_version = 99"))
    with pytest.raises(NewerSchemaError, match="newer TerraDesk"):
        _open_unchanged(path)


def test_unknown_crs(tmp_path: Path) -> None:
    path = _saved(tmp_path, lambda c: c.execute("UPDATE terradesk_project SET crs = 'EPSG:999999'"))
    with pytest.raises(UnknownCRSFileError, match="unknown coordinate reference system"):
        _open_unchanged(path)


def _set_unit_geometry(geom: object) -> Callable[[sqlite3.Connection], None]:
    def edit(c: sqlite3.Connection) -> None:
        value = geom if isinstance(geom, bytes) or geom is None else blob.encode_geometries(np.array([geom]), 3035)[0]
        c.execute("UPDATE units SET geom = ? WHERE code = ?", (value, "00001"))

    return edit


def test_invalid_geometries_are_repaired_with_a_warning(tmp_path: Path) -> None:
    x, y = 4_001_000.0, 3_000_000.0
    bowtie = Polygon([(x, y), (x + 1000, y + 1000), (x + 1000, y), (x, y + 1000)])
    path = _saved(tmp_path, _set_unit_geometry(bowtie))
    result = _open_unchanged(path)
    assert any("repaired" in w and "00001" in w for w in result.warnings)
    g = result.project.units.geometry[1]
    assert g.is_valid and g.area > 0


def test_unreadable_geometry(tmp_path: Path) -> None:
    path = _saved(tmp_path, _set_unit_geometry(b"GP\x00\x01\x00\x00\x00\x00garbage"))
    with pytest.raises(BadGeometryError, match="00001"):
        _open_unchanged(path)


def test_missing_unit_geometry_is_a_warning(tmp_path: Path) -> None:
    path = _saved(tmp_path, _set_unit_geometry(None))
    result = _open_unchanged(path)
    assert any("no geometry" in w and "00001" in w for w in result.warnings)


def test_dangling_references_are_skipped_with_warnings(tmp_path: Path) -> None:
    def edit(c: sqlite3.Connection) -> None:
        c.execute("UPDATE assignments SET unit_uuid = 'nope' WHERE fid = 1")
        c.execute("UPDATE territories SET colour = 'red' WHERE fid = 1")
        c.execute("UPDATE units SET population = 'many' WHERE fid = 1")

    result = _open_unchanged(_saved(tmp_path, edit))
    text = " | ".join(result.warnings)
    assert "1 assignments" in text and "invalid colour" in text and "not numbers" in text
