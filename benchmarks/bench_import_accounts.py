"""Import of 200,000 accounts from CSV (budget <= 3 s), next to pandas.read_csv / pyogrio on the same file.

Prints one JSON object.  ``.venv/bin/python benchmarks/bench_import_accounts.py [--rows 200000]``
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from terradesk.edit import History, add_accounts
from terradesk.geo.crs import transform_points
from terradesk.io.accounts_import import read_accounts
from tests.factories import grid_project


def write_csv(path: Path, rows: int, n_units: int, seed: int = 0) -> None:
    """A CRM-style export: 2 % of rows lack coordinates but carry a postal code."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(4_000_000, 4_000_000 + 200_000, rows)
    y = rng.uniform(3_000_000, 3_000_000 + 200_000, rows)
    lon, lat = transform_points(x, y, "EPSG:3035", "EPSG:4326")
    missing = rng.random(rows) < 0.02
    revenue = rng.lognormal(10, 1, rows).round(2)
    visits = rng.integers(1, 24, rows)
    codes = rng.integers(0, n_units, rows)
    segments = np.array(["key", "growth", "standard"])[rng.integers(0, 3, rows)]
    with path.open("w", encoding="utf-8", newline="") as fh:
        fh.write("account_id,name,latitude,longitude,postal_code,revenue,visits_per_year,segment\n")
        for i in range(rows):
            la, lo = ("", "") if missing[i] else (f"{lat[i]:.6f}", f"{lon[i]:.6f}")
            fh.write(f"C{i:07d},\"Company {i}, Ltd\",{la},{lo},{codes[i]:05d},{revenue[i]},{visits[i]},{segments[i]}\n")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=200_000)
    args = ap.parse_args()
    project = grid_project(200, 200, territories=12)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "accounts.csv"
        write_csv(path, args.rows, len(project.units))
        size_mb = path.stat().st_size / 1e6
        t0 = time.perf_counter()
        result = read_accounts(path, project=project)
        t_read = time.perf_counter() - t0
        t0 = time.perf_counter()
        History(project).push(add_accounts(project, result.rows))
        t_add = time.perf_counter() - t0
        comparison: dict[str, float] = {}
        try:
            import pandas as pd

            t0 = time.perf_counter()
            pd.read_csv(path, dtype={"postal_code": str})
            comparison["pandas_read_csv_s"] = round(time.perf_counter() - t0, 3)
        except ImportError:
            pass
        try:
            import pyogrio

            t0 = time.perf_counter()
            pyogrio.raw.read(str(path))
            comparison["pyogrio_raw_read_s"] = round(time.perf_counter() - t0, 3)
        except Exception:  # GDAL's CSV driver may refuse some layouts
            pass
    print(json.dumps({
        "benchmark": "import_accounts_csv",
        "rows": result.read,
        "file_mb": round(size_mb, 1),
        "placed": result.placed,
        "placed_by_postal_code": result.placed_by_postal,
        "unplaced": len(result.unplaced),
        "read_accounts_s": round(t_read, 3),
        "add_accounts_command_s": round(t_add, 3),
        "total_s": round(t_read + t_add, 3),
        **comparison,
        "budget_s": 3.0,
        "within_budget": t_read + t_add <= 3.0,
    }))


if __name__ == "__main__":
    main()
