"""File > Import units…: pick a file and layer, preview its fields, choose the code and
name fields and the numeric fields to keep, give the CRS when the file has none.

The preview reads only a few rows (:func:`terradesk.io.units_import.inspect_source`); the
full read runs in a worker thread behind a progress dialog, and its summary (read,
repaired, rejected and why) is shown before anything changes in the project.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terradesk.io.errors import TerraDeskError
from terradesk.io.units_import import (
    SourceInfo,
    UnitImport,
    guess_code_field,
    guess_name_field,
    inspect_source,
    read_units,
)
from terradesk.ui.workers import run_with_progress

FILE_FILTER = ("Vector files (*.gpkg *.shp *.zip *.geojson *.json *.topojson *.kml *.kmz *.fgb *.csv);;"
               "All files (*)")
SAME_AS_CODE = "(same as code)"


class ImportUnitsDialog(QDialog):
    """Returns the read units in :attr:`imported` when accepted."""

    def __init__(self, parent: QWidget | None = None, target_crs: str | None = None, path: str = "") -> None:
        super().__init__(parent)
        self.setWindowTitle("Import units")
        self.setObjectName("importUnitsDialog")
        self.target_crs = target_crs
        self.info: SourceInfo | None = None
        self.imported: UnitImport | None = None
        self.path = QLineEdit(path)
        self.path.setPlaceholderText("GeoPackage, Shapefile (.shp or .zip), GeoJSON, KML, FlatGeobuf, CSV with WKT")
        self.path.editingFinished.connect(lambda: self.load(self.path.text()))
        browse = QPushButton("Browse…")
        browse.clicked.connect(self._browse)
        self.layer = QComboBox()
        self.layer.activated.connect(lambda _i: self.load(self.path.text(), self.layer.currentText()))
        self.about = QLabel()
        self.about.setWordWrap(True)
        self.code = QComboBox()
        self.code.setToolTip("The field holding each unit's unique code (postcode, FIPS, ...)")
        self.name = QComboBox()
        self.name.setToolTip("The field holding each unit's name")
        self.crs = QLineEdit()
        self.crs.setPlaceholderText("e.g. EPSG:4326")
        self.crs.setToolTip("The coordinate reference system of the file (asked for when the file names none)")
        self.fields = QTableWidget(0, 4)
        self.fields.setHorizontalHeaderLabels(["Keep", "Field", "Type", "Examples"])
        self.fields.verticalHeader().setVisible(False)
        self.fields.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.fields.setToolTip("Tick the numeric fields to keep as metrics (population, market potential, ...)")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Import")
        self.buttons.accepted.connect(self.run_import)
        self.buttons.rejected.connect(self.reject)

        row = QHBoxLayout()
        row.addWidget(self.path, 1)
        row.addWidget(browse)
        form = QFormLayout()
        form.addRow("File:", row)
        form.addRow("Layer:", self.layer)
        form.addRow("", self.about)
        form.addRow("Code field:", self.code)
        form.addRow("Name field:", self.name)
        form.addRow("Source CRS:", self.crs)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(QLabel("Fields:"))
        layout.addWidget(self.fields, 1)
        layout.addWidget(self.buttons)
        self.resize(720, 520)
        self._set_ready(False)
        if path:
            self.load(path)

    # -- preview ------------------------------------------------------------------
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import units", "", FILE_FILTER)
        if path:
            self.path.setText(path)
            self.load(path)

    def load(self, path: str, layer: str | None = None) -> bool:
        """Preview ``path``; a file that cannot be read says why in the dialog."""
        if not path.strip():
            return False
        try:
            info = inspect_source(path.strip(), layer)
        except (TerraDeskError, OSError) as exc:
            self.info = None
            self.about.setText(f"<span style='color:#b00020'>{exc}</span>")
            self._set_ready(False)
            return False
        self.info = info
        self.layer.clear()
        self.layer.addItems(list(info.layers))
        self.layer.setCurrentText(info.layer)
        self.about.setText(
            f"{info.driver} · {info.feature_count:,} features · {info.geometry_type or 'unknown geometry'} · "
            + (f"CRS {_short(info.crs)}" if info.crs else "<b>no CRS in the file: give it below</b>")
        )
        self._fill_fields(info)
        self.crs.setEnabled(True)
        self.crs.setText("" if info.crs is None else self.crs.text())
        self._set_ready(True)
        return True

    def _fill_fields(self, info: SourceInfo) -> None:
        names = info.field_names()
        self.code.clear()
        self.code.addItems(names)
        sample = {f.name: _column(f.samples) for f in info.fields}
        guess = guess_code_field(sample) if sample else None
        if guess:
            self.code.setCurrentText(guess)
        self.name.clear()
        self.name.addItems([SAME_AS_CODE, *names])
        label = guess_name_field(sample, exclude=guess) if sample else None
        if label:
            self.name.setCurrentText(label)
        self.fields.setRowCount(len(info.fields))
        for r, f in enumerate(info.fields):
            keep = QTableWidgetItem()
            if f.is_numeric:
                keep.setFlags(Qt.ItemFlag.ItemIsUserCheckable | Qt.ItemFlag.ItemIsEnabled)
                keep.setCheckState(Qt.CheckState.Checked)
            else:
                keep.setFlags(Qt.ItemFlag.NoItemFlags)
            self.fields.setItem(r, 0, keep)
            for c, text in ((1, f.name), (2, f.type), (3, ", ".join(str(v) for v in f.samples[:4]))):
                item = QTableWidgetItem(text)
                item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
                self.fields.setItem(r, c, item)
        self.fields.resizeColumnsToContents()

    def _set_ready(self, ready: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(ready)
        for w in (self.layer, self.code, self.name, self.fields):
            w.setEnabled(ready)

    # -- choices ------------------------------------------------------------------------
    def kept_fields(self) -> list[str]:
        out = []
        for r in range(self.fields.rowCount()):
            item, label = self.fields.item(r, 0), self.fields.item(r, 1)
            if item is None or label is None or not item.flags() & Qt.ItemFlag.ItemIsUserCheckable:
                continue
            if item.checkState() == Qt.CheckState.Checked:
                out.append(label.text())
        return out

    def options(self) -> dict[str, object]:
        name, code = self.name.currentText(), self.code.currentText() or None
        return {
            "layer": self.layer.currentText() or None,
            "code_field": code,
            "name_field": code if name == SAME_AS_CODE else name,
            "keep_fields": self.kept_fields(),
            "crs": self.crs.text().strip() or None,
            "target_crs": self.target_crs,
        }

    # -- the import ------------------------------------------------------------------------
    def run_import(self) -> None:
        """Read the file in a worker thread, show the summary, accept when units came in."""
        if self.info is None:
            return
        if self.info.crs is None and not self.crs.text().strip():
            QMessageBox.warning(self, "Import units", "The file does not say which CRS it uses: give one "
                                "(for example EPSG:4326 for longitude/latitude).")
            self.crs.setFocus()
            return
        path = self.path.text().strip()
        try:
            result = run_with_progress(self, f"Reading {Path(path).name}…", read_units, path, **self.options())
        except (TerraDeskError, OSError, ValueError) as exc:
            QMessageBox.warning(self, "Import units", str(exc))
            return
        if len(result.units) == 0:
            QMessageBox.warning(self, "Import units", result.summary() + "\n\nNo usable units: nothing imported.")
            return
        self.imported = result
        QMessageBox.information(self, "Import units", result.summary())
        self.accept()


def _column(samples: tuple[object, ...]) -> np.ndarray:
    """Sample values as the column type the guessers expect (numbers stay numeric)."""
    try:
        col = np.asarray(samples)
    except ValueError:
        col = np.asarray(samples, dtype=object)
    return col if col.dtype.kind in "iufOU" else np.asarray(samples, dtype=object)


def _short(crs: str) -> str:
    return crs if len(crs) < 40 else crs[:37] + "…"
