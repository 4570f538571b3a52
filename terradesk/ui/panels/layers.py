"""The Layers dock: visibility, order, opacity, style and legend of the canvas layers.

The panel drives the canvas through ``layers()``, ``set_layer_state()``, ``move_layer()``
and ``remove_layer()``. For units, territories and accounts that is view state; reference
layers belong to the project, so the canvas turns their visibility, opacity, colour,
order and removal into undo steps (and they are saved with the project).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QColorDialog,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSlider,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from terradesk.model import Project

CORE_KINDS = frozenset({"units", "territories", "accounts"})
MODES = (("territory", "By territory"), ("field", "By numeric field"), ("single", "Single colour"))


def _swatch(colour: QColor, w: int = 14, h: int = 10) -> QIcon:
    pix = QPixmap(w, h)
    pix.fill(colour)
    return QIcon(pix)


class LayerPanel(QWidget):
    """Works with any object offering the MapCanvas layer API; empty when there is none."""

    add_reference_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas: Any = None
        self.project: Project | None = None
        self._updating = False
        self.list = QListWidget(self)
        self.list.setObjectName("layerList")
        self.list.setToolTip("Map layers, top first - tick to show, select to style")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.itemChanged.connect(self._on_item_changed)
        self.list.currentRowChanged.connect(lambda _r: self._load_current())

        buttons = QHBoxLayout()
        self.add_button = self._tool_button("+", "Add a reference layer (GeoPackage, Shapefile, GeoJSON, KML)",
                                            self.add_reference_requested.emit)
        self.up_button = self._tool_button("▲", "Move the layer up", lambda: self._move(-1))
        self.down_button = self._tool_button("▼", "Move the layer down", lambda: self._move(+1))
        self.remove_button = self._tool_button("✕", "Remove the reference layer", self._remove)
        for b in (self.add_button, self.up_button, self.down_button, self.remove_button):
            buttons.addWidget(b)
        buttons.addStretch(1)

        form = QFormLayout()
        self.opacity = QSlider(Qt.Orientation.Horizontal, self)
        self.opacity.setRange(0, 100)
        self.opacity.setToolTip("Layer opacity")
        self.opacity.valueChanged.connect(lambda v: self._set_state(opacity=v / 100.0))
        self.mode = QComboBox(self)
        self.mode.setToolTip("How the layer is coloured")
        self.mode.activated.connect(lambda _i: self._set_style(mode=self.mode.currentData()))
        self.field = QComboBox(self)
        self.field.setToolTip("Numeric field for the choropleth")
        self.field.activated.connect(lambda _i: self._set_style(field=self.field.currentText()))
        self.colour = QPushButton(self)
        self.colour.setToolTip("Colour of the layer in single-colour mode")
        self.colour.clicked.connect(self._choose_colour)
        form.addRow("Opacity", self.opacity)
        form.addRow("Style", self.mode)
        form.addRow("Field", self.field)
        form.addRow("Colour", self.colour)
        self.legend = QListWidget(self)
        self.legend.setObjectName("layerLegend")
        self.legend.setToolTip("Legend of the selected layer")
        self.legend.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.addWidget(self.list, 2)
        layout.addLayout(buttons)
        layout.addLayout(form)
        layout.addWidget(self.legend, 1)
        self._load_current()

    def _tool_button(self, text: str, tip: str, slot: Any) -> QToolButton:
        b = QToolButton(self)
        b.setText(text)
        b.setToolTip(tip)
        b.setAutoRaise(True)
        b.clicked.connect(slot)
        return b

    # -- wiring -------------------------------------------------------------------------
    def set_canvas(self, canvas: Any) -> None:
        if not hasattr(canvas, "layers"):
            canvas = None
        self.canvas = canvas
        if canvas is not None:
            canvas.layers_changed.connect(self.reload)
        self.reload()

    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.reload()

    def layer_states(self) -> list[Any]:
        """The canvas layers, or none while no project is open (nothing to show or style)."""
        if self.canvas is None or self.project is None:
            return []
        return list(self.canvas.layers())

    def current_state(self) -> Any:
        item = self.list.currentItem()
        if item is None:
            return None
        lid = item.data(Qt.ItemDataRole.UserRole)
        return next((s for s in self.layer_states() if s.id == lid), None)

    def reload(self) -> None:
        current = self.list.currentItem().data(Qt.ItemDataRole.UserRole) if self.list.currentItem() else None
        self._updating = True
        self.list.clear()
        self.list.setEnabled(self.project is not None)
        for state in self.layer_states():
            item = QListWidgetItem(state.title)
            item.setData(Qt.ItemDataRole.UserRole, state.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if state.visible else Qt.CheckState.Unchecked)
            item.setToolTip(f"{state.title} ({state.kind} layer)")
            self.list.addItem(item)
            if state.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self._updating = False
        self._load_current()

    # -- current layer ---------------------------------------------------------------------
    def _load_current(self) -> None:
        state = self.current_state()
        self._updating = True
        enabled = state is not None
        for w in (self.opacity, self.mode, self.field, self.colour, self.up_button, self.down_button):
            w.setEnabled(enabled)
        self.remove_button.setEnabled(enabled and state.kind not in CORE_KINDS)
        self.add_button.setEnabled(self.canvas is not None and self.project is not None)
        self.legend.clear()
        self.legend.setEnabled(enabled)
        if state is None:
            self.colour.setIcon(QIcon())
            self.colour.setText("")
            self.mode.clear()
            self.field.clear()
        else:
            self.opacity.setValue(round(state.opacity * 100))
            self.mode.clear()
            for mode, label in MODES:
                if mode == "territory" and state.kind not in ("units", "territories"):
                    continue
                if mode == "field" and not self._fields(state.kind):
                    continue
                self.mode.addItem(label, mode)
            self.mode.setCurrentIndex(max(0, self.mode.findData(state.style.mode)))
            self.field.clear()
            self.field.addItems(self._fields(state.kind))
            if state.style.field:
                self.field.setCurrentText(state.style.field)
            self.field.setEnabled(state.style.mode == "field")
            colour = QColor(state.style.colour) if state.style.colour else QColor("#888888")
            self.colour.setIcon(_swatch(colour))
            self.colour.setText(colour.name())
            self.colour.setEnabled(state.style.mode == "single")
            try:
                for label, c in self.canvas.legend(state.id):
                    self.legend.addItem(QListWidgetItem(_swatch(QColor(c)), str(label)))
            except (KeyError, ValueError):
                pass
        self._updating = False

    def _fields(self, kind: str) -> list[str]:
        if self.project is None:
            return []
        if kind == "units":
            return self.project.units.numeric_fields()
        if kind == "accounts":
            return self.project.accounts.numeric_fields()
        return []

    def _on_item_changed(self, item: QListWidgetItem) -> None:
        if self._updating or self.canvas is None:
            return
        lid = item.data(Qt.ItemDataRole.UserRole)
        self.canvas.set_layer_state(lid, visible=item.checkState() == Qt.CheckState.Checked)

    def _set_state(self, **changes: Any) -> None:
        state = self.current_state()
        if self._updating or state is None:
            return
        self.canvas.set_layer_state(state.id, **changes)

    def _set_style(self, **changes: Any) -> None:
        state = self.current_state()
        if self._updating or state is None:
            return
        if changes.get("mode") == "field" and not state.style.field and self.field.count():
            changes["field"] = self.field.itemText(0)
        self.canvas.set_layer_state(state.id, style=dataclasses.replace(state.style, **changes))
        self._load_current()

    def _choose_colour(self) -> None:
        state = self.current_state()
        if state is None:
            return
        colour = QColorDialog.getColor(QColor(state.style.colour or "#888888"), self, "Layer colour")
        if colour.isValid():
            self._set_style(colour=colour.name())

    def _move(self, step: int) -> None:
        state = self.current_state()
        if state is None:
            return
        ids = [s.id for s in self.layer_states()]
        new = min(max(ids.index(state.id) + step, 0), len(ids) - 1)
        self.canvas.move_layer(state.id, new)
        self.reload()

    def _remove(self) -> None:
        state = self.current_state()
        if state is not None and state.kind not in CORE_KINDS:
            self.canvas.remove_layer(state.id)
            self.reload()
