"""Long work runs in a worker thread: the GUI keeps processing events meanwhile."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from PySide6.QtCore import QTimer

from terradesk.io.errors import SaveError
from terradesk.ui.workers import run_with_progress


def test_gui_keeps_running_while_worker_works(qtbot: Any) -> None:
    ticks: list[float] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(time.perf_counter()))
    timer.start(10)
    gui_thread = threading.get_ident()

    def work(x: int) -> tuple[int, int]:
        time.sleep(0.25)
        return x * 2, threading.get_ident()

    result, worker_thread = run_with_progress(None, "Working…", work, 21)
    timer.stop()
    assert result == 42 and worker_thread != gui_thread
    assert len(ticks) >= 5, "the event loop kept turning during the work"


def test_worker_error_reaches_the_caller(qtbot: Any) -> None:
    def fail() -> None:
        raise SaveError("the folder is read-only")

    with pytest.raises(SaveError, match="read-only"):
        run_with_progress(None, "Saving…", fail)
