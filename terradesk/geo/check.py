"""Check a coverage of territories: overlaps, gaps and invalid shapes, each with a place to zoom to.

A planner runs this after hand edits (and the UI lists the result); every :class:`Issue`
carries a ``location`` inside the problem area, and ``bounds`` to frame it.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from terradesk.geo.clean import invalid_location
from terradesk.geo.dissolve import as_multipolygon

K = TypeVar("K", bound=Hashable)
IssueKind = Literal["overlap", "gap", "invalid"]


@dataclass(frozen=True, slots=True)
class Issue:
    kind: IssueKind
    keys: tuple[Hashable, ...]
    location: tuple[float, float]
    bounds: tuple[float, float, float, float]
    area: float
    message: str


def _where(geom: BaseGeometry) -> tuple[tuple[float, float], tuple[float, float, float, float]]:
    p = geom.point_on_surface() if not geom.is_empty else geom.centroid
    b = geom.bounds
    return (float(p.x), float(p.y)), (float(b[0]), float(b[1]), float(b[2]), float(b[3]))


def check_coverage(
    geoms: Mapping[K, BaseGeometry | None],
    names: Mapping[K, str] | None = None,
    min_area: float = 0.0,
) -> list[Issue]:
    """List invalid shapes, overlaps between territories and gaps enclosed by them.

    Overlaps and gaps with an area at or below ``min_area`` are ignored (numerical dust).
    A gap is an area surrounded by territories but held by none (a hole of the union);
    the open outside of the coverage is not a gap.
    """
    label = (lambda k: names.get(k, str(k))) if names else str
    keys = [k for k, g in geoms.items() if g is not None and not g.is_empty]
    arr = np.empty(len(keys), dtype=object)
    arr[:] = [geoms[k] for k in keys]
    issues: list[Issue] = []
    valid = shapely.is_valid(arr) if len(arr) else np.empty(0, dtype=bool)
    for i in np.flatnonzero(~valid):
        reason = shapely.is_valid_reason(arr[i])
        loc = invalid_location(reason)
        here, bounds = _where(arr[i])
        issues.append(Issue("invalid", (keys[i],), loc or here, bounds, 0.0, f"{label(keys[i])}: {reason}"))
    fixed = arr.copy()
    if (~valid).any():
        fixed[~valid] = [shapely.make_valid(g) for g in arr[~valid]]
    tree = shapely.STRtree(fixed)
    left, right = tree.query(fixed, predicate="intersects")
    for i, j in zip(left.tolist(), right.tolist(), strict=True):
        if i >= j or not shapely.relate_pattern(fixed[i], fixed[j], "2********"):
            continue
        for part in as_multipolygon(shapely.intersection(fixed[i], fixed[j])).geoms:
            if part.area > min_area:
                here, bounds = _where(part)
                msg = f"{label(keys[i])} and {label(keys[j])} overlap ({part.area:.6g} square units)"
                issues.append(Issue("overlap", (keys[i], keys[j]), here, bounds, float(part.area), msg))
    if len(fixed):
        union = shapely.union_all(fixed)
        shapely.prepare(union)
        # faces enclosed by the coverage's edges but outside it: holes, and pockets pinched
        # off the outside at a single point (which are not holes of the union)
        faces = shapely.get_parts(shapely.polygonize(shapely.get_parts(shapely.node(union.boundary))))
        for gap in faces:
            if shapely.covers(union, gap.point_on_surface()) or gap.area <= min_area:
                continue
            around = tuple(keys[k] for k in tree.query(gap, predicate="touches").tolist())
            here, bounds = _where(gap)
            issues.append(Issue("gap", around, here, bounds, float(gap.area), f"gap of {gap.area:.6g} square units"))
    return issues
