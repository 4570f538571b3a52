"""Building territories from units in the main window: the Assign toolbar, the canvas
context menu, and the Territory/File menu items of issue 4.

``install(window)`` is the one call MainWindow makes. Everything that changes the project
goes through ``terradesk.edit`` factories and ``window.undo`` (one undo step each).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QComboBox, QFileDialog, QLabel, QMenu, QMessageBox, QSpinBox, QToolBar

from terradesk.edit import assign_units
from terradesk.io.errors import TerraDeskError
from terradesk.model import Change, ChangeKind, Project
from terradesk.ui.canvas.state import Selection
from terradesk.ui.canvas.tools import (
    AssignClickTool,
    AssignSettings,
    AssignToolBase,
    BoxAssignTool,
    BoxSelectTool,
    BrushTool,
    LassoAssignTool,
    LassoSelectTool,
)
from terradesk.ui.window.actions import set_tooltip, title_case
from terradesk.ui.window.assign_icons import assign_icon

TOOLS: tuple[tuple[str, type[AssignToolBase]], ...] = (
    ("assign.click", AssignClickTool), ("assign.box_select", BoxSelectTool), ("assign.box", BoxAssignTool),
    ("assign.lasso_select", LassoSelectTool), ("assign.lasso", LassoAssignTool), ("assign.brush", BrushTool),
)


def swatch(colour: str, size: int = 14) -> QIcon:
    pix = QPixmap(size, size)
    pix.fill(QColor(colour))
    return QIcon(pix)


class AssignController(QObject):
    """Owns the assign tools, their settings and the widgets and actions that drive them."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.canvas = window.canvas
        self.settings = AssignSettings(self)
        self.settings.message.connect(self._status)
        self.settings.territory_changed.connect(self._show_territory)
        self.settings.stroke_preview.connect(self.preview_stroke)
        self.project: Project | None = None
        self.actions: dict[str, QAction] = {}
        self.tools: dict[str, AssignToolBase] = {}
        self._build_tools()
        self.toolbar = self._build_toolbar()
        self._build_menu_actions()
        self._install_context_menu()
        self.canvas.layers_changed.connect(self._follow_project)
        self._followed: tuple[Any, ...] = (None, ())
        original = getattr(window, "update_actions", None)
        if callable(original) and hasattr(window, "selected"):  # runs after every selection change

            def update_actions() -> None:
                original()
                self._follow_selection()

            window.update_actions = update_actions
        self._follow_project()

    # -- construction -----------------------------------------------------------------
    def _action(self, key: str, text: str, shortcut: str, tip: str, slot: Any, checkable: bool = False) -> QAction:
        action = QAction(text, self.window)
        action.setObjectName(key)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
        action.setCheckable(checkable)
        set_tooltip(action, text.replace("&", "").replace("…", ""), tip)
        action.triggered.connect(lambda _c=False: slot())
        self.window.addAction(action)
        self.actions[key] = action
        if hasattr(self.window, "actions_by_key"):
            self.window.actions_by_key[key] = action
        return action

    def _build_tools(self) -> None:
        pan = getattr(self.window, "actions_by_key", {}).get("tools.pan")
        group = pan.actionGroup() if pan is not None else None
        for key, cls in TOOLS:
            tool = cls(self.canvas, self.settings)
            self.tools[key] = tool
            action = self._action(key, title_case(cls.name), cls.shortcut, cls.tooltip, lambda k=key: self.use(k), True)
            action.setIcon(assign_icon(key.split(".", 1)[1]))
            if group is not None:
                group.addAction(action)

    def _build_toolbar(self) -> QToolBar:
        bar = QToolBar("Assign", self.window)
        bar.setObjectName("assignToolbar")
        bar.addWidget(QLabel(" Territory: "))
        self.combo = QComboBox(bar)
        self.combo.setObjectName("activeTerritory")
        self.combo.setMinimumContentsLength(20)  # "Istenstead North-West" fits at 1366 px
        self.combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.combo.setToolTip("Active territory: the assign tools give units to it (Alt-click a unit to pick its territory)")
        self.combo.currentIndexChanged.connect(self._on_combo)
        bar.addWidget(self.combo)
        for key, _ in TOOLS:
            bar.addAction(self.actions[key])
        bar.addSeparator()
        self.lock = self._action("assign.skip_locked", "Keep Locked", "Ctrl+Alt+L",
                                 "Do not take units from locked territories", self._on_lock, True)
        self.lock.setChecked(self.settings.skip_locked)
        self.lock.setIcon(assign_icon("lock"))
        bar.addAction(self.lock)
        bar.addWidget(QLabel(" Brush: "))
        self.radius = QSpinBox(bar)
        self.radius.setObjectName("brushRadius")
        self.radius.setRange(2, 200)
        self.radius.setSuffix(" px")
        self.radius.setValue(int(self.settings.radius_px))
        self.radius.setToolTip("Brush radius in screen pixels ([ and ] change it while painting)")
        self.radius.valueChanged.connect(lambda v: setattr(self.settings, "radius_px", float(v)))
        bar.addWidget(self.radius)
        if hasattr(self.window, "addToolBar"):
            self.window.addToolBarBreak(Qt.ToolBarArea.TopToolBarArea)
            self.window.addToolBar(Qt.ToolBarArea.TopToolBarArea, bar)
        return bar

    def _build_menu_actions(self) -> None:
        a = self._action
        a("assign.unassigned", "Find &Unassigned Units", "Ctrl+Shift+U", "Select the unassigned units and zoom to them",
          self.find_unassigned)
        a("assign.contiguity", "Highlight &Non-contiguous Territories", "Ctrl+Alt+G",
          "Select the territories made of several separate pieces", self.highlight_non_contiguous)
        a("assign.to_active", "Assign Selection to &Active Territory", "Ctrl+Shift+Return",
          "Give the selected units to the active territory", lambda: self.assign_selection(self.settings.territory))
        a("assign.unassign", "U&nassign Selection", "Ctrl+Shift+Backspace", "Take the selected units out of their territories",
          lambda: self.assign_selection(None))
        a("file.import_units", "Import &Units…", "Ctrl+Alt+U", "Import postal codes, counties... as the unit layer",
          self.import_units)
        a("file.import_assignments", "Import Assignments CSV…", "Ctrl+Alt+I",
          "Assign units from a CSV of unit code and territory name", self.import_assignments)
        a("file.export_assignments", "Export Assignments CSV…", "Ctrl+Alt+X",
          "Write every unit's code and territory name to CSV", self.export_assignments)
        menus = getattr(self.window, "menus", {})
        if "Territory" in menus:
            m = menus["Territory"]
            first = m.actions()[0] if m.actions() else None
            for key in ("assign.to_active", "assign.unassign", "assign.unassigned", "assign.contiguity"):
                m.insertAction(first, self.actions[key])
            m.insertSeparator(first)
        if "Tools" in menus:
            menus["Tools"].addSeparator()
            for key, _ in TOOLS:
                menus["Tools"].addAction(self.actions[key])
            menus["Tools"].addAction(self.lock)
        if "File" in menus:
            m = menus["File"]
            anchor = getattr(self.window, "actions_by_key", {}).get("file.add_layer")
            for key in ("file.import_units", "file.import_assignments", "file.export_assignments"):
                m.insertAction(anchor, self.actions[key])

    def _install_context_menu(self) -> None:
        if not hasattr(self.canvas, "view"):
            return  # the placeholder canvas has no map to click on
        vp = self.canvas.view.viewport()
        vp.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        vp.customContextMenuRequested.connect(self.show_context_menu)

    # -- project and territory list ----------------------------------------------------
    def _follow_project(self) -> None:
        project = getattr(self.window, "project", None)
        if project is None and hasattr(self.canvas, "project"):
            project = self.canvas.project()
        if project is not self.project:
            if self.project is not None:
                self.project.changed.disconnect(self._on_change)
            self.project = project
            if project is not None:
                project.changed.connect(self._on_change)
        self.refresh()

    def _on_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.TERRITORIES, ChangeKind.ALIGNMENTS, ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.RESET):
            self.refresh()

    def alignment(self) -> Any:
        al = self.project.active_alignment if self.project is not None else None
        return al if al is not None and al.kind == "units" else None

    def refresh(self) -> None:
        """Territory combo and action states from the active alignment."""
        al = self.alignment()
        self.combo.blockSignals(True)
        self.combo.clear()
        if al is not None:
            for t in al.territories.values():
                self.combo.addItem(swatch(t.colour), t.name + (" (locked)" if t.locked else ""), t.id)
        if al is not None and self.settings.territory not in al.territories:
            self.settings.territory = next(iter(al.territories), None)
        idx = self.combo.findData(self.settings.territory)
        self.combo.setCurrentIndex(idx)
        self.combo.blockSignals(False)
        usable = al is not None
        for key in [k for k, _ in TOOLS] + ["assign.unassigned", "assign.contiguity", "assign.to_active",
                                             "assign.unassign", "file.import_assignments", "file.export_assignments"]:
            self.actions[key].setEnabled(usable)
        self.combo.setEnabled(usable and self.combo.count() > 0)

    def _follow_selection(self) -> None:
        """Selecting one territory (map, table, Select Territories tool) makes it the active one."""
        kind, ids = self.window.selected()
        if (kind, ids) == self._followed:
            return
        self._followed = (kind, ids)
        al = self.alignment()
        if al is not None and kind == "territories" and len(ids) == 1 and ids[0] in al.territories:
            self.settings.set_territory(ids[0])

    def _on_combo(self, index: int) -> None:
        self.settings.set_territory(self.combo.itemData(index) if index >= 0 else None)

    def _show_territory(self, tid: Any) -> None:
        idx = self.combo.findData(tid)
        if idx != self.combo.currentIndex():
            self.combo.blockSignals(True)
            self.combo.setCurrentIndex(idx)
            self.combo.blockSignals(False)

    def _on_lock(self) -> None:
        self.settings.skip_locked = self.lock.isChecked()

    def use(self, key: str) -> None:
        self.canvas.set_tool(self.tools[key])
        self.actions[key].setChecked(True)
        status = getattr(self.window, "status", None)
        if status is not None:
            status.set_tool(self.tools[key].name)

    def preview_stroke(self, stroke: tuple[np.ndarray, Any] | None) -> None:
        """Feed a brush stroke's would-be figures to the Territories table and Balance chart.

        The rows come from the window's MetricsEngine by deltas of its per-unit sums
        (``preview_rows``); None (release, Esc) drops the preview and the committed values
        come back (after a release, already updated by the pushed command).
        """
        balance = getattr(self.window, "balance", None)
        ui = getattr(self.window, "balance_ui", None)
        engine = getattr(balance, "engine", None)
        rows = None
        if stroke is not None and engine is not None:
            units, tid = stroke
            try:
                rows = engine.preview_rows(units, tid)
            except (KeyError, IndexError, ValueError):
                rows = None  # an engine still catching up: the status bar keeps the figures
        if ui is not None:
            ui.model.preview_values(rows)
            ui.panel.preview_values(rows)

    def _status(self, text: str) -> None:
        if hasattr(self.window, "statusBar"):
            self.window.statusBar().showMessage(text, 6000)

    # -- selection -> assignment ---------------------------------------------------------
    def selected_units(self) -> np.ndarray:
        sel = self.canvas.selection()
        return np.asarray(sel.indices if sel.kind == "units" else (), dtype=np.intp)

    def assign_selection(self, territory: Any) -> None:
        """Give the selected units to ``territory`` (None = unassign) as one undo step."""
        al, units = self.alignment(), self.selected_units()
        if al is None or self.project is None or len(units) == 0:
            self._status("Select units first (Box select, Lasso select or Shift-click)")
            return
        try:
            cmd = assign_units(self.project, al.id, units, territory, skip_locked=self.settings.skip_locked)
        except ValueError as exc:
            QMessageBox.warning(self.window, "Not possible", str(exc))
            return
        if cmd is None:
            self._status("Nothing to change: the selected units are there already (or locked)")
            return
        self.window.undo.push(cmd)
        self._status(cmd.label)

    def context_menu(self) -> QMenu:
        menu = QMenu(self.canvas)
        al = self.alignment()
        units = self.selected_units()
        sub = menu.addMenu("Assign selection to")
        sub.setObjectName("assignSelectionTo")
        if al is not None:
            for t in al.territories.values():
                act = sub.addAction(swatch(t.colour), t.name)
                act.triggered.connect(lambda _c=False, tid=t.id: self.assign_selection(tid))
        sub.setEnabled(al is not None and len(units) > 0 and bool(al.territories))
        unassign = menu.addAction("Unassign")
        unassign.triggered.connect(lambda _c=False: self.assign_selection(None))
        unassign.setEnabled(al is not None and len(units) > 0)
        menu.addSeparator()
        menu.addAction(self.actions["assign.unassigned"])
        menu.addAction(self.actions["assign.contiguity"])
        return menu

    def show_context_menu(self, pos: QPoint) -> None:
        self.context_menu().exec(self.canvas.view.viewport().mapToGlobal(pos))

    # -- Territory menu ------------------------------------------------------------------
    def find_unassigned(self) -> None:
        al = self.alignment()
        if al is None or self.project is None:
            return
        free = al.unassigned_units()
        if len(free) == 0:
            self._status("Every unit is assigned")
            return
        ids = self.project.units.ids[free]
        self.canvas.set_selection(Selection("units", tuple(str(i) for i in ids), tuple(int(u) for u in free)))
        self.canvas.zoom_to_selection()
        self._status(f"{len(free):,} unassigned unit{'s' if len(free) != 1 else ''} selected")

    def highlight_non_contiguous(self) -> None:
        from terradesk.analysis.contiguity import non_contiguous_territories

        al = self.alignment()
        if al is None or self.project is None:
            return
        parts = non_contiguous_territories(self.project, al.id)
        if not parts:
            self.canvas.set_selection(Selection())
            self._status("Every territory is contiguous")
            return
        self.canvas.set_selection(Selection("territories", tuple(parts)))
        names = ", ".join(f"{al.territories[t].name} ({n} pieces)" for t, n in parts.items())
        self._status(f"{len(parts)} territor{'y is' if len(parts) == 1 else 'ies are'} not contiguous: {names}")

    # -- File menu -------------------------------------------------------------------------
    def import_units(self) -> None:
        from terradesk.ui.window.import_units import ImportUnitsDialog

        project = self.project
        keep_crs = project is not None and len(project.units) > 0
        dialog = ImportUnitsDialog(self.window, target_crs=project.meta.crs if keep_crs and project else None)
        if dialog.exec() and dialog.imported is not None:
            apply_import(self.window, dialog.imported)

    def import_assignments(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self.window, "Import assignments", "", "CSV files (*.csv *.txt);;All files (*)")
        if path:
            self.apply_assignment_table(path)

    def apply_assignment_table(self, path: str, confirm: bool = True) -> bool:
        from terradesk.edit.units import assign_by_names
        from terradesk.io.assignment_table import read_assignment_table

        al = self.alignment()
        if al is None or self.project is None:
            return False
        try:
            table = read_assignment_table(path, self.project, al.id)
            cmd = assign_by_names(self.project, al.id, table.by_territory, table.unassign,
                                  skip_locked=self.settings.skip_locked)
        except (TerraDeskError, OSError, ValueError) as exc:
            QMessageBox.warning(self.window, "Import assignments", str(exc))
            return False
        if confirm and table.problems:
            answer = QMessageBox.question(self.window, "Import assignments", table.summary() + "\n\nApply the rest?")
            if answer != QMessageBox.StandardButton.Yes:
                return False
        if cmd is not None:
            self.window.undo.push(cmd)
        self._status(table.summary())
        return True

    def export_assignments(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self.window, "Export assignments", "assignments.csv", "CSV files (*.csv)")
        if path:
            self.write_assignments(path)

    def write_assignments(self, path: str) -> bool:
        from terradesk.io.assignment_table import write_assignment_table

        al = self.alignment()
        if al is None or self.project is None:
            return False
        try:
            rows = write_assignment_table(self.project, al.id, path)
        except (TerraDeskError, OSError) as exc:
            QMessageBox.warning(self.window, "Export assignments", str(exc))
            return False
        self._status(f"Wrote {rows:,} units of {al.name} to {Path(path).name}")
        return True


def apply_import(window: Any, imported: Any) -> None:
    """Put imported units into the window's project (one undo step), or start a project.

    A window without a project, or with a project that has no units yet (File > New),
    gets a fresh project in a CRS fit for planning: the source's when projected, else an
    equal-area CRS centred on the data. Otherwise the units are reprojected into the
    project CRS by the dialog and replace the unit layer, keeping assignments by code.
    """
    from terradesk.edit import History, add_alignment
    from terradesk.edit.units import replace_units
    from terradesk.geo.crs import transform_geometries
    from terradesk.io.units_import import suggest_project_crs
    from terradesk.model import ProjectMeta, UnitLayer

    project = window.project
    if project is not None and len(project.units) > 0:
        window.undo.push(replace_units(project, imported.units))
        return
    crs = suggest_project_crs(imported)
    units = imported.units
    if crs != imported.crs:
        geoms = transform_geometries(np.asarray(units.geometry, dtype=object), imported.crs, crs)
        units = UnitLayer({"id": units.ids, "code": units.codes, "name": units.names, "geometry": geoms},
                          dict(units.fields))
    fresh = Project(ProjectMeta(name=Path(imported.report.source).stem, crs=crs))
    history = History(fresh)
    history.push(replace_units(fresh, units))
    history.push(add_alignment(fresh, "Plan 1"))
    window.set_project(fresh, None)


def install(window: Any) -> AssignController:
    """Add the assign toolbar, menu items and canvas context menu to ``window``."""
    controller = AssignController(window)
    window.assign_tools = controller
    return controller
