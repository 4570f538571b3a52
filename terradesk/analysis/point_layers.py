"""Other point layers (competitor sites, partner offices) counted per territory.

They are read exactly like accounts (:func:`terradesk.io.accounts_import.read_accounts`)
but kept beside the plan as reference data: they never move a territory's account
totals, they only add a "how many of these lie in each territory" column. Counting is
one point-in-polygon pass per layer (cached against the unit layer) plus a bincount
over the assignment, so it stays cheap to redo after every assignment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from terradesk.analysis.placement import locate_points
from terradesk.geo.dissolve import as_multipolygon
from terradesk.model import Alignment, Id, Project, ReferenceLayer

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]


@dataclass(eq=False)
class PointLayer:
    """Points in the project CRS; NaN coordinates are unplaced rows (never counted)."""

    name: str
    x: FloatArray
    y: FloatArray
    source: str = ""
    _unit_of: tuple[object, IntArray] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        self.x = np.asarray(self.x, dtype=np.float64)
        self.y = np.asarray(self.y, dtype=np.float64)
        if self.x.shape != self.y.shape:
            raise ValueError("a point layer needs as many x as y values")

    def __len__(self) -> int:
        return len(self.x)

    @property
    def placed(self) -> int:
        return int((np.isfinite(self.x) & np.isfinite(self.y)).sum())

    @property
    def column(self) -> str:
        """The metric-style column name the table shows (``points_competitors``)."""
        slug = re.sub(r"[^0-9a-z]+", "_", self.name.lower()).strip("_") or "layer"
        return f"points_{slug}"

    def units(self, project: Project) -> IntArray:
        """The unit holding each point (-1 for none), cached while the unit layer is unchanged."""
        geoms = project.units.geometry
        if self._unit_of is None or self._unit_of[0] is not geoms:
            self._unit_of = (geoms, locate_points(geoms, self.x, self.y))
        return self._unit_of[1]


def territory_keys(project: Project, alignment: Alignment, layer: PointLayer) -> IntArray:
    """Each point's territory key in ``alignment`` (-1 outside every territory)."""
    if alignment.kind == "units":
        return np.append(alignment.assignment, -1)[layer.units(project)]
    tids = list(alignment.territories)
    if not tids:
        return np.full(len(layer), -1, dtype=np.intp)
    geoms = np.array([as_multipolygon(alignment.territory(t).geometry) for t in tids], dtype=object)
    lookup = np.array([alignment.key(t) for t in tids] + [-1], dtype=np.intp)
    return lookup[locate_points(geoms, layer.x, layer.y)]


def count_per_territory(project: Project, alignment: Alignment, layer: PointLayer) -> dict[Id, int]:
    """How many of the layer's points lie in each territory (every territory present, 0 allowed)."""
    keys = territory_keys(project, alignment, layer)
    tids = list(alignment.territories)
    if not tids:
        return {}
    kk = np.array([alignment.key(t) for t in tids], dtype=np.intp)
    ok = keys[keys >= 0]
    counts = np.bincount(ok, minlength=int(kk.max()) + 1)
    return {t: int(counts[k]) for t, k in zip(tids, kk.tolist(), strict=True)}


def point_layers_of(project: Project, cache: dict[str, tuple[object, PointLayer]] | None = None) -> list[PointLayer]:
    """The project's counted point reference layers as :class:`PointLayer` (in layer order).

    ``cache`` (layer id -> (geometry array, PointLayer)) keeps each PointLayer, and so its
    point-to-unit lookup, while the layer's name and geometry stay the same.
    """
    cache = {} if cache is None else cache
    out = []
    for ref in project.reference_layers.values():
        if not (ref.counted and ref.kind == "point"):
            continue
        hit = cache.get(ref.id)
        if hit is None or hit[1].name != ref.name or hit[0] is not ref.geometry:
            hit = (ref.geometry, _point_layer(ref))
            cache[ref.id] = hit
        out.append(hit[1])
    for gone in set(cache) - {r.id for r in project.reference_layers.values()}:
        del cache[gone]
    return out


def _point_layer(ref: ReferenceLayer) -> PointLayer:
    x, y = ref.xy()
    return PointLayer(ref.name, x, y, source=ref.name)


def reference_layer_from_points(layer: PointLayer, colour: str) -> ReferenceLayer:
    """A counted point layer as a project reference layer (unplaced rows kept as empty rows)."""
    import shapely

    from terradesk.model import ReferenceStyle

    ok = np.isfinite(layer.x) & np.isfinite(layer.y)
    geoms = np.full(len(layer), None, dtype=object)
    geoms[ok] = shapely.points(layer.x[ok], layer.y[ok])
    return ReferenceLayer(layer.name, "point", geoms, style=ReferenceStyle(colour), counted=True)
