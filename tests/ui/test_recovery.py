"""Autosave timers and the restore offer, on a minimal window (the real one: test_crash_recovery)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QMessageBox, QWidget

from terradesk.edit import rename_territory
from terradesk.io.gpkg import FileIdentity, open_project, save_project
from terradesk.io.recovery import Recovery, RecoveryStore
from terradesk.model import Project
from terradesk.ui.recovery import ENV_IDLE, ENV_INTERVAL, RecoveryController, install_recovery, recovery_dialog
from terradesk.ui.undo import UndoStack
from tests.factories import grid_project


class FakeWindow(QWidget):
    """What the controller needs from MainWindow: project, path, undo, set_project, maybe_save."""

    def __init__(self) -> None:
        super().__init__()
        self.project: Project | None = None
        self.path: Path | None = None
        self.file_identity: FileIdentity | None = None
        self.undo = UndoStack(self)
        self.answer = True

    def set_project(self, project: Project | None, path: Path | None = None) -> None:
        self.project, self.path = project, path
        self.undo.set_project(project)

    def maybe_save(self) -> bool:
        return self.answer

    def update_title(self) -> None:
        pass


def _rename(window: FakeWindow, name: str) -> None:
    project = window.project
    assert project is not None and project.active_alignment is not None
    al = project.active_alignment
    window.undo.push(rename_territory(project, al.id, next(iter(al.territories)), name))


@pytest.fixture
def opened(qtbot: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeWindow, RecoveryController, Path]]:
    monkeypatch.setenv(ENV_INTERVAL, "3600")
    monkeypatch.setenv(ENV_IDLE, "0.1")
    doc = tmp_path / "plan.gpkg"
    ident = save_project(grid_project(), doc)
    window = FakeWindow()
    qtbot.addWidget(window)
    window.set_project(open_project(doc).project, doc)
    window.file_identity = ident
    controller = install_recovery(window, RecoveryStore(tmp_path / "rec"))
    yield window, controller, doc
    controller.shutdown()


def _snapshots(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("*.gpkg"))


def test_no_snapshot_without_changes(opened: Any, qtbot: Any, tmp_path: Path) -> None:
    _window, controller, _ = opened
    qtbot.wait(300)
    assert controller.snapshot_now() is None
    assert _snapshots(tmp_path / "rec") == []


def test_a_pause_after_edits_writes_one_snapshot(opened: Any, qtbot: Any, tmp_path: Path) -> None:
    window, controller, doc = opened
    before = doc.read_bytes()
    with qtbot.waitSignal(controller.snapshot_written, timeout=3000) as blocker:
        for i in range(5):
            _rename(window, f"Burst {i}")
    path = Path(blocker.args[0])
    assert path.parent == tmp_path / "rec" and doc.read_bytes() == before
    assert open_project(path).project.state() == window.project.state()
    assert controller.last is not None and controller.last.note == "5 undo steps in that session; last: Rename territory Burst 3 to Burst 4"
    qtbot.wait(300)
    assert len(_snapshots(tmp_path / "rec")) == 1  # no new snapshot without new edits


def test_the_timer_writes_while_there_are_changes(opened: Any, qtbot: Any) -> None:
    window, controller, _ = opened
    controller.idle.setInterval(3_600_000)
    controller.timer.setInterval(100)
    _rename(window, "Timer")
    with qtbot.waitSignal(controller.snapshot_written, timeout=3000):
        pass


def test_saving_removes_the_snapshots(opened: Any, qtbot: Any, tmp_path: Path) -> None:
    window, controller, doc = opened
    with qtbot.waitSignal(controller.snapshot_written, timeout=3000):
        _rename(window, "Saved soon")
    save_project(window.project, doc)
    window.undo.set_clean()
    assert _snapshots(tmp_path / "rec") == []


def test_clean_exit_removes_everything(opened: Any, qtbot: Any, tmp_path: Path) -> None:
    window, controller, _ = opened
    with qtbot.waitSignal(controller.snapshot_written, timeout=3000):
        _rename(window, "Exit")
    controller.shutdown()
    assert list((tmp_path / "rec").iterdir()) == []


def _crash(tmp_path: Path, doc: Path, edit: str) -> Project:
    """A session that snapshots an edited project and dies (its lock file stays, unlocked)."""
    store = RecoveryStore(tmp_path / "rec")
    project = open_project(doc).project
    al = project.active_alignment
    assert al is not None
    from terradesk.edit import History

    History(project).push(rename_territory(project, al.id, next(iter(al.territories)), edit))
    store.write(project, doc, base=open_project(doc).identity, note="1 undo step")
    assert store._lock is not None
    store._lock.close()  # what the OS does when the process is killed
    store._lock = None
    return project


def test_restore_opens_the_changes_unsaved_against_the_original(opened: Any, tmp_path: Path) -> None:
    window, controller, doc = opened
    crashed = _crash(tmp_path, doc, "Recovered edit")
    before = doc.read_bytes()
    assert controller.offer(lambda rec, can: "restore") == ["restore"]
    assert window.project.state() == crashed.state()
    assert window.path == doc and not window.undo.is_clean
    assert window.file_identity is not None and window.file_identity.sha256 == open_project(doc).identity.sha256
    assert doc.read_bytes() == before
    # the crashed session's copy is replaced by one of ours; nothing is offered again
    assert RecoveryStore(tmp_path / "rec").list_recoveries() == []
    assert len(_snapshots(tmp_path / "rec")) == 1


def test_save_as_and_discard(opened: Any, tmp_path: Path) -> None:
    _window, controller, doc = opened
    crashed = _crash(tmp_path, doc, "Save me elsewhere")
    target = tmp_path / "recovered.gpkg"
    rec: Recovery = controller.store.list_recoveries()[0]
    assert controller.save_recovery_as(rec, str(target))
    assert open_project(target).project.state() == crashed.state()
    _crash(tmp_path, doc, "Throw away")
    assert controller.offer(lambda rec, can: "discard") == ["discard"]
    assert controller.store.list_recoveries() == [] and _snapshots(tmp_path / "rec") == []


def test_later_keeps_it_for_next_time(opened: Any, tmp_path: Path) -> None:
    _, controller, doc = opened
    _crash(tmp_path, doc, "Later")
    assert controller.offer(lambda rec, can: "later") == ["later"]
    assert len(controller.store.list_recoveries()) == 1


def test_restore_is_refused_when_the_planner_keeps_current_changes(opened: Any, tmp_path: Path) -> None:
    window, controller, doc = opened
    _rename(window, "Current work")
    window.answer = False  # "Cancel" in the unsaved-changes question
    _crash(tmp_path, doc, "Other")
    state = window.project.state()
    controller.offer(lambda rec, can: "restore")
    assert window.project.state() == state
    assert len(controller.store.list_recoveries()) == 1


def test_the_dialog_offers_the_three_choices(opened: Any, tmp_path: Path) -> None:
    window, controller, doc = opened
    _crash(tmp_path, doc, "Dialog")
    rec = controller.store.list_recoveries()[0]
    box, buttons = recovery_dialog(window, rec)
    assert isinstance(box, QMessageBox)
    assert sorted(buttons.values()) == ["discard", "later", "restore", "save_as"]
    assert "plan.gpkg" in box.informativeText()
    _, buttons = recovery_dialog(window, rec, can_restore=False)
    assert "restore" not in buttons.values()
