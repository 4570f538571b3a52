"""File > Import units dialog: preview, field choices, CRS when missing, worker-thread read."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

from terradesk.ui.window.import_units import SAME_AS_CODE, ImportUnitsDialog

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def square(x: float, y: float, d: float = 0.1) -> list[list[list[float]]]:
    return [[[x, y], [x + d, y], [x + d, y + d], [x, y + d], [x, y]]]


@pytest.fixture
def geojson(tmp_path: Path) -> Path:
    rows = [("01067", "Dresden"), ("01069", "Dresden Süd"), ("01097", "大阪"), ("01099", "Kraków"),
            ("01108", "Søborg"), ("01069", "Doppelt")]  # the duplicate lies beyond the previewed rows
    feats = [{"type": "Feature", "properties": {"plz": plz, "name": name, "pop": 100 * (i + 1), "area_note": "x"},
              "geometry": {"type": "Polygon", "coordinates": square(13 + i * 0.1, 51)}}
             for i, (plz, name) in enumerate(rows)]
    path = tmp_path / "plz.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def boxes(monkeypatch):
    shown: list[tuple[str, str]] = []
    for kind in ("information", "warning"):
        monkeypatch.setattr(QMessageBox, kind, lambda _p, _t, text, *a, k=kind: shown.append((k, text)))
    return shown


def test_preview_guesses_fields_and_import_reports_rejections(qtbot, geojson, boxes):
    dlg = ImportUnitsDialog(path=str(geojson))
    qtbot.addWidget(dlg)
    assert dlg.code.currentText() == "plz" and dlg.name.currentText() == "name"
    assert "GeoJSON" in dlg.about.text() and "6 features" in dlg.about.text()
    rows = {dlg.fields.item(r, 1).text(): dlg.fields.item(r, 0) for r in range(dlg.fields.rowCount())}
    assert rows["pop"].checkState() == Qt.CheckState.Checked
    assert not rows["area_note"].flags() & Qt.ItemFlag.ItemIsUserCheckable  # text: cannot be a metric
    assert dlg.kept_fields() == ["pop"]
    dlg.run_import()
    assert dlg.imported is not None and dlg.result() == 1
    units = dlg.imported.units
    assert list(units.codes) == ["01067", "01069", "01097", "01099", "01108"]
    assert list(units.names)[2:4] == ["大阪", "Kraków"]
    assert list(units.column("pop")) == [100, 200, 300, 400, 500]
    kind, text = boxes[-1]
    assert kind == "information" and "duplicate code" in text


def test_name_field_can_be_the_code_and_metrics_unticked(qtbot, geojson, boxes):
    dlg = ImportUnitsDialog(path=str(geojson))
    qtbot.addWidget(dlg)
    dlg.name.setCurrentText(SAME_AS_CODE)
    for r in range(dlg.fields.rowCount()):
        if dlg.fields.item(r, 1).text() == "pop":
            dlg.fields.item(r, 0).setCheckState(Qt.CheckState.Unchecked)
    dlg.run_import()
    assert dlg.imported is not None
    assert list(dlg.imported.units.names) == list(dlg.imported.units.codes)
    assert "pop" not in dlg.imported.units.fields


def test_a_file_without_crs_asks_for_one(qtbot, tmp_path, boxes):
    path = tmp_path / "units.csv"
    path.write_text('code,name,WKT\nA1,Alpha,"POLYGON((0 0,1000 0,1000 1000,0 1000,0 0))"\n'
                    'A2,Beta,"POLYGON((1000 0,2000 0,2000 1000,1000 1000,1000 0))"\n', encoding="utf-8")
    dlg = ImportUnitsDialog(path=str(path))
    qtbot.addWidget(dlg)
    assert "no CRS" in dlg.about.text()
    dlg.run_import()
    assert dlg.imported is None and boxes[-1][0] == "warning" and "CRS" in boxes[-1][1]
    dlg.crs.setText("EPSG:3035")
    dlg.run_import()
    assert dlg.imported is not None and len(dlg.imported.units) == 2
    assert dlg.imported.crs.upper().startswith("EPSG:3035")


def test_unreadable_file_is_explained_and_import_disabled(qtbot, tmp_path):
    dlg = ImportUnitsDialog(path=str(tmp_path / "missing.gpkg"))
    qtbot.addWidget(dlg)
    assert "does not exist" in dlg.about.text()
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
