"""Balance dock + engine-fed Territories table after one assignment (and its undo), on the
40,000-unit / 200,000-account demo. Measures the whole path a planner waits for: the
command, the engine's incremental refresh, the chart redraw and the table update.
Offscreen Qt; prints one JSON object.

    .venv/bin/python benchmarks/bench_balance_ui.py [--units 40000 --accounts 200000 --repeat 20]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

import numpy as np

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from PySide6.QtWidgets import QApplication

from terradesk.edit import History, assign_units
from terradesk.ui.panels.balance import BalancePanel
from terradesk.ui.panels.balance_table import EngineTableModel
from terradesk.ui.window.balance_controller import BalanceController


def main() -> None:
    from bench_metrics import load

    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=20)
    args = ap.parse_args()
    app = QApplication.instance() or QApplication([])
    project, source = load(args.units, args.accounts)
    al = project.active_alignment
    if al is None or al.kind != "units":
        al = next(a for a in project.alignments.values() if a.kind == "units")
        project.set_active_alignment(al.id)
    history = History(project)
    t0 = time.perf_counter()
    ctl = BalanceController()
    ctl.set_project(project)
    t_engine = time.perf_counter() - t0
    panel = BalancePanel()
    panel.resize(900, 220)
    panel.show()  # so processEvents() below also pays for painting the chart
    model = EngineTableModel()
    t0 = time.perf_counter()
    panel.set_engine(ctl.engine, "accounts")
    model.set_engine(ctl.engine)
    t_first = time.perf_counter() - t0
    tids = list(al.territories)
    rng = np.random.default_rng(0)
    push, undo = [], []
    for _ in range(args.repeat):
        src = tids[int(rng.integers(len(tids)))]
        units = al.units_of(src)
        pick = units[: max(1, min(25, len(units) // 4))]
        dst = tids[(tids.index(src) + 1) % len(tids)]
        cmd = assign_units(project, al.id, pick, dst)
        t0 = time.perf_counter()
        history.push(cmd)
        panel.plot.repaint()
        app.processEvents()
        push.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        history.undo()
        panel.plot.repaint()
        app.processEvents()
        undo.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    panel.set_metric("population" if panel.metric_box.findData("population") >= 0 else "area_km2")
    t_metric = time.perf_counter() - t0
    print(json.dumps({
        "source": source, "units": len(project.units), "accounts": len(project.accounts), "territories": len(tids),
        "engine_build_s": round(t_engine, 3), "first_chart_and_table_ms": round(1000 * t_first, 1),
        "assign_to_chart_and_table_ms_median": round(1000 * statistics.median(push), 1),
        "assign_to_chart_and_table_ms_max": round(1000 * max(push), 1),
        "undo_to_chart_and_table_ms_median": round(1000 * statistics.median(undo), 1),
        "switch_metric_ms": round(1000 * t_metric, 1), "repeat": args.repeat,
    }))


if __name__ == "__main__":
    main()
