"""Tools > Rebalance: the run happens on a worker, the result is only a preview until
Accept (one undo step), Reject changes nothing, Cancel keeps a plan, and the map hatches
the units that would move."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtCore import QPointF
from PySide6.QtGui import QColor

from terradesk.analysis.rebalance import RebalanceResult
from terradesk.edit import History, assign_units
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.dialogs.rebalance import RebalanceDialog
from terradesk.ui.dialogs.rebalance_preview import RebalancePreview, account_rows, territory_rows
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support")


def uneven_project(nx: int = 10, ny: int = 8, accounts: int = 40):
    """Four strips of 3, 2, 3 and 2 columns: population deviates by about +-20%."""
    return grid_project(nx, ny, territories=4, accounts=accounts)


@pytest.fixture
def setup(qtbot):
    project = uneven_project()
    history = History(project)
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 420)
    canvas.set_project(project)
    return project, history, canvas


def only_population(dlg: RebalanceDialog, tolerance_pct: float = 5.0) -> None:
    for choice in dlg.goals.choices:
        dlg.goals.set_goal(choice.name, choice.name == "population", tolerance_pct)


def run_dialog(qtbot, project, **goal) -> tuple[RebalanceDialog, RebalanceResult]:
    dlg = RebalanceDialog(project)
    qtbot.addWidget(dlg)
    only_population(dlg, goal.get("tolerance", 5.0))
    dlg.time_limit.setValue(goal.get("time_limit", 5.0))
    dlg.show()
    with qtbot.waitSignal(dlg.result_ready, timeout=15_000):
        dlg.run_button.click()
    assert dlg.plan is not None
    return dlg, dlg.plan


def test_run_completes_in_the_worker_and_the_preview_shows_its_rows(qtbot, setup):
    project, history, canvas = setup
    before = project.state()
    seen = []
    dlg = RebalanceDialog(project)
    qtbot.addWidget(dlg)
    only_population(dlg)
    dlg.run.progress.connect(seen.append)
    dlg.show()
    with qtbot.waitSignal(dlg.result_ready, timeout=15_000):
        dlg.run_button.click()
        assert dlg.run.running and not dlg.run_button.isEnabled()  # the GUI thread is free meanwhile
    result = dlg.plan
    assert result is not None and result.balanced and len(result.moved_units) > 0
    assert result.before.max_deviation > 0.05 >= result.after.max_deviation
    assert seen and not dlg.isVisible()
    assert project.state() == before  # nothing changed by running

    preview = RebalancePreview(project, result, canvas, history)
    qtbot.addWidget(preview)
    headers, _, _ = territory_rows(result, project)
    model = preview.territory_model
    assert model.rowCount() == len(result.before.rows()) == 4
    for i, (b, a) in enumerate(zip(result.before.rows(), result.after.rows(), strict=True)):
        assert model.rows[i][0] == b["name"]
        assert model.rows[i][3:7] == [b["population"], a["population"], b["population_deviation"],
                                      a["population_deviation"]]
    gained = sum(r[headers.index("Units\ngained")] for r in model.rows)
    lost = sum(r[headers.index("Units\nlost")] for r in model.rows)
    assert gained == lost == len(result.moved_units)
    assert model.rowCount() == 4 and preview.account_model.rowCount() == len(result.accounts_changing_owner)
    assert "Units moved" in preview.summary.text() and f"<b>{len(result.moved_units)}</b>" in preview.summary.text()
    assert project.state() == before  # a preview is not an edit
    assert len(history) == 0


def test_accept_is_one_undo_step_and_undo_restores_the_project(qtbot, setup):
    project, history, canvas = setup
    before = project.state()
    _, result = run_dialog(qtbot, project)
    preview = RebalancePreview(project, result, canvas, history)
    qtbot.addWidget(preview)
    preview.accept_button.click()
    n = len(result.moved_units)
    assert len(history) == 1 and history.undo_label == f"Rebalance Sales: {n} units moved"
    al = project.active_alignment
    assert np.array_equal(al.assignment, result.assignment)
    assert len(canvas.preview_units()) == 0  # hatching cleared
    history.undo()
    assert project.state() == before
    history.redo()
    assert np.array_equal(al.assignment, result.assignment)


def test_reject_changes_nothing_and_clears_the_hatching(qtbot, setup):
    project, history, canvas = setup
    before = project.state()
    _, result = run_dialog(qtbot, project)
    preview = RebalancePreview(project, result, canvas, history)
    qtbot.addWidget(preview)
    assert np.array_equal(canvas.preview_units(), result.moved_units)
    preview.reject_button.click()
    assert project.state() == before and len(history) == 0
    assert len(canvas.preview_units()) == 0


def test_an_edit_during_the_preview_makes_it_stale(qtbot, setup):
    project, history, canvas = setup
    _, result = run_dialog(qtbot, project)
    preview = RebalancePreview(project, result, canvas, history)
    qtbot.addWidget(preview)
    al = project.active_alignment
    history.push(assign_units(project, al.id, [0], list(al.territories)[1]))
    assert not preview.accept_button.isEnabled() and "run Rebalance again" in preview.message.text()
    preview.accept()
    assert len(history) == 1


class GatedCancel(threading.Event):
    """The optimiser's n-th cancel poll waits (on the worker) until Cancel is clicked,
    so the click lands mid-run however fast the machine is."""

    def __init__(self, n: int) -> None:
        super().__init__()
        self.n, self.polls = n, 0

    def is_set(self) -> bool:
        self.polls += 1
        if self.polls >= self.n:
            self.wait(10)
        return super().is_set()


def test_cancel_during_a_run_keeps_the_best_plan(qtbot):
    project = uneven_project(40, 20, accounts=0)
    al = project.active_alignment
    cols = np.arange(len(project.units)) % 40
    History(project).push(assign_units(project, al.id, np.flatnonzero((cols >= 10) & (cols < 15)),
                                       next(iter(al.territories))))  # strips of 15, 5, 10, 10 columns
    before = project.state()
    dlg = RebalanceDialog(project)
    qtbot.addWidget(dlg)
    only_population(dlg, 0.5)
    dlg.time_limit.setValue(60)
    gate = dlg.run.cancel_event = GatedCancel(3)
    dlg.show()
    with qtbot.waitSignal(dlg.result_ready, timeout=20_000):
        dlg.run_button.click()
        qtbot.waitUntil(lambda: gate.polls >= 3, timeout=10_000)
        assert dlg.run.running and dlg.cancel_button.isEnabled()
        dlg.cancel_button.click()
    result = dlg.plan
    assert result is not None and result.reason == "cancelled"
    assert len(result.moved_units) > 0 and result.after.max_deviation < result.before.max_deviation
    assert project.state() == before


def test_closing_the_window_mid_run_gives_the_run_up(qtbot, setup):
    project, _, _ = setup
    dlg = RebalanceDialog(project)
    qtbot.addWidget(dlg)
    only_population(dlg)
    gate = dlg.run.cancel_event = GatedCancel(2)
    got = []
    dlg.result_ready.connect(got.append)
    dlg.show()
    dlg.run_button.click()
    qtbot.waitUntil(lambda: gate.polls >= 2, timeout=10_000)
    dlg.close()  # waits for the worker, then drops its result
    qtbot.wait(50)
    assert not dlg.run.running and got == [] and dlg.plan is None


def test_bad_input_is_refused_with_a_reason(qtbot, setup):
    project, _, _ = setup
    dlg = RebalanceDialog(project)
    qtbot.addWidget(dlg)
    for row in range(dlg.goals.rowCount()):
        dlg.goals.set_goal(dlg.goals.choices[row].name, False)
    dlg.run_button.click()
    assert "choose at least one metric" in dlg.message.text() and not dlg.run.running


def test_account_rows_name_both_territories_and_revenue(qtbot, setup):
    project, _, _ = setup
    _, result = run_dialog(qtbot, project)
    rows = account_rows(result, project)
    assert len(rows) == len(result.accounts_changing_owner)
    names = {t.name for t in project.active_alignment.territories.values()}
    for name, src, dst, revenue in rows:
        assert name.startswith("Account ") and src in names and dst in names and src != dst and revenue >= 0
    assert [r[3] for r in rows] == sorted((r[3] for r in rows), reverse=True)


def _pixel_of(canvas: MapCanvas, x: float, y: float) -> tuple[int, int]:
    scene = canvas.vb.mapViewToScene(QPointF(x, y))
    p = canvas.view.mapFromScene(scene)
    p = canvas.view.mapTo(canvas, p)
    return int(p.x()), int(p.y())


def test_hatching_appears_at_a_moved_unit_and_disappears_on_reject(qtbot, setup):
    project, history, canvas = setup
    canvas.show()
    qtbot.waitExposed(canvas)
    canvas.refresh()
    _, result = run_dialog(qtbot, project)
    u = int(result.moved_units[0])
    box = project.units.geometry[u].bounds
    # sample a small block in the unit's middle: hatch lines cross it whatever the offset
    cx, cy = _pixel_of(canvas, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)

    def block_colours() -> set[int]:
        img = canvas.grab().toImage()
        return {img.pixel(cx + dx, cy + dy) for dx in range(-6, 7) for dy in range(-6, 7)}

    plain = block_colours()
    preview = RebalancePreview(project, result, canvas, history)
    qtbot.addWidget(preview)
    hatched = block_colours()
    al = project.active_alignment
    ink = QColor(al.territories[al.territory_id_of_key(int(result.assignment[u]))].colour).darker(125)

    def nearest_to_ink(pixels: set[int]) -> int:
        return min(abs(QColor(c).red() - ink.red()) + abs(QColor(c).green() - ink.green())
                   + abs(QColor(c).blue() - ink.blue()) for c in pixels)

    assert len(hatched) > len(plain)
    assert nearest_to_ink(hatched) < 60 and nearest_to_ink(hatched) < nearest_to_ink(plain) - 30
    preview.reject()
    assert block_colours() == plain
