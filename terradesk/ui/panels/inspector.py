"""The Inspector dock: edit the selected territory; read a unit's or account's attributes.

Every edit is one undo step: line edits commit on ``editingFinished`` (Return or focus
out, not per keystroke), notes commit when the box loses focus, combo/checkbox/colour
commit on the user's action. Widgets are refilled from the model on every Change that
names the shown territory, so undo restores them without any extra code.
"""

from __future__ import annotations

from typing import Any, TypeVar

import numpy as np
from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QColorDialog,
    QComboBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terradesk.edit import Sink, set_territory_property
from terradesk.model import Change, ChangeKind, Id, Project, Territory
from terradesk.ui.panels.metrics import ProjectCache, selection_summary

PAGE_EMPTY, PAGE_TERRITORY, PAGE_ROW = 0, 1, 2


W = TypeVar("W", bound=QWidget)


def _named(widget: W, name: str) -> W:
    widget.setObjectName(name)
    return widget


def _kv_table(parent: QWidget, name: str) -> QTableWidget:
    table = QTableWidget(0, 2, parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(["Attribute", "Value"])
    table.horizontalHeader().setStretchLastSection(True)
    table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    table.verticalHeader().setVisible(False)
    table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setAlternatingRowColors(True)
    return table


def _fill(table: QTableWidget, rows: list[tuple[str, str]]) -> None:
    table.setRowCount(len(rows))
    for r, (k, v) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(k))
        item = QTableWidgetItem(v)
        item.setToolTip(v)
        table.setItem(r, 1, item)


class InspectorPanel(QWidget):
    """Shows what is selected; ``sink`` receives the commands its edits build."""

    error = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.project: Project | None = None
        self.sink: Sink | None = None
        self.cache = ProjectCache()
        self.kind: str | None = None
        self.ids: tuple[str, ...] = ()
        self.territory_id: Id | None = None
        self._build()

    # -- construction -------------------------------------------------------------
    def _build(self) -> None:
        self.heading = QLabel("Nothing selected", self)
        self.heading.setObjectName("inspectorHeading")
        font = self.heading.font()
        font.setBold(True)
        self.heading.setFont(font)
        self.stack = QStackedWidget(self)
        hint = QLabel("Select a territory, unit or account on the map or in the Territories table.", self)
        hint.setWordWrap(True)
        hint.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        hint.setEnabled(False)
        self.stack.addWidget(hint)

        form_page = QWidget(self)
        form = QFormLayout(form_page)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.name_edit = _named(QLineEdit(form_page), "inspectorName")
        self.name_edit.setToolTip("Territory name - press Enter to apply")
        self.name_edit.editingFinished.connect(lambda: self._commit("name", self.name_edit.text()))
        self.owner_combo = _named(QComboBox(form_page), "inspectorOwner")
        self.owner_combo.setToolTip("Rep, partner or team holding this territory")
        self.owner_combo.activated.connect(lambda _i: self._commit("owner_id", self.owner_combo.currentData()))
        self.region_edit = _named(QLineEdit(form_page), "inspectorRegion")
        self.region_edit.setToolTip("Region the territory rolls up to - press Enter to apply")
        self.region_edit.editingFinished.connect(lambda: self._commit("region", self.region_edit.text()))
        self.colour_button = _named(QPushButton(form_page), "inspectorColour")
        self.colour_button.setToolTip("Choose the territory's map colour")
        self.colour_button.clicked.connect(self.choose_colour)
        self.notes_edit = _named(QPlainTextEdit(form_page), "inspectorNotes")
        self.notes_edit.setToolTip("Notes - applied when you leave the box")
        self.notes_edit.setTabChangesFocus(True)
        self.notes_edit.setMaximumHeight(self.fontMetrics().height() * 4 + 12)
        self.notes_edit.installEventFilter(self)
        self.locked_check = _named(QCheckBox("Locked (painting and reassignment skip it)", form_page), "inspectorLocked")
        self.locked_check.setToolTip("Lock the territory so tools leave its units alone")
        self.locked_check.clicked.connect(lambda checked: self._commit("locked", bool(checked)))
        form.addRow("&Name", self.name_edit)
        form.addRow("O&wner", self.owner_combo)
        form.addRow("&Region", self.region_edit)
        form.addRow("&Colour", self.colour_button)
        form.addRow("N&otes", self.notes_edit)
        form.addRow("", self.locked_check)
        self.stack.addWidget(form_page)

        self.attributes = _kv_table(self, "inspectorAttributes")
        self.stack.addWidget(self.attributes)

        self.metrics_label = QLabel("Selection metrics", self)
        self.metrics = _kv_table(self, "inspectorMetrics")
        self.metrics.setHorizontalHeaderLabels(["Metric", "Value"])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.heading)
        layout.addWidget(self.stack, 3)
        layout.addWidget(self.metrics_label)
        layout.addWidget(self.metrics, 2)

    # -- wiring -----------------------------------------------------------------------
    def set_project(self, project: Project | None, sink: Sink | None) -> None:
        if self.project is not None:
            self.project.changed.disconnect(self._on_change)
        self.project, self.sink = project, sink
        self.cache = ProjectCache()
        if project is not None:
            project.changed.connect(self._on_change)
        self.show_selection(None, ())

    def show_selection(self, kind: str | None, ids: tuple[str, ...]) -> None:
        """Display a selection (kind 'territories' | 'units' | 'accounts' | None)."""
        self.kind, self.ids = kind, tuple(ids)
        self.territory_id = ids[0] if kind == "territories" and len(ids) == 1 else None
        self.refresh()

    def refresh(self) -> None:
        p = self.project
        kind, ids = self.kind, self.ids
        al = p.active_alignment if p is not None else None
        if p is None or not ids or kind is None:
            self.heading.setText("Nothing selected")
            self.stack.setCurrentIndex(PAGE_EMPTY)
        elif self.territory_id is not None and al is not None and self.territory_id in al.territories:
            t = al.territories[self.territory_id]
            self.heading.setText(f"Territory · {t.name}")
            self._load_territory(t)
            self.stack.setCurrentIndex(PAGE_TERRITORY)
        elif kind in ("units", "accounts") and len(ids) == 1:
            self._load_row(kind, ids[0])
            self.stack.setCurrentIndex(PAGE_ROW)
        else:
            noun = {"units": "units", "accounts": "accounts"}.get(kind or "", "territories")
            self.heading.setText(f"{len(ids):,} {noun} selected")
            self.stack.setCurrentIndex(PAGE_EMPTY)
        try:
            rows = selection_summary(p, kind, ids, self.cache) if p is not None else []
        except KeyError:  # ids of rows that an undo just removed
            rows = []
        _fill(self.metrics, rows)

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.UNITS, ChangeKind.RESET):
            self.cache.invalidate_units()
        elif change.kind == ChangeKind.ACCOUNTS:
            self.cache.invalidate_accounts()
        if change.kind == ChangeKind.OWNERS or change.kind == ChangeKind.ACTIVE_ALIGNMENT or (
            self.territory_id is not None and self.territory_id in change.ids
        ) or change.kind in (ChangeKind.ASSIGNMENT, ChangeKind.UNITS, ChangeKind.ACCOUNTS, ChangeKind.RESET):
            self.refresh()

    # -- territory page ---------------------------------------------------------------
    def _load_territory(self, t: Territory) -> None:
        assert self.project is not None
        for w in (self.name_edit, self.region_edit, self.owner_combo, self.notes_edit, self.locked_check):
            w.blockSignals(True)
        if not (self.name_edit.hasFocus() and self.name_edit.isModified()):
            self.name_edit.setText(t.name)
            self.name_edit.setModified(False)
        if not (self.region_edit.hasFocus() and self.region_edit.isModified()):
            self.region_edit.setText(t.region)
            self.region_edit.setModified(False)
        self.owner_combo.clear()
        self.owner_combo.addItem("(no owner)", None)
        for owner in self.project.owners.values():
            self.owner_combo.addItem(f"{owner.name} ({owner.role})", owner.id)
        self.owner_combo.setCurrentIndex(max(0, self.owner_combo.findData(t.owner_id)))
        if self.notes_edit.toPlainText() != t.notes:
            self.notes_edit.setPlainText(t.notes)
        self.locked_check.setChecked(t.locked)
        for w in (self.name_edit, self.region_edit, self.owner_combo, self.notes_edit, self.locked_check):
            w.blockSignals(False)
        pix = QPixmap(28, 14)
        pix.fill(QColor(t.colour))
        self.colour_button.setIcon(QIcon(pix))
        self.colour_button.setText(t.colour)

    def _commit(self, prop: str, value: Any) -> None:
        """Push one SetTerritoryProperty when ``value`` differs from the model."""
        p, al = self.project, self.project.active_alignment if self.project else None
        if p is None or al is None or self.sink is None or self.territory_id not in al.territories:
            return
        t = al.territories[self.territory_id]
        if isinstance(value, str) and prop != "notes":
            value = value.strip()
        if getattr(t, prop) == value:
            return
        try:
            self.sink.push(set_territory_property(p, al.id, t.id, prop, value))
        except ValueError as exc:
            self.error.emit(str(exc))
            self.refresh()

    def commit_notes(self) -> None:
        self._commit("notes", self.notes_edit.toPlainText())

    def choose_colour(self) -> None:
        al = self.project.active_alignment if self.project else None
        if al is None or self.territory_id not in al.territories:
            return
        current = QColor(al.territories[self.territory_id].colour)
        colour = QColorDialog.getColor(current, self, "Territory colour")
        if colour.isValid():
            self._commit("colour", colour.name())

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.notes_edit and event.type() == QEvent.Type.FocusOut:
            self.commit_notes()
        return super().eventFilter(watched, event)

    # -- unit / account page ----------------------------------------------------------
    def _load_row(self, kind: str, rid: str) -> None:
        assert self.project is not None
        layer = self.project.units if kind == "units" else self.project.accounts
        try:
            pos = layer.index_of(rid)
        except KeyError:
            _fill(self.attributes, [])
            return
        rows: list[tuple[str, str]] = []
        names = [c for c in layer.CORE if c not in ("geometry", "x", "y")] + list(layer.fields)
        for name in names:
            value = layer.column(name)[pos]
            rows.append((name, _text(value)))
        al = self.project.active_alignment
        if kind == "units" and al is not None and al.kind == "units":
            tid = al.territory_of_unit(pos)
            rows.insert(0, ("territory", al.territories[tid].name if tid in al.territories else "(unassigned)"))
        if kind == "accounts" and al is not None and rid in al.pins and al.pins[rid] in al.territories:
            rows.insert(0, ("pinned to", al.territories[al.pins[rid]].name))
        label = layer.column("name")[pos]
        self.heading.setText(f"{'Unit' if kind == 'units' else 'Account'} · {label}")
        _fill(self.attributes, rows)


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float | np.floating):
        number = float(value)
        return "" if np.isnan(number) else f"{number:,.6g}" if abs(number) < 1e6 else f"{number:,.0f}"
    return str(value)
