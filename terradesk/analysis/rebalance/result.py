"""What a rebalance proposes: a preview the planner accepts (one undo step) or rejects."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from terradesk.model import Id, Project

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class MetricTable:
    """Per-territory loads of each goal metric, their targets and deviations.

    ``deviation`` is (load - target) / target; ``active`` marks the territories the
    optimiser balanced (locked or empty territories are shown but not judged).
    """

    territory_ids: tuple[Id, ...]
    territory_names: tuple[str, ...]
    goals: tuple[str, ...]
    values: FloatArray
    targets: FloatArray
    active: npt.NDArray[np.bool_]
    polsby_popper: FloatArray

    @property
    def deviation(self) -> FloatArray:
        with np.errstate(divide="ignore", invalid="ignore"):
            d = self.values / self.targets - 1.0
        return np.asarray(np.where(self.targets > 0, d, 0.0), dtype=np.float64)

    @property
    def max_deviation(self) -> float:
        """The worst |deviation| over active territories and all goals (0.05 = 5%)."""
        d = np.abs(self.deviation[self.active])
        return float(d.max()) if d.size else 0.0

    def max_deviation_of(self, goal: str) -> float:
        d = np.abs(self.deviation[self.active, self.goals.index(goal)])
        return float(d.max()) if d.size else 0.0

    @property
    def mean_polsby_popper(self) -> float:
        pp = self.polsby_popper[self.active]
        pp = pp[np.isfinite(pp)]
        return float(pp.mean()) if pp.size else float("nan")

    def rows(self) -> list[dict[str, object]]:
        """One dict per territory (for tables and JSON)."""
        dev = self.deviation
        out: list[dict[str, object]] = []
        for i, tid in enumerate(self.territory_ids):
            row: dict[str, object] = {"territory": tid, "name": self.territory_names[i],
                                      "balanced": bool(self.active[i])}
            for j, g in enumerate(self.goals):
                row[g] = float(self.values[i, j])
                row[f"{g}_target"] = float(self.targets[i, j])
                row[f"{g}_deviation"] = float(dev[i, j])
            row["polsby_popper"] = float(self.polsby_popper[i])
            out.append(row)
        return out


@dataclass(frozen=True, eq=False)
class RebalanceResult:
    """A proposed plan. Nothing in the project changes until the planner accepts it.

    ``assignment`` holds the new keys for every unit (same key space as the alignment);
    ``moved_units`` the unit indices whose territory changes; ``accounts_changing_owner``
    account row indices; ``reason`` why the run stopped ("balanced", "time_limit",
    "cancelled", "stuck": no allowed move improves the worst territory).
    """

    alignment_id: Id
    alignment_name: str
    start: IntArray
    assignment: IntArray
    moved_units: IntArray
    before: MetricTable
    after: MetricTable
    accounts_changing_owner: IntArray
    revenue_changing_owner: float
    reason: str
    elapsed_s: float
    tolerances: tuple[float, ...] = field(default=())

    @property
    def mean_polsby_popper_before(self) -> float:
        return self.before.mean_polsby_popper

    @property
    def mean_polsby_popper_after(self) -> float:
        return self.after.mean_polsby_popper

    @property
    def balanced(self) -> bool:
        """Every active territory within every goal's tolerance."""
        dev = np.abs(self.after.deviation[self.after.active])
        return bool(dev.size == 0 or (dev <= np.asarray(self.tolerances)[None, :] + 1e-12).all())

    @property
    def label(self) -> str:
        """The undo-step text for accepting this plan."""
        n = len(self.moved_units)
        return f"Rebalance {self.alignment_name} ({n} unit{'s' if n != 1 else ''})"

    def changes(self, project: Project) -> tuple[Id, IntArray, IntArray, str]:
        """Arguments for :func:`terradesk.edit.reassign_units`: accept = push its command.

        ``reassign_units(project, *result.changes(project))`` gives ONE undo step (an
        AssignUnits per receiving territory in a Composite). The analysis layer may not
        import the edit layer (import-linter), hence this hand-over. Refuses when the
        plan changed since the run.
        """
        al = project.alignment(self.alignment_id)
        if len(al.assignment) != len(self.start) or not np.array_equal(
            al.assignment[self.moved_units], self.start[self.moved_units]
        ):
            raise ValueError("the plan changed since the rebalance ran; run it again")
        return self.alignment_id, self.moved_units, self.assignment[self.moved_units], self.label

    def summary(self) -> dict[str, object]:
        """Figures a planner (and the CLI) reads first."""
        return {
            "alignment": self.alignment_name,
            "reason": self.reason,
            "balanced": self.balanced,
            "max_deviation_before": self.before.max_deviation,
            "max_deviation_after": self.after.max_deviation,
            "units_moved": len(self.moved_units),
            "accounts_changing_owner": len(self.accounts_changing_owner),
            "revenue_changing_owner": self.revenue_changing_owner,
            "mean_polsby_popper_before": self.mean_polsby_popper_before,
            "mean_polsby_popper_after": self.mean_polsby_popper_after,
            "elapsed_s": self.elapsed_s,
        }
