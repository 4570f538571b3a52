"""Vertex drag through the map canvas: real mouse events on a 5,000-vertex territory.

Issue 5 budget: a drag previews at >= 30 frames/s and commits in <= 50 ms. The pure
geometry part is measured by ``bench_vertex_edit.py``; this one measures a whole frame as
the planner gets it: Qt mouse event -> MapView -> VertexEditTool (snap query, VertexDrag
preview, preview path) -> synchronous repaint of the viewport; and the release (commit,
push to the undo stack, the model change reaching the canvas). Prints one JSON object.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_vertex_edit import build
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from terradesk.edit import History
from terradesk.ui.canvas import MapCanvas
from terradesk.ui.canvas.tools.vertex_edit import VertexEditTool


def main() -> None:
    app = QApplication.instance() or QApplication([])
    project, aid, tid, (vx, vy) = build()
    vertices = len(project.alignment(aid).territory(tid).geometry.exterior.coords)  # type: ignore[union-attr]
    canvas = MapCanvas()
    canvas.resize(1100, 620)
    canvas.set_project(project)
    canvas.show()
    history = History(project)
    canvas.undo_sink = history
    tool = VertexEditTool()
    canvas.set_tool(tool)
    vp = canvas.view.viewport()

    def pos(x: float, y: float):  # type: ignore[no-untyped-def]
        return canvas.view.mapFromScene(canvas.vb.mapViewToScene(QPointF(x, y)))

    frames, commits, far_commits, full_view_frames = [], [], [], []
    # three short drags zoomed in (4 m: the wavy edge has a vertex every ~10 m, so the
    # outline stays simple) and one far drag with the whole territory in view (it folds the
    # outline across many segments, so the commit has to repair it with make_valid)
    for rep, span in enumerate((20.0, 20.0, 20.0, 60_000.0)):
        canvas.zoom_to_bounds(vx - span, vy - span * 0.6, vx + span, vy + span * 0.6)
        canvas.refresh()
        app.processEvents()
        al = project.alignment(aid)
        geom = al.territory(tid).geometry
        import shapely

        xy = shapely.get_coordinates(geom)
        i = int(((xy[:, 0] - vx) ** 2 + (xy[:, 1] - vy) ** 2).argmin())
        sx, sy = float(xy[i, 0]), float(xy[i, 1])
        QTest.mouseMove(vp, pos(sx, sy))
        QTest.mousePress(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, pos(sx, sy))
        step = span / 150
        for k in range(1, 31):
            t0 = time.perf_counter()
            QTest.mouseMove(vp, pos(sx + k * step, sy + k * step * 0.5))
            vp.repaint()
            (full_view_frames if span > 1000 else frames).append(time.perf_counter() - t0)
        end = pos(sx + 30 * step, sy + 30 * step * 0.5)
        t0 = time.perf_counter()
        QTest.mouseRelease(vp, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, end)
        (far_commits if span > 1000 else commits).append(time.perf_counter() - t0)
        app.processEvents()
        assert len(history) == rep + 1, "each drag pushes exactly one command"
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    print(json.dumps({
        "benchmark": "vertex_drag_through_canvas",
        "vertices": vertices,
        "frames": len(frames) + len(full_view_frames),
        "frame_ms_median": ms(statistics.median(frames)),
        "frame_ms_max": ms(max(frames)),
        "fps_median": round(1 / statistics.median(frames), 1),
        "frame_ms_median_whole_territory_in_view": ms(statistics.median(full_view_frames)),
        "release_commit_ms_median": ms(statistics.median(commits)),
        "release_commit_ms_max": ms(max(commits)),
        "release_commit_ms_far_drag_folding_outline": ms(far_commits[0]),
        "budget": {"fps": 30, "commit_ms": 50},
    }))


if __name__ == "__main__":
    main()
