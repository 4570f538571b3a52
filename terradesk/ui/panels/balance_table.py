"""The Territories table fed by the MetricsEngine: chosen metrics, deviations, point
counts, and region roll-up rows (kept below the territories whatever the sort order).

It keeps the interface the Territories panel expects from its model (``table.tids``,
``table.row``, ``summary_changed``, ``set_project``, ``ID_ROLE``/``SORT_ROLE``), so the
window swaps it in without touching the panel.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt, Signal
from PySide6.QtGui import QColor, QFont

from terradesk.analysis.columns import Column
from terradesk.analysis.metrics import MetricsEngine
from terradesk.analysis.point_layers import PointLayer, count_per_territory
from terradesk.analysis.targets import status
from terradesk.model import Id, Project
from terradesk.ui.panels.balance import OVER, UNDER
from terradesk.ui.panels.territories import ID_ROLE, SORT_ROLE

Index = QModelIndex | QPersistentModelIndex
KIND_ROLE = Qt.ItemDataRole.UserRole + 3
FIXED = ("Territory", "Owner", "Region")
DEFAULT_KINDS = ("count", "area", "sum", "formula", "deviation")
_ROOT = QModelIndex()


@dataclass
class Rows:
    """Territory ids in alignment order, then region names; ``row(tid)`` as the panel expects."""

    tids: list[Id] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    def row(self, tid: Id) -> int:
        return self.tids.index(tid)


def default_columns(engine: MetricsEngine) -> list[str]:
    """Counts, area, field sums, the formula and deviations (averages and shape on request)."""
    return [c.name for c in engine.columns() if c.kind in DEFAULT_KINDS and c.name != "holes"]


class EngineTableModel(QAbstractTableModel):
    summary_changed = Signal(str)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.engine: MetricsEngine | None = None
        self.shown: list[str] | None = None  # None: default_columns
        self.point_layers: list[PointLayer] = []
        self.table = Rows()
        self._columns: list[Column] = []
        self._values: dict[Id, dict[str, float]] = {}
        self._region_values: dict[str, dict[str, float]] = {}
        self.preview: dict[Id, dict[str, float]] = {}  # would-be rows during a brush stroke

    # -- wiring ------------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project  # the engine comes from the controller

    def set_engine(self, engine: MetricsEngine | None) -> None:
        if self.engine is not None:
            self.engine.changed.disconnect(self._on_engine_change)
        self.engine = engine
        if engine is not None:
            self.project = engine.project
            engine.changed.connect(self._on_engine_change)
        self.reload()

    def set_shown(self, names: list[str] | None) -> None:
        self.shown = names
        self.reload()

    def set_point_layers(self, layers: list[PointLayer]) -> None:
        self.point_layers = list(layers)
        self.reload()

    def _on_engine_change(self, _tids: object) -> None:
        self.refresh()

    def preview_values(self, values: dict[Id, dict[str, float]] | None) -> None:
        """Show would-be rows (italic) over the engine's until called with None (release, Esc)."""
        rows = {self.table.tids.index(t) for t in set(self.preview) | set(values or {}) if t in self.table.tids}
        self.preview = dict(values or {})
        if rows and self.columnCount():
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), self.columnCount() - 1))

    def reload(self) -> None:
        self.beginResetModel()
        self._read()
        self.endResetModel()

    def refresh(self) -> None:
        """Re-read values; a reset only when rows or columns changed (keeps the sort and selection)."""
        before = (list(self.table.tids), list(self.table.regions), [c.name for c in self._columns])
        self._read()
        if (self.table.tids, self.table.regions, [c.name for c in self._columns]) != before:
            self.beginResetModel()
            self.endResetModel()
        elif self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def _read(self) -> None:
        engine = self.engine
        if engine is None or engine.alignment_id not in engine.project.alignments:
            self.table, self._columns, self._values, self._region_values = Rows(), [], {}, {}
            self.summary_changed.emit("No alignment")
            return
        al = engine.alignment
        by_name = {c.name: c for c in engine.columns()}
        names = [n for n in (self.shown if self.shown is not None else default_columns(engine)) if n in by_name]
        names += [c.name for c in engine.columns() if c.kind == "deviation" and c.name not in names]
        self._columns = [by_name[n] for n in names]
        self._values = engine.rows()
        self._region_values = engine.region_rows()
        for layer in self.point_layers:
            counts = count_per_territory(engine.project, al, layer)
            self._columns.append(Column(layer.column, layer.name, "", "count"))
            for tid, row in self._values.items():
                row[layer.column] = float(counts.get(tid, 0))
            for region, row in self._region_values.items():
                row[layer.column] = float(sum(counts.get(t.id, 0) for t in al.territories.values() if t.region == region))
        regions = sorted(self._region_values) if len({t.region for t in al.territories.values()}) > 1 or any(
            t.region for t in al.territories.values()) else []
        self.table = Rows(list(al.territories), regions)
        n = len(self.table.tids)
        over = under = 0
        for t in engine.spec.targets[:1]:
            for tid in self.table.tids:
                s = status(self._values[tid].get(f"{t.metric}_deviation", math.nan), t.tolerance)
                over, under = over + (s > 0), under + (s < 0)
        text = f"{al.name}: {n} territor{'y' if n == 1 else 'ies'}"
        if engine.spec.targets:
            text += f" · {engine.spec.targets[0].metric}: {over} over, {under} under target"
        self.summary_changed.emit(text)

    # -- Qt model API -----------------------------------------------------------------------
    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.table.tids) + len(self.table.regions)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(FIXED) + len(self._columns)

    def columns(self) -> list[Column]:
        return list(self._columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            if section < len(FIXED):
                return FIXED[section]
            c = self._columns[section - len(FIXED)]
            return f"{c.label} ({c.unit})" if c.unit and c.kind != "deviation" else c.label
        if role == Qt.ItemDataRole.ToolTipRole and section >= len(FIXED):
            c = self._columns[section - len(FIXED)]
            if c.kind == "deviation":
                return f"{c.label}: (value − target) / target; red over, blue under the tolerance"
            return f"{c.label} [{c.name}]"
        return None

    def row_key(self, row: int) -> tuple[str, str]:
        """('territory', id) or ('region', name)."""
        n = len(self.table.tids)
        return ("territory", self.table.tids[row]) if row < n else ("region", self.table.regions[row - n])

    def value(self, row: int, col: int) -> Any:
        """The raw value of a cell (what the sort and the CSV export use)."""
        kind, key = self.row_key(row)
        engine = self.engine
        assert engine is not None
        al = engine.alignment
        if kind == "territory":
            t = al.territories.get(key)
            if t is None:
                return None
            if col == 0:
                return t.name
            if col == 1:
                owner = engine.project.owners.get(t.owner_id) if t.owner_id else None
                return owner.name if owner else ""
            if col == 2:
                return t.region
            name = self._columns[col - len(FIXED)].name
            if key in self.preview and name in self.preview[key]:
                return self.preview[key][name]
            return self._values.get(key, {}).get(name, math.nan)
        if col == 0:
            return f"Σ {key or '(no region)'}"
        if col == 1:
            return ""
        if col == 2:
            return key
        return self._region_values.get(key, {}).get(self._columns[col - len(FIXED)].name, math.nan)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or self.engine is None or index.row() >= self.rowCount():
            return None
        row, col = index.row(), index.column()
        kind, key = self.row_key(row)
        if role == KIND_ROLE:
            return kind
        if role == ID_ROLE:
            return key if kind == "territory" else None
        value = self.value(row, col)
        column = self._columns[col - len(FIXED)] if col >= len(FIXED) else None
        if role == SORT_ROLE:
            if isinstance(value, float) and math.isnan(value):
                return -math.inf
            return value.lower() if isinstance(value, str) else value
        if role == Qt.ItemDataRole.DisplayRole:
            return _format(value, column)
        if role == Qt.ItemDataRole.TextAlignmentRole and col >= len(FIXED):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.DecorationRole and col == 0 and kind == "territory":
            return QColor(self.engine.alignment.territory(key).colour)
        if role == Qt.ItemDataRole.FontRole and kind == "region":
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.FontRole and kind == "territory" and key in self.preview and col >= len(FIXED):
            font = QFont()
            font.setItalic(True)  # a brush stroke's would-be value, not yet applied
            return font
        if role == Qt.ItemDataRole.ForegroundRole and column is not None and column.kind == "deviation" \
                and kind == "territory" and isinstance(value, float):
            metric = column.name.removesuffix("_deviation")
            s = status(value, self.engine.target(metric).tolerance)
            return OVER.darker(120) if s > 0 else UNDER.darker(120) if s < 0 else None
        return None

    # -- export ----------------------------------------------------------------------------
    def csv_rows(self) -> list[list[str]]:
        """Header plus one row per territory and region, raw numbers (what File > Export writes)."""
        head = ["row_type", "territory", "owner", "region", *[c.name for c in self._columns]]
        out = [head]
        for r in range(self.rowCount()):
            kind, _key = self.row_key(r)
            vals = [self.value(r, c) for c in range(self.columnCount())]
            name = vals[0] if kind == "territory" else ""
            out.append([kind, name, vals[1], vals[2], *[_raw(v) for v in vals[len(FIXED):]]])
        return out


def _raw(v: Any) -> str:
    if isinstance(v, float):
        return "" if math.isnan(v) else f"{v:.6g}"
    return "" if v is None else str(v)


def _format(value: Any, column: Column | None) -> Any:
    if not isinstance(value, float):
        return value
    if math.isnan(value):
        return ""
    if column is not None and column.kind == "deviation":
        return f"{100 * value:+.1f} %"
    if column is not None and column.kind == "count":
        return f"{value:,.0f}"
    if column is not None and column.kind == "ratio":
        return f"{value:.3f}"
    return f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.1f}"


class RegionsLastProxy(QSortFilterProxyModel):
    """Sorts territories by the clicked column; region totals always stay at the bottom."""

    def lessThan(self, left: Index, right: Index) -> bool:
        lr = bool(left.data(KIND_ROLE) == "region")
        rr = bool(right.data(KIND_ROLE) == "region")
        if lr != rr:
            return rr if self.sortOrder() == Qt.SortOrder.AscendingOrder else lr
        a, b = left.data(self.sortRole()), right.data(self.sortRole())
        if isinstance(a, str) and isinstance(b, str):  # "Territory 2" before "Territory 10"
            return natural_key(a) < natural_key(b)
        return bool(super().lessThan(left, right))


def natural_key(text: str) -> tuple[tuple[int, int | str], ...]:
    """Sort key reading digit runs as numbers, case-insensitive."""
    return tuple((0, int(part)) if part.isdigit() else (1, part.lower()) for part in re.split(r"(\d+)", text) if part)
