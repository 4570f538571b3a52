"""Project file budgets (issue 2, section 6): open <= 1.0 s, save <= 1.5 s, peak RSS <= 600 MB,
file size within 1.2x of the same layers written by GDAL (pyogrio), measured beside a
vectorised pyogrio write/read of those layers in the same run. Prints one JSON object.

    .venv/bin/python benchmarks/bench_project_io.py [--units 40000] [--accounts 200000]

Timed phases run in fresh subprocesses so peak memory (ru_maxrss) belongs to one phase.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def synthetic_project(units: int, accounts: int, seed: int):  # type: ignore[no-untyped-def]
    """Voronoi units (~15 vertices each) + clustered accounts, 12 territories in 2 alignments."""
    from terradesk.model import AccountLayer, Alignment, Owner, Project, ProjectMeta, Territory, UnitLayer

    rng = np.random.default_rng(seed)
    side = 400_000.0
    pts = shapely.points(rng.uniform(0, side, units) + 4e6, rng.uniform(0, side, units) + 3e6)
    box = shapely.box(4e6, 3e6, 4e6 + side, 3e6 + side)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=box))
    cells = shapely.intersection(cells, box)
    cells = shapely.segmentize(cells, np.sqrt(side * side / units) / 3)
    cells = cells[np.argsort(shapely.get_x(shapely.centroid(cells)))]
    n = len(cells)
    ids = [f"{i:08x}-0000-4000-8000-{i:012x}" for i in range(n)]
    ul = UnitLayer(
        {"id": ids, "code": [f"{i:05d}" for i in range(n)], "name": [f"Unit {i}" for i in range(n)], "geometry": cells},
        {"population": rng.integers(100, 50_000, n).astype(float), "potential": rng.uniform(0, 1e6, n).round(2)},
    )
    ax = rng.normal(4e6 + side / 2, side / 5, accounts)
    ay = rng.normal(3e6 + side / 2, side / 5, accounts)
    al = AccountLayer(
        {"id": [f"a{i:07x}-0000-4000-8000-{i:012x}" for i in range(accounts)],
         "name": [f"Account {i}" for i in range(accounts)], "x": ax, "y": ay},
        {"revenue": rng.uniform(0, 1e5, accounts).round(2), "visits": rng.integers(0, 52, accounts).astype(float),
         "segment": np.array(["A", "B", "C"], dtype=object)[rng.integers(0, 3, accounts)]},
    )
    project = Project(ProjectMeta(name="Synthetic", crs="EPSG:3035"), ul, al)
    for i in range(12):
        o = Owner(f"Rep {i}", home=(4e6 + i * 1000.0, 3e6 + i * 1000.0), capacity=100.0)
        project.owners[o.id] = o
    for name in ("Sales", "Support"):
        a = Alignment(name)
        project.insert_alignment(a)
        owners = list(project.owners)
        for i in range(12):
            a.insert_territory(Territory(f"{name} {i + 1}", colour=f"#{(i * 40) % 256:02x}8{i % 10}c0",
                                         owner_id=owners[i], region="North" if i < 6 else "South"))
        a.assignment[:] = np.arange(n) * 12 // n
    return project


def build(units: int, accounts: int, seed: int):  # type: ignore[no-untyped-def]
    try:
        from terradesk.io.demo import generate_demo

        return generate_demo(units=units, accounts=accounts, seed=seed), "generate_demo"
    except Exception as exc:  # the demo generator is optional for this benchmark
        print(f"generate_demo unavailable ({exc}); using a synthetic project", file=sys.stderr)
        return synthetic_project(units, accounts, seed), "synthetic"


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def phase_open(path: str) -> dict[str, float]:
    from terradesk.io.gpkg import open_project

    t = time.perf_counter()
    open_project(path)
    return {"open_s": time.perf_counter() - t, "peak_rss_mb": _rss_mb()}


def phase_open_save(path: str, out: str) -> dict[str, float]:
    """The app's cycle: open, then save (territory shapes come from the file)."""
    from terradesk.io.gpkg import open_project, save_project

    project = open_project(path).project
    t = time.perf_counter()
    save_project(project, out)
    return {"save_s": time.perf_counter() - t, "peak_rss_mb": _rss_mb()}


def phase_pyogrio(path: str, out: str) -> dict[str, float]:
    """The same layers through GDAL: pyogrio raw read + from_wkb, and raw write."""
    import pyogrio
    from pyogrio.raw import read, write

    layers = [name for name, _ in pyogrio.list_layers(path) if name != "layer_styles"]
    t = time.perf_counter()
    data = {}
    for layer in layers:
        meta, _, geom, fields = read(path, layer=layer)
        if geom is not None:
            shapely.from_wkb(geom)
        data[layer] = (meta, geom, fields)
    read_s = time.perf_counter() - t
    t = time.perf_counter()
    for layer, (meta, geom, fields) in data.items():
        write(out, geom, fields, meta["fields"], layer=layer, driver="GPKG", crs=meta["crs"],
              geometry_type=meta["geometry_type"] if geom is not None else None, append=os.path.exists(out))
    write_s = time.perf_counter() - t
    return {"pyogrio_read_s": read_s, "pyogrio_write_s": write_s, "pyogrio_size_bytes": os.path.getsize(out),
            "peak_rss_mb": _rss_mb()}


def _run(args: list[str]) -> dict[str, float]:
    proc = subprocess.run([sys.executable, __file__, *args], capture_output=True, text=True, check=True)
    return json.loads(proc.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=40_000)
    ap.add_argument("--accounts", type=int, default=200_000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--phase", choices=["open", "open_save", "pyogrio"])
    ap.add_argument("paths", nargs="*")
    a = ap.parse_args()
    if a.phase == "open":
        print(json.dumps(phase_open(a.paths[0])))
        return
    if a.phase == "open_save":
        print(json.dumps(phase_open_save(a.paths[0], a.paths[1])))
        return
    if a.phase == "pyogrio":
        print(json.dumps(phase_pyogrio(a.paths[0], a.paths[1])))
        return

    from terradesk.io.gpkg import save_project

    t = time.perf_counter()
    project, source = build(a.units, a.accounts, a.seed)
    build_s = time.perf_counter() - t
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "bench.gpkg")
        t = time.perf_counter()
        save_project(project, path)  # first save also dissolves every territory
        save_cold_s = time.perf_counter() - t
        del project
        opened = min((_run(["--phase", "open", path]) for _ in range(3)), key=lambda r: r["open_s"])
        saved = min((_run(["--phase", "open_save", path, os.path.join(tmp, f"s{i}.gpkg")]) for i in range(3)),
                    key=lambda r: r["save_s"])
        ogr = _run(["--phase", "pyogrio", path, os.path.join(tmp, "ogr.gpkg")])
        size = os.path.getsize(path)
    result = {
        "project": source, "units": a.units, "accounts": a.accounts, "build_s": round(build_s, 2),
        "open_s": round(opened["open_s"], 3), "open_budget_s": 1.0,
        "save_s": round(saved["save_s"], 3), "save_budget_s": 1.5,
        "save_first_with_dissolve_s": round(save_cold_s, 3),
        "peak_rss_mb": round(max(opened["peak_rss_mb"], saved["peak_rss_mb"]), 1), "peak_rss_budget_mb": 600,
        "file_size_mb": round(size / 1e6, 2), "pyogrio_size_mb": round(ogr["pyogrio_size_bytes"] / 1e6, 2),
        "size_ratio": round(size / ogr["pyogrio_size_bytes"], 3), "size_ratio_budget": 1.2,
        "pyogrio_read_s": round(ogr["pyogrio_read_s"], 3), "pyogrio_write_s": round(ogr["pyogrio_write_s"], 3),
        "pyogrio_peak_rss_mb": round(ogr["peak_rss_mb"], 1),
    }
    result["within_budget"] = bool(
        result["open_s"] <= 1.0 and result["save_s"] <= 1.5 and result["peak_rss_mb"] <= 600
        and result["size_ratio"] <= 1.2
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
