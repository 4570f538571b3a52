"""The balance features inside the main window: dock, menus, table swap, map colouring,
pins, exports, and a controller that survives an undo pulling a field from under it."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QFileDialog, QInputDialog

from terradesk.analysis.metrics import MetricSpec, Target
from terradesk.edit import History, add_accounts, assign_units
from terradesk.model import AccountLayer
from terradesk.ui.canvas import MapCanvas, Selection
from terradesk.ui.main_window import MainWindow
from terradesk.ui.panels.balance_table import EngineTableModel
from terradesk.ui.settings import Settings
from terradesk.ui.window.balance_controller import BalanceController
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


@pytest.fixture
def window(qtbot, tmp_path: Path):
    settings = Settings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    win = MainWindow(settings=settings, canvas=MapCanvas())
    qtbot.addWidget(win)
    win.set_project(grid_project(accounts=60), None)
    win.maybe_save = lambda: True  # no "save changes?" prompt when qtbot closes the window
    return win


def _move_column(win: MainWindow, column: int, to: int) -> None:
    p = win.project
    al = p.active_alignment
    units = np.flatnonzero(np.arange(len(p.units)) % 6 == column)
    win.undo.push(assign_units(p, al.id, units, list(al.territories)[to]))


def test_dock_menus_and_table_are_installed(window):
    ui = window.balance_ui
    assert window.findChild(type(window.territories_dock), "dockBalance") is ui.dock
    assert ui.dock in window.tabifiedDockWidgets(window.territories_dock)
    texts = {m: [a.text().replace("&", "") for a in window.menus[m].actions()] for m in window.menus}
    assert "Import Accounts…" in texts["File"] and "Export Metrics CSV…" in texts["File"]
    assert "Owners…" in texts["Territory"] and "Metric Settings…" in texts["Tools"]
    assert "Colour Map by Deviation" in texts["View"]
    model = window.territory_panel.model
    assert isinstance(model, EngineTableModel) and model.engine is window.balance.engine
    assert "accounts_deviation" in [c.name for c in model.columns()]
    assert window.territory_panel.proxy.sourceModel() is model
    assert ui.panel.data.tids and sorted(ui.panel.data.values, reverse=True) == ui.panel.data.values


def test_assignment_and_undo_reach_chart_table_and_deviation_map(window):
    ui = window.balance_ui
    ui.actions["view.deviation"].trigger()
    units = next(layer for layer in window.canvas.layers() if layer.id == "units")
    assert units.style.mode == "deviation"
    before_chart = list(ui.panel.data.values)
    before_style = dict(units.style.values)
    _move_column(window, 2, 0)
    engine = window.balance.engine
    t1 = next(iter(window.project.active_alignment.territories))
    units = next(layer for layer in window.canvas.layers() if layer.id == "units")
    assert units.style.values[t1] == pytest.approx(engine.deviation(t1, "accounts")) != before_style[t1]
    model = window.territory_panel.model
    col = 3 + [c.name for c in model.columns()].index("accounts")
    assert model.value(model.table.row(t1), col) == engine.values("accounts")[t1]
    window.undo.undo()
    assert ui.panel.data.values == before_chart
    units = next(layer for layer in window.canvas.layers() if layer.id == "units")
    assert units.style.values == pytest.approx(before_style)
    ui.actions["view.deviation"].trigger()
    units = next(layer for layer in window.canvas.layers() if layer.id == "units")
    assert units.style.mode == "territory"


def test_a_bar_click_selects_the_territory_in_the_window(window):
    ui = window.balance_ui
    tid = ui.panel.data.tids[0]
    ui.panel.select(tid)
    assert window.selected() == ("territories", (tid,))


def test_pin_and_unpin_selected_accounts_are_undo_steps(window, monkeypatch):
    ui = window.balance_ui
    p = window.project
    al = p.active_alignment
    ids = tuple(str(i) for i in p.accounts.ids[:2])
    window.canvas.set_selection(Selection("accounts", ids, (0, 1)))
    assert ui.actions["territory.pin"].isEnabled()
    last = list(al.territories.values())[-1]
    monkeypatch.setattr(QInputDialog, "getItem", staticmethod(lambda *a, **k: (last.name, True)))
    before = len(window.undo)
    ui.pin_selected()
    assert al.pins == {ids[0]: last.id, ids[1]: last.id} and len(window.undo) == before + 1
    ui.unpin_selected()
    assert al.pins == {}
    window.undo.undo()
    assert set(al.pins) == set(ids)


def test_exports_write_csv_for_the_crm(window, tmp_path, monkeypatch):
    ui = window.balance_ui
    out = {"metrics": tmp_path / "m.csv", "accounts": tmp_path / "a.csv"}
    for stem, path in out.items():
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, _p=path, **k: (str(_p), "")))
        (ui.export_metrics if stem == "metrics" else ui.export_accounts)()
    rows = list(csv.reader(out["metrics"].read_text(encoding="utf-8").splitlines()))
    assert rows[0][:5] == ["row_type", "territory", "owner", "region", "units"]
    assert "accounts_deviation" in rows[0] and "perimeter_km" in rows[0]
    assert [r[0] for r in rows[1:]] == ["territory"] * 3 + ["region"] * 2
    acc = list(csv.reader(out["accounts"].read_text(encoding="utf-8").splitlines()))
    assert acc[0] == ["account_id", "name", "territory", "owner", "region", "pinned", "uuid"]
    assert len(acc) == 61 and {r[2] for r in acc[1:]} <= {"T1", "T2", "T3"}


def test_controller_falls_back_when_an_undo_removes_the_formula_field(qtbot):
    project = grid_project()
    history = History(project)
    history.push(add_accounts(project, AccountLayer(
        {"id": ["a1"], "name": ["One"], "x": [4_000_500.0], "y": [3_000_500.0]}, {"visits": [12.0]})))
    ctl = BalanceController()
    ctl.set_project(project)
    ctl.set_spec(MetricSpec(formula="visits * 2", targets=(Target("workload"),)), metric="workload")
    assert sum(ctl.engine.values("workload").values()) == 24.0
    with qtbot.waitSignal(ctl.engine_changed):
        history.undo()  # the visits field goes away with the accounts
    assert ctl.engine is not None and "visits" in ctl.spec_warning
    assert ctl.metric == "accounts" and ctl.engine.spec.formula is None
    history.redo()
    with pytest.raises(ValueError):
        ctl.set_spec(MetricSpec(targets=(Target("nonsense"),)))
    assert ctl.spec.formula == "visits * 2"  # a refused spec changes nothing


def test_metric_settings_formula_is_validated_live_and_added_to_the_table(window, qtbot):
    from terradesk.ui.dialogs.metric_settings import MetricSettingsDialog
    from terradesk.ui.panels.balance_table import default_columns

    ui = window.balance_ui
    engine = window.balance.engine
    dialog = MetricSettingsDialog(window.balance.spec, engine.columns(), default_columns(engine), window)
    qtbot.addWidget(dialog)
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    dialog.formula.setText("revenue * 0.01 + accountz")
    assert "unknown field 'accountz'" in dialog.message.text() and not ok.isEnabled()
    dialog.formula.setText("__import__('os')")
    assert not ok.isEnabled() and "may be called" in dialog.message.text()
    dialog.formula.setText("revenue * 0.01 + accounts * 0.2")
    assert ok.isEnabled() and dialog.message.text().startswith("OK")
    dialog.add_target(Target("population", "capacity", 0.2), {})
    spec = dialog.spec()
    last = spec.targets[-1]
    assert (last.metric, last.basis, last.tolerance) == ("population", "capacity", pytest.approx(0.2))
    offered = {c.name for c in engine.columns()}
    assert ui.apply_metric_settings(spec, dialog.shown(), offered)
    names = [c.name for c in window.territory_panel.model.columns()]
    assert "workload" in names and "population_deviation" in names and "accounts_deviation" in names
    assert ui.panel.metric_box.findData("workload") >= 0
