"""The proposal of a rebalance, shown before anything changes.

The map hatches each unit that would move in the colour of the territory that would
receive it (``MapCanvas.set_preview_units``); the dialog lists every territory before and
after, the accounts that would change owner, and the headline figures. Accept pushes ONE
command (``reassign_units``: one undo step); Reject, Esc or closing leaves the project
untouched and clears the hatching. The dialog is not modal, so the planner can pan and
zoom the map meanwhile; an edit made meanwhile makes the proposal stale (Accept is then
refused with the reason).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, QSortFilterProxyModel, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from terradesk.analysis.rebalance import RebalanceResult
from terradesk.analysis.rebalance.weights import account_units
from terradesk.edit import Sink, reassign_units
from terradesk.model import Alignment, Change, Project
from terradesk.ui.panels.metrics import metric_title

REASONS = {
    "balanced": "every territory is within tolerance",
    "time_limit": "the time limit was reached",
    "cancelled": "cancelled: this is the best plan found so far",
    "stuck": "no allowed move improves the worst territory further",
}
Row = Sequence[object]


class RowsModel(QAbstractTableModel):
    """A read-only table of plain values (numbers sort as numbers, right-aligned)."""

    def __init__(self, headers: Sequence[str], rows: Sequence[Row], formats: Sequence[str] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.headers = list(headers)
        self.rows = [list(r) for r in rows]
        self.formats = list(formats) if formats is not None else ["{}"] * len(self.headers)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        value = self.rows[index.row()][index.column()]
        numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
        if role == Qt.ItemDataRole.DisplayRole:
            if numeric and not np.isfinite(float(value)):  # type: ignore[arg-type]
                return "–"
            return self.formats[index.column()].format(value) if numeric else str(value)
        if role == Qt.ItemDataRole.UserRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole and numeric:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.headers[section]
        return None


def table_view(model: RowsModel, parent: QWidget) -> QTableView:
    proxy = QSortFilterProxyModel(parent)
    proxy.setSourceModel(model)
    proxy.setSortRole(Qt.ItemDataRole.UserRole)
    view = QTableView(parent)
    view.setModel(proxy)
    view.setSortingEnabled(True)
    view.horizontalHeader().setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # keep the plan's order
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 8)
    view.setAlternatingRowColors(True)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    view.horizontalHeader().setStretchLastSection(True)
    return view


def territory_rows(result: RebalanceResult, project: Project) -> tuple[list[str], list[list[object]], list[str]]:
    """Per territory: each goal's value and deviation before/after, units gained and lost."""
    al = project.alignment(result.alignment_id)
    before, after = result.before, result.after
    moved = result.moved_units
    # two-line headers keep the columns narrow enough for a preview beside the map
    headers = ["Territory", "Units\ngained", "Units\nlost"]
    formats = ["{}", "{}", "{}"]
    for g in before.goals:
        headers += [f"{metric_title(g)}\nbefore", f"{metric_title(g)}\nafter", "Deviation\nbefore", "Deviation\nafter"]
        formats += ["{:,.0f}", "{:,.0f}", "{:+.1%}", "{:+.1%}"]
    headers += ["Compactness\nbefore", "Compactness\nafter"]
    formats += ["{:.2f}", "{:.2f}"]
    gained = np.bincount(result.assignment[moved], minlength=len(al._id_of_key) + 1) if len(moved) else None
    lost = np.bincount(result.start[moved], minlength=len(al._id_of_key) + 1) if len(moved) else None
    dev_b, dev_a = before.deviation, after.deviation
    rows: list[list[object]] = []
    for i, (tid, name) in enumerate(zip(before.territory_ids, before.territory_names, strict=True)):
        key = al.key(tid) if tid in al.territories else -1
        row: list[object] = [name if before.active[i] else f"{name} (locked or empty: not balanced)",
                             int(gained[key]) if gained is not None and key >= 0 else 0,
                             int(lost[key]) if lost is not None and key >= 0 else 0]
        for j in range(len(before.goals)):
            row += [float(before.values[i, j]), float(after.values[i, j]), float(dev_b[i, j]), float(dev_a[i, j])]
        row += [float(before.polsby_popper[i]), float(after.polsby_popper[i])]
        rows.append(row)
    return headers, rows, formats


def _territory_label(al: Alignment, project: Project, key: int) -> str:
    tid = al.territory_id_of_key(key) if key >= 0 else None
    if tid is None or tid not in al.territories:
        return "unassigned"
    t = al.territories[tid]
    owner = project.owners.get(t.owner_id) if t.owner_id else None
    return f"{t.name} ({owner.name})" if owner is not None else t.name


def account_rows(result: RebalanceResult, project: Project, revenue_field: str = "revenue") -> list[list[object]]:
    """Accounts changing owner: name, from, to, revenue (largest revenue first)."""
    idx = result.accounts_changing_owner
    if len(idx) == 0:
        return []
    al = project.alignment(result.alignment_id)
    where = account_units(project.units, project.accounts)[idx]
    col = project.accounts.fields.get(revenue_field)
    revenue = (np.asarray(col, dtype=float)[idx] if col is not None and col.dtype.kind in "fi"
               else np.full(len(idx), np.nan))
    names = project.accounts.names
    order = np.argsort(-np.nan_to_num(revenue, nan=-np.inf), kind="stable")
    return [[str(names[idx[i]]), _territory_label(al, project, int(result.start[where[i]])),
             _territory_label(al, project, int(result.assignment[where[i]])), float(revenue[i])]
            for i in order.tolist()]


def summary_html(result: RebalanceResult) -> str:
    s = result.summary()
    pct = "{:.1%}".format
    state = "balanced" if result.balanced else "not yet within every tolerance"
    rows = [
        ("Worst deviation", f"{pct(s['max_deviation_before'])} → <b>{pct(s['max_deviation_after'])}</b> ({state})"),
        ("Units moved", f"<b>{s['units_moved']}</b>"),
        ("Accounts changing owner",
         f"<b>{s['accounts_changing_owner']}</b>" + (f" (revenue {s['revenue_changing_owner']:,.0f})"
                                                     if s["accounts_changing_owner"] else "")),
        ("Mean compactness (Polsby-Popper)",
         f"{s['mean_polsby_popper_before']:.3f} → <b>{s['mean_polsby_popper_after']:.3f}</b>"),
        ("Stopped", f"{REASONS.get(result.reason, result.reason)} ({result.elapsed_s:.1f} s)"),
    ]
    body = "".join(f"<tr><td>{k}:&nbsp;&nbsp;</td><td>{v}</td></tr>" for k, v in rows)
    return f"<table>{body}</table>"


def accept_label(result: RebalanceResult) -> str:
    n = len(result.moved_units)
    return f"Rebalance {result.alignment_name}: {n} unit{'s' if n != 1 else ''} moved"


class RebalancePreview(QDialog):
    """Before/after tables, accounts changing owner, summary; Accept = one undo step."""

    def __init__(self, project: Project, result: RebalanceResult, canvas: Any, sink: Sink,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("rebalancePreview")
        self.setWindowTitle(f"Rebalance preview — {result.alignment_name}")
        self.project, self.proposal, self.canvas, self.sink = project, result, canvas, sink
        self.stale = False
        self.summary = QLabel(summary_html(result), self)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        legend = QLabel("Hatched units on the map would move; the hatch has the colour of the territory "
                        "receiving them.", self)
        legend.setWordWrap(True)
        headers, rows, formats = territory_rows(result, project)
        self.territory_model = RowsModel(headers, rows, formats, self)
        self.account_model = RowsModel(("Account", "From", "To", "Revenue"), account_rows(result, project),
                                       ("{}", "{}", "{}", "{:,.2f}"), self)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(table_view(self.territory_model, self), "Territories")
        self.tabs.addTab(table_view(self.account_model, self),
                         f"Accounts changing owner ({len(self.account_model.rows)})")
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.message.setStyleSheet("color: #b00020;")
        n = len(result.moved_units)
        self.buttons = QDialogButtonBox(self)
        self.zoom_button = QPushButton("&Zoom to Changes", self)
        self.zoom_button.setToolTip("Fit the units that would move in the map")
        self.zoom_button.setEnabled(n > 0)
        self.accept_button = QPushButton(f"&Accept ({n} unit{'s' if n != 1 else ''})", self)
        self.accept_button.setToolTip("Apply the proposal as one undo step")
        self.accept_button.setEnabled(n > 0)
        self.reject_button = QPushButton("&Reject", self)
        self.reject_button.setToolTip("Leave the plan as it is")
        self.buttons.addButton(self.zoom_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.buttons.addButton(self.accept_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.reject_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.zoom_button.clicked.connect(self.zoom_to_changes)
        self.accept_button.clicked.connect(self.accept)
        self.reject_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(legend)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        if n == 0:
            self.message.setStyleSheet("")
            self.message.setText("No unit needs to move: " + REASONS.get(result.reason, result.reason) + ".")
        self.resize(660, 400)
        self.show_hatching()
        project.changed.connect(self._on_project_change)

    # -- map ---------------------------------------------------------------------------
    def show_hatching(self) -> None:
        al = self.project.alignment(self.proposal.alignment_id)
        moved = self.proposal.moved_units
        colours = [_colour_of(al, int(k)) for k in self.proposal.assignment[moved].tolist()]
        if self.canvas is not None and hasattr(self.canvas, "set_preview_units"):
            self.canvas.set_preview_units(moved, colours, "hatch")

    def zoom_to_changes(self) -> None:
        import shapely

        moved = self.proposal.moved_units
        if len(moved) and getattr(getattr(self.canvas, "scene_data", None), "units", None) is not None:
            b = shapely.total_bounds(self.canvas.scene_data.units.geoms[moved])
            self.canvas.zoom_to_bounds(*(float(v) for v in b))

    # -- outcome -------------------------------------------------------------------------
    def _on_project_change(self, _change: Change) -> None:
        if not self.stale:
            self.stale = True
            self.accept_button.setEnabled(False)
            self.message.setStyleSheet("color: #b00020;")
            self.message.setText("The plan changed after this proposal was made; reject it and run Rebalance again.")

    def accept(self) -> None:
        """Apply the proposal: ONE command, so one Undo puts every unit back."""
        if self.stale:
            return
        if getattr(self.sink, "project", self.project) is not self.project:
            self.message.setText("another project is open now; this proposal no longer applies")
            return
        try:
            aid, units, keys, _ = self.proposal.changes(self.project)
            command = reassign_units(self.project, aid, units, keys, accept_label(self.proposal))
        except (ValueError, IndexError, KeyError) as exc:
            self.message.setText(str(exc))
            return
        self.project.changed.disconnect(self._on_project_change)
        if command is not None:
            self.sink.push(command)
        super().accept()

    def done(self, code: int) -> None:
        self.project.changed.disconnect(self._on_project_change)
        if self.canvas is not None and hasattr(self.canvas, "clear_preview"):
            self.canvas.clear_preview()
        super().done(code)


def _colour_of(al: Alignment, key: int) -> QColor:
    tid = al.territory_id_of_key(key)
    return QColor(al.territories[tid].colour) if tid in al.territories else QColor("#808080")
