"""Project files round-trip exactly and are valid, single-file GeoPackages."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import shapely
from shapely.geometry import MultiPolygon, box

from terradesk.io.gpkg import FileIdentity, open_project, save_project
from terradesk.model import Alignment, Owner, Project, ProjectMeta, Territory
from tests.factories import grid_project

SYSTEM_PYTHON = "/usr/bin/python3"
_VALIDATE = """
import sys
from osgeo_utils.samples import validate_gpkg
bad = 0
for f in sys.argv[1:]:
    try:
        errors = validate_gpkg.check(f, abort_at_first_error=False, warning_msg=True, warning_as_error=True)
    except Exception as exc:
        errors = [str(exc)]
    if errors:
        print(f, errors); bad = 1
sys.exit(bad)
"""


def _has_validator() -> bool:
    if not os.path.exists(SYSTEM_PYTHON):
        return False
    r = subprocess.run([SYSTEM_PYTHON, "-c", "import osgeo_utils.samples.validate_gpkg"], capture_output=True)
    return r.returncode == 0


HAS_VALIDATOR = _has_validator()


def validate(*paths: str | os.PathLike[str]) -> None:
    """GDAL's validate_gpkg (warnings as errors) on each file; skipped when GDAL is absent."""
    if not HAS_VALIDATOR:
        return
    r = subprocess.run([SYSTEM_PYTHON, "-c", _VALIDATE, *map(os.fspath, paths)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr


def roundtrip(project: Project, path: Path) -> Project:
    save_project(project, path)
    validate(path)
    result = open_project(path)
    assert result.warnings == []
    return result.project


def free_form_project() -> Project:
    """Units plus a free-form alignment whose territories are drawn shapes (or none yet)."""
    p = grid_project(accounts=5)
    al = Alignment("Drawn", kind="freeform")
    p.insert_alignment(al)
    al.insert_territory(Territory("Box", colour="#ff0000", geometry=box(4e6, 3e6, 4.002e6, 3.002e6)))
    al.insert_territory(Territory("Two", colour="#00ff00", geometry=MultiPolygon([box(4e6, 3e6, 4.001e6, 3.001e6),
                                                                              box(4.003e6, 3e6, 4.004e6, 3.001e6)])))
    al.insert_territory(Territory("One-part multi", geometry=MultiPolygon([box(4e6, 3e6, 4.001e6, 3.001e6)])))
    al.insert_territory(Territory("Not drawn yet"))
    return p


def test_grid_project_round_trips_exactly(tmp_path: Path) -> None:
    p = grid_project(accounts=30)
    al = p.active_alignment
    assert al is not None
    first = next(iter(al.territories))
    al.pins[p.accounts.ids[0]] = first
    al.assignment[:3] = -1  # unassigned units have no row
    q = roundtrip(p, tmp_path / "grid.gpkg")
    assert q.state() == p.state()
    assert list(q.units.fields) == list(p.units.fields)
    assert q.active_alignment_id == p.active_alignment_id


def test_free_form_shapes_keep_their_exact_type(tmp_path: Path) -> None:
    p = free_form_project()
    q = roundtrip(p, tmp_path / "free.gpkg")
    assert q.state() == p.state()
    drawn = q.alignment_by_name("Drawn")
    assert drawn is not None
    kinds = [None if t.geometry is None else t.geometry.geom_type for t in drawn]
    assert kinds == ["Polygon", "MultiPolygon", "MultiPolygon", None]


def test_empty_project_round_trips(tmp_path: Path) -> None:
    p = Project(ProjectMeta(name="Empty", crs="EPSG:4326"))
    q = roundtrip(p, tmp_path / "empty.gpkg")
    assert q.state() == p.state()
    assert len(q.units) == 0 and len(q.accounts) == 0 and q.alignments == {}


def test_nan_nulls_unplaced_accounts_and_non_ascii(tmp_path: Path) -> None:
    p = grid_project(accounts=4)
    p.meta.name = "東京都 – Łódź"
    p.units.names[0] = "Łódź"
    p.units.names[1] = "東京都"
    p.units.fields["population"][2] = np.nan
    p.accounts.x[1] = np.nan
    p.accounts.y[1] = np.nan
    p.accounts.add_field("note", np.array(["ok", None, "Zürich", ""], dtype=object))
    p.accounts.fields["revenue"][3] = np.nan
    p.owners[next(iter(p.owners))].home = (4_000_500.0, 3_000_500.0)
    nomad = Owner("Nomad", role="support", home=None, capacity=None, email="n@example.org")
    p.owners[nomad.id] = nomad
    q = roundtrip(p, tmp_path / "nulls.gpkg")
    assert q.state() == p.state()
    assert np.isnan(q.accounts.x[1]) and q.accounts.fields["note"][1] is None
    assert q.owners[nomad.id].home is None and q.owners[nomad.id].capacity is None


def test_awkward_field_names_are_quoted_not_formatted(tmp_path: Path) -> None:
    p = grid_project(accounts=3)
    n = len(p.units)
    for name in ['select', 'a"b', "Name", "fid", "GEOM", "uuid", "drop table units;--", "x y", "Name_1"]:
        p.units.add_field(name, np.arange(n, dtype=float))
    p.accounts.add_field("order", np.array(["a", "b", "c"], dtype=object))
    q = roundtrip(p, tmp_path / "names.gpkg")
    assert q.state() == p.state()
    assert list(q.units.fields) == list(p.units.fields)


def test_custom_crs_gets_a_custom_srs_id(tmp_path: Path) -> None:
    p = grid_project()
    p.meta.crs = "+proj=laea +lat_0=52 +lon_0=10 +x_0=4321000 +y_0=3210000 +ellps=GRS80 +units=m +no_defs"
    q = roundtrip(p, tmp_path / "custom.gpkg")
    assert q.state() == p.state()
    with sqlite3.connect(tmp_path / "custom.gpkg") as c:
        rows = c.execute("SELECT srs_id, organization FROM gpkg_spatial_ref_sys WHERE srs_id >= 100000").fetchall()
        assert rows == [(100000, "NONE")]
        assert c.execute("SELECT DISTINCT srs_id FROM gpkg_geometry_columns").fetchall() == [(100000,)]


def test_file_structure_is_a_single_file_geopackage(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    p = grid_project(accounts=10)
    ident = save_project(p, path)
    assert isinstance(ident, FileIdentity) and ident.revision_id == p.meta.revision_id
    assert ident.size == path.stat().st_size
    open_project(path)
    assert sorted(os.listdir(tmp_path)) == ["p.gpkg"]  # no -journal/-wal/-shm, no temp file
    raw = path.read_bytes()
    assert raw[68:72] == b"GPKG" and int.from_bytes(raw[60:64], "big") in (10300, 10400)
    assert raw[18:20] == b"\x01\x01"  # rollback journal, never WAL
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
        assert c.execute("PRAGMA freelist_count").fetchone()[0] == 0
        contents = dict(c.execute("SELECT table_name, data_type FROM gpkg_contents").fetchall())
        assert contents["units"] == "features" and contents["assignments"] == "attributes"
        ext = c.execute("SELECT min_x, min_y, max_x, max_y FROM gpkg_contents WHERE table_name='units'").fetchone()
        assert ext == tuple(shapely.total_bounds(p.units.geometry))
        for table in ("units", "territories", "accounts"):
            assert c.execute(f"SELECT rtreecheck('rtree_{table}_geom')").fetchone()[0] == "ok"
        n = c.execute("SELECT count(*) FROM rtree_units_geom WHERE minx <= 4000500 AND maxx >= 4000500 "
                      "AND miny <= 3000500 AND maxy >= 3000500").fetchone()[0]
        assert n == 1
        assert c.execute("SELECT count(*) FROM assignments").fetchone()[0] == len(p.units)
        layout = json.loads(c.execute("SELECT file_layout FROM terradesk_project").fetchone()[0])
        assert [f[0] for f in layout["fields"]["units"]] == ["population", "potential"]
        styles = c.execute("SELECT f_table_name, useAsDefault FROM layer_styles ORDER BY f_table_name").fetchall()
        assert styles == [("accounts", 1), ("owners", 1), ("territories", 1), ("units", 1)]


def test_deleted_data_does_not_linger(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    p = grid_project()
    p.units.names[0] = "SECRET-PLACE-NAME"
    save_project(p, path, keep_backup=False)
    p.units.names[0] = "Harmless"
    save_project(p, path, keep_backup=False)
    assert b"SECRET-PLACE-NAME" not in path.read_bytes()


def test_territory_shapes_are_reused_after_open(tmp_path: Path) -> None:
    p = grid_project()
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    q = open_project(path).project
    al = q.active_alignment
    assert al is not None and set(al.geometry_cache) == set(al.territories)
    for tid, shape in al.geometry_cache.items():
        expected = shapely.union_all(q.units.geometry[al.units_of(tid)])
        assert shape.symmetric_difference(expected).area < 1e-6


def test_stale_territory_shapes_are_not_reused(tmp_path: Path) -> None:
    path = tmp_path / "p.gpkg"
    save_project(grid_project(), path)
    with sqlite3.connect(path) as c:  # another program reassigns a unit
        c.execute("UPDATE assignments SET territory_uuid = (SELECT territory_uuid FROM assignments WHERE fid = "
                  "(SELECT max(fid) FROM assignments)) WHERE fid = 1")
    al = open_project(path).project.active_alignment
    assert al is not None and al.geometry_cache == {}
