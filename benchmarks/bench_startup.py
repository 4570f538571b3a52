"""App start to first painted frame (issue 3 budget: 2 s). Prints one JSON object.

Two cases, each in a fresh interpreter the way a planner starts the app (offscreen Qt by
default, or the display in $DISPLAY with --display), timed from just before the child
process starts until the map canvas has painted the project:

* ``demo``: ``terradesk --demo`` (the default 1,500-unit demo, built in memory);
* ``gpkg_40k``: the 40,000-unit demo saved as a GeoPackage and opened with
  ``python -m terradesk FILE.gpkg`` (run through ``runpy``, exactly what ``-m`` does, with a
  probe that notes when the map image is first painted). ``ready`` is when the work the
  first frame does not need (metrics engine, hit-test index) has finished too.

Each child gets its own HOME/XDG directories, so settings and crash-recovery files of the
machine never show a dialog.

    .venv/bin/python benchmarks/bench_startup.py [--runs 3] [--file DEMO40K.gpkg] [--only gpkg_40k]
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
from collections.abc import Callable

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

DEMO_CHILD = r"""
import sys, time, json
t_start = float(sys.argv[1])
marks = {}
from PySide6.QtCore import QEvent, QObject, QSettings, QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([sys.argv[0]])
from terradesk.ui.main_window import MainWindow
from terradesk.ui.settings import Settings
marks["imports"] = time.time() - t_start
win = MainWindow(settings=Settings(QSettings(sys.argv[2], QSettings.Format.IniFormat)))
win.resize(1366, 740)
win.show()
marks["window"] = time.time() - t_start

class FirstPaint(QObject):
    def eventFilter(self, obj, event):
        if event.type() == QEvent.Type.Paint and win.project is not None and "first_frame" not in marks:
            QTimer.singleShot(0, done)
        return False

def done():
    if "first_frame" in marks:
        return
    marks["first_frame"] = time.time() - t_start
    units = len(win.project.units) if win.project is not None else 0
    print(json.dumps({"marks": marks, "units": units, "accounts": len(win.project.accounts)}))
    app.quit()

canvas = win.canvas
target = canvas.view.viewport() if hasattr(canvas, "view") else canvas
spy = FirstPaint()
target.installEventFilter(spy)

def open_demo():
    t = time.time()
    win.open_demo()
    marks["demo_built"] = time.time() - t_start
    marks["demo_build_only"] = time.time() - t
    target.update()

QTimer.singleShot(0, open_demo)
QTimer.singleShot(60000, app.quit)
app.exec()
"""

# ``python -m terradesk FILE`` with a probe: the hooks only note times, they change nothing.
FILE_CHILD = r"""
import json, runpy, sys, time
t_start = float(sys.argv[1])
path = sys.argv[2]
marks = {}
import terradesk.io.gpkg as gpkg
import terradesk.ui.canvas.items as items
import terradesk.ui.canvas.widget as widget
marks["probe_imports"] = time.time() - t_start
real_open = gpkg.open_project

def open_project(*a, **k):
    t = time.time()
    result = real_open(*a, **k)
    marks["open_project"] = time.time() - t
    marks["opened"] = time.time() - t_start
    return result

gpkg.open_project = open_project
real_paint = items.MapImageItem.paint

def window():
    from PySide6.QtWidgets import QApplication
    return next((w for w in QApplication.topLevelWidgets() if hasattr(w, "canvas") and hasattr(w, "project")), None)

def shows_project():
    win = window()
    return win is not None and win.project is not None and win.canvas.project() is win.project \
        and win.canvas.is_current()

def finish():
    from PySide6.QtWidgets import QApplication
    win = window()
    print(json.dumps({"marks": marks, "units": len(win.project.units), "accounts": len(win.project.accounts)}),
          flush=True)
    QApplication.instance().quit()

real_flush = getattr(widget.MapCanvas, "_flush_after_paint", None)  # None: builds that defer nothing

def ready():
    if "ready" not in marks:
        marks["ready"] = time.time() - t_start
        from PySide6.QtCore import QTimer
        QTimer.singleShot(0, finish)

def paint(self, painter, *a):
    real_paint(self, painter, *a)
    if self._image is not None and "opened" in marks and "first_frame" not in marks and shows_project():
        marks["first_frame"] = time.time() - t_start
        if real_flush is None:
            ready()

items.MapImageItem.paint = paint

def flush(self):
    real_flush(self)
    if "first_frame" in marks:
        ready()

if real_flush is not None:
    widget.MapCanvas._flush_after_paint = flush
sys.argv = ["terradesk", path]
runpy.run_module("terradesk", run_name="__main__", alter_sys=True)
"""


def child_env(args: argparse.Namespace, home: str) -> dict[str, str]:
    env = dict(os.environ)
    if not args.display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("QT_LOGGING_RULES", "qt.qpa.*=false")
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    for key, sub in (("HOME", ""), ("XDG_CONFIG_HOME", "config"), ("XDG_DATA_HOME", "data"),
                     ("XDG_CACHE_HOME", "cache")):
        env[key] = os.path.join(home, sub)
    return env


def run_child(code: str, extra: Callable[[str], list[str]], args: argparse.Namespace) -> dict[str, object]:
    """Run one child; ``extra(tmp)`` gives its arguments after the start time."""
    with tempfile.TemporaryDirectory() as tmp:
        env = child_env(args, tmp)
        argv = [sys.executable, "-c", code, "", *extra(tmp)]
        t0 = time.time()
        argv[3] = repr(t0)
        out = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=180)
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise SystemExit(f"child failed: {out.stderr[-2000:]}")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def marks_of(run: dict[str, object]) -> dict[str, float]:
    marks = run["marks"]
    assert isinstance(marks, dict)
    return {str(k): float(v) for k, v in marks.items()}


def summarise(runs: list[dict[str, object]], budget: float) -> dict[str, object]:
    frames = [marks_of(r)["first_frame"] for r in runs]
    best = runs[frames.index(min(frames))]
    out: dict[str, object] = {
        "units": best["units"], "accounts": best["accounts"], "runs": len(runs),
        "first_frame_s_median": round(statistics.median(frames), 3),
        "first_frame_s_best": round(min(frames), 3),
        "breakdown_s_best": {k: round(float(v), 3) for k, v in marks_of(best).items()},
        "budget_s": budget,
        "within_budget": statistics.median(frames) <= budget,
    }
    return out


def demo_file(path: str | None, folder: str) -> str:
    if path:
        return path
    sys.path.insert(0, ROOT)
    from terradesk.io.demo import generate_demo
    from terradesk.io.gpkg import save_project

    out = os.path.join(folder, "demo40k.gpkg")
    save_project(generate_demo(units=40_000, accounts=5_000, seed=0), out, keep_backup=False)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--display", action="store_true", help="use $DISPLAY instead of offscreen")
    parser.add_argument("--file", help="a saved 40k demo .gpkg to reuse (else one is generated, ~10 s)")
    parser.add_argument("--only", choices=("demo", "gpkg_40k"))
    args = parser.parse_args()
    result: dict[str, object] = {"benchmark": "startup_to_first_painted_frame",
                                 "platform": "default" if args.display else "offscreen"}
    if args.only in (None, "demo"):
        runs = [run_child(DEMO_CHILD, lambda tmp: [os.path.join(tmp, "s.ini")], args) for _ in range(args.runs)]
        result["demo"] = summarise(runs, 2.0)
    if args.only in (None, "gpkg_40k"):
        with tempfile.TemporaryDirectory() as folder:
            path = demo_file(args.file, folder)
            runs = [run_child(FILE_CHILD, lambda _tmp: [path], args) for _ in range(args.runs)]
        summary = summarise(runs, 2.0)
        summary["command"] = "python -m terradesk FILE.gpkg"
        summary["ready_s_median"] = round(statistics.median(marks_of(r)["ready"] for r in runs), 3)
        result["gpkg_40k"] = summary
    result["within_budget"] = all(v.get("within_budget", True) for v in result.values() if isinstance(v, dict))
    print(json.dumps(result))


if __name__ == "__main__":
    main()
