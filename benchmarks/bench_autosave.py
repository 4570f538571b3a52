"""Autosave on the 40,000-unit / 200,000-account demo: what the GUI thread pays per snapshot.

Budget: taking a snapshot costs the GUI thread < 50 ms (the copy; the write runs in a
worker thread). Also measured: the longest pause of a 5 ms timer on the GUI thread while
the worker writes, and the old way (the whole write on the GUI thread). Prints one JSON object.

    .venv/bin/python benchmarks/bench_autosave.py [--units 40000] [--accounts 200000] [--runs 3] [--file X.gpkg]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--file", help="open this project instead of generating the demo")
    a = ap.parse_args()

    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    from terradesk.edit import rename_territory
    from terradesk.io.recovery import RecoveryStore
    from terradesk.ui.recovery import ENV_IDLE, ENV_INTERVAL, RecoveryController
    from terradesk.ui.undo import UndoStack

    os.environ[ENV_INTERVAL] = os.environ[ENV_IDLE] = "3600"  # snapshots only when asked
    app = QApplication.instance() or QApplication([])
    if a.file:
        from terradesk.io.gpkg import open_project

        project = open_project(a.file).project
    else:
        from terradesk.io.demo import generate_demo

        project = generate_demo(units=a.units, accounts=a.accounts, seed=1)

    copies = []
    for _ in range(5):
        t = time.perf_counter()
        project.snapshot()
        copies.append((time.perf_counter() - t) * 1000)

    class Window(QWidget):
        def __init__(self) -> None:
            super().__init__()
            self.project = project
            self.path = None
            self.file_identity = None
            self.undo = UndoStack(self)
            self.undo.set_project(project)

    window = Window()
    al = project.active_alignment
    assert al is not None
    tid = next(iter(al.territories))
    with tempfile.TemporaryDirectory() as tmp:
        controller = RecoveryController(window, RecoveryStore(Path(tmp) / "rec"))
        gui_ms, gaps_ms, write_s = [], [], []
        for i in range(a.runs):
            window.undo.push(rename_territory(project, al.id, tid, f"Edit {i}"))
            ticks: list[float] = []
            timer = QTimer()
            timer.setInterval(5)
            timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
            loop = QEventLoop()
            controller.snapshot_written.connect(loop.quit)
            controller.snapshot_failed.connect(loop.quit)
            timer.start()
            t = time.perf_counter()
            controller.snapshot_now()
            gui_ms.append(controller.last_gui_ms)
            loop.exec()
            write_s.append(time.perf_counter() - t)
            timer.stop()
            controller.snapshot_written.disconnect(loop.quit)
            controller.snapshot_failed.disconnect(loop.quit)
            gaps = [b - c for c, b in itertools.pairwise(ticks)]
            gaps_ms.append(max(gaps, default=0.0) * 1000)
        t = time.perf_counter()
        controller.store.write(project, None)  # the old way: everything on the GUI thread
        sync_s = time.perf_counter() - t
        controller.shutdown()
        left = os.listdir(Path(tmp) / "rec") if (Path(tmp) / "rec").exists() else []
    app.processEvents()
    result = {
        "units": len(project.units), "accounts": len(project.accounts), "runs": a.runs,
        "copy_ms_min": round(min(copies), 1), "copy_ms_median": round(statistics.median(copies), 1),
        "gui_thread_ms_max": round(max(gui_ms), 1), "gui_thread_ms_median": round(statistics.median(gui_ms), 1),
        "gui_thread_budget_ms": 50,
        "worker_write_s_median": round(statistics.median(write_s), 3),
        "max_event_gap_ms_during_write": round(max(gaps_ms), 1),
        "old_sync_write_on_gui_thread_s": round(sync_s, 3),
        "files_left_after_clean_exit": len(left),
    }
    result["within_budget"] = bool(result["gui_thread_ms_max"] < 50 and not left)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
