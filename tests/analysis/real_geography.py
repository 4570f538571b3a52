"""Real geography for metric tests: North Carolina counties shipped inside libpysal (never downloaded)."""

from __future__ import annotations

import numpy as np
import pyogrio
import pytest
import shapely

from terradesk.edit import History, add_alignment, add_owner, assign_units, create_territory, set_territory_property
from terradesk.model import AccountLayer, Project, ProjectMeta, UnitLayer


def libpysal_units(name: str) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    examples = pytest.importorskip("libpysal.examples")
    try:
        path = examples.get_path(name)
    except Exception:  # not bundled in this libpysal build: never download
        pytest.skip(f"{name} is not bundled with libpysal")
    _, _, wkb, data = pyogrio.raw.read(path)
    meta = pyogrio.read_info(path)
    return shapely.from_wkb(wkb), dict(zip(meta["fields"], data, strict=True))


def real_project(name: str = "sids2.shp", crs: str = "EPSG:4326", territories: int = 5, accounts: int = 1500,
                 seed: int = 3) -> Project:
    """Counties split into longitude bands, random accounts with revenue and visits."""
    geoms, fields = libpysal_units(name)
    n = len(geoms)
    numeric = {k: np.asarray(v, dtype=float) for k, v in fields.items() if np.asarray(v).dtype.kind in "if"}
    units = UnitLayer(
        {"id": [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)], "code": [f"{i:03d}" for i in range(n)],
         "name": [f"County {i}" for i in range(n)], "geometry": geoms},
        {k: v for k, v in list(numeric.items())[:3]},
    )
    rng = np.random.default_rng(seed)
    b = shapely.total_bounds(geoms)
    acc = AccountLayer(
        {"id": [f"10000000-0000-4000-8000-{i:012d}" for i in range(accounts)], "name": [f"A{i}" for i in range(accounts)],
         "x": rng.uniform(b[0], b[2], accounts), "y": rng.uniform(b[1], b[3], accounts)},
        {"revenue": np.where(rng.random(accounts) < 0.1, np.nan, rng.uniform(0, 1000, accounts)),
         "visits_per_year": rng.integers(1, 12, accounts).astype(float)},
    )
    project = Project(ProjectMeta(name=name, crs=crs), units, acc)
    h = History(project)
    h.push(add_alignment(project, "Sales"))
    al = project.active_alignment
    assert al is not None
    cx = shapely.get_x(shapely.centroid(geoms))
    band = np.minimum(((cx - b[0]) / (b[2] - b[0]) * territories).astype(int), territories - 1)
    for t in range(territories):
        h.push(create_territory(project, al.id, f"T{t}", region="East" if t % 2 else "West"))
        tid = list(al.territories)[-1]
        members = np.flatnonzero(band == t)
        home = shapely.point_on_surface(geoms[members[0]])
        h.push(add_owner(project, f"Rep {t}", home=(home.x, home.y), capacity=300.0 + 100 * t))
        h.push(set_territory_property(project, al.id, tid, "owner_id", list(project.owners)[-1]))
        cmd = assign_units(project, al.id, members[: max(1, len(members) - 2)], tid)
        if cmd is not None:
            h.push(cmd)
    return project
