"""Docks: inspector edits are single undo steps; territory table follows the model."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QColorDialog

from terradesk.edit import assign_units, rename_territory, set_owner_property
from terradesk.ui.panels.inspector import PAGE_ROW, PAGE_TERRITORY, InspectorPanel
from terradesk.ui.panels.metrics import territory_metrics
from terradesk.ui.panels.territories import SORT_ROLE, TerritoryPanel
from terradesk.ui.undo import UndoStack
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore(r"propagateSizeHints")


@pytest.fixture
def setup(qtbot: Any) -> tuple[Any, UndoStack, InspectorPanel, str]:
    project = grid_project(accounts=10)
    stack = UndoStack()
    stack.set_project(project)
    panel = InspectorPanel()
    qtbot.addWidget(panel)
    panel.set_project(project, stack)
    tid = next(iter(project.active_alignment.territories))
    panel.show_selection("territories", (tid,))
    return project, stack, panel, tid


def _t(project: Any, tid: str) -> Any:
    return project.active_alignment.territories[tid]


def test_typing_a_name_is_one_undo_step(qtbot: Any, setup: Any) -> None:
    project, stack, panel, tid = setup
    assert panel.stack.currentIndex() == PAGE_TERRITORY and panel.name_edit.text() == "T1"
    panel.name_edit.setFocus()
    panel.name_edit.selectAll()
    qtbot.keyClicks(panel.name_edit, "Northern Hills")
    assert len(stack) == 0 and _t(project, tid).name == "T1", "no step per keystroke"
    qtbot.keyClick(panel.name_edit, Qt.Key.Key_Return)
    assert len(stack) == 1 and stack.undo_label == "Rename territory T1 to Northern Hills"
    assert _t(project, tid).name == "Northern Hills"
    assert panel.heading.text() == "Territory · Northern Hills"
    stack.undo()
    assert _t(project, tid).name == "T1" and panel.name_edit.text() == "T1"


def test_unchanged_or_empty_name_adds_no_step(qtbot: Any, setup: Any) -> None:
    _project, stack, panel, _tid = setup
    errors: list[str] = []
    panel.error.connect(errors.append)
    panel.name_edit.editingFinished.emit()
    assert len(stack) == 0
    panel.name_edit.setText("   ")
    panel.name_edit.editingFinished.emit()
    assert len(stack) == 0 and errors == ["a territory needs a name"]
    assert panel.name_edit.text() == "T1", "the refused edit is rolled back in the widget"


def test_each_field_is_one_step_and_undo_restores_widgets(qtbot: Any, setup: Any,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    project, stack, panel, tid = setup
    owner = next(iter(project.owners))
    panel.owner_combo.setCurrentIndex(panel.owner_combo.findData(owner))
    panel.owner_combo.activated.emit(panel.owner_combo.currentIndex())
    panel.region_edit.setText("East")
    panel.region_edit.editingFinished.emit()
    panel.notes_edit.setPlainText("Key accounts\nvisit monthly")
    panel.commit_notes()
    panel.locked_check.click()
    monkeypatch.setattr(QColorDialog, "getColor", staticmethod(lambda *a, **k: QColor("#123456")))
    panel.colour_button.click()
    t = _t(project, tid)
    assert (t.owner_id, t.region, t.notes, t.locked, t.colour) == (owner, "East", "Key accounts\nvisit monthly",
                                                                    True, "#123456")
    assert len(stack) == 5
    assert panel.colour_button.text() == "#123456"
    for _ in range(5):
        stack.undo()
    assert (panel.owner_combo.currentData(), panel.region_edit.text(), panel.notes_edit.toPlainText(),
            panel.locked_check.isChecked(), panel.colour_button.text()) == (None, "North", "", False, t.colour)
    assert t.colour == "#8dd3c7"


def test_notes_commit_on_focus_out(qtbot: Any, setup: Any) -> None:
    project, stack, panel, tid = setup
    panel.show()
    panel.notes_edit.setFocus()
    qtbot.waitUntil(panel.notes_edit.hasFocus)
    qtbot.keyClicks(panel.notes_edit, "abc")
    assert len(stack) == 0
    panel.name_edit.setFocus()
    qtbot.waitUntil(lambda: len(stack) == 1)
    assert _t(project, tid).notes == "abc"


def test_model_changes_show_in_inspector(qtbot: Any, setup: Any) -> None:
    project, stack, panel, tid = setup
    stack.push(rename_territory(project, project.active_alignment.id, tid, "From menu"))
    assert panel.name_edit.text() == "From menu"
    owner = next(iter(project.owners))
    stack.push(set_owner_property(project, owner, "name", "Grace"))
    assert "Grace (sales)" in [panel.owner_combo.itemText(i) for i in range(panel.owner_combo.count())]


def test_unit_and_account_attributes_are_read_only(qtbot: Any, setup: Any) -> None:
    project, _stack, panel, _tid = setup
    panel.show_selection("units", (project.units.ids[0],))
    assert panel.stack.currentIndex() == PAGE_ROW
    rows = {panel.attributes.item(r, 0).text(): panel.attributes.item(r, 1).text()
            for r in range(panel.attributes.rowCount())}
    assert rows["territory"] == "T1" and rows["code"] == "00000" and rows["population"] == "100"
    assert panel.attributes.editTriggers() == panel.attributes.EditTrigger.NoEditTriggers
    panel.show_selection("accounts", (project.accounts.ids[0],))
    assert panel.heading.text() == "Account · Account 0"
    panel.show_selection("units", tuple(project.units.ids[:4]))
    metrics = {panel.metrics.item(r, 0).text(): panel.metrics.item(r, 1).text()
               for r in range(panel.metrics.rowCount())}
    assert metrics["Units"] == "4" and metrics["Area"] == "4.0 km²" and metrics["Population"] == "1,000"


def test_metrics_are_vectorised_sums() -> None:
    project = grid_project(accounts=50)
    al = project.active_alignment
    table = territory_metrics(project, al)
    assert table.units.tolist() == [8, 8, 8] and table.unassigned_units == 0
    assert np.allclose(table.area_km2, 8.0)
    assert table.accounts.sum() == 50
    pop = project.units.column("population")
    for i, tid in enumerate(table.tids):
        assert table.sums["population"][i] == pop[al.units_of(tid)].sum()


def test_territory_table_sorts_and_follows_edits(qtbot: Any) -> None:
    project = grid_project(accounts=20)
    stack = UndoStack()
    stack.set_project(project)
    panel = TerritoryPanel()
    qtbot.addWidget(panel)
    panel.set_project(project)
    model = panel.model
    al = project.active_alignment
    assert model.rowCount() == 3 and model.column_name(5) == "Area km²"
    assert panel.summary.text() == "Sales: 3 territories"
    tids = list(al.territories)
    cmd = assign_units(project, al.id, al.units_of(tids[1]), tids[0])
    stack.push(cmd)
    assert model.data(model.index(0, 3)) == "16" and model.data(model.index(1, 3)) == "0"
    panel.view.sortByColumn(3, Qt.SortOrder.DescendingOrder)
    assert panel.proxy.data(panel.proxy.index(0, 0)) == "T1"
    assert panel.proxy.data(panel.proxy.index(0, 3), SORT_ROLE) == 16
    stack.undo()
    assert model.data(model.index(1, 3)) == "8"
    stack.push(rename_territory(project, al.id, tids[2], "Zeta"))
    assert model.data(model.index(2, 0)) == "Zeta"
    seen: list[str] = []
    panel.territory_activated.connect(seen.append)
    panel.view.clicked.emit(panel.proxy.index(0, 0))
    assert seen and seen[0] in tids
