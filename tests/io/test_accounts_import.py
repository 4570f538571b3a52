"""Accounts import: the CSV dialects planners really get, and point layers in other CRSs."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pyogrio
import pytest
import shapely

from terradesk.edit import History, add_accounts
from terradesk.geo.crs import transform_points
from terradesk.io.accounts_import import CsvOptions, read_accounts
from terradesk.io.errors import ExitCode, FileMissingError, ImportSourceError
from tests.factories import grid_project

# the grid covers x 4,000,000..4,006,000 / y 3,000,000..3,004,000 in EPSG:3035
LON, LAT = transform_points([4_000_500.0, 4_005_500.0], [3_000_500.0, 3_003_500.0], "EPSG:3035", "EPSG:4326")


def write(tmp_path: Path, text: str, encoding: str = "utf-8", name: str = "a.csv") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def plain_csv(delim: str = ",", comma: bool = False) -> str:
    def num(v: float) -> str:
        s = f"{v:.7f}"
        return s.replace(".", ",") if comma else s

    return (f"id{delim}name{delim}lat{delim}lon{delim}revenue\n"
            f"A1{delim}Alpha{delim}{num(LAT[0])}{delim}{num(LON[0])}{delim}{num(1234.5)}\n"
            f"A2{delim}Beta{delim}{num(LAT[1])}{delim}{num(LON[1])}{delim}{num(10)}\n")


def check_two_placed(result, project) -> None:  # type: ignore[no-untyped-def]
    assert result.read == 2 and result.unplaced == []
    np.testing.assert_allclose(result.rows.x, [4_000_500.0, 4_005_500.0], atol=1e-3)  # back in EPSG:3035
    np.testing.assert_allclose(result.rows.y, [3_000_500.0, 3_003_500.0], atol=1e-3)
    assert list(result.rows.names) == ["Alpha", "Beta"]
    assert list(result.rows.fields["account_id"]) == ["A1", "A2"]
    np.testing.assert_allclose(result.rows.fields["revenue"], [1234.5, 10.0])


def test_plain_utf8_commas(tmp_path: Path) -> None:
    project = grid_project()
    result = read_accounts(write(tmp_path, plain_csv()), project=project)
    check_two_placed(result, project)
    assert (result.options.delimiter, result.options.lat, result.options.lon) == (",", "lat", "lon")


def test_excel_utf8_bom_with_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    project = grid_project()
    result = read_accounts(write(tmp_path, plain_csv(";", comma=True), "utf-8-sig"), project=project)
    check_two_placed(result, project)
    assert result.options.encoding == "utf-8-sig"
    assert result.options.delimiter == ";" and result.options.decimal_comma


def test_excel_cp1252_export_with_umlauts_and_tabs(tmp_path: Path) -> None:
    text = plain_csv("\t", comma=True).replace("Alpha", "Müller & Söhne").replace("lat", "Breitengrad")
    result = read_accounts(write(tmp_path, text.replace("lon", "Längengrad"), "cp1252"), project=grid_project())
    assert result.options.encoding == "cp1252" and result.options.delimiter == "\t"
    assert result.rows.names[0] == "Müller & Söhne"
    assert result.unplaced == []


def test_quoted_newlines_and_row_numbers(tmp_path: Path) -> None:
    text = ('id,name,lat,lon\n'
            f'A1,"Alpha\nSecond line",{LAT[0]},{LON[0]}\n'
            'A2,"Beta, Inc.",,\n')
    result = read_accounts(write(tmp_path, text), project=grid_project())
    assert result.rows.names[0] == "Alpha\nSecond line"
    assert result.rows.names[1] == "Beta, Inc."
    assert result.unplaced == [(3, "no coordinates")]  # spreadsheet row 3 (the header is row 1)


def test_empty_and_out_of_range_coordinates_are_kept_unplaced(tmp_path: Path) -> None:
    text = ("id,lat,lon,visits\n"
            f"A,{LAT[0]},{LON[0]},3\n"
            "B,,,4\n"
            "C,95.5,10,5\n"
            "D,45,-200,6\n"
            "E,north,east,7\n")
    result = read_accounts(write(tmp_path, text), project=grid_project())
    reasons = dict(result.unplaced)
    assert reasons == {3: "no coordinates", 4: "latitude 95.5 is outside -90..90",
                       5: "longitude -200 is outside -180..180", 6: "coordinates are not numbers ('north', 'east')"}
    rows = result.rows
    assert len(rows) == 5  # never dropped
    assert np.isnan(rows.x[1:]).all() and np.isfinite(rows.x[0])
    assert list(rows.fields["unplaced_reason"])[:3] == ["", "no coordinates", "latitude 95.5 is outside -90..90"]
    np.testing.assert_allclose(rows.fields["visits"], [3, 4, 5, 6, 7])
    assert result.placed == 1


def test_duplicate_ids_are_renamed_or_rejected(tmp_path: Path) -> None:
    text = "id,lat,lon\nA,1,1\nA,1,1\nB,1,1\nA,1,1\n"
    p = write(tmp_path, text)
    result = read_accounts(p, project=grid_project())
    assert list(result.rows.fields["account_id"]) == ["A", "A-2", "B", "A-3"]
    assert any("2 duplicate account id(s)" in w and "'A' (row 3)" in w for w in result.warnings)
    assert len(set(result.rows.ids)) == 4
    with pytest.raises(ImportSourceError, match=r"2 duplicate account id\(s\), e.g. 'A' on rows 2 and 3") as info:
        read_accounts(p, project=grid_project(), options=CsvOptions(duplicate_ids="reject"))
    assert info.value.exit_code == ExitCode.BAD_INPUT


def test_postal_code_places_rows_without_coordinates(tmp_path: Path) -> None:
    project = grid_project()
    text = "Kunde;PLZ;Breite;Länge\nK1;00007;;\nK2;99999;;\nK3;;;\n"
    result = read_accounts(write(tmp_path, text), project=project, options=CsvOptions(id_field="Kunde"))
    assert result.placed_by_postal == 1
    assert result.unplaced == [(3, "no coordinates; postal code '99999' matches no unit"), (4, "no coordinates")]
    unit = project.units.geometry[project.units.index_of_code("00007")]
    assert shapely.contains_xy(unit, result.rows.x[0], result.rows.y[0])
    assert list(result.rows.fields["postal_code"]) == ["00007", "99999", None]  # codes stay text


def test_overrides_and_clear_errors(tmp_path: Path) -> None:
    text = "code|label|northing|easting\nX1|One|3000500|4000500\n"
    p = write(tmp_path, text)
    result = read_accounts(p, project=grid_project(), options=CsvOptions(
        delimiter="|", lat="northing", lon="easting", id_field="code", name_field="label", crs="EPSG:3035"))
    assert result.unplaced == [] and result.rows.x[0] == pytest.approx(4_000_500.0)
    with pytest.raises(ImportSourceError, match="has no column 'latitude'"):
        read_accounts(p, project=grid_project(), options=CsvOptions(lat="latitude", lon="easting"))
    with pytest.raises(FileMissingError):
        read_accounts(tmp_path / "nope.csv", project=grid_project())
    with pytest.raises(ImportSourceError, match="is empty"):
        read_accounts(write(tmp_path, "", name="empty.csv"), project=grid_project())


def test_point_layers_are_reprojected(tmp_path: Path) -> None:
    project = grid_project()
    pts = shapely.points(LON, LAT)
    for name, driver in (("p.gpkg", "GPKG"), ("p.geojson", "GeoJSON"), ("p.shp", "ESRI Shapefile")):
        path = tmp_path / name
        pyogrio.raw.write(str(path), shapely.to_wkb(np.append(pts, None)), field_data=[np.array(["a", "b", "c"]),
                          np.array([1.5, 2.0, math.nan])], fields=["id", "revenue"], geometry_type="Point",
                          crs="EPSG:4326", driver=driver)
        result = read_accounts(path, project=project)
        np.testing.assert_allclose(result.rows.x[:2], [4_000_500.0, 4_005_500.0], atol=1e-3)
        assert result.unplaced == [(4, "no coordinates")]
        assert list(result.rows.fields["account_id"]) == ["a", "b", "c"]


def test_adding_is_one_undo_step(tmp_path: Path) -> None:
    project = grid_project()
    result = read_accounts(write(tmp_path, plain_csv()), project=project)
    h = History(project)
    h.push(add_accounts(project, result.rows))
    assert len(project.accounts) == 2 and len(h) == 1
    h.undo()
    assert len(project.accounts) == 0 and "unplaced_reason" not in project.accounts.fields
