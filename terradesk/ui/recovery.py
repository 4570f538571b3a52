"""Autosave to the recovery folder, and the offer to restore after a crash (Qt side).

:class:`RecoveryController` snapshots the open project with
:class:`terradesk.io.recovery.RecoveryStore` every N minutes while there are unsaved
changes (preference ``autosave_minutes``, default 2) and when the planner pauses after a
burst of edits. It never writes the planner's file. The GUI thread only takes a frozen
copy (:meth:`Project.snapshot`, ~15 ms for 40,000 units); a worker thread writes it, one
at a time, and a request made meanwhile is coalesced into one more snapshot of the newest
state when the current one ends. On the next start,
:meth:`RecoveryController.offer` asks about each recovery newer than its document:
Restore (opens it as unsaved changes against the original path), Save as..., Discard,
or Later. A clean exit removes this session's snapshots.

Test hooks (environment): ``TERRADESK_AUTOSAVE_SECONDS`` and
``TERRADESK_AUTOSAVE_IDLE_SECONDS`` shorten the timers; ``TERRADESK_TEST_SCRIPT`` names
a Python file run once a project is open, with ``window`` and ``app`` in its namespace.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import runpy
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget

from terradesk.io.errors import TerraDeskError
from terradesk.io.gpkg import FileIdentity
from terradesk.io.recovery import Recovery, RecoveryStore, SnapshotCancelledError
from terradesk.model import Project

DEFAULT_MINUTES = 2.0
DEFAULT_IDLE_SECONDS = 5.0
ENV_INTERVAL = "TERRADESK_AUTOSAVE_SECONDS"
ENV_IDLE = "TERRADESK_AUTOSAVE_IDLE_SECONDS"
ENV_SCRIPT = "TERRADESK_TEST_SCRIPT"
SHUTDOWN_WAIT_S = 30.0  # a clean exit cancels the snapshot being written, then waits at most this long

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


@dataclass(eq=False)
class _Job:
    """One snapshot: the frozen copy and what the GUI thread knew when it was taken."""

    project: Project
    original: Path | None
    base: FileIdentity | None
    note: str
    doc: tuple[int, str]
    epoch: int
    result: Recovery | None = None
    error: str | None = None
    cancelled: bool = False


class RecoveryController(QObject):
    """Autosave timers for one window plus the restore offer; see the module docstring."""

    snapshot_written = Signal(str)  # path of the new snapshot
    snapshot_failed = Signal(str)  # message
    _job_done = Signal()  # emitted by the worker thread, delivered on the GUI thread

    def __init__(self, window: Any, store: RecoveryStore | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.store = store or RecoveryStore()
        self.changed_since_snapshot = False
        self.last: Recovery | None = None
        self._doc: tuple[int, str] | None = None
        self._lock = threading.Lock()
        self._cancel = threading.Event()
        self._thread: threading.Thread | None = None
        self._running: _Job | None = None
        self._done: list[_Job] = []
        self._pending = False
        self._epoch = 0  # bumped when the document becomes clean: older snapshots are obsolete
        self._closed = False
        self.last_gui_ms = 0.0  # GUI-thread cost of the last snapshot request (benchmarks)
        self._job_done.connect(self._collect, Qt.ConnectionType.QueuedConnection)
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
            self._epoch += 1  # a snapshot still being written is thrown away when it ends
            self._pending = False
            self.store.discard_document(self.window.project, self.window.path)
            self.last = None

    def _note(self) -> str:
        stack = self.window.undo.stack
        text = stack.undoText()
        steps = stack.index()
        return f"{steps} undo step{'s' if steps != 1 else ''} in that session; last: {text}" if text else ""

    @property
    def busy(self) -> bool:
        """True while a snapshot is being written in the worker thread."""
        return self._running is not None

    def snapshot_now(self, force: bool = False, wait: bool = False) -> Recovery | None:
        """Snapshot the project if it has changes not yet in a snapshot (or ``force``).

        The GUI thread only freezes a copy; a worker thread writes it and
        :attr:`snapshot_written` follows. While one is being written, a request is
        coalesced into one more snapshot when it ends. Returns the :class:`Recovery` only
        with ``wait=True`` (written before returning, e.g. right after a restore).
        """
        project = self.window.project
        if self._closed or project is None or self.window.undo.is_clean or not (self.changed_since_snapshot or force):
            return None
        if self._running is not None and not wait:
            self._pending = True
            return None
        if wait:
            self.wait()
        start = time.perf_counter()
        job = _Job(project.snapshot(), self.window.path, getattr(self.window, "file_identity", None), self._note(),
                   (id(project), self.store.document_key(project, self.window.path)), self._epoch)
        self.changed_since_snapshot = False
        self._pending = False
        if wait:
            self._run(job)
            self._finish(job)
            return job.result
        self._running = job
        self._thread = threading.Thread(target=self._work, args=(job,), name="terradesk-autosave", daemon=True)
        self._thread.start()
        self.last_gui_ms = (time.perf_counter() - start) * 1000.0
        return None

    def _run(self, job: _Job) -> None:
        """Write one snapshot (worker thread, or the caller's with ``wait``); never raises."""
        try:
            job.result = self.store.write(job.project, job.original, base=job.base, note=job.note,
                                          cancel=self._cancel)
        except SnapshotCancelledError:
            job.cancelled = True
        except (TerraDeskError, OSError, ValueError) as exc:
            job.error = f"Recovery copy not written: {exc}"
        except Exception as exc:  # a worker must never die silently
            job.error = f"Recovery copy not written: {type(exc).__name__}: {exc}"

    def _work(self, job: _Job) -> None:
        self._run(job)
        with self._lock:
            self._done.append(job)
        with contextlib.suppress(RuntimeError):  # the controller is gone (window destroyed): nobody to tell
            self._job_done.emit()

    def _drain(self) -> None:
        """Handle finished snapshots (GUI thread)."""
        with self._lock:
            done, self._done = self._done, []
        for job in done:
            self._finish(job)

    def _collect(self) -> None:
        self._drain()
        if self._pending and self._running is None and not self._closed:
            self.snapshot_now(force=True)

    def _finish(self, job: _Job) -> None:
        if self._running is job:
            self._running = None
            self._thread = None
        if job.cancelled:
            return
        if job.error is not None or job.result is None:
            self.changed_since_snapshot = True  # try again at the next tick
            self.snapshot_failed.emit(job.error or "Recovery copy not written")
            return
        rec = job.result
        if job.epoch != self._epoch:  # saved (or undone to the saved state) while it was written
            self.store.discard(rec)
            return
        if self._doc is not None and self._doc != job.doc and self.last is not None:
            self.store.discard(self.last)  # the previous document was closed without saving
        self._doc, self.last = job.doc, rec
        self.snapshot_written.emit(str(self.store.path_of(rec)))

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the snapshot being written has ended; False if still running after ``timeout``."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                return False
        self._drain()
        return True

    def shutdown(self) -> None:
        """Clean exit: cancel a snapshot being written, wait for it, remove this session's snapshots."""
        self.timer.stop()
        self.idle.stop()
        self._closed = True
        self._pending = False
        self._cancel.set()
        self.wait(SHUTDOWN_WAIT_S)
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
        if self.snapshot_now(wait=True) is not None:  # our own copy first, then the crashed session's goes
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
