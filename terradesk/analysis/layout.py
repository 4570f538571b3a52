"""Column layout of the sum rows the metrics engine keeps per unit, account and territory.

Unit rows: ``[1, area_m2, area*cx, area*cy, field sums..., field non-null counts...]``.
Account rows: ``[1, field sums..., field non-null counts...]``. A territory row is the
unit part followed by the account part; sums of these rows are all the engine adds up,
and averages are sum / non-null count, so a null value never drags an average down.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.analysis.columns import BASE_NAMES, Column, MetricSpec
from terradesk.geo.crs import areas_m2
from terradesk.model import Project

FloatArray = npt.NDArray[np.float64]
UNIT_BASE = 4  # 1, area, area*cx, area*cy
ACCOUNT_BASE = 1  # 1


def _choose(available: list[str], chosen: tuple[str, ...] | None, what: str, numeric: set[str]) -> list[str]:
    if chosen is None:
        return available
    for name in chosen:
        if name not in numeric:
            raise ValueError(f"no numeric {what} field named {name!r} (numeric fields: {', '.join(available) or 'none'})")
    return list(chosen)


class Layout:
    """Which fields are totalled, under which metric names, and where in the rows."""

    def __init__(self, project: Project, spec: MetricSpec) -> None:
        unit_numeric = project.units.numeric_fields()
        acc_numeric = project.accounts.numeric_fields()
        self.project = project
        self.unit_fields = _choose(unit_numeric, spec.unit_fields, "unit", set(unit_numeric))
        self.account_fields = _choose(acc_numeric, spec.account_fields, "account", set(acc_numeric))
        taken = set(BASE_NAMES) | set(self.unit_fields)
        self.unit_names = [f if f not in BASE_NAMES else f"units_{f}" for f in self.unit_fields]
        self.account_names = [f if f not in taken else f"accounts_{f}" for f in self.account_fields]
        self.averages = spec.averages
        cols: list[Column] = []
        for field, name in [*zip(self.unit_fields, self.unit_names, strict=True),
                            *zip(self.account_fields, self.account_names, strict=True)]:
            cols.append(Column(name, field.replace("_", " ").capitalize(), "", "sum"))
        if self.averages:
            for field, name in [*zip(self.unit_fields, self.unit_names, strict=True),
                                *zip(self.account_fields, self.account_names, strict=True)]:
                cols.append(Column(f"avg_{name}", f"Average {field.replace('_', ' ')}", "", "mean"))
        self.columns = cols

    @property
    def unit_width(self) -> int:
        return UNIT_BASE + 2 * len(self.unit_fields)

    def unit_matrix(self, geoms: npt.NDArray[np.object_], crs: str) -> FloatArray:
        n = len(geoms)
        out = np.zeros((n, self.unit_width))
        out[:, 0] = 1.0
        if n:
            area = areas_m2(geoms, crs)
            centre = shapely.centroid(geoms)
            out[:, 1] = area
            out[:, 2] = area * shapely.get_x(centre)
            out[:, 3] = area * shapely.get_y(centre)
        self._fill(out, UNIT_BASE, [self.project.units.column(f) for f in self.unit_fields])
        return out

    def account_matrix(self) -> FloatArray:
        acc = self.project.accounts
        out = np.zeros((len(acc), ACCOUNT_BASE + 2 * len(self.account_fields)))
        out[:, 0] = 1.0
        self._fill(out, ACCOUNT_BASE, [acc.column(f) for f in self.account_fields])
        return out

    @staticmethod
    def _fill(out: FloatArray, base: int, columns: list[npt.NDArray[np.float64]]) -> None:
        m = len(columns)
        for i, col in enumerate(columns):
            ok = np.isfinite(col)
            out[:, base + i] = np.where(ok, col, 0.0)
            out[:, base + m + i] = ok

    def derive(self, sums: FloatArray) -> dict[str, FloatArray]:
        """Field sums and averages from territory (or region) sum rows."""
        table: dict[str, FloatArray] = {}
        nu, na = len(self.unit_fields), len(self.account_fields)
        spans = [(self.unit_names, UNIT_BASE, nu), (self.account_names, self.unit_width + ACCOUNT_BASE, na)]
        for names, base, m in spans:
            for i, name in enumerate(names):
                total, count = sums[:, base + i], sums[:, base + m + i]
                table[name] = total
                if self.averages:
                    table[f"avg_{name}"] = np.divide(total, count, out=np.full(len(total), np.nan), where=count > 0)
        return table
