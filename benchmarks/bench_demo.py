"""Time the demo generator at the GUI start-up size and the benchmark size; prints JSON.

Usage: .venv/bin/python benchmarks/bench_demo.py [UNITS ACCOUNTS]
"""

from __future__ import annotations

import json
import resource
import sys
import tempfile
import time
from pathlib import Path

import shapely

from terradesk.io.demo import generate_demo
from terradesk.io.gpkg import save_project


def measure(units: int, accounts: int) -> dict[str, object]:
    started = time.perf_counter()
    project = generate_demo(units, accounts, seed=0)
    generate_s = time.perf_counter() - started
    geoms = project.units.geometry
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "demo.gpkg"
        started = time.perf_counter()
        save_project(project, path)
        save_s = time.perf_counter() - started
        size = path.stat().st_size
    return {
        "units": units,
        "accounts": accounts,
        "generate_s": round(generate_s, 2),
        "save_s": round(save_s, 2),
        "file_mb": round(size / 2**20, 1),
        "mean_vertices_per_unit": round(float(shapely.get_num_coordinates(geoms).mean()), 1),
        "coverage_valid": bool(shapely.coverage_is_valid(geoms)),
    }


def main() -> None:
    sizes = [(1500, 5000), (40_000, 200_000)]
    if len(sys.argv) == 3:
        sizes = [(int(sys.argv[1]), int(sys.argv[2]))]
    runs = [measure(u, a) for u, a in sizes]
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"benchmark": "demo", "runs": runs, "peak_rss_mb": round(peak_mb)}))


if __name__ == "__main__":
    main()
