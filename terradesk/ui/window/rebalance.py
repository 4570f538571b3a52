"""Tools > Rebalance… and Tools > Create Territories… in the main window: ``install(window)``.

Each action opens its setup dialog (modal while the optimiser runs on a worker thread),
then a non-modal preview over the map; accepting the preview pushes one command on
``window.undo``. Only one preview is open at a time: opening another discards it.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMessageBox

from terradesk.ui.dialogs.create_alignment import CreatePreview, CreateTerritoriesDialog
from terradesk.ui.dialogs.rebalance import RebalanceDialog
from terradesk.ui.dialogs.rebalance_preview import RebalancePreview
from terradesk.ui.window.actions import set_tooltip

#: key: (text, shortcut, status tip)
ACTIONS: dict[str, tuple[str, str, str]] = {
    "tools.rebalance": ("&Rebalance…", "Ctrl+Shift+B",
                        "Propose a balanced plan for the active alignment: metrics, tolerances, constraints"),
    "tools.create_territories": ("Create &Territories…", "Ctrl+Alt+T",
                                 "Build a new alignment of N balanced, contiguous territories from the units"),
}


class RebalanceUI:
    """The two actions and the open preview, if any."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.preview: QDialog | None = None
        self.actions: dict[str, QAction] = {}
        handlers = {"tools.rebalance": self.rebalance, "tools.create_territories": self.create_territories}
        menu = getattr(window, "menus", {}).get("Tools")
        if menu is not None:
            menu.addSeparator()
            menu.aboutToShow.connect(self.update_actions)
        for key, (text, shortcut, tip) in ACTIONS.items():
            action = QAction(text, window)
            action.setObjectName(key)
            action.setShortcut(QKeySequence(shortcut))
            set_tooltip(action, text.replace("&", "").replace("…", ""), tip)
            action.triggered.connect(lambda _checked=False, h=handlers[key]: h())
            window.addAction(action)
            window.actions_by_key[key] = action
            self.actions[key] = action
            if menu is not None:
                menu.addAction(action)
        original = getattr(window, "update_actions", None)
        if callable(original):  # the window refreshes its actions on project and plan changes

            def update_actions() -> None:
                original()
                self.update_actions()

            window.update_actions = update_actions
        self.update_actions()

    # -- state ---------------------------------------------------------------------------
    def update_actions(self) -> None:
        p = self.window.project
        al = p.active_alignment if p is not None else None
        self.actions["tools.rebalance"].setEnabled(al is not None and al.kind == "units" and bool(al.territories))
        self.actions["tools.create_territories"].setEnabled(p is not None and len(p.units) > 0)

    def _selected_units(self) -> tuple[int, ...]:
        canvas = self.window.canvas
        sel = canvas.selection() if hasattr(canvas, "selection") else None
        if sel is not None and getattr(sel, "kind", None) == "units":
            return tuple(int(i) for i in getattr(sel, "indices", ()) or ())
        return ()

    def _close_preview(self) -> None:
        if self.preview is not None and self.preview.isVisible():
            self.preview.reject()
        self.preview = None

    def _refuse(self, text: str) -> None:
        QMessageBox.information(self.window, "Not possible", text)

    # -- actions -------------------------------------------------------------------------
    def rebalance(self) -> None:
        w = self.window
        if w.project is None:
            return
        self._close_preview()
        try:
            dlg = RebalanceDialog(w.project, selected_units=self._selected_units(), parent=w)
        except ValueError as exc:
            self._refuse(str(exc))
            return
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.plan is not None:
            self._show(RebalancePreview(w.project, dlg.plan, w.canvas, w.undo, w))
        dlg.deleteLater()

    def create_territories(self) -> None:
        w = self.window
        if w.project is None:
            return
        self._close_preview()
        try:
            dlg = CreateTerritoriesDialog(w.project, self._selected_units(), parent=w)
        except ValueError as exc:
            self._refuse(str(exc))
            return
        if dlg.exec() == QDialog.DialogCode.Accepted and dlg.plan is not None:
            self._show(CreatePreview(w.project, dlg.plan, w.canvas, w.undo, w))
        dlg.deleteLater()

    def _show(self, preview: QDialog) -> None:
        self.preview = preview
        preview.finished.connect(lambda _code: self._forget(preview))
        preview.show()
        self._place(preview)

    def _forget(self, preview: QDialog) -> None:
        if self.preview is preview:
            self.preview = None
        preview.deleteLater()

    def _place(self, preview: QDialog) -> None:
        """Bottom-right over the map, so the hatched units stay in view."""
        w = self.window
        geo = w.frameGeometry()
        preview.move(geo.right() - preview.frameGeometry().width() - 8,
                     geo.bottom() - preview.frameGeometry().height() - 32)


def install(window: Any) -> RebalanceUI:
    """Add Tools > Rebalance… and Tools > Create Territories… to ``window`` (a MainWindow)."""
    ui = RebalanceUI(window)
    window.rebalance_ui = ui
    return ui
