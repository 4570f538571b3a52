"""Cost of reference layers in the project file: save and open with big layers.

Prints one JSON object: seconds to save/open a small plan without and with a 40,000-polygon
layer (two fields) plus a 200,000-point counted layer, and the file sizes.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import shapely

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from terradesk.io.gpkg import open_project, save_project
from terradesk.model import ReferenceLayer
from tests.factories import grid_project


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[Any, float]:
    t = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - t


def main() -> None:
    rng = np.random.default_rng(1)
    p = grid_project(accounts=100)
    out: dict[str, float | int] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = os.path.join(tmp, "base.gpkg")
        _, out["save_without_s"] = _timed(save_project, p, base)
        _, out["open_without_s"] = _timed(open_project, base)
        n_poly, n_pts = 40_000, 200_000
        x = rng.uniform(4e6, 4.5e6, n_poly)
        y = rng.uniform(3e6, 3.5e6, n_poly)
        polys = ReferenceLayer("Parcels", "polygon", shapely.box(x, y, x + 500, y + 500),
                               {"area": rng.uniform(0, 1e6, n_poly), "name": [f"P{i}" for i in range(n_poly)]})
        pts = ReferenceLayer("Competitors", "point",
                             shapely.points(rng.uniform(4e6, 4.5e6, n_pts), rng.uniform(3e6, 3.5e6, n_pts)),
                             counted=True)
        p.reference_layers = {polys.id: polys, pts.id: pts}
        big = os.path.join(tmp, "big.gpkg")
        _, out["save_with_layers_s"] = _timed(save_project, p, big)
        result, out["open_with_layers_s"] = _timed(open_project, big)
        assert result.project.state() == p.state()
        out["size_without_mb"] = round(os.path.getsize(base) / 1e6, 2)
        out["size_with_layers_mb"] = round(os.path.getsize(big) / 1e6, 2)
    print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in out.items()}))


if __name__ == "__main__":
    main()
