"""What a planner asks of the optimiser, and what it reports while it runs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

MetricSource = Literal["auto", "unit", "account_sum", "account_count"]


@dataclass(frozen=True, slots=True)
class MetricGoal:
    """Balance one metric: every territory within ``tolerance`` (fraction) of the mean.

    ``name`` is a numeric unit field, a numeric account field (summed per unit by
    point-in-polygon) or ``"accounts"`` (account count). ``source="auto"`` tries them in
    that order. ``weight`` ranks goals against each other when they pull apart.
    """

    name: str
    tolerance: float = 0.05
    weight: float = 1.0
    source: MetricSource = "auto"

    def __post_init__(self) -> None:
        if not self.name:
            raise ValueError("a metric goal needs a metric name")
        if not 0 < self.tolerance < 1:
            raise ValueError(f"tolerance for {self.name!r} must be between 0 and 1 (e.g. 0.05), got {self.tolerance}")
        if self.weight <= 0:
            raise ValueError(f"weight for {self.name!r} must be positive, got {self.weight}")


@dataclass(frozen=True, slots=True)
class RebalanceSpec:
    """Goals and constraints of one run. Constraints are never violated; goals are best effort.

    ``locked_units`` are unit indices that must keep their territory (in addition to the
    units of locked territories). ``revenue_field`` names the account field that weights
    disruption ("revenue" when present, else each account counts 1). ``time_limit_s``
    bounds the run; with the same ``seed`` and input the result is identical as long as
    the run finishes before the limit.
    """

    goals: Sequence[MetricGoal]
    contiguous: bool = True
    respect_locks: bool = True
    respect_pins: bool = True
    max_distance_m: float | None = None
    time_limit_s: float = 10.0
    seed: int = 0
    locked_units: Sequence[int] = ()
    revenue_field: str | None = "revenue"
    margin: float = 0.8

    def __post_init__(self) -> None:
        if not self.goals:
            raise ValueError("choose at least one metric to balance")
        names = [g.name for g in self.goals]
        if len(set(names)) != len(names):
            raise ValueError("each metric may appear only once")
        if self.time_limit_s <= 0:
            raise ValueError("the time limit must be positive")
        if self.max_distance_m is not None and self.max_distance_m <= 0:
            raise ValueError("the maximum distance must be positive")
        if not 0 < self.margin <= 1:
            raise ValueError("margin must be in (0, 1]")


@dataclass(frozen=True, slots=True)
class ProgressInfo:
    """One progress report: what a progress bar and a status line need.

    ``max_deviation`` is the worst territory's deviation from the mean as a fraction of
    the mean (over all goals); ``worst_ratio`` is the same divided by each goal's tolerance
    (<= 1 means balanced). ``fraction`` estimates how far along the run is (0..1).
    """

    phase: str
    elapsed_s: float
    max_deviation: float
    worst_ratio: float
    units_moved: int
    fraction: float
    per_goal: dict[str, float] = field(default_factory=dict)


ProgressFn = Callable[[ProgressInfo], None]
CancelFn = Callable[[], bool]
