"""Tools > Metric settings: which metrics the table shows, targets and the workload formula.

The formula is checked on every keystroke against the metric names the project has
(:func:`terradesk.analysis.formula.parse_formula`), and the FormulaError message is
shown under the field, so a typo is explained before OK is pressed.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from terradesk.analysis.columns import Column
from terradesk.analysis.formula import FormulaError, parse_formula
from terradesk.analysis.metrics import MetricSpec
from terradesk.analysis.targets import BASES, Target

BASIS_LABELS = {"mean": "Mean of territories", "capacity": "Owner capacity", "value": "Fixed value"}
OK_STYLE = "color: #1b7837;"
ERROR_STYLE = "color: #b2182b;"


class MetricSettingsDialog(QDialog):
    """Edits a copy of the spec; ``spec()`` and ``shown()`` give the result after OK."""

    def __init__(self, spec: MetricSpec, columns: list[Column], shown: list[str] | None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Metric settings")
        self.setObjectName("metricSettingsDialog")
        self._spec = spec
        self.metrics = [c for c in columns if c.kind not in ("deviation", "formula")]
        self.known = {c.name for c in self.metrics}
        labels = {c.name: c.label for c in columns}
        self.formula_name = QLineEdit(spec.formula_name, self)

        self.columns_list = QListWidget(self)
        self.columns_list.setToolTip("Metrics shown in the Territories table")
        for c in columns:
            if c.kind == "deviation":
                continue
            item = QListWidgetItem(f"{c.label} ({c.unit})" if c.unit else c.label)
            item.setData(Qt.ItemDataRole.UserRole, c.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            on = shown is None or c.name in shown
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
            self.columns_list.addItem(item)
        shown_box = QGroupBox("Shown in the table", self)
        QVBoxLayout(shown_box).addWidget(self.columns_list)

        self.targets = QTableWidget(0, 4, self)
        self.targets.setObjectName("targetsTable")
        self.targets.setHorizontalHeaderLabels(["Metric", "Target", "Tolerance", "Value"])
        self.targets.verticalHeader().setVisible(False)
        self.targets.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 14)
        self.targets.horizontalHeader().setStretchLastSection(True)
        self.targets.setMinimumHeight(150)
        for t in spec.targets:
            self.add_target(t, labels)
        add = QPushButton("Add target", self)
        add.clicked.connect(lambda: self.add_target(Target("accounts"), labels))
        remove = QPushButton("Remove", self)
        remove.clicked.connect(lambda: self.targets.removeRow(max(0, self.targets.currentRow())))
        buttons_row = QHBoxLayout()
        buttons_row.addWidget(add)
        buttons_row.addWidget(remove)
        buttons_row.addStretch(1)
        targets_box = QGroupBox("Targets (deviation = (value − target) / target)", self)
        tl = QVBoxLayout(targets_box)
        tl.addWidget(self.targets)
        tl.addLayout(buttons_row)

        self.formula = QLineEdit(spec.formula or "", self)
        self.formula.setObjectName("formulaEdit")
        self.formula.setPlaceholderText("e.g. visits_per_year * 1.5 + accounts * 0.2")
        self.message = QLabel(self)
        self.message.setObjectName("formulaMessage")
        self.message.setWordWrap(True)
        self.formula.textChanged.connect(self.validate)
        names = QLabel("Names you can use: " + ", ".join(sorted(self.known)), self)
        names.setWordWrap(True)
        names.setStyleSheet("color: #555;")
        formula_box = QGroupBox("Workload formula", self)
        fl = QFormLayout(formula_box)
        fl.addRow("Name", self.formula_name)
        fl.addRow("Formula", self.formula)
        fl.addRow("", self.message)
        fl.addRow("", names)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        right = QVBoxLayout()
        right.addWidget(targets_box, 1)
        right.addWidget(formula_box)
        body = QHBoxLayout()
        body.addWidget(shown_box)
        body.addLayout(right, 2)
        layout = QVBoxLayout(self)
        layout.addLayout(body)
        layout.addWidget(self.buttons)
        self.resize(900, 540)
        self.validate()

    # -- targets ---------------------------------------------------------------------
    def add_target(self, target: Target, labels: dict[str, str]) -> None:
        r = self.targets.rowCount()
        self.targets.insertRow(r)
        metric = QComboBox(self)
        for c in self.metrics:
            metric.addItem(labels.get(c.name, c.name), c.name)
        if self.formula_name_text() and self.formula_name_text() not in self.known:
            metric.addItem(self.formula_name_text().replace("_", " ").capitalize(), self.formula_name_text())
        metric.setCurrentIndex(max(0, metric.findData(target.metric)))
        basis = QComboBox(self)
        for b in BASES:
            basis.addItem(BASIS_LABELS[b], b)
        basis.setCurrentIndex(max(0, basis.findData(target.basis)))
        tol = QDoubleSpinBox(self)
        tol.setRange(0.0, 100.0)
        tol.setSuffix(" %")
        tol.setValue(100 * target.tolerance)
        value = QDoubleSpinBox(self)
        value.setRange(0.0, 1e12)
        value.setDecimals(2)
        value.setValue(target.value or 0.0)
        value.setEnabled(target.basis == "value")
        basis.currentIndexChanged.connect(lambda _i, b=basis, v=value: v.setEnabled(b.currentData() == "value"))
        for col, w in enumerate((metric, basis, tol, value)):
            self.targets.setCellWidget(r, col, w)
        self.targets.resizeColumnsToContents()

    def formula_name_text(self) -> str:
        return self.formula_name.text().strip() or "workload"

    def target_list(self) -> tuple[Target, ...]:
        out = []
        for r in range(self.targets.rowCount()):
            metric, basis, tol, value = (self.targets.cellWidget(r, c) for c in range(4))
            assert isinstance(metric, QComboBox) and isinstance(basis, QComboBox)
            assert isinstance(tol, QDoubleSpinBox) and isinstance(value, QDoubleSpinBox)
            b = basis.currentData()
            out.append(Target(str(metric.currentData()), b, tol.value() / 100.0, value.value() if b == "value" else None))
        return tuple(out)

    # -- formula -----------------------------------------------------------------------
    def validate(self) -> bool:
        text = self.formula.text().strip()
        if not text:
            self.message.setText("No formula: the workload column is left out.")
            self.message.setStyleSheet("color: #555;")
            self._ok(True)
            return True
        try:
            parsed = parse_formula(text, self.known)
        except FormulaError as exc:
            self.message.setText(str(exc))
            self.message.setStyleSheet(ERROR_STYLE)
            self._ok(False)
            return False
        self.message.setText(f"OK – uses {', '.join(sorted(parsed.names)) or 'numbers only'}")
        self.message.setStyleSheet(OK_STYLE)
        self._ok(True)
        return True

    def _ok(self, on: bool) -> None:
        if hasattr(self, "buttons"):
            self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(on)

    # -- result ---------------------------------------------------------------------------
    def spec(self) -> MetricSpec:
        text = self.formula.text().strip() or None
        return replace(self._spec, formula=text, formula_name=self.formula_name_text(), targets=self.target_list())

    def shown(self) -> list[str]:
        out = []
        for i in range(self.columns_list.count()):
            item = self.columns_list.item(i)
            if item.checkState() == Qt.CheckState.Checked:
                out.append(str(item.data(Qt.ItemDataRole.UserRole)))
        return out
