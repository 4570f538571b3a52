"""CLI verbs import-units, assign, export-assignments: happy paths and one-line failures."""

from __future__ import annotations

import numpy as np
import pytest
from shapely.geometry import box

from terradesk.cli import main
from terradesk.io.errors import ExitCode
from tests.io.test_units_import import CODES, NAMES, lonlat_cells, write_layer

gpkg = pytest.importorskip("terradesk.io.gpkg")


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def open_project(path):
    return gpkg.open_project(path).project


def test_import_creates_a_project_in_an_equal_area_crs(tmp_path, capsys):
    source = write_layer(tmp_path / "plz.geojson", lonlat_cells(), driver="GeoJSON")
    target = tmp_path / "plan.gpkg"
    code, out, err = run(capsys, "import-units", target, source)
    assert code == ExitCode.OK, err
    assert "Read 5 features from plz.geojson" in out and f"created {target}" in out
    project = open_project(target)
    assert list(project.units.codes) == CODES and list(project.units.names) == NAMES
    assert project.crs.is_projected and "Equal Area" in project.crs.to_wkt().title()
    assert project.units.geometry[0].area == pytest.approx(7.8e7, rel=0.05)


def test_reimport_keeps_assignments_by_code_and_lists_dropped_units(tmp_path, capsys):
    target = tmp_path / "plan.gpkg"
    first = write_layer(tmp_path / "v1.gpkg", lonlat_cells(), crs="EPSG:4326")
    assert run(capsys, "import-units", target, first, "--crs", "EPSG:4326")[0] == ExitCode.OK
    table = tmp_path / "sales.csv"
    table.write_text("code,territory\n01067,Ost\n80331,Süd\n75001,West\n", encoding="utf-8")
    code, out, err = run(capsys, "assign", target, "--table", table)
    assert code == ExitCode.OK, err
    assert "3 units matched to 3 territories" in out and "New territories: Ost, Süd, West" in out
    second = write_layer(tmp_path / "v2.gpkg", lonlat_cells(4)[[1, 0, 2]], codes=["80331", "01067", "東京-100"],
                         names=["München", "Dresden", "千代田区"])
    code, out, err = run(capsys, "import-units", target, second)
    assert code == ExitCode.OK, err
    assert "2 unit(s) no longer in the source were removed (1 of them assigned in some plan)" in err
    project = open_project(target)
    al = project.alignment_by_name("sales")
    assert list(project.units.codes) == ["80331", "01067", "東京-100"]
    assert [al.territory(t).name if t else None for t in al.assignment_by_id()] == ["Süd", "Ost", None]
    out_csv = tmp_path / "out.csv"
    code, out, _ = run(capsys, "export-assignments", target, out_csv, "--alignment", "sales")
    assert code == ExitCode.OK and "wrote" in out
    assert out_csv.read_text(encoding="utf-8").splitlines() == ["code,territory", "80331,Süd", "01067,Ost", "東京-100,"]


def test_assign_reports_unknown_codes_and_strict_refuses(tmp_path, capsys):
    target = tmp_path / "plan.gpkg"
    run(capsys, "import-units", target, write_layer(tmp_path / "v1.gpkg", lonlat_cells()))
    table = tmp_path / "t.csv"
    table.write_text("code,territory\n01067,A\n99999,B\n", encoding="utf-8")
    code, out, err = run(capsys, "assign", target, "--table", table, "--strict")
    assert code == ExitCode.BAD_INPUT and "nothing changed (--strict)" in err and "99999" in out
    assert len(open_project(target).alignments) == 0
    code, out, err = run(capsys, "assign", target, "--table", table, "--alignment", "Plan B")
    assert code == ExitCode.OK and "warning: 1 row(s) of t.csv were not applied" in err
    al = open_project(target).alignment_by_name("Plan B")
    assert [t.name for t in al] == ["A"] and int((al.assignment >= 0).sum()) == 1


@pytest.mark.parametrize(
    ("args", "expected", "message"),
    [
        (["import-units", "{p}", "{d}/missing.gpkg"], ExitCode.NOT_FOUND, "does not exist"),
        (["import-units", "{p}", "{d}/nocrs.shp"], ExitCode.BAD_INPUT, "--crs"),
        (["import-units", "{p}", "{d}/nocrs.shp", "--crs", "EPSG:0"], ExitCode.UNKNOWN_CRS, "not a known"),
        (["import-units", "{p}", "{d}/nocrs.shp", "--crs", "EPSG:4326", "--code-field", "nope"],
         ExitCode.BAD_INPUT, "no field 'nope'"),
        (["import-units", "{p}", "{d}/junk.geojson"], ExitCode.BAD_INPUT, "cannot be read"),
        (["import-units", "{d}/junk.geojson", "{d}/nocrs.shp"], ExitCode.NOT_A_PROJECT, "junk.geojson"),
        (["assign", "{d}/missing.gpkg", "--table", "{d}/t.csv"], ExitCode.NOT_FOUND, "no such file"),
        (["export-assignments", "{p}", "{d}/o.csv", "--alignment", "Nope"], ExitCode.BAD_INPUT, "no alignment named"),
    ],
)
def test_bad_inputs_give_named_codes_and_one_line(tmp_path, capsys, args, expected, message):
    write_layer(tmp_path / "nocrs.shp", lonlat_cells(), driver="ESRI Shapefile", crs=None)
    (tmp_path / "junk.geojson").write_text("not json", encoding="utf-8")
    project = tmp_path / "p.gpkg"
    run(capsys, "import-units", project, write_layer(tmp_path / "ok.gpkg", lonlat_cells()))
    code, _, err = run(capsys, *[a.format(p=project, d=tmp_path) for a in args])
    assert code == expected
    lines = err.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in err


def test_import_with_only_bad_rows_fails_with_bad_data(tmp_path, capsys):
    geoms = np.array([None, box(0, 0, 0, 0)], dtype=object)
    source = write_layer(tmp_path / "bad.gpkg", geoms, codes=["a", "b"], names=["A", "B"], geometry_type="Unknown")
    code, out, err = run(capsys, "import-units", tmp_path / "p.gpkg", source, "--code-field", "plz")
    assert code == ExitCode.BAD_DATA and "no usable units" in err and "2 rejected" in out
    assert not (tmp_path / "p.gpkg").exists()
