"""Long work (open, save, import) in a worker thread behind a progress dialog.

The caller gets a synchronous-looking function: :func:`run_with_progress` starts the
work in a ``QThread``, shows a modal progress dialog, spins a local event loop so the
window keeps painting, and returns the result (or re-raises the error) on the GUI
thread. The modal dialog blocks input, so the GUI cannot edit the model while a worker
reads it; results (a freshly opened Project) are handed over on the GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from PySide6.QtCore import QEventLoop, QObject, QThread, QTimer, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

T = TypeVar("T")

#: Show the dialog only when work takes longer than this (ms), so quick saves do not flash.
SHOW_AFTER_MS = 300


class _Worker(QObject):
    done = Signal()

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self._fn = fn
        self.result: Any = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.result = self._fn()
        except BaseException as exc:  # re-raised on the GUI thread
            self.error = exc
        self.done.emit()


def run_with_progress(parent: QWidget | None, label: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``fn(*args, **kwargs)`` in a worker thread; return its result on the GUI thread.

    The work cannot be cancelled halfway (a half-written save is worse than a wait), so
    the dialog shows a busy indicator without a Cancel button.
    """
    thread = QThread()
    worker = _Worker(lambda: fn(*args, **kwargs))
    worker.moveToThread(thread)
    loop = QEventLoop()
    worker.done.connect(loop.quit)
    thread.started.connect(worker.run)

    dialog = QProgressDialog(label, "", 0, 0, parent)
    dialog.setCancelButton(None)
    dialog.setWindowTitle("TerraDesk")
    dialog.setMinimumDuration(SHOW_AFTER_MS)
    dialog.setAutoClose(False)
    dialog.setAutoReset(False)
    dialog.setModal(True)
    show_timer = QTimer()
    show_timer.setSingleShot(True)
    show_timer.timeout.connect(dialog.show)
    show_timer.start(SHOW_AFTER_MS)

    thread.start()
    if not thread.isFinished():
        loop.exec()
    thread.quit()
    thread.wait()
    show_timer.stop()
    dialog.close()
    dialog.deleteLater()
    if worker.error is not None:
        raise worker.error
    return worker.result  # type: ignore[no-any-return]
