"""What the metrics engine measures: the spec a planner chooses and the columns it yields."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from terradesk.analysis.targets import Target

ColumnKind = Literal["count", "sum", "mean", "area", "length", "ratio", "formula", "deviation"]


@dataclass(frozen=True)
class Column:
    """One metric column: ``name`` is the key in :meth:`MetricsEngine.rows`."""

    name: str
    label: str
    unit: str
    kind: ColumnKind


@dataclass(frozen=True)
class MetricSpec:
    """Which fields to total, the workload formula and the targets.

    ``unit_fields``/``account_fields`` of None mean every numeric field. Sums are named
    after the field (``population``); when a unit and an account field share a name the
    account one is ``accounts_<name>``. Averages are ``avg_<name>``. The formula may use
    any of these names plus ``units``, ``accounts`` and ``area_km2``.
    """

    unit_fields: tuple[str, ...] | None = None
    account_fields: tuple[str, ...] | None = None
    averages: bool = True
    formula: str | None = None
    formula_name: str = "workload"
    targets: tuple[Target, ...] = field(default_factory=lambda: (Target("accounts"),))


#: Metrics every alignment has, in display order: (name, label, unit, kind).
BASE_COLUMNS: tuple[Column, ...] = (
    Column("units", "Units", "", "count"),
    Column("accounts", "Accounts", "", "count"),
    Column("area_km2", "Area", "km²", "area"),
    Column("perimeter_km", "Perimeter", "km", "length"),
    Column("compactness", "Compactness (Polsby-Popper)", "", "ratio"),
    Column("parts", "Parts", "", "count"),
    Column("holes", "Holes", "", "count"),
    Column("home_to_centre_km", "Home to centre", "km", "length"),
    Column("home_to_farthest_km", "Home to farthest account", "km", "length"),
)
BASE_NAMES = frozenset(c.name for c in BASE_COLUMNS)
