"""Map canvas speed on the 40,000-unit demo at 1600x1000, antialiased, beside QGIS 3.22.

Prints one JSON object. Budgets (issue 3): full-extent redraw <= 100 ms, pan frame
<= 16 ms, app start to first painted frame <= 2 s. QGIS renders the same units layer
(saved as GeoPackage with pyogrio) in a ``/usr/bin/python3`` subprocess; skipped when
QGIS is absent.

    .venv/bin/python benchmarks/bench_render.py [--units 40000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

W, H = 1600, 1000

FIRST_FRAME = r"""
import os, sys, time, json
t_parent = float(sys.argv[1]); path = sys.argv[2]
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from PySide6.QtWidgets import QApplication
app = QApplication([])
from terradesk.io.gpkg import open_project
from terradesk.ui.canvas import MapCanvas
t_open = time.time()
project = open_project(path).project
t_opened = time.time()
c = MapCanvas(); c.resize(1600, 1000); c.set_project(project); c.show()
while not c.is_current():
    app.processEvents()
c.view.viewport().repaint()
t_done = time.time()
print(json.dumps({"total_s": round(t_done - t_parent, 3), "open_project_s": round(t_opened - t_open, 3),
                  "canvas_s": round(t_done - t_opened, 3)}))
"""

QGIS = r"""
import sys, time, json
from qgis.core import (QgsApplication, QgsVectorLayer, QgsMapSettings, QgsMapRendererSequentialJob,
                       QgsMapRendererParallelJob)
from qgis.PyQt.QtCore import QSize
app = QgsApplication([], False); app.initQgis()
layer = QgsVectorLayer(sys.argv[1], "units", "ogr")
assert layer.isValid()
ms = QgsMapSettings(); ms.setLayers([layer]); ms.setOutputSize(QSize(1600, 1000))
ms.setExtent(layer.extent()); ms.setFlag(QgsMapSettings.Antialiasing, True)
ms.setDestinationCrs(layer.crs())
out = {}
for name, cls in (("sequential", QgsMapRendererSequentialJob), ("parallel", QgsMapRendererParallelJob)):
    times = []
    for _ in range(3):
        job = cls(ms); t = time.perf_counter(); job.start(); job.waitForFinished()
        times.append((time.perf_counter() - t) * 1000)
    out[name + "_cold_ms"] = round(times[0], 1); out[name + "_warm_ms"] = round(min(times[1:]), 1)
print(json.dumps(out))
"""


def build_project(units: int):
    """The demo project (or synthetic Voronoi units if the demo generator is missing)."""
    try:
        from terradesk.io.demo import generate_demo

        return generate_demo(units=units, accounts=5000, seed=1), "demo"
    except ImportError:
        return synthetic_project(units), "synthetic"


def synthetic_project(n: int, territories: int = 400):
    import numpy as np
    import shapely

    from terradesk.edit import History, add_alignment, assign_units, create_territory
    from terradesk.model import Project, ProjectMeta, UnitLayer

    rng = np.random.default_rng(1)
    pts = rng.uniform([3.5e6, 2.7e6], [5.1e6, 3.7e6], (n, 2))
    env = shapely.box(3.5e6, 2.7e6, 5.1e6, 3.7e6)
    cells = shapely.intersection(np.asarray(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=env).geoms), env)
    cells = shapely.segmentize(cells, float(shapely.length(cells).mean()) / 15)
    cells = shapely.transform(cells, lambda c: np.round(c, 2))
    units = UnitLayer({"id": [f"u{i}" for i in range(n)], "code": [str(i) for i in range(n)],
                       "name": [f"Unit {i}" for i in range(n)], "geometry": cells})
    project = Project(ProjectMeta(crs="EPSG:3035"), units)
    h = History(project)
    h.push(add_alignment(project, "Plan"))
    al = project.active_alignment
    seeds = shapely.points(pts[rng.choice(n, territories, replace=False)])
    nearest = shapely.STRtree(seeds).nearest(shapely.centroid(cells))
    for k in range(territories):
        h.push(create_territory(project, al.id, f"T{k}"))
        cmd = assign_units(project, al.id, np.flatnonzero(nearest == k), list(al.territories)[-1])
        if cmd is not None:
            h.push(cmd)
    return project


def timed(fn, repeat: int = 1) -> list[float]:
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return out


def bench_canvas(project) -> dict[str, float]:
    import numpy as np
    from PySide6.QtWidgets import QApplication

    from terradesk.edit import History, assign_units
    from terradesk.ui.canvas import MapCanvas

    app = QApplication.instance() or QApplication([])
    res: dict[str, float] = {}
    canvas = MapCanvas()
    canvas.resize(W, H)
    res["set_project_ms"] = round(timed(lambda: canvas.set_project(project))[0], 1)
    res["full_extent_cold_ms"] = round(timed(lambda: canvas.render_image(W, H))[0], 1)
    warm = timed(lambda: canvas.render_image(W, H), 5)
    res["full_extent_warm_ms"] = round(statistics.median(warm), 1)
    res["full_extent_warm_min_ms"] = round(min(warm), 1)
    # incremental: move 200 units to another territory, redraw
    al = project.active_alignment
    tids = list(al.territories)
    units = np.flatnonzero(al.assignment == al.key(tids[0]))[:200]
    cmd = assign_units(project, al.id, units, tids[1])
    history = History(project)
    res["edit_200_units_redraw_ms"] = round(timed(lambda: (history.push(cmd), canvas.render_image(W, H)))[0], 1)
    history.undo()
    # on screen: shown widget, pan frames re-blit the cached image
    canvas.show()
    while not canvas.is_current():
        app.processEvents()
    vp = canvas.view.viewport()
    x0, y0, x1, y1 = canvas.view_rect()
    step = (x1 - x0) / 200

    def pan_frame() -> None:
        canvas.vb.translateBy(x=step, y=0)
        vp.repaint()

    frames = timed(pan_frame, 40)
    res["pan_frame_median_ms"] = round(statistics.median(frames), 2)
    res["pan_frame_max_ms"] = round(max(frames), 2)
    canvas.zoom_to_bounds(x0 + (x1 - x0) * 0.4, y0 + (y1 - y0) * 0.4, x0 + (x1 - x0) * 0.55, y0 + (y1 - y0) * 0.55)
    app.processEvents()
    res["zoomed_1_8_cold_ms"] = round(timed(canvas.refresh)[0], 1)
    res["zoomed_1_8_warm_ms"] = round(statistics.median(timed(canvas.refresh, 3)), 1)
    canvas.close()
    return res


def bench_accounts(count: int = 200_000) -> dict[str, float] | str:
    """Full-extent redraw with many accounts (markers shrink and fade when crowded)."""
    try:
        from terradesk.io.demo import generate_demo
    except ImportError:
        return "skipped: no demo generator"
    from PySide6.QtWidgets import QApplication

    from terradesk.ui.canvas import MapCanvas

    QApplication.instance() or QApplication([])
    project = generate_demo(units=1500, accounts=count, seed=1)
    canvas = MapCanvas()
    canvas.resize(W, H)
    canvas.set_project(project)
    res = {"accounts": float(count)}
    res["full_extent_cold_ms"] = round(timed(lambda: canvas.render_image(W, H))[0], 1)
    res["full_extent_warm_ms"] = round(statistics.median(timed(lambda: canvas.render_image(W, H), 5)), 1)
    canvas.set_layer_state("accounts", visible=False)
    res["without_accounts_ms"] = round(statistics.median(timed(lambda: canvas.render_image(W, H), 5)), 1)
    canvas.close()
    return res


def save_units(project, folder: str) -> str | None:
    import pyogrio
    import shapely

    path = os.path.join(folder, "units.gpkg")
    try:
        pyogrio.write_dataframe  # noqa: B018 - present only with geopandas
        import geopandas as gpd

        gpd.GeoDataFrame({"code": project.units.codes}, geometry=project.units.geometry, crs=project.meta.crs).to_file(
            path, driver="GPKG"
        )
    except ImportError:
        pyogrio.raw.write(path, shapely.to_wkb(project.units.geometry), [], [], geometry_type="Polygon",
                          crs=project.meta.crs, driver="GPKG")
    return path


def bench_qgis(path: str) -> dict[str, float] | str:
    if not os.path.exists("/usr/bin/python3"):
        return "skipped: no /usr/bin/python3"
    probe = subprocess.run(["/usr/bin/python3", "-c", "import qgis.core"], capture_output=True)
    if probe.returncode != 0:
        return "skipped: QGIS not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    out = subprocess.run(["/usr/bin/python3", "-c", QGIS, path], capture_output=True, text=True, env=env, timeout=600)
    if out.returncode != 0:
        return "failed: " + (out.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_first_frame(project, folder: str) -> dict[str, float] | str:
    try:
        from terradesk.io.gpkg import save_project
    except ImportError:
        return "skipped: terradesk.io.gpkg missing"
    path = os.path.join(folder, "demo.gpkg")
    save_project(project, path)
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    t = time.time()
    out = subprocess.run([sys.executable, "-c", FIRST_FRAME, repr(t), path], capture_output=True, text=True, env=env)
    if out.returncode != 0:
        return "failed: " + (out.stderr.strip().splitlines() or ["?"])[-1]
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    import shapely

    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--no-qgis", action="store_true")
    args = ap.parse_args()
    t = time.perf_counter()
    project, source = build_project(args.units)
    result: dict[str, object] = {
        "data": source,
        "units": len(project.units),
        "vertices": int(shapely.get_num_coordinates(project.units.geometry).sum()),
        "territories": len(project.active_alignment.territories),
        "accounts": len(project.accounts),
        "size": f"{W}x{H}",
        "build_project_s": round(time.perf_counter() - t, 2),
    }
    result["terradesk"] = bench_canvas(project)
    result["accounts_200k"] = bench_accounts()
    with tempfile.TemporaryDirectory() as folder:
        result["first_frame"] = bench_first_frame(project, folder)
        if not args.no_qgis:
            result["qgis_3_22"] = bench_qgis(save_units(project, folder))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
