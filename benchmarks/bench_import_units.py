"""Import of 40,000 units with full-detail boundaries (issue 4 budget: <= 3 s).

Writes a synthetic postal-code layer (Voronoi cells with densified, shared edges, in
lon/lat so the import also reprojects) to a GeoPackage, then times in the same run:
a plain pyogrio raw read + ``shapely.from_wkb`` (the floor), ``read_units`` into the
project CRS, and ``unit_adjacency`` on the result. Prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyogrio
import pyogrio.raw
import shapely

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from terradesk.analysis.contiguity import unit_adjacency
from terradesk.io.units_import import read_units


def voronoi_cells(n: int, seed: int = 4, detail: float = 0.0) -> np.ndarray:
    """``n`` Voronoi cells clipped to a square (lon/lat near Germany), edges densified."""
    rng = np.random.default_rng(seed)
    x0, y0, w, h = 6.0, 47.5, 8.0, 7.0
    pts = shapely.points(rng.uniform(x0, x0 + w, n), rng.uniform(y0, y0 + h, n))
    frame = shapely.box(x0, y0, x0 + w, y0 + h)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(pts), extend_to=frame))
    cells = shapely.intersection(cells, frame)
    if detail:
        cells = shapely.segmentize(cells, detail)
    return np.asarray(cells, dtype=object)


def write_layer(path: Path, cells: np.ndarray, crs: str = "EPSG:4326") -> None:
    n = len(cells)
    codes = np.array([f"{i:05d}" for i in range(n)], dtype=object)
    names = np.array([f"Gebiet {i} Süd" for i in range(n)], dtype=object)
    pop = np.random.default_rng(1).integers(100, 30000, n).astype(np.int64)
    pyogrio.raw.write(
        str(path), shapely.to_wkb(cells), [codes, names, pop], ["plz", "name", "population"],
        driver="GPKG", geometry_type="Polygon", crs=crs, layer="postcodes",
    )


def main(n: int = 40_000) -> dict[str, object]:
    cells = voronoi_cells(n, detail=0.004)
    vertices = int(shapely.get_num_coordinates(cells).sum())
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "postcodes.gpkg"
        write_layer(path, cells)
        t = time.perf_counter()
        _, _, wkb, _ = pyogrio.raw.read(str(path))
        shapely.from_wkb(wkb)
        plain = time.perf_counter() - t
        t = time.perf_counter()
        imported = read_units(path, target_crs="EPSG:3035")
        full = time.perf_counter() - t
        t = time.perf_counter()
        read_units(path)
        same_crs = time.perf_counter() - t
        t = time.perf_counter()
        adj = unit_adjacency(imported.units)
        adjacency = time.perf_counter() - t
    return {
        "benchmark": "import_units",
        "units": len(imported.units),
        "vertices": vertices,
        "plain_pyogrio_read_s": round(plain, 3),
        "read_units_reproject_s": round(full, 3),
        "read_units_same_crs_s": round(same_crs, 3),
        "unit_adjacency_s": round(adjacency, 3),
        "adjacency_edges": int(adj.edge_count),
        "budget_s": 3.0,
        "within_budget": full <= 3.0,
        "rejected": len(imported.report.rejected),
    }


if __name__ == "__main__":
    print(json.dumps(main(int(sys.argv[1]) if len(sys.argv) > 1 else 40_000)))
