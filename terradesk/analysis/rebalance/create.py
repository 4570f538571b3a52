"""Create N territories from scratch: seeds, contiguous growth, then the optimiser.

Seeds come from owners' home locations where given (nearest unit), the rest from a
weighted k-means over unit centroids; regions grow contiguously from the seeds; the
rebalance engine then balances them on the chosen metrics. The result is a new
:class:`Alignment` not yet in the project: add it with ``terradesk.edit.AddAlignment``
(one undo step), which the analysis layer may not import.
"""

from __future__ import annotations

import colorsys
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from terradesk.analysis.rebalance.graph import unit_adjacency
from terradesk.analysis.rebalance.grow import grow_regions, spread_seeds
from terradesk.analysis.rebalance.optimiser import optimise
from terradesk.analysis.rebalance.result import MetricTable
from terradesk.analysis.rebalance.run import build_problem, metric_table, unit_centroids
from terradesk.analysis.rebalance.spec import CancelFn, ProgressFn, RebalanceSpec
from terradesk.analysis.rebalance.weights import metric_matrix
from terradesk.model import Alignment, Owner, Project, Territory

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True, eq=False)
class CreatedPlan:
    """A generated alignment (not yet in the project) and how balanced it is."""

    alignment: Alignment
    table: MetricTable
    reason: str
    elapsed_s: float

    @property
    def label(self) -> str:
        return f"Create alignment {self.alignment.name} ({len(self.alignment.territories)} territories)"


def colour(index: int) -> str:
    """Distinct colours by golden-angle hue steps (any number of territories)."""
    h = (index * 0.618033988749895) % 1.0
    r, g, b = colorsys.hsv_to_rgb(h, 0.45 + 0.2 * (index % 3) / 2, 0.95 - 0.1 * (index % 2))
    return f"#{int(r * 255):02x}{int(g * 255):02x}{int(b * 255):02x}"


def _owner_seeds(owners: Sequence[Owner], centroid: npt.NDArray[np.float64], eligible: IntArray,
                 n: int) -> tuple[list[int], list[Owner]]:
    seeds: list[int] = []
    used: list[Owner] = []
    pts = centroid[eligible]
    for owner in owners:
        if len(seeds) >= n or owner.home is None:
            continue
        d = np.hypot(pts[:, 0] - owner.home[0], pts[:, 1] - owner.home[1])
        for i in np.argsort(d).tolist():
            u = int(eligible[i])
            if u not in seeds:
                seeds.append(u)
                used.append(owner)
                break
    return seeds, used


def create_territories(project: Project, n: int, spec: RebalanceSpec, units: npt.ArrayLike | None = None,
                       name_prefix: str = "Territory", alignment_name: str = "New alignment",
                       owners: Sequence[Owner] | None = None, progress: ProgressFn | None = None,
                       cancel: CancelFn | None = None) -> CreatedPlan:
    """Build a new unit alignment with ``n`` territories over ``units`` (default: all).

    ``owners`` seed territories at their homes and become their owners (default: the
    project's sales owners that have a home). Units outside ``units`` stay unassigned.
    """
    m = len(project.units)
    eligible = np.arange(m, dtype=np.intp) if units is None else np.unique(np.asarray(units, dtype=np.intp))
    if len(eligible) and (eligible[0] < 0 or eligible[-1] >= m):
        raise ValueError("a unit index is outside the unit layer")
    if n < 1:
        raise ValueError("create at least one territory")
    if n > len(eligible):
        raise ValueError(f"cannot make {n} territories from {len(eligible)} units")
    adj = unit_adjacency(project.units)
    values = metric_matrix(project.units, project.accounts, spec.goals)
    totals = values[eligible].sum(axis=0)
    weights = np.array([g.weight for g in spec.goals])
    grow_w = (values / np.where(totals > 0, totals, 1.0)) @ weights
    centroid = unit_centroids(project)
    pool = [o for o in project.owners.values() if o.role == "sales"] if owners is None else list(owners)
    fixed, seed_owners = _owner_seeds(pool, centroid, eligible, n)
    seeds = spread_seeds(centroid, grow_w, n, eligible, spec.seed, fixed)
    mask = np.zeros(m, dtype=bool)
    mask[eligible] = True
    keys = grow_regions(adj, grow_w, seeds, np.full(n, grow_w[eligible].sum() / n), mask, centroid)

    al = Alignment(name=alignment_name, kind="units")
    for i in range(n):
        owner = seed_owners[i] if i < len(seed_owners) else None
        al.insert_territory(Territory(name=f"{name_prefix} {i + 1}", colour=colour(i),
                                      owner_id=owner.id if owner else None))
    problem = build_problem(project, al, spec, keys, adj)
    outcome = optimise(problem, seed=spec.seed, time_limit=spec.time_limit_s, progress=progress, cancel=cancel)
    al.assignment = outcome.keys.copy()
    table = metric_table(problem, al, outcome.keys, problem.targets())
    return CreatedPlan(al, table, outcome.reason, outcome.elapsed_s)
