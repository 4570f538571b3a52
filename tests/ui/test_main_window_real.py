"""The window with the real MapCanvas and the real GeoPackage file layer."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings

from terradesk.edit import rename_territory
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore(r"propagateSizeHints")
gpkg = pytest.importorskip("terradesk.io.gpkg")
canvas_mod = pytest.importorskip("terradesk.ui.canvas")


@pytest.fixture
def real_window(qtbot: Any, tmp_path: Path) -> Any:
    win = MainWindow(settings=Settings(QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)))
    win.set_project(grid_project(accounts=5), None)
    yield win
    win.undo.set_clean()
    win.close()
    win.deleteLater()


def test_real_canvas_is_used_and_wired(real_window: MainWindow) -> None:
    assert isinstance(real_window.canvas, canvas_mod.MapCanvas)
    assert real_window.canvas.undo_sink is real_window.undo
    titles = [real_window.layer_panel.list.item(i).text() for i in range(real_window.layer_panel.list.count())]
    assert {"Units", "Territories", "Accounts"} <= set(titles)
    al = real_window.project.active_alignment  # type: ignore[union-attr]
    tid = next(iter(al.territories))
    real_window.select("territories", (tid,))
    assert real_window.canvas.selection().ids == (tid,)
    assert real_window.inspector.name_edit.text() == "T1"
    image = real_window.canvas.render_image(200, 120)
    assert image.width() == 200


def test_save_and_reopen_round_trip(real_window: MainWindow, tmp_path: Path) -> None:
    p = real_window.project
    assert p is not None and p.active_alignment is not None
    tid = next(iter(p.active_alignment.territories))
    real_window.undo.push(rename_territory(p, p.active_alignment.id, tid, "Saved name"))
    real_window.path = tmp_path / "plan.gpkg"
    assert real_window.save() and real_window.undo.is_clean
    assert real_window.open_path(tmp_path / "plan.gpkg")
    reopened = real_window.project
    assert reopened is not p and reopened is not None and reopened.active_alignment is not None
    assert reopened.active_alignment.territories[tid].name == "Saved name"
    assert "*" not in real_window.windowTitle()
