"""File > Import accounts: detection shown, preview, worker read, unplaced rows listed,
and exactly one undo step; a reference point layer instead of accounts."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from terradesk.analysis.point_layers import PointLayer
from terradesk.edit import History
from terradesk.geo.crs import transform_points
from terradesk.ui.dialogs.import_accounts import ImportAccountsDialog
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def _lonlat(x: float, y: float) -> tuple[str, str]:
    lon, lat = transform_points([x], [y], "EPSG:3035", "EPSG:4326")
    return f"{lon[0]:.6f}".replace(".", ","), f"{lat[0]:.6f}".replace(".", ",")


def excel_csv(path: Path) -> Path:
    """What German Excel writes: BOM, semicolons, decimal commas, a quoted newline, gaps."""
    lon1, lat1 = _lonlat(4_000_500, 3_000_500)
    lon2, lat2 = _lonlat(4_005_500, 3_003_500)
    lines = [
        "Kundennummer;Firma;Breite;Länge;PLZ;Umsatz",
        f'A1;"Müller GmbH\nWerk 2";{lat1};{lon1};;1200,50',
        f"A2;Schmidt AG;{lat2};{lon2};;300",
        "A3;Ohne Ort;;;00007;80",          # no coordinates, postal code of unit 7: placed
        "A4;Falscher Ort;;;99999;10",      # postal code matching no unit: unplaced
        "A5;Am Nordpol;95,5;5,5;;1",       # latitude out of range: unplaced
        "A2;Doppelt;;;;2",                 # duplicate id, no coordinates: renamed and unplaced
    ]
    path.write_bytes(b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    return path


@pytest.fixture
def dialog(qtbot):
    project = grid_project()
    history = History(project)
    added: list[PointLayer] = []
    dlg = ImportAccountsDialog(project, history, add_point_layer=added.append)
    qtbot.addWidget(dlg)
    return dlg, project, history, added


def test_detected_settings_are_shown_and_the_preview_keeps_quoted_newlines(dialog, tmp_path):
    dlg, *_ = dialog
    dlg.set_path(str(excel_csv(tmp_path / "kunden.csv")))
    assert dlg.delimiter.itemText(0) == "Auto (Semicolon ;)"
    assert dlg.encoding.itemText(0) == "Auto (utf-8-sig)"
    assert dlg.decimal.itemText(0) == "Auto (comma)"
    assert dlg.column_boxes["lat"].itemText(0) == "Auto (Breite)"
    assert dlg.column_boxes["postal_field"].itemText(0) == "Auto (PLZ)"
    assert dlg.preview.columnCount() == 6 and dlg.preview.rowCount() == 6
    assert dlg.preview.item(0, 1).text() == "Müller GmbH⏎Werk 2"


def test_import_is_one_undo_step_and_lists_every_unplaced_row_with_its_reason(dialog, tmp_path):
    dlg, project, history, _ = dialog
    dlg.set_path(str(excel_csv(tmp_path / "kunden.csv")))
    result = dlg.read()  # the real worker thread
    assert result is not None and result.read == 6
    reasons = [dlg.unplaced.item(i).text() for i in range(dlg.unplaced.count())]
    assert reasons[0].startswith("Row 5: no coordinates; postal code '99999' matches no unit")
    assert reasons[1] == "Row 6: latitude 95.5 is outside -90..90"
    assert reasons[2].startswith("Row 7: no coordinates")
    assert "3 placed (1 by postal code)" in dlg.summary.text().replace(",", "")
    assert "duplicate" in dlg.summary.text()
    before = len(history)
    dlg.commit()
    assert len(history) == before + 1 and "Import 6 accounts" in history.undo_label
    acc = project.accounts
    assert len(acc) == 6  # nothing dropped
    assert list(acc.column("account_id")) == ["A1", "A2", "A3", "A4", "A5", "A2-2"]
    assert acc.names[0] == "Müller GmbH\nWerk 2"
    assert acc.column("Umsatz")[0] == pytest.approx(1200.5)
    assert np.isnan(acc.x[3]) and np.isfinite(acc.x[2])
    history.undo()
    assert len(project.accounts) == 0 and "Umsatz" not in project.accounts.fields


def test_overrides_are_used_and_a_bad_column_is_explained_without_pushing(dialog, tmp_path):
    dlg, _project, history, _ = dialog
    path = tmp_path / "plain.csv"
    path.write_text("code,where_y,where_x\nB1,50.03,5.53\n", encoding="utf-8")
    dlg.set_path(str(path))
    dlg.column_boxes["lat"].setCurrentIndex(dlg.column_boxes["lat"].findData("where_y"))
    dlg.column_boxes["lon"].setCurrentIndex(dlg.column_boxes["lon"].findData("where_x"))
    dlg.column_boxes["id_field"].setCurrentIndex(dlg.column_boxes["id_field"].findData("code"))
    result = dlg.read()
    assert result is not None and result.placed == 1 and result.options.lat == "where_y"
    dlg.delimiter.setCurrentIndex(dlg.delimiter.findData(";"))
    before = len(history)
    assert dlg.read() is None
    assert dlg.summary.text().startswith("Not imported:") and "one column" in dlg.summary.text()
    assert not dlg.buttons.button(dlg.buttons.StandardButton.Ok).isEnabled()
    assert len(history) == before


def test_a_point_layer_is_added_for_counting_not_as_accounts(dialog, tmp_path):
    dlg, project, history, added = dialog
    dlg.set_path(str(excel_csv(tmp_path / "competitors.csv")))
    dlg.as_points.setChecked(True)
    before = len(history)
    dlg.commit()
    assert len(history) == before and len(project.accounts) == 0
    assert len(added) == 1 and added[0].name == "Competitors" and added[0].placed == 3


def test_geojson_points_import(dialog, tmp_path):
    dlg, project, history, _ = dialog
    path = tmp_path / "sites.geojson"
    path.write_text(
        '{"type":"FeatureCollection","features":['
        '{"type":"Feature","properties":{"id":"S1","name":"North"},"geometry":{"type":"Point","coordinates":[5.53,50.03]}},'
        '{"type":"Feature","properties":{"id":"S2","name":"Nowhere"},"geometry":null}]}',
        encoding="utf-8",
    )
    dlg.set_path(str(path))
    assert not dlg.delimiter.isEnabled() and dlg.preview.rowCount() == 2
    dlg.commit()
    assert len(project.accounts) == 2 and list(project.accounts.names) == ["North", "Nowhere"]
    assert len(history) == 1 and history.undo_label.startswith("Import 2 accounts")
