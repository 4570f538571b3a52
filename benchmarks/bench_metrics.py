"""Metrics refresh after one assignment on the 40,000-unit / 200,000-account demo (budget <= 20 ms).

Uses ``terradesk.io.demo.generate_demo`` when it is available, else a synthetic Voronoi
coverage of the same size. Prints one JSON object.

    .venv/bin/python benchmarks/bench_metrics.py [--units 40000 --accounts 200000 --repeat 50]
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import numpy as np
import shapely

from terradesk.analysis.metrics import MetricsEngine, MetricSpec, Target
from terradesk.edit import History, add_alignment, add_owner, assign_units, create_territory, set_territory_property
from terradesk.model import AccountLayer, Project, ProjectMeta, UnitLayer


def synthetic(units: int, accounts: int, territories: int = 60, seed: int = 0) -> Project:
    rng = np.random.default_rng(seed)
    side = 1000.0 * np.sqrt(units)
    x0, y0 = 4_000_000.0, 3_000_000.0
    pts = shapely.points(rng.uniform(x0, x0 + side, units), rng.uniform(y0, y0 + side, units))
    box = shapely.box(x0, y0, x0 + side, y0 + side)
    cells = np.asarray(shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box)))
    cells = shapely.intersection(cells, box)
    n = len(cells)
    unit_layer = UnitLayer(
        {"id": [f"u{i}" for i in range(n)], "code": [f"{i:05d}" for i in range(n)], "name": [f"U{i}" for i in range(n)],
         "geometry": cells},
        {"population": rng.integers(100, 5000, n).astype(float), "potential": rng.uniform(0, 1e5, n)},
    )
    acc = AccountLayer(
        {"id": [f"a{i}" for i in range(accounts)], "name": [f"A{i}" for i in range(accounts)],
         "x": rng.uniform(x0, x0 + side, accounts), "y": rng.uniform(y0, y0 + side, accounts)},
        {"revenue": rng.uniform(0, 1e4, accounts), "visits_per_year": rng.integers(1, 24, accounts).astype(float)},
    )
    project = Project(ProjectMeta(name="Bench", crs="EPSG:3035"), unit_layer, acc)
    h = History(project)
    h.push(add_alignment(project, "Sales"))
    al = project.active_alignment
    assert al is not None
    c = shapely.centroid(cells)
    cx, cy = shapely.get_x(c), shapely.get_y(c)
    g = int(np.sqrt(territories))
    block = (np.minimum((cx - x0) / side * g, g - 1).astype(int) * g + np.minimum((cy - y0) / side * g, g - 1).astype(int))
    for t in range(g * g):
        h.push(create_territory(project, al.id, f"T{t}"))
        tid = list(al.territories)[-1]
        h.push(add_owner(project, f"Rep {t}", home=(float(cx[block == t].mean()), float(cy[block == t].mean())), capacity=3000.0))
        h.push(set_territory_property(project, al.id, tid, "owner_id", list(project.owners)[-1]))
        h.push(assign_units(project, al.id, np.flatnonzero(block == t), tid))  # type: ignore[arg-type]
    return project


def load(units: int, accounts: int) -> tuple[Project, str]:
    try:
        from terradesk.io.demo import generate_demo  # type: ignore[attr-defined]

        return generate_demo(units=units, accounts=accounts, seed=0), "demo"
    except (ImportError, AttributeError):
        return synthetic(units, accounts), "synthetic"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--repeat", type=int, default=50)
    args = ap.parse_args()
    t0 = time.perf_counter()
    project, source = load(args.units, args.accounts)
    t_load = time.perf_counter() - t0
    al = next(a for a in project.alignments.values() if a.kind == "units")
    fields = project.accounts.numeric_fields()
    formula = " + ".join([f"{fields[0]} * 0.001", "accounts * 0.2"]) if fields else "accounts * 0.2"
    spec = MetricSpec(formula=formula, targets=(Target("accounts"), Target("workload", "capacity")))
    t0 = time.perf_counter()
    engine = MetricsEngine(project, al.id, spec)
    t_build = time.perf_counter() - t0
    history = History(project)
    rng = np.random.default_rng(1)
    tids = list(al.territories)
    times, read_times = [], []
    for _ in range(args.repeat):
        unit = int(rng.integers(len(al.assignment)))
        current = al.territory_of_unit(unit)
        target = tids[int(rng.integers(len(tids)))]
        if target == current:
            continue
        cmd = assign_units(project, al.id, [unit], target, skip_locked=False)
        assert cmd is not None
        t0 = time.perf_counter()
        history.push(cmd)  # the engine refreshes inside the notification
        times.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        engine.rows()
        read_times.append(time.perf_counter() - t0)
    sizes = [len(al.units_of(t)) for t in tids]
    print(json.dumps({
        "benchmark": "metrics_refresh_after_one_assignment",
        "source": source,
        "units": len(project.units),
        "accounts": len(project.accounts),
        "territories": len(tids),
        "mean_units_per_territory": round(float(np.mean(sizes)), 1),
        "metrics": len(engine.columns()),
        "load_s": round(t_load, 2),
        "engine_build_s": round(t_build, 3),
        "refresh_ms_median": round(1000 * statistics.median(times), 2),
        "refresh_ms_p95": round(1000 * float(np.percentile(times, 95)), 2),
        "refresh_ms_max": round(1000 * max(times), 2),
        "rows_read_ms_median": round(1000 * statistics.median(read_times), 2),
        "budget_ms": 20,
        "within_budget": statistics.median(times) <= 0.020,
    }))
    engine.close()


if __name__ == "__main__":
    main()
