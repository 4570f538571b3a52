"""The Territories dock: a sortable table of the active alignment's territories."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from terradesk.model import Change, ChangeKind, Id, Project
from terradesk.ui.panels.metrics import MetricsTable, ProjectCache, territory_metrics

Index = QModelIndex | QPersistentModelIndex
SORT_ROLE = Qt.ItemDataRole.UserRole + 1
ID_ROLE = Qt.ItemDataRole.UserRole + 2

FIXED_COLUMNS = ("Territory", "Owner", "Region", "Units", "Accounts", "Area km²")
_ROOT = QModelIndex()
_METRIC_CHANGES = {ChangeKind.ASSIGNMENT, ChangeKind.PINS, ChangeKind.GEOMETRY}


class TerritoryTableModel(QAbstractTableModel):
    """Rows = territories of the active alignment; refreshes only what a Change touched."""

    summary_changed = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.cache = ProjectCache()
        self.table = MetricsTable([], *([] for _ in range(3)))  # type: ignore[arg-type]
        self._fields: list[str] = []

    # -- wiring ---------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        if self.project is not None:
            self.project.changed.disconnect(self._on_change)
        self.project = project
        self.cache = ProjectCache()
        if project is not None:
            project.changed.connect(self._on_change)
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self._recompute()
        self.endResetModel()

    def _recompute(self) -> None:
        p = self.project
        al = p.active_alignment if p is not None else None
        if p is None or al is None:
            self.table = MetricsTable([], *([] for _ in range(3)))  # type: ignore[arg-type]
            self._fields = []
            self.summary_changed.emit("No alignment")
        else:
            self.table = territory_metrics(p, al, self.cache)
            self._fields = list(self.table.sums)
            n = len(self.table.tids)
            text = f"{al.name}: {n} territor{'y' if n == 1 else 'ies'}"
            if self.table.unassigned_units:
                text += f" · {self.table.unassigned_units:,} unassigned units"
            self.summary_changed.emit(text)

    def _on_change(self, change: Change) -> None:
        p = self.project
        al = p.active_alignment if p is not None else None
        kind = change.kind
        if kind in (ChangeKind.UNITS, ChangeKind.RESET):
            self.cache.invalidate_units()
            self.reload()
        elif kind == ChangeKind.ACCOUNTS:
            self.cache.invalidate_accounts()
            self._refresh_metrics()
        elif kind in (ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.ALIGNMENTS):
            self.reload()
        elif al is None or change.alignment not in (None, al.id):
            return
        elif kind == ChangeKind.TERRITORIES:
            if set(al.territories) == set(self.table.tids) and list(al.territories) == self.table.tids:
                for tid in change.ids & set(self.table.tids):
                    r = self.table.row(tid)
                    self.dataChanged.emit(self.index(r, 0), self.index(r, 2))
            else:
                self.reload()
        elif kind in _METRIC_CHANGES:
            self._refresh_metrics()
        elif kind == ChangeKind.OWNERS and self.rowCount():
            self.dataChanged.emit(self.index(0, 1), self.index(self.rowCount() - 1, 1))

    def _refresh_metrics(self) -> None:
        before = (list(self.table.tids), list(self._fields))
        self._recompute()
        if (self.table.tids, self._fields) != before:
            self.beginResetModel()
            self.endResetModel()
        elif self.rowCount():
            self.dataChanged.emit(self.index(0, 3), self.index(self.rowCount() - 1, self.columnCount() - 1))

    # -- Qt model API ---------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.table.tids)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(FIXED_COLUMNS) + len(self._fields)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return self.column_name(section)
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.ToolTipRole:
            name = self.column_name(section)
            return f"Sum of {name} over the territory's units" if section >= len(FIXED_COLUMNS) else name
        return None

    def column_name(self, section: int) -> str:
        if section < len(FIXED_COLUMNS):
            return FIXED_COLUMNS[section]
        return self._fields[section - len(FIXED_COLUMNS)].replace("_", " ").capitalize()

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.project is None or self.project.active_alignment is None:
            return None
        al = self.project.active_alignment
        row, col = index.row(), index.column()
        tid = self.table.tids[row]
        t = al.territories.get(tid)
        if t is None:
            return None
        if role == ID_ROLE:
            return tid
        if role == Qt.ItemDataRole.DecorationRole and col == 0:
            return QColor(t.colour)
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        value = self._value(row, col)
        if role == SORT_ROLE:
            return value
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0 and t.locked:
                return f"{value} (locked)"
            if isinstance(value, float):
                return f"{value:,.1f}" if col == 5 or abs(value) < 1000 else f"{value:,.0f}"
            if isinstance(value, int):
                return f"{value:,}"
            return value
        return None

    def _value(self, row: int, col: int) -> Any:
        assert self.project is not None and self.project.active_alignment is not None
        t = self.project.active_alignment.territories[self.table.tids[row]]
        if col == 0:
            return t.name
        if col == 1:
            owner = self.project.owners.get(t.owner_id) if t.owner_id else None
            return owner.name if owner else ""
        if col == 2:
            return t.region
        if col == 3:
            return int(self.table.units[row])
        if col == 4:
            return int(self.table.accounts[row])
        if col == 5:
            return float(self.table.area_km2[row])
        return float(self.table.sums[self._fields[col - len(FIXED_COLUMNS)]][row])


class TerritoryPanel(QWidget):
    """Table view + a one-line summary; emits ``territory_activated`` when a row is picked."""

    territory_activated = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = TerritoryTableModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(SORT_ROLE)
        self.proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QTableView(self)
        self.view.setObjectName("territoryTable")
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setAlternatingRowColors(True)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 6)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setToolTip("Territories of the active alignment - click a header to sort, a row to select")
        self.summary = QLabel(self)
        self.summary.setObjectName("territorySummary")
        self.model.summary_changed.connect(self.summary.setText)
        self.model.modelReset.connect(self._fit_columns)
        self.view.clicked.connect(self._on_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addWidget(self.summary)
        layout.addWidget(self.view)

    def set_project(self, project: Project | None) -> None:
        self.model.set_project(project)

    def select_territory(self, tid: Id | None) -> None:
        """Highlight the row of ``tid`` (selection coming from the map) without re-emitting."""
        self.view.selectionModel().blockSignals(True)
        self.view.clearSelection()
        if tid is not None and tid in self.model.table.tids:
            src = self.model.index(self.model.table.row(tid), 0)
            proxy = self.proxy.mapFromSource(src)
            self.view.selectRow(proxy.row())
            self.view.scrollTo(proxy)
        self.view.selectionModel().blockSignals(False)

    def _on_clicked(self, index: QModelIndex) -> None:
        tid = self.proxy.data(index, ID_ROLE)
        if tid:
            self.territory_activated.emit(str(tid))

    def _fit_columns(self) -> None:
        self.view.resizeColumnsToContents()
        header = self.view.horizontalHeader()
        for c in range(self.model.columnCount()):
            header.resizeSection(c, min(header.sectionSize(c), 180))
