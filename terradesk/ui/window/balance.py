"""Accounts, owners, metrics and balance in the main window: ``install(window)``.

Adds the Balance dock (tabbed with Territories), swaps the Territories table onto the
shared MetricsEngine, and adds File > Import accounts / Export accounts CSV / Export
metrics CSV, Territory > Owners / Pin / Unpin, Tools > Metric settings and View >
Colour map by deviation. Everything hangs off one :class:`BalanceController`
(``window.balance``), which follows the window's project through ``set_project``.
"""

from __future__ import annotations

import csv
import dataclasses
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QInputDialog, QMessageBox

from terradesk.analysis.formula import FormulaError
from terradesk.analysis.placement import account_keys
from terradesk.edit import pin_accounts
from terradesk.model import Change, ChangeKind
from terradesk.ui.panels.balance import BalancePanel
from terradesk.ui.panels.balance_table import EngineTableModel, RegionsLastProxy, default_columns
from terradesk.ui.window.actions import insert_in_group, set_tooltip
from terradesk.ui.window.balance_controller import BalanceController

#: Projects with at least this many units build the metrics engine after the map's first frame.
DEFER_ENGINE_UNITS = 10_000
ACCOUNT_HEADER = ("account_id", "name", "territory", "owner", "region", "pinned", "uuid")
CSV_FILTER = "CSV (*.csv)"

#: key: (text, shortcut, status tip, menu title)
ACTIONS: dict[str, tuple[str, str, str, str]] = {
    "file.import_accounts": ("Import &Accounts…", "Ctrl+Shift+I",
                             "Read accounts or reference points from CSV, GeoPackage, Shapefile or GeoJSON", "File"),
    "file.export_accounts": ("Export Accounts &CSV…", "Ctrl+Alt+E",
                             "Write each account's territory, owner and region for the CRM", "File"),
    "file.export_metrics": ("Export &Metrics CSV…", "Ctrl+Shift+E",
                            "Write one row per territory and region with every metric and deviation", "File"),
    "territory.owners": ("&Owners…", "Ctrl+Shift+O", "Add and edit owners: role, capacity, home", "Territory"),
    "territory.pin": ("&Pin Selected Accounts…", "Ctrl+Shift+P",
                      "Pin the selected accounts to a territory (named accounts)", "Territory"),
    "territory.unpin": ("&Unpin Selected Accounts", "Ctrl+Alt+P", "Let the selected accounts follow the map again",
                        "Territory"),
    "tools.metric_settings": ("&Metric Settings…", "Ctrl+Shift+K", "Metrics shown, targets, tolerance, workload formula",
                              "Tools"),
    "view.deviation": ("Colour Map by &Deviation", "Ctrl+Shift+D",
                       "Colour territories by their deviation from the target (diverging colours)", "View"),
}


#: File-menu item each File action goes in front of (the menu is built before this module runs).
FILE_ANCHORS = {"file.import_accounts": "file.import_assignments", "file.export_accounts": "file.add_layer",
                "file.export_metrics": "file.add_layer"}


def import_message(dialog: Any) -> str:
    """Status-bar line after File > Import Accounts: what landed where."""
    result = dialog.result_import
    name = Path(dialog.path.text()).name
    if result is None:
        return f"Imported {name}"
    if dialog.as_points.isChecked():
        return f"Added {result.placed:,} reference points from {name} (counted per territory in the table)"
    unplaced = f"; {len(result.unplaced):,} unplaced, kept without a location" if result.unplaced else ""
    accounts = f"{result.read:,} account{'s' if result.read != 1 else ''}"
    return f"Imported {accounts} from {name}: {result.placed:,} on the map{unplaced}"


class BalanceUI:
    """The pieces install() adds, kept together so handlers can reach each other."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.controller = BalanceController(window)
        self.panel = BalancePanel(window)
        self.panel.set_canvas(window.canvas)
        self.model = EngineTableModel(window)
        self._saved_style: Any = None
        self._owners: Any = None

    # -- construction ------------------------------------------------------------------
    def build(self) -> None:
        w, c = self.window, self.controller
        dock = QDockWidget("Balance", w)
        dock.setObjectName("dockBalance")
        dock.setWidget(self.panel)
        w.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, dock)
        w.tabifyDockWidget(w.territories_dock, dock)
        w.territories_dock.raise_()
        w.docks.append(dock)
        self.dock = dock
        self._swap_table()
        self._add_actions(dock)
        c.engine_changed.connect(self._on_engine)
        c.spec_changed.connect(self._on_spec)
        c.point_layers_changed.connect(lambda: self.model.set_point_layers(c.point_layers))
        c.metrics_changed.connect(self._on_metrics)
        self.panel.metric_chosen.connect(c.set_metric)
        self.panel.tolerance_changed.connect(c.set_tolerance)
        w.canvas.selection_changed.connect(lambda _s: self.update_actions())
        w.canvas.selection_changed.connect(
            lambda sel: self.panel.set_selected(sel.ids if sel.kind == "territories" else ()))
        if hasattr(w.canvas, "layers_changed"):
            w.canvas.layers_changed.connect(self._sync_deviation_check)
        original = w.set_project

        def set_project(project: Any, path: Any = None) -> None:
            if w.project is not None:
                w.project.changed.disconnect(self._on_project_change)
            original(project, path)
            if project is not None and len(project.units) >= DEFER_ENGINE_UNITS \
                    and hasattr(w.canvas, "call_after_paint"):
                # the engine takes ~1 s on 40k units: show the map first, then build it
                c.set_project(None)
                w.canvas.call_after_paint(lambda: c.set_project(project) if w.project is project else None)
            else:
                c.set_project(project)
            if project is not None:
                project.changed.connect(self._on_project_change)
            self.update_actions()

        w.set_project = set_project
        c.set_project(w.project)
        self.update_actions()

    def _swap_table(self) -> None:
        panel = self.window.territory_panel
        old = panel.model
        old.set_project(None)
        proxy = RegionsLastProxy(panel)
        proxy.setSourceModel(self.model)
        proxy.setSortRole(panel.proxy.sortRole())
        proxy.setSortCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        panel.model, panel.proxy = self.model, proxy
        panel.view.setModel(proxy)
        panel.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.model.summary_changed.connect(panel.summary.setText)
        self.model.modelReset.connect(panel._fit_columns)
        export = QAction("Export Table as CSV…", panel.view)
        export.triggered.connect(self.export_table)
        panel.view.setContextMenuPolicy(Qt.ContextMenuPolicy.ActionsContextMenu)
        panel.view.addAction(export)
        panel.view.setToolTip("Territories with the chosen metrics and deviations; region totals at the bottom. "
                              "Click a header to sort, right-click to export as CSV")

    def _add_actions(self, dock: QDockWidget) -> None:
        w = self.window
        handlers = {
            "file.import_accounts": self.import_accounts, "file.export_accounts": self.export_accounts,
            "file.export_metrics": self.export_metrics, "territory.owners": self.show_owners,
            "territory.pin": self.pin_selected, "territory.unpin": self.unpin_selected,
            "tools.metric_settings": self.show_metric_settings, "view.deviation": self.toggle_deviation,
        }
        self.actions: dict[str, QAction] = {}
        for key, (text, shortcut, tip, menu_name) in ACTIONS.items():
            action = QAction(text, w)
            action.setObjectName(key)
            action.setShortcut(QKeySequence(shortcut))
            action.setCheckable(key == "view.deviation")
            set_tooltip(action, text.replace("&", "").replace("…", ""), tip)
            handler = handlers[key]
            action.triggered.connect(lambda _checked=False, h=handler: h())
            w.addAction(action)
            w.actions_by_key[key] = action
            self.actions[key] = action
            menu = w.menus.get(menu_name)
            if menu is None:
                continue
            anchor = w.actions_by_key.get(FILE_ANCHORS.get(key, ""))
            if menu_name == "File":  # imports beside Import Units, exports beside Export Assignments; Quit stays last
                insert_in_group(menu, anchor or w.actions_by_key.get("file.close"), action)
                continue
            if key in ("territory.owners", "tools.metric_settings", "view.deviation"):
                menu.addSeparator()
            menu.addAction(action)
        toggle = dock.toggleViewAction()
        toggle.setShortcut(QKeySequence(f"Alt+{len(w.docks)}"))
        set_tooltip(toggle, "Show/hide Balance", "Show or hide the Balance panel")
        w.actions_by_key[f"view.dock.{dock.objectName()}"] = toggle
        if "View" in w.menus:  # with the other panels, above Reset Panel Layout
            insert_in_group(w.menus["View"], w.actions_by_key.get("view.reset_layout"), toggle)

    # -- state --------------------------------------------------------------------------
    def update_actions(self) -> None:
        w = self.window
        has = w.project is not None
        al = w.project.active_alignment if has else None
        kind, ids = w.selected() if hasattr(w, "selected") else (None, ())
        sel = w.canvas.selection() if hasattr(w.canvas, "selection") else None
        if sel is not None and getattr(sel, "kind", None):
            kind, ids = sel.kind, tuple(sel.ids)
        for key in ("file.import_accounts", "territory.owners"):
            self.actions[key].setEnabled(has)
        for key in ("file.export_accounts", "file.export_metrics", "tools.metric_settings", "view.deviation"):
            self.actions[key].setEnabled(al is not None)
        accounts = al is not None and kind == "accounts" and bool(ids)
        self.actions["territory.pin"].setEnabled(accounts and bool(al and al.territories))
        self.actions["territory.unpin"].setEnabled(accounts)

    def _on_project_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.ALIGNMENTS, ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.TERRITORIES):
            self.update_actions()

    def _on_engine(self, engine: Any) -> None:
        self.panel.set_engine(engine, self.controller.metric)
        self.model.set_point_layers(self.controller.point_layers)
        self.model.set_engine(engine)
        self.update_actions()

    def _on_spec(self) -> None:
        self.panel.refresh()
        self.model.refresh()

    def _on_metrics(self) -> None:
        if self.panel.current_metric != self.controller.metric:
            self.panel.set_metric(self.controller.metric)
        if self.actions["view.deviation"].isChecked():
            self._apply_deviation()

    # -- map colouring ------------------------------------------------------------------------
    def toggle_deviation(self) -> None:
        if self.actions["view.deviation"].isChecked():
            self._saved_style = self._units_style()
            self._apply_deviation()
        else:
            self._restore_style()

    def _units_style(self) -> Any:
        for layer in self.window.canvas.layers():
            if layer.id == "units":
                return layer.style
        return None

    def _apply_deviation(self) -> None:
        from terradesk.ui.canvas import LayerStyle

        c, engine = self.controller, self.controller.engine
        if engine is None or not hasattr(self.window.canvas, "set_layer_state"):
            return
        metric = c.metric
        values = {tid: engine.deviation(tid, metric) for tid in engine.alignment.territories}
        base = self._units_style() or LayerStyle()
        style = dataclasses.replace(base, mode="deviation", field=metric, values=values,
                                    tolerance=engine.target(metric).tolerance)
        self._applying = True
        try:
            self.window.canvas.set_layer_state("units", style=style)
        finally:
            self._applying = False

    def _restore_style(self) -> None:
        from terradesk.ui.canvas import LayerStyle

        saved = self._saved_style
        if not hasattr(self.window.canvas, "set_layer_state"):
            return
        if saved is None or getattr(saved, "mode", "") == "deviation":
            saved = LayerStyle(mode="territory")
        self._applying = True
        try:
            self.window.canvas.set_layer_state("units", style=saved)
        finally:
            self._applying = False

    _applying = False

    def _sync_deviation_check(self) -> None:
        if self._applying:
            return
        style = self._units_style()
        on = style is not None and style.mode == "deviation"
        if self.actions["view.deviation"].isChecked() != on:
            self.actions["view.deviation"].setChecked(on)

    # -- dialogs ---------------------------------------------------------------------------------
    def import_accounts(self) -> None:
        from terradesk.ui.dialogs.import_accounts import ImportAccountsDialog

        w = self.window
        if w.project is None:
            return
        dialog = ImportAccountsDialog(w.project, w.undo, w, add_point_layer=self.controller.add_point_layer)
        if dialog.exec() == ImportAccountsDialog.DialogCode.Accepted:
            w.statusBar().showMessage(import_message(dialog), 10_000)
        dialog.deleteLater()

    def show_owners(self) -> None:
        from terradesk.ui.dialogs.owners import OwnersDialog

        w = self.window
        if w.project is None:
            return
        if self._owners is not None and self._owners.isVisible() and self._owners.project is w.project:
            self._owners.raise_()
            return
        self._owners = OwnersDialog(w.project, w.undo, w, canvas=w.canvas)
        self._owners.show()  # modeless: the planner may click the map to place a home

    def show_metric_settings(self) -> None:
        from terradesk.ui.dialogs.metric_settings import MetricSettingsDialog

        c = self.controller
        if c.engine is None:
            return
        offered = {col.name for col in c.engine.columns()}
        shown = self.model.shown if self.model.shown is not None else default_columns(c.engine)
        dialog = MetricSettingsDialog(c.spec, c.engine.columns(), shown, self.window)
        if dialog.exec() != MetricSettingsDialog.DialogCode.Accepted:
            return
        self.apply_metric_settings(dialog.spec(), dialog.shown(), offered)

    def apply_metric_settings(self, spec: Any, shown: list[str], offered: set[str]) -> bool:
        """Use the dialog's result; a formula that is new to the table is shown too."""
        try:
            self.controller.set_spec(spec)
        except (FormulaError, ValueError) as exc:
            QMessageBox.warning(self.window, "Metric settings not applied", str(exc))
            return False
        if spec.formula and spec.formula_name not in offered and spec.formula_name not in shown:
            shown = [*shown, spec.formula_name]
        self.model.set_shown(shown)
        return True

    def _selected_accounts(self) -> tuple[str, ...]:
        sel = self.window.canvas.selection()
        return tuple(sel.ids) if getattr(sel, "kind", None) == "accounts" else ()

    def pin_selected(self) -> None:
        w = self.window
        al = w.project.active_alignment if w.project is not None else None
        ids = self._selected_accounts()
        if al is None or not ids or not al.territories:
            return
        names = [t.name for t in al.territories.values()]
        name, ok = QInputDialog.getItem(w, "Pin accounts", f"Pin {len(ids)} account(s) to territory:", names, 0, False)
        if ok and name:
            tid = list(al.territories)[names.index(name)]
            w.undo.push(pin_accounts(w.project, al.id, ids, tid))

    def unpin_selected(self) -> None:
        w = self.window
        al = w.project.active_alignment if w.project is not None else None
        ids = self._selected_accounts()
        if al is not None and ids:
            w.undo.push(pin_accounts(w.project, al.id, ids, None))

    # -- exports -------------------------------------------------------------------------------------
    def _ask_csv(self, title: str, stem: str) -> str | None:
        w = self.window
        base = Path(w.path).with_name(f"{Path(w.path).stem}_{stem}.csv") if getattr(w, "path", None) else Path(f"{stem}.csv")
        path, _ = QFileDialog.getSaveFileName(w, title, str(base), CSV_FILTER)
        return path or None

    def export_table(self) -> None:
        path = self._ask_csv("Export table", "territories")
        if path:
            self._write(path, self.model.csv_rows())

    def export_metrics(self) -> None:
        path = self._ask_csv("Export metrics", "metrics")
        if path:
            self._write(path, metrics_rows(self.controller))

    def export_accounts(self) -> None:
        path = self._ask_csv("Export accounts", "accounts")
        if path:
            self._write(path, account_rows(self.window.project))

    def _write(self, path: str, rows: list[list[str]]) -> None:
        try:
            write_csv(path, rows)
        except OSError as exc:
            QMessageBox.warning(self.window, "Not written", f"{path} could not be written: {exc.strerror or exc}")
            return
        self.window.statusBar().showMessage(f"Wrote {len(rows) - 1:,} rows to {path}", 5000)


def write_csv(path: str, rows: list[list[str]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)


def metrics_rows(controller: BalanceController) -> list[list[str]]:
    """Every metric, deviation and point count per territory, then region totals."""
    engine = controller.engine
    if engine is None:
        return [["row_type", "territory", "owner", "region"]]
    model = EngineTableModel()
    model.point_layers = list(controller.point_layers)
    model.shown = [c.name for c in engine.columns()]
    model.set_engine(engine)
    rows = model.csv_rows()
    model.set_engine(None)
    return rows


def account_rows(project: Any) -> list[list[str]]:
    """The same columns as ``terradesk-cli export-accounts``."""
    al = project.active_alignment if project is not None else None
    out = [list(ACCOUNT_HEADER)]
    if al is None:
        return out
    accounts = project.accounts
    keys = account_keys(project, al)
    source_ids = accounts.fields.get("account_id")
    for i in range(len(accounts)):
        tid = al.territory_id_of_key(int(keys[i]))
        t = al.territories.get(tid) if tid else None
        owner = project.owners.get(t.owner_id) if t and t.owner_id else None
        uuid = str(accounts.ids[i])
        sid = source_ids[i] if source_ids is not None and source_ids[i] is not None else uuid
        out.append([str(sid), str(accounts.names[i] or ""), t.name if t else "", owner.name if owner else "",
                    t.region if t else "", "yes" if uuid in al.pins else "", uuid])
    return out


def install(window: Any) -> BalanceController:
    """Add the balance features to ``window`` (a MainWindow); returns its controller."""
    ui = BalanceUI(window)
    ui.build()
    window.balance = ui.controller
    window.balance_ui = ui
    return ui.controller
