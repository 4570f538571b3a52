"""Small projects built in code for tests (no files, no Qt)."""

from __future__ import annotations

import numpy as np
import shapely

from terradesk.edit import History, add_alignment, add_owner, assign_units, create_territory
from terradesk.model import AccountLayer, Project, ProjectMeta, UnitLayer


def grid_units(nx: int = 6, ny: int = 4, size: float = 1000.0, x0: float = 4_000_000.0, y0: float = 3_000_000.0) -> UnitLayer:
    """An nx x ny grid of square units in EPSG:3035 (metres, equal-area)."""
    xs, ys = np.meshgrid(np.arange(nx), np.arange(ny))
    xs, ys = xs.ravel(), ys.ravel()
    geoms = shapely.box(x0 + xs * size, y0 + ys * size, x0 + (xs + 1) * size, y0 + (ys + 1) * size)
    n = nx * ny
    return UnitLayer(
        {
            "id": [f"00000000-0000-4000-8000-{i:012d}" for i in range(n)],
            "code": [f"{i:05d}" for i in range(n)],
            "name": [f"Unit {i}" for i in range(n)],
            "geometry": geoms,
        },
        {"population": (np.arange(n) % 7 + 1) * 100.0, "potential": (np.arange(n) % 5 + 1) * 10.0},
    )


def grid_project(nx: int = 6, ny: int = 4, territories: int = 3, accounts: int = 0, seed: int = 1) -> Project:
    """A unit-built project: the grid split into vertical strips, one territory each."""
    project = Project(ProjectMeta(name="Grid", crs="EPSG:3035"), grid_units(nx, ny))
    history = History(project)
    history.push(add_alignment(project, "Sales"))
    al = project.active_alignment
    assert al is not None
    history.push(add_owner(project, "Ada", role="sales", capacity=100.0))
    cols = np.arange(nx * ny) % nx
    for i in range(territories):
        history.push(create_territory(project, al.id, f"T{i + 1}", region="North" if i % 2 == 0 else "South"))
        tid = list(al.territories)[-1]
        strip = np.flatnonzero(cols * territories // nx == i)
        cmd = assign_units(project, al.id, strip, tid)
        if cmd is not None:
            history.push(cmd)
    if accounts:
        rng = np.random.default_rng(seed)
        b = shapely.total_bounds(project.units.geometry)
        project.accounts.insert_rows(
            AccountLayer(
                {
                    "id": [f"10000000-0000-4000-8000-{i:012d}" for i in range(accounts)],
                    "name": [f"Account {i}" for i in range(accounts)],
                    "x": rng.uniform(b[0], b[2], accounts),
                    "y": rng.uniform(b[1], b[3], accounts),
                },
                {"revenue": rng.uniform(0, 1000, accounts).round(2)},
            )
        )
    return project


def freeform_project(nx: int = 3, ny: int = 2, size: float = 1000.0, x0: float = 4_000_000.0,
                     y0: float = 3_000_000.0, units: bool = False) -> Project:
    """A hand-drawn project: one free-form alignment "Drawn" whose territories are an
    nx x ny grid of squares (a clean coverage, shared corners exactly equal), named
    "R<row>C<col>". With ``units`` the same grid is also the unit layer (for snapping)."""
    layer = grid_units(nx, ny, size, x0, y0) if units else None
    project = Project(ProjectMeta(name="Drawn", crs="EPSG:3035"), layer)
    history = History(project)
    history.push(add_alignment(project, "Drawn", kind="freeform"))
    al = project.active_alignment
    assert al is not None
    for j in range(ny):
        for i in range(nx):
            square = shapely.box(x0 + i * size, y0 + j * size, x0 + (i + 1) * size, y0 + (j + 1) * size)
            history.push(create_territory(project, al.id, f"R{j}C{i}", geometry=square))
    return project
