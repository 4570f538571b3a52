"""Small dialogs of the main window: preferences, the keyboard shortcut list, add alignment."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QRadioButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terradesk.ui.settings import Settings
from terradesk.ui.window.actions import plain

#: Shortcuts that are gestures or keys inside a tool, not actions (shown after the menus).
MAP_KEYS: tuple[tuple[str, str], ...] = (
    ("Brush: smaller / larger", "[ / ]"),
    ("Cancel the current stroke, sketch or drag", "Esc"),
    ("Finish a sketch (draw, reshape, split)", "Enter or double-click"),
    ("Remove the last sketch vertex", "Backspace"),
    ("Suspend snapping while drawing", "Hold Shift"),
    ("Make the clicked unit's territory active (assign tools)", "Alt+click"),
    ("Add to / remove from the selection", "Shift+click"),
    ("Pan / zoom the map", "Arrow keys / wheel, + and -"),
)


class PreferencesDialog(QDialog):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.settings = settings
        self.width_spin = QSpinBox(self)
        self.height_spin = QSpinBox(self)
        for spin, key in ((self.width_spin, "export_width"), (self.height_spin, "export_height")):
            spin.setRange(100, 20000)
            spin.setSuffix(" px")
            spin.setValue(int(settings.preference(key)))  # type: ignore[call-overload]
            spin.setToolTip("Size of File > Export Map Image (PNG pixels; SVG uses the same proportions)")
        self.autosave_spin = QSpinBox(self)
        self.autosave_spin.setObjectName("autosaveMinutes")
        self.autosave_spin.setRange(1, 60)
        self.autosave_spin.setSuffix(" min")
        self.autosave_spin.setValue(max(1, min(60, int(settings.preference("autosave_minutes")))))  # type: ignore[call-overload]
        self.autosave_spin.setToolTip("While there are unsaved changes, a recovery copy is written this often "
                                      "(never over your file); it is offered back after a crash")
        self.open_last = QCheckBox("Reopen the last project on start", self)
        self.open_last.setChecked(bool(settings.preference("open_last_on_start")))
        form = QFormLayout()
        form.addRow("Exported image width", self.width_spin)
        form.addRow("Exported image height", self.height_spin)
        form.addRow("Recovery copy every", self.autosave_spin)
        form.addRow("", self.open_last)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)

    def accept(self) -> None:
        self.settings.set_preference("export_width", self.width_spin.value())
        self.settings.set_preference("export_height", self.height_spin.value())
        self.settings.set_preference("autosave_minutes", self.autosave_spin.value())
        self.settings.set_preference("open_last_on_start", self.open_last.isChecked())
        super().accept()


def menu_rows(menus: Mapping[str, QMenu]) -> list[tuple[str, str, str]]:
    """(menu path, action, keys) for every action of every menu, in menu order."""
    rows: list[tuple[str, str, str]] = []

    def walk(menu: QMenu, path: str) -> None:
        for a in menu.actions():
            if a.isSeparator() or not a.text():
                continue
            sub = a.menu()
            if isinstance(sub, QMenu):
                walk(sub, f"{path} > {plain(a.text())}")
                continue
            keys = a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            rows.append((path, plain(a.text()), keys))

    for title, menu in menus.items():
        walk(menu, plain(title))
    return rows


class ShortcutsDialog(QDialog):
    """Every menu action with its shortcut, in menu order, then the keys used on the map; filterable."""

    def __init__(self, actions: Iterable[QAction] | Mapping[str, QMenu], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        if isinstance(actions, Mapping):
            rows = [r for r in menu_rows(actions) if r[2]]
        else:
            rows = [("", plain(a.text()), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText))
                    for a in actions if a.text()]
        rows += [("On the map", name, keys) for name, keys in MAP_KEYS]
        self.filter = QLineEdit(self)
        self.filter.setObjectName("shortcutFilter")
        self.filter.setPlaceholderText("Filter: type part of an action, menu or key…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.apply_filter)
        self.table = table = QTableWidget(len(rows), 3, self)
        table.setObjectName("shortcutTable")
        table.setHorizontalHeaderLabels(["Menu", "Action", "Shortcut"])
        table.verticalHeader().setVisible(False)
        table.verticalHeader().setDefaultSectionSize(table.fontMetrics().height() + 6)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        table.setAlternatingRowColors(True)
        header = table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                table.setItem(r, c, item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(640, 600)

    def _row(self, r: int) -> tuple[str, str, str]:
        menu, action, keys = (item.text() if (item := self.table.item(r, c)) is not None else "" for c in range(3))
        return menu, action, keys

    def apply_filter(self, text: str) -> None:
        needle = text.strip().lower()
        for r in range(self.table.rowCount()):
            self.table.setRowHidden(r, bool(needle) and needle not in " ".join(self._row(r)).lower())

    def visible_rows(self) -> list[tuple[str, str, str]]:
        return [self._row(r) for r in range(self.table.rowCount()) if not self.table.isRowHidden(r)]


class AddAlignmentDialog(QDialog):
    """Name and kind of a new plan: built from units, or drawn by hand (free-form)."""

    def __init__(self, default_name: str, has_units: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add alignment")
        self.name_edit = QLineEdit(default_name, self)
        self.name_edit.setObjectName("alignmentName")
        self.name_edit.selectAll()
        self.units_radio = QRadioButton("Built from units (assign postal codes, counties…)", self)
        self.freeform_radio = QRadioButton("Free-form (draw territory shapes by hand)", self)
        group = QButtonGroup(self)
        group.addButton(self.units_radio)
        group.addButton(self.freeform_radio)
        self.units_radio.setEnabled(has_units)
        (self.units_radio if has_units else self.freeform_radio).setChecked(True)
        if not has_units:
            self.units_radio.setToolTip("Import units first (File > Import Units…)")
        form = QFormLayout()
        form.addRow("Name", self.name_edit)
        form.addRow("Kind", self.units_radio)
        form.addRow("", self.freeform_radio)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel,
                                        self)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.name_edit.textChanged.connect(self._update_ok)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("A new, empty territory plan. Your other plans are not changed.", self))
        layout.addLayout(form)
        layout.addWidget(self.buttons)
        self._update_ok()

    def _update_ok(self) -> None:
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.name().strip()))

    def name(self) -> str:
        return self.name_edit.text().strip()

    def kind(self) -> str:
        return "freeform" if self.freeform_radio.isChecked() else "units"
