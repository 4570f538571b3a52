"""``rebalance(project, alignment_id, spec)``: project in, proposal out (nothing edited)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.analysis.rebalance.graph import Adjacency, polsby_popper, unit_adjacency
from terradesk.analysis.rebalance.optimiser import Problem, optimise
from terradesk.analysis.rebalance.result import MetricTable, RebalanceResult
from terradesk.analysis.rebalance.spec import CancelFn, ProgressFn, RebalanceSpec
from terradesk.analysis.rebalance.weights import account_units, metric_matrix, pinned_units, unit_revenue
from terradesk.model import Alignment, Id, Project

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


def unit_centroids(project: Project) -> FloatArray:
    """Centroids (x, y) of every unit (NaN for empty geometries)."""
    return np.asarray(shapely.get_coordinates(shapely.centroid(project.units.geometry), include_z=False)
                      if len(project.units) else np.zeros((0, 2)), dtype=np.float64)


def _homes(project: Project, al: Alignment, n_keys: int) -> FloatArray:
    home = np.full((n_keys, 2), np.nan)
    for t in al.territories.values():
        owner = project.owners.get(t.owner_id) if t.owner_id else None
        if owner is not None and owner.home is not None:
            home[al.key(t.id)] = owner.home
    return home


def build_problem(project: Project, al: Alignment, spec: RebalanceSpec, keys: IntArray,
                  adj: Adjacency | None = None) -> Problem:
    """Arrays for the engine from a project, an alignment and a spec (constraints resolved)."""
    units, accounts = project.units, project.accounts
    adj = adj if adj is not None else unit_adjacency(units)
    values = metric_matrix(units, accounts, spec.goals)
    n_keys = len(al._id_of_key)
    live = np.zeros(n_keys, dtype=bool)
    for tid in al.territories:
        live[al.key(tid)] = True
    locked = np.zeros(n_keys, dtype=bool)
    if spec.respect_locks:
        for t in al.territories.values():
            if t.locked:
                locked[al.key(t.id)] = True
    counts = np.bincount(keys[keys >= 0], minlength=n_keys)
    active = live & ~locked & (counts > 0)
    fixed = keys < 0
    fixed |= ~active[np.where(keys >= 0, keys, 0)]
    if spec.respect_locks and len(spec.locked_units):
        idx = np.asarray(spec.locked_units, dtype=np.intp)
        if idx.min() < 0 or idx.max() >= len(keys):
            raise ValueError("a locked unit index is outside the unit layer")
        fixed[idx] = True
    if spec.respect_pins:
        fixed[pinned_units(units, accounts, al)] = True
    revenue = unit_revenue(units, accounts, spec.revenue_field)
    mean_rev = revenue.mean() if len(revenue) and revenue.mean() > 0 else 1.0
    cost = 1.0 + revenue / mean_rev
    need_xy = spec.max_distance_m is not None
    return Problem(
        adjacency=adj, keys=keys.copy(), n_keys=n_keys, values=values,
        tolerance=np.array([g.tolerance for g in spec.goals]), weight=np.array([g.weight for g in spec.goals]),
        active=active, fixed=fixed, cost=cost, names=tuple(g.name for g in spec.goals),
        home=_homes(project, al, n_keys) if need_xy else None,
        centroid=unit_centroids(project) if need_xy else None,
        max_distance=spec.max_distance_m, contiguous=spec.contiguous, margin=spec.margin,
    )


def metric_table(problem: Problem, al: Alignment, keys: IntArray, targets: FloatArray) -> MetricTable:
    tids = [tid for tid in al.territories]
    rows = np.array([al.key(t) for t in tids], dtype=np.intp)
    loads = problem.loads(keys)
    pp = polsby_popper(problem.adjacency, keys, problem.n_keys)
    return MetricTable(
        territory_ids=tuple(tids), territory_names=tuple(al.territories[t].name for t in tids),
        goals=problem.names, values=loads[rows], targets=targets[rows], active=problem.active[rows],
        polsby_popper=pp[rows],
    )


def rebalance(project: Project, alignment_id: Id, spec: RebalanceSpec, progress: ProgressFn | None = None,
              cancel: CancelFn | None = None) -> RebalanceResult:
    """Propose a balanced plan for a unit-built alignment; the project is not changed.

    Runs up to ``spec.time_limit_s`` (``cancel()`` is polled; the best plan so far is
    returned either way). Accept with ``reassign_units(project, *result.changes(project))``.
    """
    al = project.alignment(alignment_id)
    if al.kind != "units":
        raise ValueError(f"alignment {al.name!r} is drawn by hand; only unit-built plans can be rebalanced")
    if len(al.assignment) != len(project.units):
        raise ValueError(f"alignment {al.name!r} does not match the unit layer")
    start = al.assignment.copy()
    problem = build_problem(project, al, spec, start)
    if not problem.active.any():
        raise ValueError(f"alignment {al.name!r} has no unlocked territory with units to rebalance")
    outcome = optimise(problem, seed=spec.seed, time_limit=spec.time_limit_s, progress=progress, cancel=cancel)
    return make_result(project, al, problem, start, outcome.keys, outcome.reason, outcome.elapsed_s, spec)


def make_result(project: Project, al: Alignment, problem: Problem, start: IntArray, keys: IntArray,
                reason: str, elapsed: float, spec: RebalanceSpec) -> RebalanceResult:
    targets = problem.targets()
    moved = np.flatnonzero(keys != start).astype(np.intp)
    where = account_units(project.units, project.accounts) if len(project.accounts) else np.empty(0, np.intp)
    ok = where >= 0
    changing = np.zeros(len(where), dtype=bool)
    changing[ok] = keys[where[ok]] != start[where[ok]]
    if al.pins and changing.any():
        known = set(project.accounts.ids.tolist())
        pinned = [project.accounts.index_of(a) for a in al.pins if a in known]
        changing[np.asarray(pinned, dtype=np.intp)] = False
    accounts_moving = np.flatnonzero(changing).astype(np.intp)
    revenue = 0.0
    if spec.revenue_field and spec.revenue_field in project.accounts.fields:
        col = project.accounts.fields[spec.revenue_field]
        if col.dtype.kind == "f":
            revenue = float(np.nansum(col[accounts_moving]))
    return RebalanceResult(
        alignment_id=al.id, alignment_name=al.name, start=start, assignment=keys, moved_units=moved,
        before=metric_table(problem, al, start, targets), after=metric_table(problem, al, keys, targets),
        accounts_changing_owner=accounts_moving, revenue_changing_owner=revenue, reason=reason,
        elapsed_s=elapsed, tolerances=tuple(g.tolerance for g in spec.goals),
    )
