"""Small dialogs of the main window: preferences and the keyboard shortcut list."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHeaderView,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from terradesk.ui.settings import Settings
from terradesk.ui.window.actions import plain


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
        self.open_last = QCheckBox("Reopen the last project on start", self)
        self.open_last.setChecked(bool(settings.preference("open_last_on_start")))
        form = QFormLayout()
        form.addRow("Exported image width", self.width_spin)
        form.addRow("Exported image height", self.height_spin)
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
        self.settings.set_preference("open_last_on_start", self.open_last.isChecked())
        super().accept()


class ShortcutsDialog(QDialog):
    """Every action with its shortcut, in menu order."""

    def __init__(self, actions: Iterable[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        rows = [(plain(a.text()), a.shortcut().toString(QKeySequence.SequenceFormat.NativeText)) for a in actions
                if a.text()]
        table = QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels(["Action", "Shortcut"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for r, (name, keys) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(name))
            table.setItem(r, 1, QTableWidgetItem(keys))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(460, 520)
