"""Territory > Owners: reps, partners and support teams with role, capacity and home.

Every edit is one command through :mod:`terradesk.edit` (add, remove, one property per
change), so each shows in History and undoes alone. The home is typed as longitude /
latitude (what a planner copies from a web map) or picked by clicking the map with
:class:`HomePickTool`; it is stored in the project CRS. The dialog follows the project's
change signal, so an undo elsewhere shows here at once.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QCursor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terradesk.edit import Command, Sink, add_owner, remove_owner, set_owner_property
from terradesk.geo.crs import transform_points
from terradesk.model import OWNER_ROLES, Change, ChangeKind, Id, Project
from terradesk.ui.canvas.tools import MapMouseEvent, MapTool

HEADERS = ("Name", "Role", "Capacity", "Home (lon, lat)", "Territories")
NO_CAPACITY = -1.0  # the spin's special value shown as "none"


def format_capacity(value: float | None) -> str:
    """Capacity as the table and the editor both show it: "3050", "37.5", "" for none."""
    if value is None:
        return ""
    text = f"{value:.1f}"
    return text[:-2] if text.endswith(".0") else text


class CapacitySpin(QDoubleSpinBox):
    """A capacity spin showing "3050" rather than "3050.0" (one decimal kept when set)."""

    def textFromValue(self, value: float) -> str:
        return format_capacity(value)


class HomePickTool(MapTool):
    """One click on the map hands its point (project CRS) to ``on_pick``, then the previous tool returns."""

    name = "Pick home"
    tooltip = "Click the owner's home on the map"

    def __init__(self, canvas: Any, on_pick: Callable[[float, float], None]) -> None:
        super().__init__(canvas)
        self.on_pick = on_pick
        self.previous: MapTool | None = canvas.tool() if canvas is not None else None
        self.cursor = QCursor(Qt.CursorShape.CrossCursor)

    def canvas_press(self, event: MapMouseEvent) -> bool:
        return event.button == Qt.MouseButton.LeftButton

    def canvas_release(self, event: MapMouseEvent) -> bool:
        if event.button != Qt.MouseButton.LeftButton or self.canvas is None:
            return False
        project = self.canvas.project()
        if project is not None:
            x, y = transform_points([event.x], [event.y], self.canvas.display_crs(), project.meta.crs)
            self.on_pick(float(x[0]), float(y[0]))
        self.canvas.set_tool(self.previous)
        return True


class OwnersDialog(QDialog):
    def __init__(self, project: Project, sink: Sink, parent: QWidget | None = None, canvas: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Owners")
        self.setObjectName("ownersDialog")
        self.project, self.sink, self.canvas = project, sink, canvas
        self._loading = False
        self.table = QTableWidget(0, len(HEADERS), self)
        self.table.setObjectName("ownersTable")
        self.table.setHorizontalHeaderLabels(HEADERS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._load_current)

        self.name = QLineEdit(self)
        self.name.editingFinished.connect(lambda: self._set("name", self.name.text()))
        self.role = QComboBox(self)
        for r in OWNER_ROLES:
            self.role.addItem(r.capitalize(), r)
        self.role.activated.connect(lambda _i: self._set("role", self.role.currentData()))
        self.capacity = CapacitySpin(self)
        self.capacity.setRange(NO_CAPACITY, 1e9)
        self.capacity.setDecimals(1)
        self.capacity.setSpecialValueText("none")
        self.capacity.setToolTip("Workload hours or account count this owner can carry (capacity targets)")
        self.capacity.editingFinished.connect(self._set_capacity)
        self.lon = QDoubleSpinBox(self)
        self.lat = QDoubleSpinBox(self)
        for spin, bound in ((self.lon, 180.0), (self.lat, 90.0)):
            spin.setRange(-bound - 1, bound)  # the minimum reads "not set"
            spin.setSpecialValueText("not set")
            spin.setDecimals(5)
        set_home = QPushButton("Set", self)
        set_home.setToolTip("Use the longitude and latitude typed here")
        set_home.clicked.connect(self._set_home_typed)
        self.pick = QPushButton("Pick on map", self)
        self.pick.setEnabled(canvas is not None)
        self.pick.clicked.connect(self._start_pick)
        clear_home = QPushButton("Clear", self)
        clear_home.clicked.connect(lambda: self._set("home", None))
        home_row = QHBoxLayout()
        for w in (QLabel("Lon", self), self.lon, QLabel("Lat", self), self.lat, set_home, self.pick, clear_home):
            home_row.addWidget(w)
        self.email = QLineEdit(self)
        self.email.editingFinished.connect(lambda: self._set("email", self.email.text()))
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Role", self.role)
        form.addRow("Capacity", self.capacity)
        form.addRow("Home", home_row)
        form.addRow("E-mail", self.email)
        self.editors: list[QWidget] = [self.name, self.role, self.capacity, self.lon, self.lat, set_home,
                                       self.pick, clear_home, self.email]

        add = QPushButton("Add owner", self)
        add.clicked.connect(self.add)
        self.remove_button = QPushButton("Remove", self)
        self.remove_button.clicked.connect(self.remove)
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(self.remove_button)
        buttons.addStretch(1)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(close)
        self.resize(640, 460)
        project.changed.connect(self._on_change)
        self.finished.connect(lambda _r: project.changed.disconnect(self._on_change))
        self.reload()

    # -- table ------------------------------------------------------------------------
    def owner_ids(self) -> list[Id]:
        return list(self.project.owners)

    def current(self) -> Id | None:
        rows = self.table.selectionModel().selectedRows()
        ids = self.owner_ids()
        return ids[rows[0].row()] if rows and rows[0].row() < len(ids) else None

    def reload(self) -> None:
        keep = self.current()
        self._loading = True
        held: dict[Id, int] = {}
        for al in self.project.alignments.values():
            for t in al.territories.values():
                if t.owner_id:
                    held[t.owner_id] = held.get(t.owner_id, 0) + 1
        self.table.setRowCount(len(self.project.owners))
        for r, owner in enumerate(self.project.owners.values()):
            lonlat = self.home_lonlat(owner.id)
            cells = (owner.name, owner.role, format_capacity(owner.capacity),
                     "" if lonlat is None else f"{lonlat[0]:.4f}, {lonlat[1]:.4f}", str(held.get(owner.id, 0)))
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()
        self._loading = False
        ids = self.owner_ids()
        if keep in ids:
            self.table.selectRow(ids.index(keep))
        elif ids and self.current() is None:
            self.table.selectRow(0)
        self._load_current()

    def home_lonlat(self, oid: Id) -> tuple[float, float] | None:
        home = self.project.owners[oid].home
        if home is None:
            return None
        lon, lat = transform_points([home[0]], [home[1]], self.project.meta.crs, "EPSG:4326")
        return float(lon[0]), float(lat[0])

    def _load_current(self) -> None:
        if self._loading:
            return
        oid = self.current()
        for w in [*self.editors, self.remove_button]:
            w.setEnabled(oid is not None and (w is not self.pick or self.canvas is not None))
        if oid is None:
            return
        o = self.project.owners[oid]
        self._loading = True
        self.name.setText(o.name)
        self.role.setCurrentIndex(max(0, self.role.findData(o.role)))
        self.capacity.setValue(NO_CAPACITY if o.capacity is None else o.capacity)
        lonlat = self.home_lonlat(oid)
        self.lon.setValue(lonlat[0] if lonlat is not None else self.lon.minimum())
        self.lat.setValue(lonlat[1] if lonlat is not None else self.lat.minimum())
        self.email.setText(o.email)
        self._loading = False

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.OWNERS, ChangeKind.TERRITORIES, ChangeKind.RESET, ChangeKind.META):
            self.reload()

    # -- edits (one command each) ----------------------------------------------------------
    def push(self, command: Command) -> bool:
        try:
            self.sink.push(command)
        except (ValueError, KeyError) as exc:
            QMessageBox.warning(self, "Not possible", str(exc))
            return False
        return True

    def add(self) -> None:
        names = {o.name for o in self.project.owners.values()}
        n = len(names) + 1
        while f"Owner {n}" in names:
            n += 1
        if self.push(add_owner(self.project, f"Owner {n}")):
            self.table.selectRow(len(self.project.owners) - 1)
            self.name.setFocus()
            self.name.selectAll()

    def remove(self) -> None:
        oid = self.current()
        if oid is not None:
            self.push(remove_owner(self.project, oid))

    def _set(self, prop: str, value: object) -> None:
        oid = self.current()
        if self._loading or oid is None:
            return
        if getattr(self.project.owners[oid], prop) == value:
            return  # no empty undo steps for a field left unchanged
        try:
            command = set_owner_property(self.project, oid, prop, value)
        except ValueError as exc:
            QMessageBox.warning(self, "Not possible", str(exc))
            self._load_current()
            return
        self.push(command)

    def _set_capacity(self) -> None:
        v = self.capacity.value()
        self._set("capacity", None if v <= NO_CAPACITY else float(v))

    def _set_home_typed(self) -> None:
        if self.lon.value() <= self.lon.minimum() or self.lat.value() <= self.lat.minimum():
            QMessageBox.warning(self, "Not possible", "Type both a longitude and a latitude first.")
            return
        self.set_home_lonlat(self.lon.value(), self.lat.value())

    def set_home_lonlat(self, lon: float, lat: float) -> None:
        if not (math.isfinite(lon) and math.isfinite(lat)):
            return
        x, y = transform_points([lon], [lat], "EPSG:4326", self.project.meta.crs)
        self._set("home", (float(x[0]), float(y[0])))

    def _start_pick(self) -> None:
        if self.canvas is None:
            return
        oid = self.current()

        def picked(x: float, y: float) -> None:
            if oid is not None and oid in self.project.owners:
                self.table.selectRow(self.owner_ids().index(oid))
                self._set("home", (x, y))

        self.canvas.set_tool(HomePickTool(self.canvas, picked))
