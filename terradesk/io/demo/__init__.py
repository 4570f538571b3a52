"""A deterministic demo project: a fictional coastal region with cities, units and plans.

``generate_demo(units, accounts, seed)`` always returns the same project (same UUIDs,
same geometries) for the same arguments, so screenshots, tests and benchmarks agree.
Separate random streams feed the land, the units, the accounts and the plans, so
changing ``accounts`` leaves the units untouched.
"""

from __future__ import annotations

from random import Random

import numpy as np
import shapely

from terradesk.io.demo._cells import Wiggle, coverage_ok, densify, voronoi_units
from terradesk.io.demo._land import City, Land, make_land
from terradesk.io.demo._layers import MAX_UNITS, account_layer, unit_layer
from terradesk.io.demo._names import person_names, place_names
from terradesk.io.demo._plans import sales_alignment, support_alignment
from terradesk.model import Project, ProjectMeta
from terradesk.model.ids import seeded_ids

__all__ = ["MAX_UNITS", "MIN_UNITS", "City", "Land", "demo_land", "generate_demo"]

MIN_UNITS = 60  # enough for 12 sales territories of a few units each
DEMO_NAME = "Demo region"
DEMO_CRS = "EPSG:3035"
CREATED = "2026-01-01T00:00:00+00:00"  # fixed, so the project state is reproducible
WIGGLE = 0.08  # vertex displacement per unit of local wavelength


def generate_demo(units: int = 1500, accounts: int = 5000, seed: int = 0) -> Project:
    """Build the demo project in memory (EPSG:3035, metres).

    Parameters
    ----------
    units : number of postal-code-like units (60-80,000).
    accounts : number of customer accounts (0 or more).
    seed : any non-negative integer; the same seed gives the same project.
    """
    _check(units, accounts, seed)
    land, places = _land(seed)
    unit_rng, account_rng, plan_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(4)[1:])
    ids = Random(seed)
    geoms = _unit_geometries(land, units, unit_rng)
    meta_ids = seeded_ids(ids, 2)
    unit_table = unit_layer(geoms, land, unit_rng, ids, places[5:])
    account_table, account_unit = account_layer(unit_table, land, accounts, account_rng, ids, places)
    people = person_names(plan_rng, 24)
    visits = np.bincount(account_unit, weights=account_table.column("visits_per_year"),
                         minlength=len(unit_table)).astype(np.float64)
    sales, reps = sales_alignment(unit_table, visits, people[:12], plan_rng, ids)
    support, leads = support_alignment(unit_table, land, account_unit, people[12:], ids)
    meta = ProjectMeta(
        name=DEMO_NAME,
        description=(f"Fictional demo data (seed {seed}, {units} units, {accounts} accounts): "
                     f"no real places, people or companies."),
        crs=DEMO_CRS,
        project_id=meta_ids[0],
        revision_id=meta_ids[1],
        created=CREATED,
    )
    project = Project(meta, unit_table, account_table)
    for owner in [*reps, *leads]:
        project.owners[owner.id] = owner
    project.insert_alignment(sales)
    project.insert_alignment(support)
    project.set_active_alignment(sales.id)
    return project


def demo_land(seed: int = 0) -> Land:
    """The land and cities ``generate_demo(seed=seed)`` uses (for tests and map captions)."""
    return _land(seed)[0]


def _land(seed: int) -> tuple[Land, list[str]]:
    land_rng = np.random.default_rng(np.random.SeedSequence(seed).spawn(4)[0])
    places = place_names(land_rng, 400)
    return make_land(land_rng, places[:5]), places


def _check(units: int, accounts: int, seed: int) -> None:
    if not MIN_UNITS <= units <= MAX_UNITS:
        raise ValueError(f"units must be between {MIN_UNITS} and {MAX_UNITS}, got {units}")
    if accounts < 0:
        raise ValueError(f"accounts cannot be negative, got {accounts}")
    if seed < 0:
        raise ValueError(f"seed must be zero or positive, got {seed}")


def _unit_geometries(land: Land, count: int, rng: np.random.Generator) -> np.ndarray:
    """Voronoi cells of city-clustered seeds, one relaxation step, then roughened edges."""
    x, y = land.sample(rng, count, background=0.45)
    cells = voronoi_units(x, y, land.shape)
    centre = shapely.centroid(cells)
    cx, cy = shapely.get_x(centre), shapely.get_y(centre)
    wet = ~shapely.contains_xy(land.shape, cx, cy)  # a cell bent around the bay
    cells = voronoi_units(np.where(wet, x, cx), np.where(wet, y, cy), land.shape)

    def spacing(px: np.ndarray, py: np.ndarray) -> np.ndarray:
        return 1.0 / np.sqrt(count * land.density(px, py))

    def segments(length: np.ndarray, mid: np.ndarray) -> np.ndarray:
        return np.clip(np.ceil(length / (0.3 * spacing(mid[:, 0], mid[:, 1]))), 1, 8).astype(np.intp)

    wiggle_seed = int(rng.integers(2**63))
    for strength in (WIGGLE, WIGGLE / 2, WIGGLE / 4, 0.0):
        moved = densify(cells, segments, Wiggle(np.random.default_rng(wiggle_seed), spacing, strength))
        if coverage_ok(moved):
            return moved  # else a rare sliver folded: calm the field down and retry
    return cells
