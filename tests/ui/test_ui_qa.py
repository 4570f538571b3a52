"""What a first-time planner at 1366x768 noticed: menus, names, dialogs, small UX gaps."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QDialogButtonBox, QFileDialog

from terradesk.edit import History
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.dialogs.import_accounts import ImportAccountsDialog
from terradesk.ui.main_window import MainWindow
from terradesk.ui.panels.balance import tick_labels
from terradesk.ui.settings import Settings
from terradesk.ui.window.actions import plain, title_case
from terradesk.ui.window.dialogs import AddAlignmentDialog, PreferencesDialog, ShortcutsDialog
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore(r"propagateSizeHints", "This plugin does not support")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(QSettings(str(tmp_path / "qa.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def win(qtbot: Any, settings: Settings) -> Iterator[MainWindow]:
    w = MainWindow(settings=settings, canvas=MapCanvas())
    w.set_project(grid_project(accounts=5), None)
    yield w
    w.undo.set_clean()
    w.close()
    w.deleteLater()


# -- menus ------------------------------------------------------------------------------------
def test_menus_have_no_stray_separators_and_quit_is_last(win: MainWindow) -> None:
    for title, menu in win.menus.items():
        acts = menu.actions()
        assert not acts[0].isSeparator() and not acts[-1].isSeparator(), title
        pairs = itertools.pairwise(acts)
        assert not any(a.isSeparator() and b.isSeparator() for a, b in pairs), f"two separators in a row in {title}"
    file_keys = [a.objectName() for a in win.menus["File"].actions()]
    assert file_keys[-1] == "file.quit"
    assert file_keys.index("file.import_accounts") == file_keys.index("file.import_units") + 1
    assert file_keys.index("file.export_metrics") < file_keys.index("file.close")


def test_every_panel_toggle_is_listed_together_in_the_view_menu(win: MainWindow) -> None:
    texts = [a.text() for a in win.menus["View"].actions()]
    panels = texts.index("Layers"), texts.index("Balance"), texts.index("Geometry check")
    reset = texts.index("&Reset Panel Layout")
    assert all(i < reset for i in panels)
    between = win.menus["View"].actions()[texts.index("Layers"):max(panels) + 1]
    assert not any(a.isSeparator() for a in between)


def test_menu_items_use_title_case(win: MainWindow) -> None:
    for title, menu in win.menus.items():
        for a in menu.actions():
            key = a.objectName()
            if a.isSeparator() or "." not in key or key in ("edit.undo", "edit.redo"):
                continue  # dock toggles, recent files and plan names are names, not commands
            text = plain(a.text())
            assert title_case(text) == text, f"{title} > {text}"
    assert title_case("Select territories") == "Select Territories"
    assert title_case("Take area from neighbours") == "Take Area from Neighbours"


def test_status_bar_names_the_tool_as_its_action_does(win: MainWindow) -> None:
    win.actions_by_key["tools.draw"].trigger()
    win._shown_tool = None  # as after a cursor move: the window re-reads the canvas's tool
    win.sync_tool_status()
    assert win.status.tool.text().endswith("Draw territory")
    win.actions_by_key["tools.vertex"].trigger()
    win._shown_tool = None
    win.sync_tool_status()
    assert win.status.tool.text().endswith("Edit vertices")


# -- dialogs ----------------------------------------------------------------------------------
def test_preferences_hold_the_autosave_interval_and_apply_it_at_once(
        win: MainWindow, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERRADESK_AUTOSAVE_SECONDS", raising=False)
    dlg = PreferencesDialog(settings, win)
    assert dlg.autosave_spin.value() == 2 and dlg.autosave_spin.suffix() == " min"
    assert dlg.autosave_spin.toolTip()
    dlg.autosave_spin.setValue(7)
    dlg.accept()
    assert settings.preference("autosave_minutes") == 7
    win.apply_preferences()
    assert win.recovery.timer.interval() == 7 * 60_000


def test_shortcut_list_follows_the_menus_is_not_clipped_and_filters(win: MainWindow, qtbot: Any) -> None:
    dlg = ShortcutsDialog(win.menus)
    qtbot.addWidget(dlg)
    dlg.show()
    rows = dlg.visible_rows()
    assert rows[0][:2] == ("File", "New Project")
    listed = {(r[1], r[2]) for r in rows}
    assert ("Rebalance", "Ctrl+Shift+B") in listed and ("Draw Territory", "D") in listed
    assert any(r[0] == "On the map" and r[2] == "[ / ]" for r in rows)
    table = dlg.table
    widest = max(table.fontMetrics().horizontalAdvance(row[2]) for row in rows)
    assert table.columnWidth(2) >= widest
    dlg.filter.setText("alignment")
    assert dlg.visible_rows() and all("alignment" in " ".join(r).lower() for r in dlg.visible_rows())


def test_add_alignment_can_make_a_free_form_plan_in_a_unit_project(
        win: MainWindow, qtbot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    dlg = AddAlignmentDialog("Plan 2", has_units=True)
    qtbot.addWidget(dlg)
    assert dlg.kind() == "units"
    dlg.freeform_radio.setChecked(True)
    assert dlg.kind() == "freeform"
    dlg.name_edit.setText("  ")
    assert not dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    no_units = AddAlignmentDialog("Plan 1", has_units=False)
    qtbot.addWidget(no_units)
    assert no_units.kind() == "freeform" and not no_units.units_radio.isEnabled()

    monkeypatch.setattr(win, "ask_alignment", lambda default, has_units: ("Hand-drawn", "freeform"))
    win.actions_by_key["alignment.add"].trigger()
    al = win.project.active_alignment  # type: ignore[union-attr]
    assert al is not None and al.name == "Hand-drawn" and al.kind == "freeform"
    assert win.actions_by_key["tools.draw"].isEnabled()
    assert not win.actions_by_key["assign.click"].isEnabled()  # nothing to assign in a free-form plan


def test_import_accounts_dialog_guides_and_keeps_what_was_read(qtbot: Any, tmp_path: Path) -> None:
    project = grid_project()
    history = History(project)
    dlg = ImportAccountsDialog(project, history)
    qtbot.addWidget(dlg)
    assert not dlg.read_button.isEnabled() and not dlg.layer_name.isEnabled()
    dlg.as_points.setChecked(True)
    assert dlg.layer_name.isEnabled()
    dlg.as_accounts.setChecked(True)
    csv = tmp_path / "a.csv"
    csv.write_text("id,name,lat,lon\nA1,One,95.5,5\nA2,Two,,\n", encoding="utf-8")
    dlg.set_path(str(csv))
    assert dlg.read_button.isEnabled()
    assert [dlg.preview.verticalHeaderItem(r).text() for r in range(2)] == ["2", "3"]
    result = dlg.read()
    assert result is not None and [row for row, _ in result.unplaced] == [2, 3]
    dlg.path.editingFinished.emit()  # focus leaving the unchanged path field must not drop the result
    assert dlg.result_import is result
    assert dlg.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_import_accounts_reports_in_the_status_bar(win: MainWindow, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    csv = tmp_path / "crm.csv"
    csv.write_text("id,name,lat,lon\nA1,One,95.5,5\n", encoding="utf-8")

    def run(dialog: ImportAccountsDialog) -> int:
        dialog.set_path(str(csv))
        dialog.read()
        dialog.commit()
        return int(dialog.result())

    monkeypatch.setattr(ImportAccountsDialog, "exec", run)
    win.actions_by_key["file.import_accounts"].trigger()
    message = win.statusBar().currentMessage()
    assert "Imported 1 account from crm.csv" in message and "1 unplaced" in message


def test_export_image_suggests_the_project_folder(win: MainWindow, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    def ask(_parent: Any, _title: str, name: str, _filter: str) -> tuple[str, str]:
        asked.append(name)
        return "", ""

    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(ask))
    win.path = tmp_path / "plans" / "north.gpkg"
    win.export_image()
    assert asked == [str(tmp_path / "plans" / "north.png")]


# -- panels -----------------------------------------------------------------------------------
def test_history_names_where_the_undo_stack_starts(win: MainWindow, tmp_path: Path) -> None:
    view = win.history_panel.view
    assert view.emptyLabel() == "Started Grid"
    win.set_project(grid_project(), tmp_path / "north.gpkg")
    assert view.emptyLabel() == "Opened north.gpkg"
    win.set_project(None)
    assert view.emptyLabel() == "No project open"


def test_territories_table_sorts_numbers_naturally(win: MainWindow) -> None:
    from terradesk.edit import create_territory

    p = win.project
    assert p is not None and p.active_alignment is not None
    for name in ("T10", "T2b"):
        win.undo.push(create_territory(p, p.active_alignment.id, name))
    view = win.territory_panel.view
    view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    model = view.model()
    names = [model.index(r, 0).data() for r in range(model.rowCount()) if model.index(r, 0).data().startswith("T")]
    assert names == ["T1", "T2", "T2b", "T3", "T10"]


def test_balance_chart_labels_tell_similar_names_apart(qapp: Any) -> None:
    names = ["Yarelby North-West", "Yarelby South-East", "Fenport North-West", "Fenport South-East"]
    labels = [t for _i, t in tick_labels(names, 62.0, QFontMetrics(QFont()))]
    assert len(set(labels)) == len(names)


def test_selecting_a_territory_makes_it_the_active_one_for_assigning(win: MainWindow) -> None:
    assign = win.assign_tools  # type: ignore[attr-defined]
    p = win.project
    assert p is not None and p.active_alignment is not None
    t3 = list(p.active_alignment.territories)[2]
    win.select("territories", (t3,))
    assert assign.settings.territory == t3
    assert assign.combo.currentData() == t3
    assign.combo.setCurrentIndex(0)  # the planner's own pick is kept by later refreshes
    win.update_actions()
    assert assign.settings.territory == assign.combo.itemData(0)


def test_disabled_toolbar_icons_look_disabled(qapp: Any) -> None:
    from PySide6.QtGui import QIcon, QImage

    from terradesk.ui.window.assign_icons import assign_icon
    from terradesk.ui.window.icons import icon

    def ink(image: QImage) -> int:
        return sum(image.pixelColor(x, y).alpha() for x in range(image.width()) for y in range(image.height()))

    for glyph in (icon("undo"), icon("pan"), assign_icon("brush")):
        normal = ink(glyph.pixmap(24, 24, QIcon.Mode.Normal).toImage())
        for state in (QIcon.State.Off, QIcon.State.On):  # On: a checked tool such as Pan
            disabled = ink(glyph.pixmap(24, 24, QIcon.Mode.Disabled, state).toImage())
            assert 0 < disabled < normal * 0.5
