"""Autosave to the recovery folder, and the offer to restore after a crash (Qt side).

:class:`RecoveryController` snapshots the open project with
:class:`terradesk.io.recovery.RecoveryStore` every N minutes while there are unsaved
changes (preference ``autosave_minutes``, default 2) and when the planner pauses after a
burst of edits. It never writes the planner's file. On the next start,
:meth:`RecoveryController.offer` asks about each recovery newer than its document:
Restore (opens it as unsaved changes against the original path), Save as..., Discard,
or Later. A clean exit removes this session's snapshots.

Test hooks (environment): ``TERRADESK_AUTOSAVE_SECONDS`` and
``TERRADESK_AUTOSAVE_IDLE_SECONDS`` shorten the timers; ``TERRADESK_TEST_SCRIPT`` names
a Python file run once a project is open, with ``window`` and ``app`` in its namespace.
"""

from __future__ import annotations

import datetime as _dt
import os
import runpy
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from terradesk.io.errors import TerraDeskError
from terradesk.io.recovery import Recovery, RecoveryStore

DEFAULT_MINUTES = 2.0
DEFAULT_IDLE_SECONDS = 5.0
ENV_INTERVAL = "TERRADESK_AUTOSAVE_SECONDS"
ENV_IDLE = "TERRADESK_AUTOSAVE_IDLE_SECONDS"
ENV_SCRIPT = "TERRADESK_TEST_SCRIPT"

Choice = str  # "restore" | "save_as" | "discard" | "later"


def _seconds(env: str, default: float) -> float:
    try:
        return max(0.05, float(os.environ[env]))
    except (KeyError, ValueError):
        return default


def autosave_minutes(window: Any) -> float:
    """The preference (Settings ``preferences/autosave_minutes``), default 2 minutes."""
    settings = getattr(window, "settings", None)
    q = getattr(settings, "q", None)
    try:
        return max(0.1, float(q.value("preferences/autosave_minutes", DEFAULT_MINUTES))) if q else DEFAULT_MINUTES
    except (TypeError, ValueError):
        return DEFAULT_MINUTES


def recovery_dialog(parent: QWidget | None, rec: Recovery, can_restore: bool = True) -> tuple[QMessageBox, dict[Any, Choice]]:
    """The question for one recovery, and which button means which choice."""
    when = _dt.datetime.fromtimestamp(rec.saved_at).strftime("%Y-%m-%d %H:%M")
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Recover unsaved work")
    box.setText(f"TerraDesk did not close properly. A recovery copy of “{rec.name}” from {when} holds changes "
                "that were not saved.")
    doc = rec.original or "a project that was never saved"
    box.setInformativeText(f"Document: {doc}\n{rec.note}\n\nRestore opens it with the changes unsaved, so you can "
                           "review them and save. Save as writes it to a new file. Discard deletes the copy.")
    buttons: dict[Any, Choice] = {}
    if can_restore:
        buttons[box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)] = "restore"
    buttons[box.addButton("Save as…", QMessageBox.ButtonRole.ActionRole)] = "save_as"
    buttons[box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)] = "discard"
    later = box.addButton("Later", QMessageBox.ButtonRole.RejectRole)
    buttons[later] = "later"
    box.setEscapeButton(later)
    return box, buttons


def ask(parent: QWidget | None, rec: Recovery, can_restore: bool) -> Choice:
    box, buttons = recovery_dialog(parent, rec, can_restore)
    box.exec()
    return buttons.get(box.clickedButton(), "later")


class RecoveryController(QObject):
    """Autosave timers for one window plus the restore offer; see the module docstring."""

    snapshot_written = Signal(str)  # path of the new snapshot
    snapshot_failed = Signal(str)  # message

    def __init__(self, window: Any, store: RecoveryStore | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store = store or RecoveryStore()
        self.changed_since_snapshot = False
        self.last: Recovery | None = None
        self._doc: tuple[int, str] | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(int(_seconds(ENV_INTERVAL, autosave_minutes(window) * 60.0) * 1000))
        self.timer.timeout.connect(self.snapshot_now)
        self.timer.start()
        self.idle = QTimer(self)
        self.idle.setSingleShot(True)
        self.idle.setInterval(int(_seconds(ENV_IDLE, DEFAULT_IDLE_SECONDS) * 1000))
        self.idle.timeout.connect(self.snapshot_now)
        stack = window.undo.stack
        stack.indexChanged.connect(self._on_edit)
        stack.cleanChanged.connect(self._on_clean_changed)
        app = QCoreApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    # -- autosave ------------------------------------------------------------------------------
    def _on_edit(self, _index: int) -> None:
        self.changed_since_snapshot = True
        self.idle.start()  # restarted by every edit: fires once the planner pauses

    def _on_clean_changed(self, clean: bool) -> None:
        if clean and self.window.project is not None:  # saved (or undone back to the saved state)
            self.store.discard_document(self.window.project, self.window.path)
            self.last = None

    def _note(self) -> str:
        stack = self.window.undo.stack
        text = stack.undoText()
        steps = stack.index()
        return f"{steps} undo step{'s' if steps != 1 else ''} in that session; last: {text}" if text else ""

    def snapshot_now(self, force: bool = False) -> Recovery | None:
        """Write a snapshot if the project has changes not yet in a snapshot (or ``force``)."""
        project = self.window.project
        if project is None or self.window.undo.is_clean or not (self.changed_since_snapshot or force):
            return None
        doc = (id(project), self.store.document_key(project, self.window.path))
        if self._doc is not None and self._doc != doc and self.last is not None:
            self.store.discard(self.last)  # the previous document was closed without saving
        try:
            rec = self.store.write(project, self.window.path, base=getattr(self.window, "file_identity", None),
                                   note=self._note())
        except (TerraDeskError, OSError) as exc:
            self.snapshot_failed.emit(f"Recovery copy not written: {exc}")
            return None
        self._doc, self.last = doc, rec
        self.changed_since_snapshot = False
        self.snapshot_written.emit(str(self.store.path_of(rec)))
        return rec

    def shutdown(self) -> None:
        """Clean exit: the snapshots of this session are no longer needed."""
        self.timer.stop()
        self.idle.stop()
        self.store.close()

    # -- after a crash ----------------------------------------------------------------------------
    def offer(self, choose: Callable[[Recovery, bool], Choice] | None = None) -> list[Choice]:
        """Ask about each recovery newer than its document; returns the choices made."""
        choose = choose or (lambda rec, can: ask(self.window, rec, can))
        choices: list[Choice] = []
        restored = False
        for rec in self.store.list_recoveries():
            choice = choose(rec, not restored)
            if choice == "restore" and not restored:
                restored = self.restore(rec)
            elif choice == "save_as":
                self.save_recovery_as(rec)
            elif choice == "discard":
                self.store.discard(rec)
            choices.append(choice)
        self.store.prune_stale()
        return choices

    def restore(self, rec: Recovery) -> bool:
        """Open the snapshot as unsaved changes to its original file (which is not touched)."""
        window = self.window
        if window.project is not None and not window.undo.is_clean and not window.maybe_save():
            return False
        try:
            project = self.store.load(rec)
        except TerraDeskError as exc:
            QMessageBox.critical(window, "Cannot restore", str(exc))
            return False
        window.set_project(project, Path(rec.original) if rec.original else None)
        window.file_identity = rec.base_identity  # a save checks the file against what that session saw
        window.undo.stack.resetClean()  # unsaved: the planner decides whether to save
        window.update_title()
        self.changed_since_snapshot = True
        if self.snapshot_now() is not None:  # our own copy first, then the crashed session's goes
            self.store.discard(rec)
        return True

    def save_recovery_as(self, rec: Recovery, path: str | None = None) -> bool:
        """Write the recovery to a file the planner chooses (the original is not touched)."""
        if path is None:
            suggestion = str(Path(rec.original).with_name(Path(rec.original).stem + " (recovered).gpkg")) \
                if rec.original else f"{rec.name} (recovered).gpkg"
            path, _ = QFileDialog.getSaveFileName(self.window, "Save recovered project as", suggestion,
                                                  "TerraDesk projects (*.gpkg)")
            if not path:
                return False
        from terradesk.io.guard import save_checked

        try:
            save_checked(self.store.load(rec), path, None)
        except TerraDeskError as exc:
            QMessageBox.critical(self.window, "Cannot save the recovered project", str(exc))
            return False
        self.store.discard(rec)
        return True


def run_test_script(window: Any, path: str, wait_ms: int = 30_000) -> None:
    """Test hook: once a project is open, run the script with ``window`` (it may drive dialogs)."""
    waited = [0]

    def attempt() -> None:
        if window.project is None and waited[0] < wait_ms:
            waited[0] += 100
            QTimer.singleShot(100, attempt)
            return
        runpy.run_path(path, init_globals={"window": window, "app": QApplication.instance()})

    QTimer.singleShot(0, attempt)


def install_recovery(window: Any, store: RecoveryStore | None = None) -> RecoveryController:
    """Attach autosave to ``window`` (as ``window.recovery``); the test script hook if asked for."""
    controller = RecoveryController(window, store)
    window.recovery = controller
    script = os.environ.get(ENV_SCRIPT)
    if script:
        run_test_script(window, script)
    return controller
