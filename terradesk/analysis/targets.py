"""Targets and deviations: how far each territory is from where the plan wants it.

A target is set per metric: the mean over the alignment's territories (the default: a
fair share), each owner's capacity (split evenly over the territories the owner holds),
or a fixed value. The deviation is relative, ``(value - target) / target``, so +0.12
reads "12 % over"; ``tolerance`` is the band a planner accepts (0.1 = +-10 %).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
Basis = Literal["mean", "capacity", "value"]
BASES: tuple[Basis, ...] = ("mean", "capacity", "value")


@dataclass(frozen=True)
class Target:
    """The target of one metric. ``value`` is only read for ``basis="value"``."""

    metric: str
    basis: Basis = "mean"
    tolerance: float = 0.1
    value: float | None = None

    def __post_init__(self) -> None:
        if self.basis not in BASES:
            raise ValueError(f"target basis must be one of {', '.join(BASES)}, got {self.basis!r}")
        if not (self.tolerance >= 0):
            raise ValueError(f"tolerance must be zero or positive, got {self.tolerance!r}")
        if self.basis == "value" and (self.value is None or not np.isfinite(self.value)):
            raise ValueError(f"a fixed target for {self.metric!r} needs a value")


def target_values(
    target: Target,
    values: FloatArray,
    owners: Sequence[str | None],
    capacities: dict[str, float | None],
) -> FloatArray:
    """Per-territory targets, in the order of ``values``.

    With ``basis="capacity"`` a territory without an owner (or whose owner has no
    capacity) falls back to the mean, so it still gets a sensible band.
    """
    n = len(values)
    finite = values[np.isfinite(values)]
    mean = float(finite.mean()) if len(finite) else np.nan
    if target.basis == "value":
        return np.full(n, float(target.value))  # type: ignore[arg-type]
    out = np.full(n, mean)
    if target.basis == "capacity":
        held = Counter(o for o in owners if o is not None)
        for i, owner in enumerate(owners):
            cap = capacities.get(owner) if owner is not None else None
            if owner is not None and cap is not None and np.isfinite(cap):
                out[i] = float(cap) / held[owner]
    return out


def deviations(values: FloatArray, targets: FloatArray) -> FloatArray:
    """``(value - target) / target``; NaN where the target is zero or unknown."""
    ok = np.isfinite(targets) & (targets != 0) & np.isfinite(values)
    out = np.full(len(values), np.nan)
    out[ok] = (values[ok] - targets[ok]) / np.abs(targets[ok])
    return out


def status(deviation: float, tolerance: float) -> int:
    """-1 under the band, 0 inside, +1 over (0 when unknown): what the chart colours."""
    if not np.isfinite(deviation):
        return 0
    if deviation > tolerance:
        return 1
    if deviation < -tolerance:
        return -1
    return 0
