"""Key metrics per territory for the Territories table and the inspector.

Kept behind :func:`territory_metrics` so ``terradesk.analysis.metrics`` can replace it
later without touching the views. Everything is vectorised: one ``np.bincount`` per
column over the assignment array, unit areas computed once per unit layer.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.geo.crs import areas_m2
from terradesk.model import Alignment, Id, Project

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass
class MetricsTable:
    """One row per territory (in alignment order) plus the unassigned remainder."""

    tids: list[Id]
    units: IntArray
    accounts: IntArray
    area_km2: FloatArray
    sums: dict[str, FloatArray] = field(default_factory=dict)
    unassigned_units: int = 0

    def row(self, tid: Id) -> int:
        return self.tids.index(tid)


class ProjectCache:
    """Per-project derived arrays that only a unit or account change invalidates."""

    def __init__(self) -> None:
        self._unit_area: tuple[object, FloatArray] | None = None
        self._account_unit: tuple[object, object, IntArray] | None = None

    def invalidate_accounts(self) -> None:
        self._account_unit = None

    def invalidate_units(self) -> None:
        self._unit_area = None
        self._account_unit = None

    def unit_areas_km2(self, project: Project) -> FloatArray:
        geoms = project.units.geometry
        if self._unit_area is None or self._unit_area[0] is not geoms:
            area = areas_m2(geoms, project.meta.crs) / 1e6 if len(geoms) else np.zeros(0)
            self._unit_area = (geoms, np.asarray(area, dtype=float))
        return self._unit_area[1]

    def account_units(self, project: Project) -> IntArray:
        """The unit each account lies in (-1 outside every unit or unplaced)."""
        geoms, xs = project.units.geometry, project.accounts.x
        if self._account_unit is None or self._account_unit[0] is not geoms or self._account_unit[1] is not xs:
            out = np.full(len(xs), -1, dtype=np.intp)
            ok = np.isfinite(xs) & np.isfinite(project.accounts.y)
            if len(geoms) and ok.any():
                points = shapely.points(xs[ok], project.accounts.y[ok])
                tree = shapely.STRtree(geoms)
                pairs = tree.query(points, predicate="intersects")
                where = np.flatnonzero(ok)
                out[where[pairs[0]]] = pairs[1]
            self._account_unit = (geoms, xs, out)
        return self._account_unit[2]


def territory_metrics(project: Project, alignment: Alignment, cache: ProjectCache | None = None) -> MetricsTable:
    """Units, accounts, area (km²) and sums of numeric unit fields per territory."""
    cache = cache or ProjectCache()
    tids = list(alignment.territories)
    keys = np.array([alignment.key(t) for t in tids], dtype=np.intp)
    n_keys = (int(keys.max()) + 1) if len(keys) else 0
    if alignment.kind == "units" and len(alignment.assignment):
        assign = alignment.assignment
        assigned = assign >= 0
        k = assign[assigned]
        units = np.bincount(k, minlength=n_keys)[keys] if len(keys) else np.zeros(0, np.intp)
        area = np.bincount(k, weights=cache.unit_areas_km2(project)[assigned], minlength=n_keys)[keys] if len(keys) else np.zeros(0)
        sums: dict[str, FloatArray] = {}
        for name in project.units.numeric_fields():
            col = np.nan_to_num(project.units.column(name)[assigned])
            sums[name] = np.asarray(np.bincount(k, weights=col, minlength=n_keys)[keys] if len(keys) else np.zeros(0), float)
        account_keys = _account_keys(project, alignment, cache)
        unassigned = int((~assigned).sum())
    else:
        units = np.zeros(len(tids), dtype=np.intp)
        geoms = np.array([alignment.territories[t].geometry for t in tids], dtype=object)
        area = areas_m2(geoms, project.meta.crs) / 1e6 if len(tids) else np.zeros(0)
        area = np.nan_to_num(area)
        sums = {}
        account_keys = _freeform_account_keys(project, alignment, geoms, keys)
        unassigned = 0
    for account, tid in alignment.pins.items():
        if tid in alignment.territories:
            try:
                account_keys[project.accounts.index_of(account)] = alignment.key(tid)
            except KeyError:
                continue
    counted = account_keys[account_keys >= 0]
    accounts = np.bincount(counted, minlength=n_keys)[keys] if len(keys) else np.zeros(0, np.intp)
    return MetricsTable(tids, np.asarray(units, np.intp), np.asarray(accounts, np.intp), np.asarray(area, float), sums,
                        unassigned)


def _account_keys(project: Project, alignment: Alignment, cache: ProjectCache) -> IntArray:
    unit_of = cache.account_units(project)
    keys = np.full(len(unit_of), -1, dtype=np.intp)
    inside = unit_of >= 0
    keys[inside] = alignment.assignment[unit_of[inside]]
    return keys


def _freeform_account_keys(project: Project, alignment: Alignment, geoms: npt.NDArray[np.object_],
                           keys: IntArray) -> IntArray:
    out = np.full(len(project.accounts), -1, dtype=np.intp)
    xs, ys = project.accounts.x, project.accounts.y
    for geom, key in zip(geoms, keys, strict=True):
        if geom is not None and not geom.is_empty:
            hit = shapely.contains_xy(geom, xs, ys) & (out < 0)
            out[hit] = key
    return out


def selection_summary(project: Project, kind: str | None, ids: tuple[str, ...], cache: ProjectCache | None = None,
                      ) -> list[tuple[str, str]]:
    """Read-only figures for what is selected: (label, formatted value) pairs."""
    if not ids or kind is None:
        return []
    cache = cache or ProjectCache()
    if kind == "units":
        pos = project.units.positions(ids)
        rows = [("Units", f"{len(pos):,}"), ("Area", f"{cache.unit_areas_km2(project)[pos].sum():,.1f} km²")]
        for name in project.units.numeric_fields():
            rows.append((_title(name), _fmt(float(np.nansum(project.units.column(name)[pos])))))
        return rows
    if kind == "accounts":
        pos = project.accounts.positions(ids)
        rows = [("Accounts", f"{len(pos):,}")]
        for name in project.accounts.numeric_fields():
            rows.append((_title(name), _fmt(float(np.nansum(project.accounts.column(name)[pos])))))
        return rows
    al = project.active_alignment
    if kind == "territories" and al is not None:
        table = territory_metrics(project, al, cache)
        idx = [table.row(t) for t in ids if t in table.tids]
        rows = [("Territories", f"{len(idx):,}"), ("Units", f"{int(table.units[idx].sum()):,}"),
                ("Accounts", f"{int(table.accounts[idx].sum()):,}"),
                ("Area", f"{float(table.area_km2[idx].sum()):,.1f} km²")]
        for name, col in table.sums.items():
            rows.append((_title(name), _fmt(float(col[idx].sum()))))
        return rows
    return []


def metric_title(field: str) -> str:
    """A field name as planners read it ("market_potential" -> "Market potential").

    The same rule as the Territories table's column labels (``analysis.layout``), so a
    metric reads alike in the table, the Inspector and the optimiser dialogs.
    """
    return field.replace("_", " ").capitalize()


_title = metric_title


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.2f}"
