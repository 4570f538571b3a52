"""The main window: map canvas in the centre, docks around it, menus, toolbar, status bar.

File and Territory menu behaviour live in mixins (``ui/window/file_ops.py`` and
``ui/window/territory_ops.py``); the action table in ``ui/window/actions.py``.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any

import shiboken6
from PySide6.QtCore import QByteArray, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QMessageBox, QWidget

from terradesk import __version__
from terradesk.model import Change, ChangeKind, Project
from terradesk.ui.panels.history import HistoryPanel
from terradesk.ui.panels.inspector import InspectorPanel
from terradesk.ui.panels.layers import LayerPanel
from terradesk.ui.panels.territories import TerritoryPanel
from terradesk.ui.recovery import install_recovery
from terradesk.ui.settings import Settings
from terradesk.ui.undo import UndoStack
from terradesk.ui.window.actions import build_actions, build_menus, build_toolbar, set_tooltip
from terradesk.ui.window.assign_tools import install as install_assign_tools
from terradesk.ui.window.balance import install as install_balance
from terradesk.ui.window.dialogs import PreferencesDialog, ShortcutsDialog
from terradesk.ui.window.edit_tools import install as install_edit_tools
from terradesk.ui.window.file_ops import FileOpsMixin
from terradesk.ui.window.icons import icon
from terradesk.ui.window.placeholder import PlaceholderCanvas, PlaceholderSelection
from terradesk.ui.window.rebalance import install as install_rebalance
from terradesk.ui.window.status import StatusFields
from terradesk.ui.window.territory_ops import TerritoryOpsMixin

APP_NAME = "TerraDesk"
TOOL_NAMES = {"tools.pan": ("PanTool", "Pan"), "tools.zoom_box": ("ZoomBoxTool", "Zoom box"),
              "tools.select": ("SelectTool", "Select")}


def tool_label(tool: object) -> str | None:
    """The tool's own ``name`` (as its action says), else 'AssignBrushTool' -> 'Assign brush'."""
    if tool is None:
        return None
    own = getattr(tool, "name", None)
    if isinstance(own, str) and own and own != "Tool":
        return own
    name = re.sub(r"Tool$", "", type(tool).__name__)
    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", name) or [name]
    return " ".join([words[0], *(w.lower() for w in words[1:])])


def history_origin(project: Project | None, path: Path | None) -> str:
    """First row of the History dock: where the undo stack starts."""
    if project is None:
        return "No project open"
    return f"Opened {Path(path).name}" if path is not None else f"Started {project.meta.name}"


def make_canvas(parent: QWidget | None = None) -> Any:
    """The real MapCanvas, or a placeholder with the same API when it cannot be built."""
    try:
        from terradesk.ui.canvas import MapCanvas

        return MapCanvas(parent)
    except Exception as exc:  # an incomplete canvas must not stop the window from opening
        print(f"terradesk: map canvas unavailable ({exc})", file=sys.stderr)
        return PlaceholderCanvas(parent)


def make_selection(kind: str | None, ids: tuple[str, ...]) -> Any:
    try:
        from terradesk.ui.canvas import Selection
    except Exception:
        return PlaceholderSelection(kind, ids)
    return Selection(kind, ids)  # type: ignore[arg-type]


class MainWindow(FileOpsMixin, TerritoryOpsMixin, QMainWindow):
    """One project at a time; everything that changes it goes through ``self.undo``."""

    def __init__(self, settings: Settings | None = None, canvas: Any = None) -> None:
        QMainWindow.__init__(self)
        self.setObjectName("mainWindow")
        self.settings = settings or Settings()
        self.project: Project | None = None
        self.path: Path | None = None
        self._kind: str | None = None
        self._ids: tuple[str, ...] = ()
        self._shown_tool: object = None
        self.undo = UndoStack(self)
        self.canvas: Any = canvas if canvas is not None else make_canvas(self)
        self.canvas.undo_sink = self.undo
        self.setCentralWidget(self.canvas)
        self.setAcceptDrops(True)
        self.setDockNestingEnabled(True)
        self._build_docks()
        self._build_actions()
        self.status = StatusFields(self.statusBar())
        self._connect()
        install_edit_tools(self)
        install_assign_tools(self)
        install_balance(self)
        install_rebalance(self)
        self.recovery = install_recovery(self)
        self.resize(1366, 740)
        self.default_state = self.saveState()
        self.restore_layout()
        self.set_project(None)

    # -- construction -----------------------------------------------------------------------
    def _dock(self, title: str, name: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        self.layer_panel = LayerPanel(self)
        self.inspector = InspectorPanel(self)
        self.territory_panel = TerritoryPanel(self)
        self.history_panel = HistoryPanel(self.undo.stack, self)
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.layers_dock = self._dock("Layers", "dockLayers", self.layer_panel, left)
        self.history_dock = self._dock("History", "dockHistory", self.history_panel, left)
        self.inspector_dock = self._dock("Inspector", "dockInspector", self.inspector, right)
        self.territories_dock = self._dock("Territories", "dockTerritories", self.territory_panel,
                                           Qt.DockWidgetArea.BottomDockWidgetArea)
        self.setCorner(Qt.Corner.BottomLeftCorner, left)
        self.setCorner(Qt.Corner.BottomRightCorner, right)
        self.splitDockWidget(self.layers_dock, self.history_dock, Qt.Orientation.Vertical)
        self.resizeDocks([self.layers_dock, self.inspector_dock], [250, 290], Qt.Orientation.Horizontal)
        self.resizeDocks([self.layers_dock, self.history_dock], [420, 200], Qt.Orientation.Vertical)
        self.resizeDocks([self.territories_dock], [190], Qt.Orientation.Vertical)
        self.docks = [self.layers_dock, self.inspector_dock, self.territories_dock, self.history_dock]
        self.layer_panel.set_canvas(self.canvas)

    def _build_actions(self) -> None:
        self.actions_by_key: dict[str, QAction] = build_actions(self)
        undo = self.undo.stack.createUndoAction(self, "Undo")
        redo = self.undo.stack.createRedoAction(self, "Redo")
        for key, action, seq, glyph in (("edit.undo", undo, QKeySequence.StandardKey.Undo, "undo"),
                                        ("edit.redo", redo, QKeySequence.StandardKey.Redo, "redo")):
            action.setObjectName(key)
            action.setShortcuts(seq)
            action.setIcon(icon(glyph))
            self.addAction(action)
            self.actions_by_key[key] = action
        self.undo.stack.undoTextChanged.connect(lambda _t: self._label_undo())
        self.undo.stack.redoTextChanged.connect(lambda _t: self._label_undo())
        self._label_undo()
        for i, dock in enumerate(self.docks, start=1):
            toggle = dock.toggleViewAction()
            toggle.setShortcut(QKeySequence(f"Alt+{i}"))
            set_tooltip(toggle, f"Show/hide {dock.windowTitle()}", f"Show or hide the {dock.windowTitle()} panel")
            self.actions_by_key[f"view.dock.{dock.objectName()}"] = toggle
        self.recent_menu = QMenu("Open &Recent", self)
        self.alignment_menu = QMenu("&Switch Alignment", self)
        self.alignment_group = QActionGroup(self)
        self.menus = build_menus(self, self.actions_by_key, {
            "recent": self.recent_menu, "alignments": self.alignment_menu,
            "docks": [d.toggleViewAction() for d in self.docks],
        })
        self.toolbar = build_toolbar(self, self.actions_by_key)
        self.refresh_recent_menu()

    def _label_undo(self) -> None:
        if not shiboken6.isValid(self.undo.stack):
            return
        for key, verb in (("edit.undo", "Undo"), ("edit.redo", "Redo")):
            action = self.actions_by_key[key]
            label = self.undo.undo_label if verb == "Undo" else self.undo.redo_label
            set_tooltip(action, f"{verb} {label}" if label else verb, f"{verb} the last step")

    def _connect(self) -> None:
        self.undo.stack.cleanChanged.connect(lambda _c: self.update_title())
        self.undo.stack.indexChanged.connect(lambda _i: self.update_title())
        self.canvas.selection_changed.connect(self._on_selection)
        self.canvas.cursor_moved.connect(self._on_cursor)
        self.canvas.scale_changed.connect(lambda d: self.status.set_scale(d if self.project is not None else float("nan")))
        self.territory_panel.territory_activated.connect(lambda tid: self.select("territories", (tid,)))
        self.inspector.error.connect(lambda text: QMessageBox.warning(self, "Not possible", text))
        self.layer_panel.add_reference_requested.connect(self.add_reference_layer)

    # -- project -------------------------------------------------------------------------------
    def set_project(self, project: Project | None, path: Path | None = None) -> None:
        if self.project is not None:
            self.project.changed.disconnect(self._on_project_change)
        self.project, self.path = project, Path(path) if path is not None else None
        self.undo.set_project(project)
        self._kind, self._ids = None, ()
        self.canvas.set_project(project)
        self.layer_panel.set_project(project)
        self.inspector.set_project(project, self.undo)
        self.territory_panel.set_project(project)
        self.history_panel.set_origin(history_origin(project, self.path))
        if project is not None:
            project.changed.connect(self._on_project_change)
            self.statusBar().clearMessage()
            self.canvas.zoom_full()
        else:
            self.status.set_scale(float("nan"))
            self.status.set_cursor(float("nan"), float("nan"), float("nan"), float("nan"))
            self.statusBar().showMessage(
                "Open a project (Ctrl+O), drop a .gpkg file here, or try File > Open Demo Project.")
        self._on_selection(make_selection(None, ()))
        self._refresh_alignments()
        self.update_title()
        self.sync_tool_status()

    def _on_project_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.ALIGNMENTS, ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.RESET):
            self._refresh_alignments()
        if change.kind in (ChangeKind.TERRITORIES, ChangeKind.ASSIGNMENT, ChangeKind.META):
            self.update_actions()
        if change.kind == ChangeKind.META:
            self.update_title()

    def update_title(self) -> None:
        if not shiboken6.isValid(self.undo.stack):  # signals arriving while the window is destroyed
            return
        if self.project is None:
            self.setWindowTitle(APP_NAME)
            self.update_actions()
            return
        dirty = not self.undo.is_clean
        self.setWindowTitle(f"{self.display_name()}{'*' if dirty else ''} — {APP_NAME}")
        self.update_actions()

    def update_actions(self) -> None:
        a = self.actions_by_key
        has_project = self.project is not None
        al = self.project.active_alignment if self.project is not None else None
        tid = self.current_territory() if has_project else None
        for key in ("file.save", "file.save_as", "file.close", "file.export_image", "file.add_layer",
                    "view.zoom_full", "view.zoom_in", "view.zoom_out", "view.zoom_layer", "alignment.add",
                    "tools.pan", "tools.zoom_box", "tools.select"):
            a[key].setEnabled(has_project)
        a["view.zoom_selection"].setEnabled(bool(self._ids))
        for key in ("territory.new", "alignment.rename", "alignment.duplicate", "alignment.remove"):
            a[key].setEnabled(al is not None)
        many = has_project and self.project is not None and len(self.project.alignments) > 1
        a["alignment.next"].setEnabled(bool(many))
        a["alignment.previous"].setEnabled(bool(many))
        for key in ("territory.rename", "territory.colour", "territory.delete"):
            a[key].setEnabled(tid is not None)

    def _refresh_alignments(self) -> None:
        self.alignment_menu.clear()
        for action in self.alignment_group.actions():
            self.alignment_group.removeAction(action)
        p = self.project
        active = p.active_alignment if p is not None else None
        self.status.set_alignment(active.name if active else None)
        self.alignment_menu.setEnabled(bool(p and p.alignments))
        if p is None:
            self.update_actions()
            return
        for i, al in enumerate(p.alignments.values(), start=1):
            action = QAction(al.name, self.alignment_menu)
            action.setCheckable(True)
            action.setChecked(al.id == p.active_alignment_id)
            if i <= 9:
                action.setShortcut(QKeySequence(f"Alt+Shift+{i}"))
            set_tooltip(action, f"Show alignment {al.name}")
            action.triggered.connect(lambda _c=False, aid=al.id: self.switch_alignment(aid))
            self.alignment_group.addAction(action)
            self.alignment_menu.addAction(action)
        self.update_actions()

    def refresh_recent_menu(self) -> None:
        self.recent_menu.clear()
        files = self.settings.recent_files()
        for i, path in enumerate(files, start=1):
            action = QAction(f"&{i} {Path(path).name}", self.recent_menu)
            action.setShortcut(QKeySequence(f"Ctrl+Alt+{i}"))
            set_tooltip(action, f"Open {path}")
            action.triggered.connect(lambda _c=False, p=path: self.open_recent(p))
            self.recent_menu.addAction(action)
        if files:
            self.recent_menu.addSeparator()
        self.recent_menu.addAction(self.actions_by_key["file.clear_recent"])
        self.actions_by_key["file.clear_recent"].setEnabled(bool(files))

    # -- selection and cursor -------------------------------------------------------------------
    def select(self, kind: str | None, ids: tuple[str, ...]) -> None:
        sel = make_selection(kind, tuple(ids))
        self.canvas.set_selection(sel)
        if (self._kind, self._ids) != (kind, tuple(ids)):
            self._on_selection(sel)

    def selected(self) -> tuple[str | None, tuple[str, ...]]:
        return self._kind, self._ids

    def clear_selection(self) -> None:
        self.select(None, ())

    def _on_selection(self, sel: Any) -> None:
        kind = getattr(sel, "kind", None)
        ids = tuple(getattr(sel, "ids", ()) or ())
        self._kind, self._ids = (kind if ids else None), ids
        self.inspector.show_selection(self._kind, ids)
        self.status.set_selection(self._kind, len(ids))
        self.territory_panel.select_territory(ids[0] if kind == "territories" and ids else None)
        self.update_actions()

    def _on_cursor(self, x: float, y: float) -> None:
        self.sync_tool_status()
        try:
            lon, lat = self.canvas.to_lonlat(x, y)
        except Exception:
            lon = lat = float("nan")
        self.status.set_cursor(x, y, lon, lat)

    # -- view ------------------------------------------------------------------------------------
    def zoom_full(self) -> None:
        self.canvas.zoom_full()

    def zoom_in(self) -> None:
        self.canvas.zoom_in()

    def zoom_out(self) -> None:
        self.canvas.zoom_out()

    def zoom_selection(self) -> None:
        self.canvas.zoom_to_selection()

    def zoom_layer(self) -> None:
        state = self.layer_panel.current_state()
        self.canvas.zoom_to_layer(state.id if state is not None else "units")

    def toggle_full_screen(self) -> None:
        self.showNormal() if self.isFullScreen() else self.showFullScreen()

    def _use_tool(self, key: str) -> None:
        class_name, label = TOOL_NAMES[key]
        try:
            from terradesk.ui.canvas import tools

            cls = getattr(tools, class_name)
            try:
                tool = cls(self.canvas)
            except TypeError:
                tool = cls()
        except Exception:
            tool = None
        self.canvas.set_tool(tool)
        self.actions_by_key[key].setChecked(True)
        self._shown_tool = tool
        self.status.set_tool(label)

    def sync_tool_status(self) -> None:
        """Show the canvas's active tool (other modules may set tools directly)."""
        tool = self.canvas.tool() if hasattr(self.canvas, "tool") else None
        if tool is self._shown_tool:
            return
        self._shown_tool = tool
        label = tool_label(tool)
        self.status.set_tool(label)
        for key, (class_name, _label) in TOOL_NAMES.items():
            if tool is not None and type(tool).__name__ == class_name:
                self.actions_by_key[key].setChecked(True)

    def use_pan(self) -> None:
        self._use_tool("tools.pan")

    def use_zoom_box(self) -> None:
        self._use_tool("tools.zoom_box")

    def use_select(self) -> None:
        self._use_tool("tools.select")

    # -- layout and settings ----------------------------------------------------------------------
    def restore_layout(self) -> None:
        geometry, state = self.settings.window_geometry(), self.settings.window_state()
        if geometry is not None:
            self.restoreGeometry(geometry)
        if state is not None:
            self.restoreState(state)

    def save_layout(self) -> None:
        self.settings.save_window(self.saveGeometry(), self.saveState())

    def reset_layout(self) -> None:
        self.restoreState(QByteArray(self.default_state))
        for dock in self.docks:
            dock.show()

    def show_preferences(self) -> None:
        if PreferencesDialog(self.settings, self).exec() == PreferencesDialog.DialogCode.Accepted:
            self.apply_preferences()

    def apply_preferences(self) -> None:
        """Preferences that act at once: the autosave interval of the running timer."""
        recovery = getattr(self, "recovery", None)
        timer = getattr(recovery, "timer", None)
        if timer is not None and not os.environ.get("TERRADESK_AUTOSAVE_SECONDS"):  # test hook wins
            timer.setInterval(int(float(self.settings.preference("autosave_minutes")) * 60_000))  # type: ignore[arg-type]

    def show_shortcuts(self) -> None:
        ShortcutsDialog(self.menus, self).exec()

    def show_about(self) -> None:
        QMessageBox.about(self, "About TerraDesk",
                          f"<b>TerraDesk {__version__}</b><p>Desktop territory planning: build, balance and share "
                          "territory plans offline.</p>")

    # -- Qt events ------------------------------------------------------------------------------------
    def closeEvent(self, event: QCloseEvent) -> None:
        if self.maybe_save():
            self.save_layout()
            event.accept()
        else:
            event.ignore()

    @staticmethod
    def _dropped_project(event: QDragEnterEvent | QDropEvent) -> str | None:
        mime = event.mimeData()
        if mime is None or not mime.hasUrls():
            return None
        for url in mime.urls():
            if url.isLocalFile() and url.toLocalFile().lower().endswith(".gpkg"):
                return url.toLocalFile()
        return None

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if self._dropped_project(event):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: Any) -> None:
        if self._dropped_project(event):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        path = self._dropped_project(event)
        if path is None:
            event.ignore()
            return
        event.acceptProposedAction()
        QTimer.singleShot(0, lambda: self.open_path(path))  # leave the drag first, then ask/open
