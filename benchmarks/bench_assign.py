"""Assign-tool budgets on the 40,000-unit demo (200,000 accounts) at 1600x1000, offscreen.

Issue 4 budgets: click-assign of one unit, from the mouse release to the repainted
canvas with updated metrics, <= 30 ms; a brush stroke over ~500 units <= 200 ms;
undo and redo of either <= 30 ms. Also counts full territory re-dissolves (should be 0:
territory shapes follow edits incrementally) and partial vs full canvas repaints.

Each gesture is real Qt mouse events (QTest) on the canvas viewport; "repainted" means
the event loop ran until the canvas image is current and the viewport was repainted.
The Territories table model is attached, so its metrics refresh inside every timing.

    .venv/bin/python benchmarks/bench_assign.py [--units 40000 --accounts 200000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

W, H = 1600, 1000


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    args = ap.parse_args()

    import numpy as np
    from PySide6.QtCore import QPointF, Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    app = QApplication.instance() or QApplication([])
    import terradesk.ui.canvas.layers as layers
    import terradesk.ui.canvas.widget as widget
    from terradesk.edit import History
    from terradesk.io.demo import generate_demo
    from terradesk.ui.canvas import MapCanvas
    from terradesk.ui.canvas.tools import AssignClickTool, AssignSettings, BrushTool
    from terradesk.ui.panels.territories import TerritoryTableModel

    t = time.perf_counter()
    project = generate_demo(units=args.units, accounts=args.accounts, seed=0)
    result: dict[str, object] = {"units": len(project.units), "accounts": len(project.accounts),
                                 "size": f"{W}x{H}", "build_demo_s": round(time.perf_counter() - t, 1)}
    history = History(project)

    class Sink:
        def push(self, command: object) -> None:
            history.push(command)  # type: ignore[arg-type]

    metrics = TerritoryTableModel()
    metrics.set_project(project)
    canvas = MapCanvas()
    canvas.resize(W, H)
    canvas.set_project(project)
    canvas.undo_sink = Sink()
    canvas.show()
    vp = canvas.view.viewport()

    def settle() -> None:
        while not canvas.is_current():
            app.processEvents()
        vp.repaint()

    settle()
    counts = {"dissolves": 0, "patches": 0}
    real_tg, real_all, real_patch = layers.territory_geometry, layers.all_territory_geometries, widget.patch_image

    def count_tg(*a: object) -> object:
        counts["dissolves"] += 1
        return real_tg(*a)  # type: ignore[arg-type]

    def count_all(*a: object) -> object:
        counts["dissolves"] += 1
        return real_all(*a)  # type: ignore[arg-type]

    def count_patch(*a: object) -> object:
        counts["patches"] += 1
        return real_patch(*a)  # type: ignore[arg-type]

    layers.territory_geometry, layers.all_territory_geometries = count_tg, count_all  # type: ignore[assignment]
    widget.patch_image = count_patch  # type: ignore[assignment]

    al = project.active_alignment
    assert al is not None
    tids = list(al.territories)
    settings = AssignSettings()
    x0, y0, x1, y1 = canvas.view_rect()

    def at(x: float, y: float):
        return canvas.view.mapFromScene(canvas.vb.mapViewToScene(QPointF(x, y)))

    def ms(fn) -> float:
        t0 = time.perf_counter()
        fn()
        return (time.perf_counter() - t0) * 1000

    # -- click-assign: units in view, each moved to another territory ------------------
    canvas.set_tool(AssignClickTool(canvas, settings))
    rng = np.random.default_rng(3)
    inside = np.asarray(canvas.select_units_in((x0, y0, x1, y1)).indices)
    import shapely

    pts = shapely.point_on_surface(project.units.geometry[rng.choice(inside, 12, replace=False)])
    clicks, undos, redos = [], [], []
    for i, p in enumerate(pts):
        pos = at(p.x, p.y)
        unit = canvas.scene_data.units.hit(p.x, p.y)
        current = al.territory_of_unit(unit)
        settings.set_territory(next(t for t in tids[i % len(tids):] + tids if t != current))
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos)
        n = len(history)
        clicks.append(ms(lambda pos=pos: (QTest.mouseRelease(vp, Qt.MouseButton.LeftButton,
                                                            Qt.KeyboardModifier.NoModifier, pos), settle())))
        assert len(history) == n + 1, "the click did not assign"
        undos.append(ms(lambda: (history.undo(), settle())))
        redos.append(ms(lambda: (history.redo(), settle())))
    result["click_assign_ms"] = {"median": round(statistics.median(clicks), 1), "max": round(max(clicks), 1)}
    result["click_undo_ms"] = {"median": round(statistics.median(undos), 1), "max": round(max(undos), 1)}
    result["click_redo_ms"] = {"median": round(statistics.median(redos), 1), "max": round(max(redos), 1)}

    # -- brush strokes: ~500 units each, one command, preview repainted every move -----
    brush = BrushTool(canvas, settings)
    canvas.set_tool(brush)
    settings.radius_px = 22
    strokes, touched, b_undo, b_redo = [], [], [], []
    radius = settings.radius_px * (x1 - x0) / canvas.vb.width()
    tree = canvas.scene_data.units.tree

    def reach(yk: float, length: float) -> int:
        line = shapely.LineString([(x0 + (x1 - x0) * 0.2, yk), (x0 + (x1 - x0) * (0.2 + length), yk)])
        return len(tree.query(shapely.buffer(line, radius), predicate="intersects"))

    for k in range(3):
        settings.set_territory(tids[k])
        yk = y0 + (y1 - y0) * (0.3 + 0.15 * k)
        lo, hi = 0.0, 0.7  # stroke length (share of the view width) reaching about 500 units
        for _ in range(20):
            mid = (lo + hi) / 2
            lo, hi = (mid, hi) if reach(yk, mid) < 500 else (lo, mid)
        path = [at(x0 + (x1 - x0) * (0.2 + hi * s / 40), yk) for s in range(41)]

        def stroke(path=path) -> None:
            QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[0])
            for pos in path[1:]:
                QTest.mouseMove(vp, pos)
                vp.repaint()  # the preview frame a planner sees
            touched.append(len(brush.touched))
            QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, path[-1])
            settle()

        n = len(history)
        strokes.append(ms(stroke))
        assert len(history) == n + 1, "a stroke must be one undo step"
        b_undo.append(ms(lambda: (history.undo(), settle())))
        b_redo.append(ms(lambda: (history.redo(), settle())))
    result["brush_stroke_ms"] = {"median": round(statistics.median(strokes), 1), "max": round(max(strokes), 1),
                                 "units_per_stroke": touched, "moves_per_stroke": 40}
    result["brush_undo_ms"] = {"median": round(statistics.median(b_undo), 1), "max": round(max(b_undo), 1)}
    result["brush_redo_ms"] = {"median": round(statistics.median(b_redo), 1), "max": round(max(b_redo), 1)}
    result["full_territory_redissolves"] = counts["dissolves"]
    result["partial_repaints"] = counts["patches"]
    result["budgets_ms"] = {"click": 30, "brush_stroke": 200, "undo_redo": 30}
    canvas.close()
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
