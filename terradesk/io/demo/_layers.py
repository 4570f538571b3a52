"""The demo's units (postal-code-like codes, names, population) and accounts."""

from __future__ import annotations

from random import Random

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.io.demo._cells import GeomArray
from terradesk.io.demo._land import Land
from terradesk.io.demo._names import company_names
from terradesk.model import AccountLayer, UnitLayer
from terradesk.model.ids import seeded_ids

IntArray = npt.NDArray[np.intp]
MAX_UNITS = 80_000  # five-digit codes: 90 areas of at most 999 codes each
SEGMENTS = ("Enterprise", "Mid-market", "SMB")


def texts(values: list[str]) -> npt.NDArray[np.object_]:
    """An object column of plain ``str`` (a list would become numpy ``str_`` scalars)."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def hilbert_order(x: npt.NDArray[np.float64], y: npt.NDArray[np.float64], bits: int = 16) -> IntArray:
    """Positions along a Hilbert curve: neighbouring units get neighbouring codes."""
    n = 1 << bits
    xi = ((x - x.min()) / max(float(np.ptp(x)), 1e-9) * (n - 1)).astype(np.int64)
    yi = ((y - y.min()) / max(float(np.ptp(y)), 1e-9) * (n - 1)).astype(np.int64)
    d = np.zeros(len(x), dtype=np.int64)
    s = n >> 1
    while s > 0:
        rx = (xi & s) > 0
        ry = (yi & s) > 0
        d += s * s * ((3 * rx.astype(np.int64)) ^ ry.astype(np.int64))
        flip = ~ry & rx
        xi = np.where(flip, n - 1 - xi, xi)
        yi = np.where(flip, n - 1 - yi, yi)
        swap = ~ry
        xi, yi = np.where(swap, yi, xi), np.where(swap, xi, yi)
        s >>= 1
    return np.argsort(d, kind="stable")


def postal_codes(count: int) -> list[str]:
    """Codes in Hilbert order: two digits for the area (10-99), three within it."""
    areas = int(np.clip(np.ceil(count / 700), 9, 90))
    area = np.arange(count) * areas // count
    out: list[str] = []
    for a in range(areas):
        members = int((area == a).sum())
        prefix = 10 + a * 90 // areas
        out.extend(f"{prefix:02d}{i * 1000 // members:03d}" for i in range(members))
    return out


def unit_layer(geoms: GeomArray, land: Land, rng: np.random.Generator, ids: Random,
               villages: list[str]) -> UnitLayer:
    """Units sorted along the Hilbert curve, with codes, names, population and potential."""
    centre = shapely.point_on_surface(geoms)
    cx, cy = shapely.get_x(centre), shapely.get_y(centre)
    order = hilbert_order(cx, cy)
    geoms, cx, cy = geoms[order], cx[order], cy[order]
    n = len(geoms)
    background = 0.45 / land.area
    crowding = land.density(cx, cy) / background  # 1 in the countryside, 10-100 in cities
    area_km2 = shapely.area(geoms) / 1e6
    density = 40.0 * crowding**1.3 * rng.lognormal(0.0, 0.35, n)  # people per km^2
    population = np.round(area_km2 * density)
    spend = (0.9 + 0.25 * np.log1p(crowding)) * rng.lognormal(0.0, 0.2, n)  # k EUR per head and year
    potential = np.round(population * spend, 1)
    names = _unit_names(land, cx, cy, villages, rng)
    return UnitLayer(
        {"id": texts(seeded_ids(ids, n)), "code": texts(postal_codes(n)), "name": texts(names), "geometry": geoms},
        {"population": population, "market_potential": potential},
    )


def _unit_names(land: Land, cx: npt.NDArray[np.float64], cy: npt.NDArray[np.float64], villages: list[str],
                rng: np.random.Generator) -> list[str]:
    """City districts are "<City> 1..n" (numbered outward); the rest get village names."""
    names = [villages[i] for i in rng.integers(len(villages), size=len(cx))]
    for city in land.cities:
        dist = np.hypot(cx - city.x, cy - city.y)
        inside = np.flatnonzero(dist < 1.6 * city.sigma)
        for rank, i in enumerate(inside[np.argsort(dist[inside], kind="stable")], start=1):
            names[i] = f"{city.name} {rank}"
    return names


def account_layer(units: UnitLayer, land: Land, count: int, rng: np.random.Generator, ids: Random,
                  places: list[str]) -> tuple[AccountLayer, IntArray]:
    """Accounts clustered around the cities; returns the layer and each account's unit."""
    tree = shapely.STRtree(units.geometry)
    xs, ys, owners = [np.empty(0)], [np.empty(0)], [np.empty(0, dtype=np.intp)]
    have = 0
    while have < count:
        want = count - have
        x, y = land.sample(rng, max(16, int(want * 1.1)), background=0.3)
        pts, unit = tree.query(shapely.points(x, y), predicate="within")
        first = np.unique(pts, return_index=True)[1]  # a point lies within exactly one unit
        pts, unit = pts[first], unit[first]
        pts, unit = pts[:want], unit[:want]
        xs.append(x[pts])
        ys.append(y[pts])
        owners.append(unit.astype(np.intp))
        have += len(pts)
    x, y, unit = np.concatenate(xs), np.concatenate(ys), np.concatenate(owners)
    segment = rng.choice(len(SEGMENTS), size=count, p=[0.08, 0.27, 0.65])
    median = np.array([400_000.0, 60_000.0, 8_000.0])[segment]
    revenue = np.round(median * rng.lognormal(0.0, 0.6, count))
    potential = np.round(revenue * (1.0 + rng.lognormal(-0.7, 0.6, count)))
    visits_lo = np.array([12, 6, 2])[segment]
    visits_hi = np.array([36, 12, 6])[segment]
    visits = rng.integers(visits_lo, visits_hi + 1).astype(np.float64)
    layer = AccountLayer(
        {
            "id": texts(seeded_ids(ids, count)),
            "name": texts(company_names(rng, places, count)),
            "x": x,
            "y": y,
        },
        {
            "revenue": revenue,
            "potential": potential,
            "visits_per_year": visits,
            "segment": np.array(SEGMENTS, dtype=object)[segment],
            "postal_code": units.codes[unit],
        },
    )
    return layer, unit
