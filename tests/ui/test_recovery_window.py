"""The real main window: identity checks on save, refusals shown in a box, autosave wired in."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from terradesk.edit import History, rename_territory
from terradesk.io.gpkg import open_project, save_project
from terradesk.io.recovery import ENV_DIR
from terradesk.ui.main_window import MainWindow
from terradesk.ui.recovery import ENV_IDLE
from terradesk.ui.settings import Settings
from terradesk.ui.window.placeholder import PlaceholderCanvas
from tests.factories import grid_project

pytestmark = pytest.mark.qt_log_ignore(r"propagateSizeHints")


@pytest.fixture
def win(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[MainWindow, Path]]:
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "rec"))
    monkeypatch.setenv(ENV_IDLE, "0.1")
    doc = tmp_path / "plan.gpkg"
    save_project(grid_project(), doc)
    settings = Settings(QSettings(str(tmp_path / "t.ini"), QSettings.Format.IniFormat))
    window = MainWindow(settings=settings, canvas=PlaceholderCanvas())
    assert window.open_path(doc, ask=False)
    yield window, doc
    window.undo.set_clean()
    window.close()
    window.recovery.shutdown()
    window.deleteLater()


def _rename(window: MainWindow, name: str) -> None:
    p = window.project
    assert p is not None and p.active_alignment is not None
    window.undo.push(rename_territory(p, p.active_alignment.id, next(iter(p.active_alignment.territories)), name))


def _click_later(text: str) -> list[str]:
    """Click the button labelled ``text`` in the next modal message box; returns its message."""
    seen: list[str] = []

    def click() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            for button in box.buttons():
                if button.text() == text:
                    button.click()
                    return
        QTimer.singleShot(20, click)

    QTimer.singleShot(0, click)
    return seen


def test_open_and_save_keep_the_identity(win: Any) -> None:
    window, doc = win
    assert window.file_identity is not None and window.file_identity.path == str(doc)
    _rename(window, "Saved")
    assert window.save()
    assert window.file_identity.sha256 == open_project(doc).identity.sha256


def test_a_file_changed_by_someone_else_is_not_overwritten(win: Any, tmp_path: Path,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    window, doc = win
    with sqlite3.connect(doc) as conn:
        conn.execute("UPDATE owners SET email = 'colleague@example.org'")
    conn.close()
    theirs = doc.read_bytes()
    _rename(window, "Mine")
    copy = tmp_path / "mine.gpkg"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(copy), "")))
    seen = _click_later("Save As…")
    assert window.save()
    assert seen and "another program" in seen[0]
    assert doc.read_bytes() == theirs
    assert window.path == copy and window.undo.is_clean
    assert window.project is not None and open_project(copy).project.state() == window.project.state()


def test_reload_takes_the_version_on_disk(win: Any) -> None:
    window, doc = win
    theirs = open_project(doc).project
    al = theirs.active_alignment
    assert al is not None
    History(theirs).push(rename_territory(theirs, al.id, next(iter(al.territories)), "Theirs"))
    save_project(theirs, doc)
    _rename(window, "Mine")
    seen = _click_later("Reload")
    assert not window.save()
    assert "another TerraDesk" in seen[0]
    assert window.project is not None and window.project.state() == theirs.state()


def test_a_locked_file_is_refused_with_a_clear_message(win: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    window, doc = win
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _p, _t, text, *a: shown.append(text)))
    (doc.parent / (doc.name + "-wal")).write_bytes(b"x" * 100)
    before = doc.read_bytes()
    _rename(window, "Blocked")
    assert not window.save()
    assert "another program" in shown[0] and "Save As" in shown[0]
    assert doc.read_bytes() == before and not window.undo.is_clean


def test_autosave_is_installed(win: Any, qtbot: Any, tmp_path: Path) -> None:
    window, doc = win
    before = doc.read_bytes()
    with qtbot.waitSignal(window.recovery.snapshot_written, timeout=3000) as blocker:
        _rename(window, "Autosaved")
    assert Path(blocker.args[0]).parent == tmp_path / "rec"
    assert doc.read_bytes() == before
    assert window.settings.preference("autosave_minutes") == 2
