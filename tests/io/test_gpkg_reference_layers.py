"""Reference layers travel inside the project file: exact round trip, valid GeoPackage,
visible in QGIS, and tolerant of old or hand-edited files."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely

from terradesk.edit import History, add_reference_layer
from terradesk.io.errors import ImportSourceError
from terradesk.io.gpkg import open_project, save_project
from terradesk.io.reference_import import read_reference_file
from terradesk.model import Project, ReferenceLayer, ReferenceStyle
from tests.factories import grid_project
from tests.io.test_gpkg_qgis import _has_qgis
from tests.io.test_gpkg_roundtrip import SYSTEM_PYTHON, roundtrip, validate

X0, Y0 = 4_000_000.0, 3_000_000.0


def layered_project() -> Project:
    """A grid project with a polygon, a line and a counted point layer (added as commands)."""
    p = grid_project(accounts=5)
    h = History(p)
    counties = ReferenceLayer(
        "Counties", "polygon",
        [shapely.box(X0, Y0, X0 + 2000, Y0 + 2000), shapely.MultiPolygon([shapely.box(X0 + 3000, Y0, X0 + 4000, Y0 + 1000)]),
         None],
        {"population": np.array([1200.0, np.nan, 3.5]), "name": ["Kent", None, 'Quote "and" <tag>'], "fid": ["a", "b", "c"]},
        style=ReferenceStyle("#112233", 0.5, False),
    )
    roads = ReferenceLayer("Roads", "line", [shapely.LineString([(X0, Y0), (X0 + 5000, Y0 + 3000)])])
    sites = ReferenceLayer("Competitor sites", "point",
                           [shapely.Point(X0 + 500, Y0 + 500), None, shapely.Point(X0 + 5500, Y0 + 3500)],
                           {"brand": ["A", "B", "C"]}, counted=True)
    for layer in (counties, roads, sites):
        h.push(add_reference_layer(p, layer))
    return p


def test_reference_layers_round_trip_exactly_and_the_file_is_valid(tmp_path: Path) -> None:
    p = layered_project()
    back = roundtrip(p, tmp_path / "layers.gpkg")  # validate_gpkg (warnings as errors) runs inside
    assert back.state() == p.state()
    assert [r.name for r in back.reference_layers.values()] == ["Counties", "Roads", "Competitor sites"]
    sites = list(back.reference_layers.values())[2]
    assert sites.counted and sites.kind == "point" and sites.geometry[1] is None
    counties = next(iter(back.reference_layers.values()))
    assert counties.style == ReferenceStyle("#112233", 0.5, False)
    assert list(counties.fields) == ["population", "name", "fid"]  # a field named fid survives


def test_each_layer_is_a_registered_feature_table_with_index_and_style(tmp_path: Path) -> None:
    p = layered_project()
    path = tmp_path / "p.gpkg"
    save_project(p, path)
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as c:
        rows = c.execute("SELECT table_name, title, kind, position, counted FROM reference_layers ORDER BY position").fetchall()
        types = dict(c.execute("SELECT table_name, geometry_type_name FROM gpkg_geometry_columns").fetchall())
        styled = {r[0] for r in c.execute("SELECT f_table_name FROM layer_styles WHERE useAsDefault")}
        checks = [c.execute(f"SELECT rtreecheck('rtree_{t}_geom')").fetchone()[0] for t, *_ in rows]
        identifiers = {r[0] for r in c.execute("SELECT identifier FROM gpkg_contents")}
    c.close()
    assert rows == [("ref_counties", "Counties", "polygon", 0, 0), ("ref_roads", "Roads", "line", 1, 0),
                    ("ref_competitor_sites", "Competitor sites", "point", 2, 1)]
    assert types["ref_counties"] == "MULTIPOLYGON" and types["ref_roads"] == "MULTILINESTRING"
    assert types["ref_competitor_sites"] == "POINT"
    assert {"ref_counties", "ref_roads", "ref_competitor_sites"} <= styled
    assert checks == ["ok"] * 3
    assert {"Counties", "Roads", "Competitor sites"} <= identifiers


def test_clashing_titles_get_unique_safe_table_names(tmp_path: Path) -> None:
    p = grid_project()
    h = History(p)
    for title in ("Units", "units", "Road's; DROP TABLE units", "Ünïcödé", "gpkg_contents"):
        h.push(add_reference_layer(p, ReferenceLayer(title, "line", [shapely.LineString([(X0, Y0), (X0 + 1, Y0)])])))
    back = roundtrip(p, tmp_path / "names.gpkg")
    assert back.state() == p.state()
    with sqlite3.connect(f"file:{tmp_path / 'names.gpkg'}?mode=ro", uri=True) as c:
        tables = [r[0] for r in c.execute("SELECT table_name FROM reference_layers ORDER BY position")]
    c.close()
    assert tables == ["ref_units", "ref_units_2", "ref_road_s_drop_table_units", "ref_n_c_d", "ref_gpkg_contents"]


def test_a_file_without_the_reference_tables_opens_with_no_layers(tmp_path: Path) -> None:
    p = grid_project()
    path = tmp_path / "old.gpkg"
    save_project(p, path)
    with sqlite3.connect(path) as c:  # what a file from before reference layers looks like
        c.execute("DROP TABLE reference_layers")
        c.execute("DELETE FROM gpkg_contents WHERE table_name = 'reference_layers'")
    c.close()
    result = open_project(path)
    assert result.warnings == [] and result.project.reference_layers == {}
    assert result.project.state() == p.state()


def test_a_row_pointing_at_a_missing_table_is_skipped_with_a_warning(tmp_path: Path) -> None:
    p = layered_project()
    path = tmp_path / "hostile.gpkg"
    save_project(p, path)
    with sqlite3.connect(path) as c:
        c.execute("UPDATE reference_layers SET table_name = 'ref_gone' WHERE title = 'Roads'")
        c.execute("INSERT INTO reference_layers (uuid, table_name, title, kind) VALUES ('x', 'units', 'Sneaky', 'polygon')")
        c.execute("INSERT INTO reference_layers (uuid, table_name, title, kind, colour, opacity, layout) "
                  "VALUES ('y', 'ref_counties', 'Weird', 'hexagon', '#zzz', 'lots', '{bad json')")
        c.execute("UPDATE reference_layers SET colour = 'red', opacity = 7, layout = '[1' WHERE title = 'Counties'")
    c.close()
    result = open_project(path)
    names = [r.name for r in result.project.reference_layers.values()]
    assert names == ["Counties", "Competitor sites"]
    text = "\n".join(result.warnings)
    assert "'Roads' points at a table the file does not have ('ref_gone')" in text
    assert "'Sneaky' points at a table" in text  # never reads a core table as a layer
    assert "'Weird' has an unknown kind 'hexagon'" in text
    assert "'Counties' had an invalid colour or opacity" in text
    assert "field layout is unreadable" in text
    counties = next(iter(result.project.reference_layers.values()))
    assert counties.style == ReferenceStyle() and len(counties) == 3


def test_reference_files_are_read_into_project_crs_layers(tmp_path: Path) -> None:
    p = grid_project()
    src = tmp_path / "mixed.geojson"
    feats = [
        {"type": "Feature", "properties": {"name": "area", "n": 1},
         "geometry": {"type": "Polygon", "coordinates": [[[10, 50], [10.1, 50], [10.1, 50.1], [10, 50]]]}},
        {"type": "Feature", "properties": {"name": "shops", "n": 2},
         "geometry": {"type": "MultiPoint", "coordinates": [[10, 50], [10.05, 50.05]]}},
    ]
    src.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    layers = read_reference_file(str(src), p)
    assert [(r.name, r.kind, len(r)) for r in layers] == [("mixed (areas)", "polygon", 1), ("mixed (points)", "point", 2)]
    assert layers[1].fields["name"].tolist() == ["shops", "shops"] and layers[1].fields["n"].tolist() == [2.0, 2.0]
    x, _ = layers[1].xy()
    assert 4.0e6 < x[0] < 4.5e6  # EPSG:3035 metres, not degrees
    junk = tmp_path / "junk.geojson"
    junk.write_text("not geojson {")
    with pytest.raises(ImportSourceError, match=r"junk\.geojson"):
        read_reference_file(str(junk), p)
    with pytest.raises(ImportSourceError, match="no such file"):
        read_reference_file(str(tmp_path / "gone.shp"), p)


_PROBE = """
import json, sys
from qgis.core import QgsApplication, QgsVectorLayer
app = QgsApplication([], False)
app.initQgis()
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(sys.argv[1] + "|layername=" + name, name, "ogr")
    r = layer.renderer()
    out[name] = {"valid": layer.isValid(), "count": layer.featureCount(),
                 "colour": r.symbol().color().name() if r is not None and r.type() == "singleSymbol" else None}
print("RESULT" + json.dumps(out))
app.exitQgis()
"""


@pytest.mark.skipif(not _has_qgis(), reason="QGIS (python3-qgis) is not installed")
def test_qgis_sees_the_reference_layers_in_their_colours(tmp_path: Path) -> None:
    p = layered_project()
    path = tmp_path / "q.gpkg"
    save_project(p, path)
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    tables = ["ref_counties", "ref_roads", "ref_competitor_sites"]
    r = subprocess.run([SYSTEM_PYTHON, "-c", _PROBE, str(path), *tables], capture_output=True, text=True, env=env,
                       timeout=120)
    line = next((x for x in r.stdout.splitlines() if x.startswith("RESULT")), None)
    assert line is not None, r.stdout + r.stderr
    out = json.loads(line[len("RESULT"):])
    assert out["ref_counties"] == {"valid": True, "count": 3, "colour": "#112233"}
    assert out["ref_roads"]["valid"] and out["ref_roads"]["count"] == 1
    assert out["ref_competitor_sites"]["count"] == 3


def test_validator_passes_on_a_copy_opened_and_saved_again(tmp_path: Path) -> None:
    p = layered_project()
    first = tmp_path / "a.gpkg"
    save_project(p, first)
    shutil.copy(first, tmp_path / "b.gpkg")
    again = open_project(tmp_path / "b.gpkg").project
    save_project(again, tmp_path / "c.gpkg")
    validate(tmp_path / "c.gpkg")
    assert open_project(tmp_path / "c.gpkg").project.state() == p.state()
