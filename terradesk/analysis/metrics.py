"""Live per-territory metrics: counts, totals, workload, shape, distances, deviations.

Everything additive is kept as a row of sums per territory key (``_S``): units, area,
area-weighted centre, accounts, and sum + non-null count of every chosen field. For a
unit-built plan, per-unit rows (accounts folded into the unit that holds them) are
computed once; after an assignment only the touched territories are re-summed from
their units, and their shapes re-measured through :mod:`terradesk.analysis.topology`
(no dissolve). Drawn (free-form) plans are recomputed in full from their geometries.
Derived values (averages, formula, compactness, deviations) are computed on demand
from the sums, so they are always consistent with them.
"""

from __future__ import annotations

import numpy as np
import shapely

from terradesk.analysis.columns import BASE_COLUMNS, BASE_NAMES, Column, MetricSpec
from terradesk.analysis.formula import FormulaError, parse_formula
from terradesk.analysis.layout import FloatArray, Layout
from terradesk.analysis.placement import group_offsets, locate_points
from terradesk.analysis.targets import Target, deviations, target_values
from terradesk.analysis.topology import GEOD, CoverageTopology, _ranges
from terradesk.geo.crs import areas_m2, transform_geometries, transform_points
from terradesk.geo.dissolve import as_multipolygon
from terradesk.model import Alignment, Change, ChangeKind, Id, Project, Signal

__all__ = ["Column", "FormulaError", "MetricSpec", "MetricsEngine", "Target"]

_SHAPE = ("area", "perimeter", "parts", "holes", "cx", "cy", "farthest")


class MetricsEngine:
    """Metrics of one alignment, kept current by listening to ``project.changed``.

    ``changed`` emits the set of territory ids whose own values changed after each
    refresh. Targets based on the mean move with every change, so listeners showing
    deviations should re-read them for all territories (cheap: derived on demand).
    """

    def __init__(self, project: Project, alignment_id: Id, spec: MetricSpec | None = None) -> None:
        self.project = project
        self.alignment_id = alignment_id
        self.spec = spec or MetricSpec()
        self.changed = Signal()
        self._cache: tuple[list[Id], dict[str, FloatArray]] | None = None
        self._topology: CoverageTopology | None = None
        self._build()
        project.changed.connect(self._on_change)

    # -- public API -------------------------------------------------------------
    @property
    def alignment(self) -> Alignment:
        return self.project.alignment(self.alignment_id)

    def close(self) -> None:
        self.project.changed.disconnect(self._on_change)

    def columns(self) -> list[Column]:
        cols = [*BASE_COLUMNS, *self.layout.columns]
        if self._formula is not None:
            cols.append(Column(self.spec.formula_name, self.spec.formula_name.replace("_", " ").capitalize(), "", "formula"))
        by_name = {c.name: c for c in cols}
        for t in self.spec.targets:
            cols.append(Column(f"{t.metric}_deviation", f"{by_name[t.metric].label} deviation", "%", "deviation"))
        return cols

    def rows(self) -> dict[Id, dict[str, float]]:
        tids, table = self._table()
        return {tid: {name: float(v[i]) for name, v in table.items()} for i, tid in enumerate(tids)}

    def values(self, metric: str) -> dict[Id, float]:
        tids, table = self._table()
        return dict(zip(tids, table[self._check_metric(metric)].tolist(), strict=True))

    def deviation(self, tid: Id, metric: str) -> float:
        """Relative deviation of ``metric`` from its target (0.1 = 10 % over)."""
        tids, table = self._table()
        name = f"{self._check_metric(metric)}_deviation"
        if name not in table:
            target = self._target(metric)
            table[name] = deviations(table[metric], self._target_array(target, tids, table[metric]))
        return float(table[name][tids.index(tid)])

    def targets(self, metric: str) -> dict[Id, float]:
        """Each territory's target for ``metric`` (what the balance chart draws as a band)."""
        tids, table = self._table()
        return dict(zip(tids, self._target_array(self._target(metric), tids, table[metric]).tolist(), strict=True))

    def target(self, metric: str) -> Target:
        return self._target(self._check_metric(metric))

    def region_rows(self) -> dict[str, dict[str, float]]:
        """Totals per region; averages and the formula re-derived from the region sums."""
        al = self.alignment
        regions: dict[str, list[int]] = {}
        for t in al.territories.values():
            regions.setdefault(t.region, []).append(al.key(t.id))
        out: dict[str, dict[str, float]] = {}
        for region, keys in regions.items():
            sums = self._S[keys].sum(axis=0, keepdims=True)
            shape = {k: np.array([np.nan]) for k in _SHAPE}
            shape["area"] = self._shape["area"][keys].sum(keepdims=True)
            shape["parts"] = self._shape["parts"][keys].sum(keepdims=True)
            shape["holes"] = self._shape["holes"][keys].sum(keepdims=True)
            far = self._shape["farthest"][keys]
            shape["farthest"] = np.array([far[np.isfinite(far)].max(initial=np.nan) if np.isfinite(far).any() else np.nan])
            derived = self._derive(sums, shape)
            out[region] = {name: float(v[0]) for name, v in derived.items()}
        return out

    def preview_rows(self, units: np.ndarray, territory: Id | None) -> dict[Id, dict[str, float]]:
        """Rows the territories touched by moving ``units`` to ``territory`` would have.

        Nothing changes: a brush stroke previews its figures with this before it pushes
        its command. The sums move by the per-unit rows (deltas, no re-sum); shape metrics
        (area aside) keep their committed values until the command lands. Deviations are
        taken against the would-be targets. Returns only the affected territories.
        """
        al = self.alignment
        units = np.asarray(units, dtype=np.intp)
        if al.kind != "units" or len(units) == 0:
            return {}
        target = al.key(territory) if territory is not None and territory in al.territories else -1
        old = self._keys[units]
        move = old != target
        units, old = units[move], old[move]
        if len(units) == 0:
            return {}
        sums = self._S.copy()
        rows = self._UU[units]
        was = old >= 0
        np.subtract.at(sums, old[was], rows[was])
        if target >= 0:
            sums[target] += rows.sum(axis=0)
        tids = list(al.territories)
        keys = np.array([al.key(t) for t in tids], dtype=np.intp)
        shape = {k: v[keys].copy() for k, v in self._shape.items()}
        shape["area"] = sums[keys, 1]
        table = self._derive(sums[keys], shape)
        for t in self.spec.targets:
            table[f"{t.metric}_deviation"] = deviations(table[t.metric], self._target_array(t, tids, table[t.metric]))
        affected = (set(old.tolist()) | {target}) - {-1}
        return {tid: {name: float(v[i]) for name, v in table.items()}
                for i, tid in enumerate(tids) if int(keys[i]) in affected}

    # -- building -----------------------------------------------------------------
    def _build(self) -> None:
        project, al = self.project, self.alignment
        self.layout = Layout(project, self.spec)
        known = set(BASE_NAMES) | {c.name for c in self.layout.columns}
        self._formula = None
        if self.spec.formula:
            if self.spec.formula_name in known:
                raise FormulaError(f"the formula's name {self.spec.formula_name!r} is taken by a metric")
            self._formula = parse_formula(self.spec.formula, known)
            known.add(self.spec.formula_name)
        for t in self.spec.targets:
            if t.metric not in known:
                raise ValueError(f"a target names unknown metric {t.metric!r}")
        geoms = project.units.geometry
        crs = project.meta.crs
        self._U = self.layout.unit_matrix(geoms, crs)
        self._A = self.layout.account_matrix()
        ax, ay = project.accounts.x, project.accounts.y
        self._acc_lon, self._acc_lat = transform_points(ax, ay, crs, "EPSG:4326")
        if al.kind == "units":
            self._topology = CoverageTopology.of_layer(project.units, crs)
            self._acc_unit = locate_points(geoms, ax, ay)
        self._recompute_all()

    def _n_keys(self) -> int:
        al = self.alignment
        top = max((al.key(t) for t in al.territories), default=-1)
        if len(al.assignment):
            top = max(top, int(al.assignment.max()))
        return top + 1

    def _recompute_all(self) -> None:
        al = self.alignment
        n = self._n_keys()
        self._pin_key = self._pins(al)
        self._shape = {k: np.full(n, np.nan) for k in _SHAPE}
        self._home = np.full((n, 2), np.nan)
        for k in range(n):
            self._home[k] = self._home_lonlat(k)
        if al.kind == "units":
            self._keys = al.assignment.copy()
            unpinned = self._pin_key < 0
            acc_unit = np.where(unpinned, self._acc_unit, -1)
            self._UU = np.hstack([self._U, _group_sum(acc_unit, self._A, len(self._U))])
            self._acc_order, self._acc_off = group_offsets(acc_unit, len(self._U))
            self._S = _group_sum(self._keys, self._UU, n)
            self._S[:, self._U.shape[1]:] += _group_sum(self._pin_key, self._A, n)
            unit_key = np.append(self._keys, -1)
            self._set_account_keys(np.where(unpinned, unit_key[acc_unit], self._pin_key), n)
            for k in range(n):
                self._refresh_shape(k)
        else:
            self._recompute_freeform(al, n)
        self._cache = None

    def _set_account_keys(self, acc_key: np.ndarray, n: int) -> None:
        """Every account's territory key and its distance to that territory's owner's home."""
        self._acc_key = acc_key
        self._acc_dist = np.full(len(acc_key), np.nan)
        self._update_distances(np.arange(len(acc_key)))
        far = np.full(n, -np.inf)
        ok = np.isfinite(self._acc_dist)
        np.maximum.at(far, acc_key[ok], self._acc_dist[ok])
        self._shape["farthest"] = np.where(np.isfinite(far), far, np.nan)

    def _update_distances(self, accounts: np.ndarray) -> None:
        keys = self._acc_key[accounts]
        valid = keys >= 0
        accounts, keys = accounts[valid], keys[valid]
        home = self._home[keys]
        ok = np.isfinite(home[:, 0]) & np.isfinite(self._acc_lon[accounts])
        self._acc_dist[accounts[~ok]] = np.nan
        if ok.any():
            a = accounts[ok]
            self._acc_dist[a] = GEOD.inv(home[ok, 0], home[ok, 1], self._acc_lon[a], self._acc_lat[a])[2]

    def _recompute_freeform(self, al: Alignment, n: int) -> None:
        project = self.project
        tids = list(al.territories)
        keys = np.array([al.key(t) for t in tids], dtype=np.intp)
        geoms = np.array([as_multipolygon(al.territory(t).geometry) for t in tids] or [], dtype=object)
        reps = shapely.point_on_surface(project.units.geometry) if len(project.units) else np.empty(0, object)
        hit = locate_points(geoms, shapely.get_x(reps), shapely.get_y(reps)) if len(reps) else np.empty(0, np.intp)
        lookup = np.append(keys, -1)
        unit_key = lookup[hit]
        acc_key = lookup[locate_points(geoms, project.accounts.x, project.accounts.y)]
        acc_key = np.where(self._pin_key >= 0, self._pin_key, acc_key)
        self._S = np.hstack([_group_sum(unit_key, self._U, n), _group_sum(acc_key, self._A, n)])
        crs = project.meta.crs
        if len(geoms):
            self._shape["area"][keys] = areas_m2(geoms, crs)
            lonlat = transform_geometries(geoms, crs, "EPSG:4326")
            self._shape["perimeter"][keys] = [GEOD.geometry_length(g.boundary) if not g.is_empty else 0.0 for g in lonlat]
            self._shape["parts"][keys] = shapely.get_num_geometries(geoms)
            self._shape["holes"][keys] = [sum(len(p.interiors) for p in g.geoms) for g in geoms]
            centre = shapely.centroid(geoms)
            self._shape["cx"][keys] = shapely.get_x(centre)
            self._shape["cy"][keys] = shapely.get_y(centre)
        self._set_account_keys(acc_key, n)

    def _pins(self, al: Alignment) -> np.ndarray:
        pin_key = np.full(len(self.project.accounts), -1, dtype=np.intp)
        if al.pins:
            accounts = self.project.accounts
            for acc, tid in al.pins.items():
                if tid in al.territories:
                    try:
                        pin_key[accounts.index_of(acc)] = al.key(tid)
                    except KeyError:
                        continue
        return pin_key

    # -- incremental refresh ------------------------------------------------------
    def _apply_assignment(self, units: np.ndarray, extra: set[int]) -> set[int]:
        """Move ``units`` to their new keys: sums by deltas, shapes of touched keys re-measured."""
        new = self.alignment.assignment[units]
        old = self._keys[units]
        rows = self._UU[units]
        was, now = old >= 0, new >= 0
        np.subtract.at(self._S, old[was], rows[was])
        np.add.at(self._S, new[now], rows[now])
        self._keys[units] = new
        moved = self._acc_order[_ranges(self._acc_off[units], self._acc_off[units + 1])]
        self._acc_key[moved] = self._keys[self._acc_unit[moved]]
        self._update_distances(moved)
        touched = (set(old.tolist()) | set(new.tolist()) | extra) - {-1}
        for k in sorted(touched):
            self._refresh_shape(k)
        return touched

    def _refresh_shape(self, k: int) -> None:
        assert self._topology is not None
        members = np.flatnonzero(self._keys == k)
        stats = self._topology.stats(members, self._keys, k)
        area = self._S[k, 1]
        self._shape["area"][k] = area
        self._shape["perimeter"][k] = stats.perimeter_m
        self._shape["parts"][k] = stats.parts
        self._shape["holes"][k] = stats.holes
        self._shape["cx"][k] = self._S[k, 2] / area if area > 0 else np.nan
        self._shape["cy"][k] = self._S[k, 3] / area if area > 0 else np.nan
        dist = self._acc_dist[self._acc_key == k]
        dist = dist[np.isfinite(dist)]
        self._shape["farthest"][k] = float(dist.max()) if len(dist) else np.nan

    def _home_lonlat(self, k: int) -> tuple[float, float]:
        tid = self.alignment.territory_id_of_key(k)
        territory = self.alignment.territories.get(tid) if tid else None
        owner = self.project.owners.get(territory.owner_id) if territory and territory.owner_id else None
        if owner is None or owner.home is None:
            return (np.nan, np.nan)
        lon, lat = transform_points([owner.home[0]], [owner.home[1]], self.project.meta.crs, "EPSG:4326")
        return float(lon[0]), float(lat[0])

    def _on_change(self, change: Change) -> None:
        if self.alignment_id not in self.project.alignments:
            return
        kind = change.kind
        ours = change.alignment == self.alignment_id
        al = self.alignment
        if kind in (ChangeKind.UNITS, ChangeKind.ACCOUNTS, ChangeKind.RESET):
            self._build()
            self._emit(set(al.territories))
        elif kind == ChangeKind.ASSIGNMENT and ours and al.kind == "units":
            self._grow()
            changed = np.flatnonzero(self._keys != al.assignment)
            extra = {al.key(t) for t in change.ids if t in al.territories}
            touched = self._apply_assignment(changed, extra)
            self._emit({t for t in (al.territory_id_of_key(k) for k in touched) if t is not None})
        elif kind == ChangeKind.TERRITORIES and ours and al.kind == "units":
            self._grow()
            for tid in change.ids & set(al.territories):
                k = al.key(tid)
                self._home[k] = self._home_lonlat(k)
                accounts = np.flatnonzero(self._acc_key == k)
                self._update_distances(accounts)
                self._refresh_shape(k)
            self._emit(set(change.ids) & set(al.territories))
        elif (kind in (ChangeKind.PINS, ChangeKind.GEOMETRY, ChangeKind.TERRITORIES) and ours) or kind == ChangeKind.OWNERS:
            self._recompute_all()
            self._emit(set(al.territories))

    def _grow(self) -> None:
        n = self._n_keys()
        have = self._S.shape[0]
        if n > have:
            self._S = np.vstack([self._S, np.zeros((n - have, self._S.shape[1]))])
            self._home = np.vstack([self._home, np.full((n - have, 2), np.nan)])
            for name in _SHAPE:
                self._shape[name] = np.concatenate([self._shape[name], np.full(n - have, np.nan)])
            for k in range(have, n):
                self._home[k] = self._home_lonlat(k)


    def _emit(self, tids: set[Id]) -> None:
        self._cache = None
        if tids:
            self.changed.emit(tids)

    # -- derived values -------------------------------------------------------------
    def _table(self) -> tuple[list[Id], dict[str, FloatArray]]:
        if self._cache is None:
            al = self.alignment
            tids = list(al.territories)
            keys = np.array([al.key(t) for t in tids], dtype=np.intp)
            table = self._derive(self._S[keys], {k: v[keys] for k, v in self._shape.items()})
            for t in self.spec.targets:
                table[f"{t.metric}_deviation"] = deviations(table[t.metric], self._target_array(t, tids, table[t.metric]))
            self._cache = (tids, table)
        return self._cache

    def _derive(self, sums: FloatArray, shape: dict[str, FloatArray]) -> dict[str, FloatArray]:
        area, perim = shape["area"], shape["perimeter"]
        table: dict[str, FloatArray] = {
            "units": sums[:, 0],
            "accounts": sums[:, self._U.shape[1]],
            "area_km2": area / 1e6,
            "perimeter_km": perim / 1e3,
            "compactness": np.divide(4 * np.pi * area, perim**2, out=np.full(len(area), np.nan), where=perim > 0),
            "parts": shape["parts"],
            "holes": shape["holes"],
            "home_to_centre_km": self._centre_distance(shape) / 1e3,
            "home_to_farthest_km": shape["farthest"] / 1e3,
        }
        table.update(self.layout.derive(sums))
        if self._formula is not None:
            table[self.spec.formula_name] = self._formula.evaluate(table)
        return table

    def _centre_distance(self, shape: dict[str, FloatArray]) -> FloatArray:
        out = np.full(len(shape["cx"]), np.nan)
        if len(out) == 0 or len(out) != len(self.alignment.territories):
            return out
        for i, tid in enumerate(self.alignment.territories):
            home = self._home_lonlat(self.alignment.key(tid))
            if home is None or not np.isfinite(shape["cx"][i]):
                continue
            lon, lat = transform_points([shape["cx"][i]], [shape["cy"][i]], self.project.meta.crs, "EPSG:4326")
            out[i] = GEOD.inv(home[0], home[1], float(lon[0]), float(lat[0]))[2]
        return out

    def _target(self, metric: str) -> Target:
        for t in self.spec.targets:
            if t.metric == metric:
                return t
        return Target(metric)

    def _target_array(self, target: Target, tids: list[Id], values: FloatArray) -> FloatArray:
        al = self.alignment
        owners = [al.territory(t).owner_id for t in tids]
        capacities = {o.id: o.capacity for o in self.project.owners.values()}
        return target_values(target, values, owners, capacities)

    def _check_metric(self, metric: str) -> str:
        _, table = self._table()
        if metric not in table:
            raise KeyError(f"unknown metric {metric!r}; known: {', '.join(table)}")
        return metric


def _group_sum(keys: np.ndarray, matrix: FloatArray, n: int) -> FloatArray:
    """Row sums of ``matrix`` grouped by ``keys`` (keys of -1 are dropped)."""
    out = np.zeros((n, matrix.shape[1]))
    ok = keys >= 0
    if not ok.any() or n == 0:
        return out
    k = keys[ok]
    rows = matrix[ok]
    for j in range(matrix.shape[1]):
        out[:, j] = np.bincount(k, weights=rows[:, j], minlength=n)[:n]
    return out
