"""Rebalance preview cost on the 40,000-unit demo (issue 8, GUI side). Prints JSON.

Rebalances the demo's sales plan on market potential (+-5%), then times what the planner
waits for after the optimiser: building the preview dialog (territory and account tables)
with its hatch overlay, the first canvas frame with the hatching (paths built for the
zoom level and the overlay image rendered), a repaint and pan frames (image reused), and a
frame after clearing it. Canvas 1366x768, offscreen.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from terradesk.analysis.rebalance import MetricGoal, RebalanceSpec, rebalance
from terradesk.edit import History
from terradesk.io.demo import generate_demo
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.dialogs.rebalance_preview import RebalancePreview


def ms(t0: float) -> float:
    return round((time.perf_counter() - t0) * 1000, 1)


def main() -> None:
    app = QApplication.instance() or QApplication(sys.argv)
    project = generate_demo(40_000, 20_000)
    al = project.active_alignment
    assert al is not None
    canvas = MapCanvas()
    canvas.resize(1366, 768)
    canvas.set_project(project)
    canvas.show()
    app.processEvents()
    canvas.refresh()
    spec = RebalanceSpec(goals=[MetricGoal("market_potential", 0.05)], time_limit_s=10.0)
    t = time.perf_counter()
    result = rebalance(project, al.id, spec)
    optimise_ms = ms(t)
    t = time.perf_counter()
    preview = RebalancePreview(project, result, canvas, History(project))
    build_ms = ms(t)
    t = time.perf_counter()
    canvas.grab()
    first_ms = ms(t)
    t = time.perf_counter()
    canvas.grab()
    again_ms = ms(t)
    pans = []
    for _ in range(10):
        canvas.pan_by(0.02, 0.0)
        t = time.perf_counter()
        canvas.grab()
        pans.append(ms(t))
    preview.reject()
    t = time.perf_counter()
    canvas.grab()
    plain_ms = ms(t)
    print(json.dumps({
        "units": len(project.units), "accounts": len(project.accounts),
        "units_moved": len(result.moved_units), "accounts_changing_owner": len(result.accounts_changing_owner),
        "max_deviation_before": round(result.before.max_deviation, 4),
        "max_deviation_after": round(result.after.max_deviation, 4),
        "rebalance_ms": optimise_ms, "preview_dialog_ms": build_ms,
        "frame_with_hatch_first_ms": first_ms, "frame_with_hatch_cached_ms": again_ms,
        "pan_frame_with_hatch_median_ms": sorted(pans)[len(pans) // 2], "frame_plain_ms": plain_ms,
    }))


if __name__ == "__main__":
    main()
