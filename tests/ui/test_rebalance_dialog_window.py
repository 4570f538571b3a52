"""Tools > Rebalance… / Create Territories… in the main window: menu entries with
shortcuts and tooltips; the whole flow ends in one step on the window's undo stack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtGui import QKeySequence

from terradesk.ui.dialogs.create_alignment import CreatePreview, CreateTerritoriesDialog
from terradesk.ui.dialogs.rebalance import OptimiserDialog, RebalanceDialog
from terradesk.ui.dialogs.rebalance_preview import RebalancePreview
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
from terradesk.ui.window.rebalance import ACTIONS, RebalanceUI, install
from tests.factories import grid_project

# the second pattern: MainWindow.update_title calls setWindowModified on a title without
# "[*]" (the main window's own issue, reported; not something these tests check)
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support", "does not contain a '\\[\\*\\]' placeholder")


@pytest.fixture
def window(qtbot: Any, tmp_path: Path) -> Iterator[MainWindow]:
    win = MainWindow(settings=Settings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat)))
    qtbot.addWidget(win)
    win.set_project(grid_project(10, 8, territories=4, accounts=20), None)
    yield win
    # an empty stack emits nothing while the window is destroyed (with commands left,
    # ~QUndoStack's clear() reaches MainWindow's undo-text lambdas after the wrapper died)
    win.undo.set_project(None)


def ui_of(window: MainWindow) -> RebalanceUI:
    ui = getattr(window, "rebalance_ui", None)
    return ui if ui is not None else install(window)


def drive(qtbot: Any, window: MainWindow, cls: type[OptimiserDialog]) -> None:
    """Click Run in the modal dialog the action opens, once it is up."""

    def press() -> None:
        dlg = window.findChild(cls)
        assert dlg is not None
        for choice in dlg.goals.choices:  # type: ignore[attr-defined]
            dlg.goals.set_goal(choice.name, choice.name == "population", 5.0)  # type: ignore[attr-defined]
        dlg.run_button.click()

    QTimer.singleShot(50, press)


def test_actions_sit_in_the_tools_menu_with_shortcut_and_tooltip(window):
    ui = ui_of(window)
    tools = window.menus["Tools"].actions()
    for key, (_text, shortcut, _tip) in ACTIONS.items():
        action = ui.actions[key]
        assert action in tools and window.actions_by_key[key] is action
        assert action.shortcut() == QKeySequence(shortcut) and shortcut in action.toolTip()
        assert action.isEnabled()
    shortcuts = [a.shortcut().toString() for a in window.actions_by_key.values() if not a.shortcut().isEmpty()]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"
    window.set_project(None)  # the window's own action refresh reaches ours
    assert not any(a.isEnabled() for a in ui.actions.values())
    window.set_project(grid_project(), None)
    assert all(a.isEnabled() for a in ui.actions.values())


def test_rebalance_from_the_menu_is_one_undo_step(qtbot, window):
    ui = ui_of(window)
    before = window.project.state()
    drive(qtbot, window, RebalanceDialog)
    ui.actions["tools.rebalance"].trigger()
    preview = ui.preview
    assert isinstance(preview, RebalancePreview) and preview.isVisible()
    assert window.project.state() == before and len(window.undo) == 0
    assert len(window.canvas.preview_units()) == len(preview.proposal.moved_units) > 0
    preview.accept_button.click()
    assert len(window.undo) == 1 and window.undo.undo_label.startswith("Rebalance Sales:")
    assert len(window.canvas.preview_units()) == 0
    assert ui.preview is None  # forgotten once closed
    window.undo.undo()
    assert window.project.state() == before


def test_create_territories_from_the_menu_adds_an_alignment(qtbot, window):
    ui = ui_of(window)
    drive(qtbot, window, CreateTerritoriesDialog)
    ui.actions["tools.create_territories"].trigger()
    preview = ui.preview
    assert isinstance(preview, CreatePreview)
    preview.accept_button.click()
    assert len(window.project.alignments) == 2 and len(window.undo) == 1
    assert window.project.active_alignment.name == "Generated plan"
    window.undo.undo()
    assert len(window.project.alignments) == 1
