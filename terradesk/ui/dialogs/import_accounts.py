"""File > Import accounts: pick a file, check what was detected, preview, read, review, add.

CSV settings are detected as the CLI detects them (:mod:`terradesk.io.csv_sniff`) and
shown as "Auto (…)" so the planner sees the guess and can override any of it. Reading
runs in a worker thread (200,000 rows take a few seconds); the summary lists every row
that could not be placed with its reason. Adding is one undo step
(``terradesk.edit.add_accounts``). A file can instead become a reference point layer
(competitor sites, partner offices) counted per territory, which is not project data.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terradesk.analysis.point_layers import PointLayer
from terradesk.edit import Sink, add_accounts
from terradesk.io import csv_sniff as sniff
from terradesk.io.accounts_import import VECTOR_SUFFIXES, AccountImport, CsvOptions, read_accounts
from terradesk.io.errors import TerraDeskError
from terradesk.model import Project
from terradesk.ui.workers import run_with_progress

FILE_FILTER = "Accounts (*.csv *.txt *.gpkg *.shp *.geojson *.json *.fgb);;All files (*)"
DELIMITERS = ((",", "Comma ,"), (";", "Semicolon ;"), ("\t", "Tab"), ("|", "Pipe |"))
ENCODINGS = ("utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16")
PREVIEW_ROWS = 20
SHOW_UNPLACED = 500
Runner = Callable[..., AccountImport]


def _auto(combo: QComboBox, detected: str) -> None:
    combo.setItemText(0, f"Auto ({detected})" if detected else "Auto")


class ImportAccountsDialog(QDialog):
    """``project`` is read for postal-code placement; ``sink`` receives the one AddAccounts."""

    def __init__(self, project: Project, sink: Sink, parent: QWidget | None = None,
                 add_point_layer: Callable[[PointLayer], None] | None = None, runner: Runner | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Import accounts")
        self.setObjectName("importAccountsDialog")
        self.project, self.sink = project, sink
        self.add_point_layer = add_point_layer
        self.runner: Runner = runner or (lambda fn, *a, **k: run_with_progress(self, "Reading accounts…", fn, *a, **k))
        self.result_import: AccountImport | None = None
        self.headers: list[str] = []

        self.path = QLineEdit(self)
        self.path.setObjectName("importPath")
        self.path.setPlaceholderText("CSV, GeoPackage, Shapefile or GeoJSON")
        self._loaded_path: str | None = None
        # editingFinished also fires on focus-out (even when the dialog closes): reload only a new path
        self.path.editingFinished.connect(
            lambda: self.set_path(self.path.text()) if self.path.text() != self._loaded_path else None)
        browse = QPushButton("Browse…", self)
        browse.clicked.connect(self._browse)
        file_row = QHBoxLayout()
        file_row.addWidget(self.path, 1)
        file_row.addWidget(browse)
        self.as_accounts = QRadioButton("Accounts", self)
        self.as_points = QRadioButton("Reference points counted per territory, named", self)
        self.as_accounts.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.as_accounts)
        group.addButton(self.as_points)
        self.layer_name = QLineEdit(self)
        self.layer_name.setPlaceholderText("e.g. Competitors")
        self.layer_name.setToolTip("Name of the column that counts these points per territory")
        self.layer_name.setEnabled(False)  # only meaningful for reference points
        self.as_points.toggled.connect(self.layer_name.setEnabled)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.as_accounts)
        kind_row.addWidget(self.as_points)
        kind_row.addWidget(self.layer_name, 1)

        self.delimiter = QComboBox(self)
        self.delimiter.addItem("Auto", None)
        for d, label in DELIMITERS:
            self.delimiter.addItem(label, d)
        self.encoding = QComboBox(self)
        self.encoding.addItem("Auto", None)
        for e in ENCODINGS:
            self.encoding.addItem(e, e)
        self.decimal = QComboBox(self)
        self.decimal.addItem("Auto", None)
        self.decimal.addItem("Decimal point 12.5", False)
        self.decimal.addItem("Decimal comma 12,5", True)
        self.column_boxes: dict[str, QComboBox] = {}
        opts = QGroupBox("How to read the file", self)
        form = QFormLayout(opts)
        form.addRow("Delimiter", self.delimiter)
        form.addRow("Encoding", self.encoding)
        form.addRow("Numbers", self.decimal)
        for key, label in (("lat", "Latitude"), ("lon", "Longitude"), ("id_field", "Account id"),
                           ("name_field", "Name"), ("postal_field", "Postal code")):
            box = QComboBox(self)
            box.addItem("Auto", None)
            self.column_boxes[key] = box
            form.addRow(label, box)
        self.reject_duplicates = QCheckBox("Refuse the file when account ids repeat", self)
        form.addRow("", self.reject_duplicates)
        for box in (self.delimiter, self.encoding):
            box.activated.connect(lambda _i: self.refresh_preview())

        self.preview = QTableWidget(0, 0, self)
        self.preview.setObjectName("importPreview")
        self.preview.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.summary = QLabel("Choose a file (Browse…), check how it is read, then Read file.", self)
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.unplaced = QListWidget(self)
        self.unplaced.setObjectName("importUnplaced")
        self.unplaced.setToolTip("Rows kept in the project as unplaced, with the reason")
        self.read_button = QPushButton("Read file", self)
        self.read_button.clicked.connect(self.read)
        self.read_button.setToolTip("Read every row with these settings and list the rows that cannot be placed")
        self.read_button.setEnabled(False)  # until a file is chosen
        self.path.textChanged.connect(lambda text: self.read_button.setEnabled(bool(text.strip())))
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Add to project")
        self.buttons.accepted.connect(self.commit)
        self.buttons.rejected.connect(self.reject)
        self._set_ok(False)

        right = QVBoxLayout()
        right.addWidget(QLabel("Preview (first rows)", self))
        right.addWidget(self.preview, 2)
        right.addWidget(self.read_button)
        right.addWidget(self.summary)
        right.addWidget(self.unplaced, 1)
        body = QHBoxLayout()
        body.addWidget(opts)
        body.addLayout(right, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(file_row)
        layout.addLayout(kind_row)
        layout.addLayout(body, 1)
        layout.addWidget(self.buttons)
        self.resize(900, 560)

    # -- file and detection -------------------------------------------------------------
    def _browse(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import accounts", "", FILE_FILTER)
        if path:
            self.set_path(path)

    def is_vector(self) -> bool:
        return Path(self.path.text()).suffix.lower() in VECTOR_SUFFIXES

    def set_path(self, path: str) -> None:
        self._loaded_path = path
        self.path.setText(path)
        self.result_import = None
        self._set_ok(False)
        self.unplaced.clear()
        if not self.layer_name.text():
            self.layer_name.setText(Path(path).stem.replace("_", " ").title())
        for w in (self.delimiter, self.encoding, self.decimal, *self.column_boxes.values()):
            w.setEnabled(not self.is_vector())
        self.refresh_preview()

    def refresh_preview(self) -> None:
        p = Path(self.path.text())
        try:
            headers, rows = self._vector_preview(p) if self.is_vector() else self._csv_preview(p)
        except (OSError, ValueError, csv.Error, TerraDeskError) as exc:
            self.summary.setText(f"Cannot preview {p.name}: {exc}")
            self.preview.setRowCount(0)
            self.preview.setColumnCount(0)
            return
        self._fill_columns(headers)
        self.preview.setColumnCount(len(headers))
        self.preview.setHorizontalHeaderLabels(headers)
        self.preview.setRowCount(len(rows))
        # spreadsheet numbering (the header is row 1), as in the unplaced-row messages
        self.preview.setVerticalHeaderLabels([str(r + 2) for r in range(len(rows))])
        for r, row in enumerate(rows):
            for c, v in enumerate(row[: len(headers)]):
                self.preview.setItem(r, c, QTableWidgetItem(v.replace("\n", "⏎")))
        self.preview.resizeColumnsToContents()
        self.summary.setText(f"{p.name}: {len(headers)} columns. Check the settings, then Read file.")

    def _csv_preview(self, p: Path) -> tuple[list[str], list[list[str]]]:
        raw = p.read_bytes()[: 1 << 16]
        encoding = self.encoding.currentData() or sniff.detect_encoding(raw)
        _auto(self.encoding, sniff.detect_encoding(raw))
        text = raw.decode(encoding, errors="replace")
        detected = sniff.detect_delimiter(text)
        _auto(self.delimiter, dict(DELIMITERS).get(detected, detected))
        delimiter = self.delimiter.currentData() or detected
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[: PREVIEW_ROWS + 1]
        if not records:
            raise ValueError("the file is empty")
        headers = [h.strip() for h in records[0]]
        body = records[1:]
        lat, lon = sniff.detect_lat_lon(headers)
        sample = [r[headers.index(c)] for c in (lat, lon) if c for r in body if len(r) > headers.index(c)]
        comma = sniff.uses_decimal_comma(sample)
        self.decimal.setItemText(0, f"Auto ({'comma' if comma else 'point'})")
        return headers, body

    def _vector_preview(self, p: Path) -> tuple[list[str], list[list[str]]]:
        import pyogrio

        try:
            meta, _, _, data = pyogrio.raw.read(str(p), max_features=PREVIEW_ROWS, read_geometry=False)
        except Exception as exc:  # pyogrio raises several DataSource errors
            raise ValueError(str(exc).splitlines()[0]) from None
        headers = [str(f) for f in meta["fields"]]
        rows = [["" if v is None else str(v) for v in row] for row in zip(*data, strict=True)] if data else []
        return headers, rows

    def _fill_columns(self, headers: list[str]) -> None:
        self.headers = headers
        detected = dict(zip(("lat", "lon"), sniff.detect_lat_lon(headers), strict=True))
        detected["id_field"] = sniff.find_column(headers, sniff.ID_NAMES)
        detected["name_field"] = sniff.find_column(headers, sniff.NAME_NAMES)
        detected["postal_field"] = sniff.find_column(headers, sniff.POSTAL_NAMES)
        for key, box in self.column_boxes.items():
            keep = box.currentData()
            box.clear()
            box.addItem(f"Auto ({detected.get(key) or 'none'})", None)
            for h in headers:
                box.addItem(h, h)
            box.setCurrentIndex(max(0, box.findData(keep)) if keep in headers else 0)

    # -- reading ---------------------------------------------------------------------------
    def options(self) -> CsvOptions:
        cols = {k: b.currentData() for k, b in self.column_boxes.items()}
        return CsvOptions(
            delimiter=self.delimiter.currentData(), encoding=self.encoding.currentData(),
            decimal_comma=self.decimal.currentData(),
            duplicate_ids="reject" if self.reject_duplicates.isChecked() else "rename", **cols,
        )

    def read(self) -> AccountImport | None:
        """Read the file with the chosen options in a worker thread and show the summary."""
        path = self.path.text()
        self.unplaced.clear()
        try:
            result = self.runner(read_accounts, path, options=self.options(), project=self.project)
        except TerraDeskError as exc:
            self.result_import = None
            self.summary.setText(f"Not imported: {exc}")
            self._set_ok(False)
            return None
        self.result_import = result
        by_postal = f" ({result.placed_by_postal:,} by postal code)" if result.placed_by_postal else ""
        lines = [f"{result.read:,} rows read · {result.placed:,} placed{by_postal} · "
                 f"{len(result.unplaced):,} unplaced (kept, never dropped)"]
        lines += [f"⚠ {w}" for w in result.warnings]
        self.summary.setText("\n".join(lines))
        for row, reason in result.unplaced[:SHOW_UNPLACED]:
            self.unplaced.addItem(f"Row {row}: {reason}")
        if len(result.unplaced) > SHOW_UNPLACED:
            self.unplaced.addItem(f"… and {len(result.unplaced) - SHOW_UNPLACED:,} more")
        self._set_ok(result.read > 0)
        return result

    def commit(self) -> None:
        """Add what was read: accounts as one undo step, or a reference point layer."""
        if self.result_import is None and self.read() is None:
            return
        result = self.result_import
        assert result is not None
        rows = result.rows
        if self.as_points.isChecked():
            if self.add_point_layer is None:
                QMessageBox.warning(self, "Not possible", "Point layers need an open map window.")
                return
            name = self.layer_name.text().strip() or Path(self.path.text()).stem
            self.add_point_layer(PointLayer(name, rows.x, rows.y, source=self.path.text()))
        else:
            try:
                command = add_accounts(self.project, rows, f"Import {len(rows):,} accounts from {Path(self.path.text()).name}")
                self.sink.push(command)
            except ValueError as exc:
                QMessageBox.warning(self, "Not imported", str(exc))
                return
        self.accept()

    def _set_ok(self, on: bool) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(on)
