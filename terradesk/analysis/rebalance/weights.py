"""Per-unit metric vectors: unit fields, and account fields aggregated to units.

Accounts are placed in units by point-in-polygon on an STRtree (vectorised query); the
result is cached per (unit layer, account layer) pair until either's columns change.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.analysis.rebalance.spec import MetricGoal
from terradesk.model import AccountLayer, Alignment, UnitLayer

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]

_UNIT_OF: weakref.WeakKeyDictionary[AccountLayer, tuple[object, object, object, IntArray]] = (
    weakref.WeakKeyDictionary()
)


class MetricError(ValueError):
    """A metric name the project cannot supply (message names the fields it has)."""


def account_units(units: UnitLayer, accounts: AccountLayer) -> IntArray:
    """The unit index holding each account (-1 when unplaced or outside every unit).

    A point on a shared boundary goes to the lowest unit index, so the answer is stable.
    """
    stamp = (units.geometry, accounts.x, accounts.y)
    cached = _UNIT_OF.get(accounts)
    if cached is not None and all(a is b for a, b in zip(cached[:3], stamp, strict=True)):
        return cached[3]
    out = np.full(len(accounts), -1, dtype=np.intp)
    x, y = np.asarray(accounts.x, float), np.asarray(accounts.y, float)
    placed = np.flatnonzero(np.isfinite(x) & np.isfinite(y))
    if len(placed) and len(units):
        tree = shapely.STRtree(units.geometry)
        pts = shapely.points(x[placed], y[placed])
        src, dst = tree.query(pts, predicate="intersects")
        # lowest unit index wins on boundaries: write in descending unit order
        order = np.lexsort((-dst, src))
        out[placed[src[order]]] = dst[order]
    _UNIT_OF[accounts] = (*stamp, out)
    return out


def _account_sum(units: UnitLayer, accounts: AccountLayer, values: FloatArray | None) -> FloatArray:
    where = account_units(units, accounts)
    ok = where >= 0
    w = None if values is None else np.nan_to_num(values[ok])
    return np.bincount(where[ok], weights=w, minlength=len(units)).astype(np.float64)


def metric_column(units: UnitLayer, accounts: AccountLayer, goal: MetricGoal) -> FloatArray:
    """One metric per unit; nulls count as 0 (a unit with no data adds nothing)."""
    src = goal.source
    if src in ("auto", "unit") and goal.name in units.fields and units.fields[goal.name].dtype.kind == "f":
        return np.nan_to_num(np.asarray(units.fields[goal.name], dtype=np.float64))
    if src in ("auto", "account_sum") and goal.name in accounts.fields and accounts.fields[goal.name].dtype.kind == "f":
        return _account_sum(units, accounts, np.asarray(accounts.fields[goal.name], dtype=np.float64))
    if src in ("auto", "account_count") and goal.name in ("accounts", "account_count"):
        return _account_sum(units, accounts, None)
    unit_f = ", ".join(units.numeric_fields()) or "none"
    acc_f = ", ".join(accounts.numeric_fields()) or "none"
    raise MetricError(
        f"no numeric metric {goal.name!r}: unit fields are {unit_f}; account fields are {acc_f}; "
        "'accounts' counts accounts"
    )


def metric_matrix(units: UnitLayer, accounts: AccountLayer, goals: Sequence[MetricGoal]) -> FloatArray:
    """(n_units, n_goals) matrix of metric values."""
    if not goals:
        return np.zeros((len(units), 0))
    cols = [metric_column(units, accounts, g) for g in goals]
    m = np.stack(cols, axis=1)
    if (m < 0).any():
        bad = [g.name for g, c in zip(goals, cols, strict=True) if (c < 0).any()]
        raise MetricError(f"metric(s) {', '.join(bad)} have negative values; balancing needs non-negative metrics")
    return m


def unit_revenue(units: UnitLayer, accounts: AccountLayer, field: str | None) -> FloatArray:
    """Disruption weight per unit: summed account revenue, or account count without it."""
    if field and field in accounts.fields and accounts.fields[field].dtype.kind == "f":
        return _account_sum(units, accounts, np.asarray(accounts.fields[field], dtype=np.float64))
    return _account_sum(units, accounts, None)


def pinned_units(units: UnitLayer, accounts: AccountLayer, alignment: Alignment) -> IntArray:
    """Units holding a pinned account: fixed, so the pinned account never changes hands."""
    if not alignment.pins or len(accounts) == 0:
        return np.empty(0, dtype=np.intp)
    where = account_units(units, accounts)
    idx = [accounts.index_of(a) for a in alignment.pins if _has(accounts, a)]
    u = where[np.asarray(idx, dtype=np.intp)] if idx else np.empty(0, dtype=np.intp)
    return np.unique(u[u >= 0])


def _has(accounts: AccountLayer, account_id: str) -> bool:
    try:
        accounts.index_of(account_id)
    except KeyError:
        return False
    return True
