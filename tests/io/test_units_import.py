"""Importing base geography: every format, every rejection reason, CRS handling, non-ASCII."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon, box

from terradesk.io.errors import ExitCode, FileMissingError, ImportSourceError
from terradesk.io.units_import import ImportCRSError, inspect_source, read_units, suggest_project_crs

LIBPYSAL = Path(pytest.importorskip("libpysal").__file__).parent / "examples"

CODES = ["01067", "80331", "東京-100", "Zürich-8001", "75001"]
NAMES = ["Dresden Süd", "München", "千代田区", "Zürich Kreis 1", "Paris Île-de-la-Cité"]


def lonlat_cells(n: int = 5) -> np.ndarray:
    """Adjacent 0.1-degree squares in a row near Kassel (lon/lat)."""
    return np.array([box(9.0 + 0.1 * i, 51.0, 9.1 + 0.1 * i, 51.1) for i in range(n)], dtype=object)


def write_layer(path: Path, geoms: np.ndarray, codes=CODES, names=NAMES, driver: str = "GPKG",
                crs: str | None = "EPSG:4326", layer: str | None = None, geometry_type: str = "Polygon",
                **extra: np.ndarray) -> Path:
    import warnings

    n = len(geoms)
    fields = {"plz": np.array(codes[:n], dtype=object), "name": np.array(names[:n], dtype=object),
              "population": np.arange(1, n + 1) * 1000, **extra}
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "'crs' was not provided", UserWarning)  # on purpose when crs=None
        pyogrio.raw.write(
            str(path), shapely.to_wkb(geoms), list(fields.values()), list(fields), driver=driver,
            geometry_type=geometry_type, crs=crs, layer=layer,
            encoding="UTF-8" if driver == "ESRI Shapefile" else None,
        )
    return path


def write_csv(path: Path, wkts: list[str | None], codes=CODES, names=NAMES, delimiter: str = ",") -> Path:
    lines = [delimiter.join(["plz", "name", "WKT", "population"])]
    for i, w in enumerate(wkts):
        lines.append(delimiter.join([codes[i], names[i], f'"{w or ""}"', str((i + 1) * 1000)]))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_topojson(path: Path) -> Path:
    """Two squares sharing an arc, the way TopoJSON stores a coverage."""
    topo = {
        "type": "Topology",
        "objects": {"postcodes": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0, 1]], "properties": {"plz": "01067", "name": "Dresden Süd"}},
            {"type": "Polygon", "arcs": [[2, -1]], "properties": {"plz": "80331", "name": "München"}},
        ]}},
        "arcs": [
            [[9.1, 51.0], [9.1, 51.1]],
            [[9.1, 51.1], [9.0, 51.1], [9.0, 51.0], [9.1, 51.0]],
            [[9.1, 51.0], [9.2, 51.0], [9.2, 51.1], [9.1, 51.1]],
        ],
    }
    path.write_text(json.dumps(topo, ensure_ascii=False), encoding="utf-8")
    return path


def check_units(result, n: int = 5) -> None:
    units = result.units
    assert len(units) == n
    # FlatGeobuf stores features in spatial-index order: compare by code, not position
    got = {c: (name, pop) for c, name, pop in zip(units.codes, units.names, units.column("population"), strict=True)}
    assert got == {CODES[i]: (NAMES[i], (i + 1) * 1000.0) for i in range(n)}
    assert shapely.is_valid(units.geometry).all()
    assert result.report.rejected == [] and result.report.repaired == []


@pytest.mark.parametrize(
    ("suffix", "driver"),
    [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile"), (".geojson", "GeoJSON"), (".fgb", "FlatGeobuf")],
)
def test_every_gdal_format_reads_codes_names_and_metrics(tmp_path, suffix, driver):
    path = write_layer(tmp_path / f"plz{suffix}", lonlat_cells(), driver=driver)
    result = read_units(path)
    check_units(result)
    assert result.crs == "EPSG:4326"
    assert result.report.code_field == "plz" and result.report.name_field == "name"


def test_kml_is_read_in_wgs84_with_its_name_field(tmp_path):
    path = write_layer(tmp_path / "plz.kml", lonlat_cells(), driver="KML", crs="EPSG:4326")
    result = read_units(path)  # KML's own Name field holds the names
    assert result.report.code_field == "plz" and result.report.name_field == "Name"
    check_units(result)
    assert result.crs == "EPSG:4326"


def test_topojson_coverage_is_read(tmp_path):
    result = read_units(write_topojson(tmp_path / "plz.topojson"))
    assert list(result.units.codes) == CODES[:2] and list(result.units.names) == NAMES[:2]
    assert shapely.area(result.units.geometry) == pytest.approx([0.01, 0.01])


def test_zipped_shapefile_is_read_without_unzipping(tmp_path):
    folder = tmp_path / "shp"
    folder.mkdir()
    write_layer(folder / "plz.shp", lonlat_cells(), driver="ESRI Shapefile")
    archive = tmp_path / "plz.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for part in folder.iterdir():
            zf.write(part, f"data/{part.name}")
    check_units(read_units(archive))
    assert inspect_source(archive).driver == "ESRI Shapefile"


def test_zip_without_vector_data_is_refused(tmp_path):
    archive = tmp_path / "notes.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("readme.txt", "nothing here")
    with pytest.raises(ImportSourceError, match="holds no shapefile"):
        read_units(archive)


def test_csv_with_wkt_column_needs_a_crs_and_keeps_leading_zeros(tmp_path):
    path = write_csv(tmp_path / "plz.csv", [g.wkt for g in lonlat_cells()], delimiter=";")
    with pytest.raises(ImportSourceError, match="--crs") as err:
        read_units(path)
    assert err.value.exit_code == ExitCode.BAD_INPUT
    result = read_units(path, crs="EPSG:4326")
    check_units(result)
    assert result.units.codes[0] == "01067"  # not the number 1067
    info = inspect_source(path)
    assert info.wkt_column == "WKT" and "WKT" not in info.field_names()
    assert info.geometry_type == "Polygon"


def test_csv_rows_with_broken_wkt_are_reported_as_unreadable(tmp_path):
    wkts: list[str | None] = [g.wkt for g in lonlat_cells()]
    wkts[1] = "POLYGON ((9.1 51, 9.2 51, 9.2 51.1"
    wkts[3] = None
    result = read_units(write_csv(tmp_path / "plz.csv", wkts), crs="EPSG:4326")
    assert [(r.row, r.code, r.reason) for r in result.report.rejected] == [
        (2, "80331", "unreadable geometry"), (4, "Zürich-8001", "no geometry"),
    ]
    assert len(result.units) == 3


def test_missing_crs_is_refused_with_a_clear_message_and_can_be_given(tmp_path):
    path = write_layer(tmp_path / "plz.shp", lonlat_cells(), driver="ESRI Shapefile", crs=None)
    with pytest.raises(ImportSourceError, match=r"does not say which coordinate reference system.*--crs"):
        read_units(path)
    assert read_units(path, crs="EPSG:4326").crs == "EPSG:4326"
    with pytest.raises(ImportCRSError) as err:
        read_units(path, crs="EPSG:999999")
    assert err.value.exit_code == ExitCode.UNKNOWN_CRS


def test_reprojects_to_the_target_crs(tmp_path):
    path = write_layer(tmp_path / "plz.gpkg", lonlat_cells())
    result = read_units(path, target_crs="EPSG:3035")
    assert result.crs == "EPSG:3035"
    area = shapely.area(result.units.geometry)
    assert np.allclose(area, area[0], rtol=1e-3) and 7.0e7 < area[0] < 8.0e7  # 0.1 deg squares at 51 N
    assert "Reprojected from EPSG:4326 to EPSG:3035" in result.summary()


def test_every_rejection_reason_is_reported_with_row_and_code(tmp_path):
    bowtie = Polygon([(9.0, 51.0), (9.1, 51.1), (9.1, 51.0), (9.0, 51.1), (9.0, 51.0)])  # repairable
    flat = Polygon([(9.0, 51.0), (9.1, 51.0), (9.2, 51.0), (9.0, 51.0)])  # no area left
    geoms = np.array([
        box(9.0, 51.0, 9.1, 51.1),            # 1 fine
        None,                                 # 2 no geometry
        Polygon(),                            # 3 empty
        Point(9.0, 51.0),                     # 4 not a polygon
        LineString([(9, 51), (9.1, 51)]),     # 5 not a polygon
        bowtie,                               # 6 repaired
        flat,                                 # 7 invalid, nothing left
        box(9.2, 51.0, 9.3, 51.1),            # 8 duplicate of row 1's code
        box(9.3, 51.0, 9.4, 51.1),            # 9 no code
    ], dtype=object)
    codes = ["A1", "A2", "A3", "A4", "A5", "A6", "A7", "A1", ""]
    names = [f"Unit {c}" for c in codes]
    path = write_layer(tmp_path / "mixed.gpkg", geoms, codes=codes, names=names, geometry_type="Unknown")
    result = read_units(path, code_field="plz")
    got = {(r.row, r.code): r.reason for r in result.report.rejected}
    assert got == {
        (2, "A2"): "no geometry",
        (3, "A3"): "empty geometry",
        (4, "A4"): "not a polygon (Point)",
        (5, "A5"): "not a polygon (LineString)",
        (7, "A7"): got[(7, "A7")],
        (8, "A1"): "duplicate code (first at row 1)",
        (9, None): "no code",
    }
    assert got[(7, "A7")].startswith("invalid geometry with no area left after repair")
    assert [(r.row, r.code) for r in result.report.repaired] == [(6, "A6")]
    assert result.report.repaired[0].reason.startswith("invalid geometry repaired (Self-intersection")
    assert list(result.units.codes) == ["A1", "A6"]
    assert shapely.is_valid(result.units.geometry).all()
    assert result.units.geometry[1].area == pytest.approx(0.005)
    text = result.summary()
    assert "Read 9 features" in text and "2 units imported" in text and "1 repaired" in text
    assert "7 rejected" in text and "2 not a polygon" in text and "1 duplicate code" in text


def test_geometry_collections_keep_their_polygon_part(tmp_path):
    mixed = shapely.GeometryCollection([box(9.0, 51.0, 9.1, 51.1), Point(9.5, 51.5)])
    geoms = np.array([mixed, box(9.1, 51.0, 9.2, 51.1)], dtype=object)
    result = read_units(write_layer(tmp_path / "gc.geojson", geoms, driver="GeoJSON", geometry_type="Unknown"))
    assert len(result.units) == 2
    assert result.report.repaired[0].reason == "kept the polygon parts of a geometry collection"
    assert result.units.geometry[0].geom_type == "Polygon"


def test_code_field_is_guessed_and_errors_name_the_fields(tmp_path):
    geoms = lonlat_cells(3)
    path = tmp_path / "guess.gpkg"
    pyogrio.raw.write(
        str(path), shapely.to_wkb(geoms),
        [np.array(["x", "x", "y"], dtype=object), np.array(["10115", "10117", "10119"], dtype=object),
         np.array(["Mitte", "Tiergarten", "Prenzlauer Berg"], dtype=object)],
        ["kind", "Postleitzahl", "Ortsname"], driver="GPKG", geometry_type="Polygon", crs="EPSG:4326",
    )
    result = read_units(path)
    assert result.report.code_field == "Postleitzahl"
    assert list(result.units.codes) == ["10115", "10117", "10119"]
    with pytest.raises(ImportSourceError, match=r"no field 'PLZ'.*kind, Postleitzahl, Ortsname"):
        read_units(path, code_field="PLZ")
    with pytest.raises(ImportSourceError, match="no field 'pop' to keep"):
        read_units(path, keep_fields=["pop"])


def test_no_unique_field_asks_for_code_field(tmp_path):
    geoms = lonlat_cells(2)
    path = tmp_path / "nocode.gpkg"
    pyogrio.raw.write(str(path), shapely.to_wkb(geoms), [np.array(["a", "a"], dtype=object)], ["kind"],
                      driver="GPKG", geometry_type="Polygon", crs="EPSG:4326")
    with pytest.raises(ImportSourceError, match="--code-field"):
        read_units(path)


def test_inspect_source_previews_layers_fields_and_crs(tmp_path):
    path = write_layer(tmp_path / "two.gpkg", lonlat_cells(), layer="postcodes")
    write_layer(path, lonlat_cells(2), layer="districts")
    with pytest.raises(ImportSourceError, match=r"2 layers .*--layer"):
        read_units(path)
    info = inspect_source(path, layer="postcodes")
    assert set(info.layers) == {"postcodes", "districts"}
    assert info.feature_count == 5 and info.crs == "EPSG:4326" and info.geometry_type == "Polygon"
    fields = {f.name: f for f in info.fields}
    assert fields["plz"].samples[:2] == ("01067", "80331") and fields["population"].is_numeric
    assert len(read_units(path, layer="districts").units) == 2
    with pytest.raises(ImportSourceError, match="no layer 'lakes'"):
        inspect_source(path, layer="lakes")


def test_missing_and_unreadable_sources(tmp_path):
    with pytest.raises(FileMissingError):
        read_units(tmp_path / "nope.gpkg")
    junk = tmp_path / "junk.geojson"
    junk.write_text("this is not json", encoding="utf-8")
    with pytest.raises(ImportSourceError, match="cannot be read"):
        read_units(junk)


def test_real_counties_from_libpysal_reproject_and_keep_fips_codes():
    result = read_units(LIBPYSAL / "virginia" / "vautm17n.shp", code_field="FIPS", target_crs="EPSG:4326")
    units = result.units
    assert len(units) == 136 and result.report.rejected == []
    assert "51069" in set(units.codes) and "Frederick" in set(units.names)
    lon_min, lat_min, lon_max, lat_max = shapely.total_bounds(units.geometry)
    assert -84 < lon_min < lon_max < -75 and 36 < lat_min < lat_max < 40  # Virginia


def test_real_states_without_prj_need_crs_and_get_an_equal_area_project_crs():
    path = LIBPYSAL / "us_income" / "us48.shp"
    with pytest.raises(ImportSourceError, match="--crs"):
        read_units(path)
    result = read_units(path, crs="EPSG:4326")
    assert len(result.units) == 48 and result.report.name_field == "STATE_NAME"
    assert "Lambert Azimuthal Equal Area" in suggest_project_crs(result)


def test_non_ascii_codes_and_names_survive_a_project_save(tmp_path):
    gpkg = pytest.importorskip("terradesk.io.gpkg")
    if not hasattr(gpkg, "save_project") or not hasattr(gpkg, "open_project"):
        pytest.skip("project files not available yet")
    from terradesk.edit import History
    from terradesk.edit.units import replace_units
    from terradesk.model import Project, ProjectMeta

    result = read_units(write_layer(tmp_path / "plz.gpkg", lonlat_cells()), target_crs="EPSG:3035")
    project = Project(ProjectMeta(name="Ünïcode 東京", crs="EPSG:3035"))
    History(project).push(replace_units(project, result.units))
    gpkg.save_project(project, tmp_path / "project.gpkg")
    back = gpkg.open_project(tmp_path / "project.gpkg")
    back = getattr(back, "project", back)
    assert list(back.units.codes) == CODES and list(back.units.names) == NAMES
