"""Main window: actions, title/clean state, unsaved prompts, open/save, drop, layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent, QKeySequence
from PySide6.QtWidgets import QFileDialog, QMessageBox

from terradesk.edit import rename_territory
from terradesk.ui.main_window import MainWindow
from terradesk.ui.window.actions import SPECS
from terradesk.ui.window.placeholder import PlaceholderCanvas
from tests.factories import grid_project
from tests.ui import test_main_window_support as support
from tests.ui.test_main_window_support import FakeFiles, answer

window, settings, fake_files = support.window, support.settings, support.fake_files

pytestmark = pytest.mark.qt_log_ignore(r"propagateSizeHints")
SB = QMessageBox.StandardButton
MENUS = ["File", "Edit", "View", "Territory", "Tools", "Help"]


def _rename(win: MainWindow, name: str = "Renamed") -> None:
    p = win.project
    assert p is not None and p.active_alignment is not None
    tid = next(iter(p.active_alignment.territories))
    win.undo.push(rename_territory(p, p.active_alignment.id, tid, name))


def test_menus_actions_shortcuts_and_tooltips(window: MainWindow) -> None:
    titles = [m.title().replace("&", "") for m in window.menuBar().findChildren(type(window.recent_menu))
              if m.parent() is window.menuBar()]
    assert [t for t in MENUS if t in titles] == MENUS
    for key, action in window.actions_by_key.items():
        assert not action.shortcut().isEmpty(), f"{key} has no shortcut"
        name = action.text().replace("&", "").replace("…", "").split(" ")[0]
        assert name.lower() in action.toolTip().lower(), f"{key} tooltip {action.toolTip()!r} does not name it"
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys in action.toolTip(), f"{key} tooltip lacks its shortcut"
    assert {s.key for s in SPECS} <= set(window.actions_by_key)
    shortcuts = [a.shortcut().toString() for a in window.actions_by_key.values()]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"


def test_undo_redo_use_platform_shortcuts_and_name_the_step(window: MainWindow) -> None:
    undo, redo = window.actions_by_key["edit.undo"], window.actions_by_key["edit.redo"]
    assert undo.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert redo.shortcut() == QKeySequence(QKeySequence.StandardKey.Redo)
    assert not undo.isEnabled()
    _rename(window)
    assert undo.isEnabled() and undo.text() == "Undo Rename territory T1 to Renamed"
    assert "Undo Rename territory T1 to Renamed" in undo.toolTip()
    undo.trigger()
    assert redo.text() == "Redo Rename territory T1 to Renamed"


def test_title_star_follows_clean_state(window: MainWindow, fake_files: FakeFiles, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    assert window.windowTitle() == "Grid — TerraDesk"
    _rename(window)
    assert window.windowTitle() == "Grid* — TerraDesk"
    window.undo.undo()
    assert "*" not in window.windowTitle()
    window.undo.redo()
    target = tmp_path / "plan"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    assert window.save()
    assert window.windowTitle() == "plan.gpkg — TerraDesk"
    assert str(target) + ".gpkg" in fake_files.saved
    window.undo.undo()  # undoing past the saved state is unsaved again
    assert window.windowTitle() == "plan.gpkg* — TerraDesk"


def test_close_with_unsaved_changes_asks(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    _rename(window)
    asked = answer(monkeypatch, SB.Cancel)
    assert not window.close_project()
    assert window.project is not None and asked and "Grid" in asked[0]
    answer(monkeypatch, SB.Discard)
    assert window.close_project()
    assert window.project is None and window.windowTitle() == "TerraDesk"


def test_save_answer_saves_then_closes(window: MainWindow, fake_files: FakeFiles, tmp_path: Path,
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    _rename(window)
    answer(monkeypatch, SB.Save)
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: ("", "")))
    assert not window.close_project(), "cancelling Save As keeps the project open"
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        staticmethod(lambda *a, **k: (str(tmp_path / "x.gpkg"), "")))
    assert window.close_project()
    assert list(fake_files.saved) == [str(tmp_path / "x.gpkg")]


def test_clean_project_closes_without_asking(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    asked = answer(monkeypatch, SB.Cancel)
    assert window.close_project() and not asked


def test_open_prompts_then_opens(window: MainWindow, fake_files: FakeFiles, tmp_path: Path,
                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = str(tmp_path / "other.gpkg")
    other = grid_project(4, 2, territories=2)
    fake_files.files[path] = other
    _rename(window)
    answer(monkeypatch, SB.Cancel)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (path, "")))
    window.open_dialog()
    assert window.project is not other and not fake_files.opened
    answer(monkeypatch, SB.Discard)
    window.open_dialog()
    assert window.project is other
    assert window.windowTitle() == "other.gpkg — TerraDesk"
    assert window.settings.recent_files()[0] == str(Path(path).resolve())
    assert window.recent_menu.actions()[0].text().endswith("other.gpkg")
    assert len(window.undo) == 0


def test_open_error_shows_message_not_traceback(window: MainWindow, fake_files: FakeFiles, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    before = window.project
    assert not window.open_path(tmp_path / "junk.gpkg")
    assert shown == ["junk.gpkg is not a GeoPackage"]
    assert window.project is before


def test_drop_gpkg_opens_it(window: MainWindow, fake_files: FakeFiles, tmp_path: Path, qtbot: Any) -> None:
    path = str(tmp_path / "dropped.gpkg")
    fake_files.files[path] = grid_project(3, 3)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(path)])
    event = QDropEvent(QPointF(50, 50), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert event.isAccepted()
    qtbot.waitUntil(lambda: window.path is not None and window.path.name == "dropped.gpkg", timeout=3000)
    assert window.project is fake_files.files[path]


def test_drop_ignores_other_files(window: MainWindow, tmp_path: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(tmp_path / "table.csv"))])
    event = QDropEvent(QPoint(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    assert not event.isAccepted()


def test_dock_layout_persists(qtbot: Any, settings: Any, fake_files: FakeFiles) -> None:
    win = MainWindow(settings=settings, canvas=PlaceholderCanvas())
    qtbot.addWidget(win)
    win.show()
    assert all(d.isVisibleTo(win) for d in win.docks)
    win.history_dock.hide()
    win.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, win.layers_dock)
    win.close()
    again = MainWindow(settings=settings, canvas=PlaceholderCanvas())
    qtbot.addWidget(again)
    again.show()
    assert not again.history_dock.isVisibleTo(again)
    assert again.dockWidgetArea(again.layers_dock) == Qt.DockWidgetArea.RightDockWidgetArea
    again.reset_layout()
    assert again.history_dock.isVisibleTo(again)
    assert again.dockWidgetArea(again.layers_dock) == Qt.DockWidgetArea.LeftDockWidgetArea


def test_fits_small_laptop_screen(window: MainWindow) -> None:
    window.resize(1366, 740)
    window.show()
    assert window.minimumSizeHint().width() <= 1366 and window.minimumSizeHint().height() <= 740
    assert all(d.isVisible() for d in window.docks)
    assert window.centralWidget().width() >= 500 and window.centralWidget().height() >= 250


def test_new_project_and_territory_menu(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("East", True)))
    al = window.project.active_alignment  # type: ignore[union-attr]
    n = len(al.territories)
    window.actions_by_key["territory.new"].trigger()
    assert len(al.territories) == n + 1 and window.selected()[0] == "territories"
    assert window.inspector.name_edit.text() == "East"
    assert window.actions_by_key["edit.undo"].text() == "Undo New territory East"
    window.actions_by_key["territory.delete"].trigger()
    assert len(al.territories) == n
    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Plan B", True)))
    window.actions_by_key["alignment.duplicate"].trigger()
    assert window.project.active_alignment.name == "Plan B"  # type: ignore[union-attr]
    assert window.status.alignment.text() == "Plan: Plan B"
    window.actions_by_key["alignment.previous"].trigger()
    assert window.project.active_alignment is al  # type: ignore[union-attr]
    window.undo.undo()
    assert len(window.project.alignments) == 1  # type: ignore[union-attr]


def test_new_territory_takes_selected_units_in_one_step(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QInputDialog

    monkeypatch.setattr(QInputDialog, "getText", staticmethod(lambda *a, **k: ("Picked", True)))
    p = window.project
    assert p is not None
    window.select("units", tuple(p.units.ids[:3]))
    window.new_territory()
    al = p.active_alignment
    assert al is not None
    tid = window.selected()[1][0]
    assert list(al.units_of(tid)) == [0, 1, 2] and len(window.undo) == 1
    window.undo.undo()
    assert tid not in al.territories and al.territory_of_unit(0) is not None


def test_history_dock_jumps(window: MainWindow) -> None:
    for name in ("A", "B", "C"):
        _rename(window, name)
    t = next(iter(window.project.active_alignment))  # type: ignore[union-attr]
    view = window.history_panel.view
    assert view.model().rowCount() == 4  # "Opened project" + three steps
    view.setCurrentIndex(view.model().index(1, 0))
    assert t.name == "A" and window.undo.stack.index() == 1
    window.history_panel.jump_to(0)
    assert t.name == "T1" and "*" not in window.windowTitle()


def test_status_bar_fields(window: MainWindow) -> None:
    window.canvas.cursor_moved.emit(4_001_000.0, 3_002_000.0)
    assert window.status.xy.text() == "4,001,000, 3,002,000 m"
    window.canvas.scale_changed.emit(123_456.0)
    assert window.status.scale.text() == "1:120,000"
    window.select("units", ("00000000-0000-4000-8000-000000000001",))
    assert window.status.selection.text() == "1 unit"
    window.actions_by_key["tools.select"].trigger()
    assert window.status.tool.text() == "Tool: Select"
    assert window.status.alignment.text() == "Plan: Sales"


def test_demo_action_and_empty_state(window: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from terradesk.ui.window import file_ops

    answer(monkeypatch, SB.Discard)
    assert window.close_project()
    assert window.status.scale.text() == "" and not window.actions_by_key["file.save"].isEnabled()
    monkeypatch.setattr(file_ops, "_demo_project", lambda: grid_project(2, 2, territories=1))
    window.actions_by_key["file.demo"].trigger()
    assert window.project is not None and window.windowTitle() == "Grid — TerraDesk"
    assert window.actions_by_key["file.save"].isEnabled()
