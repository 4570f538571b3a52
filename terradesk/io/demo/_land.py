"""The demo's land: an irregular coastline with a bay and an island, plus its cities.

Everything here is a pure function of a numpy ``Generator`` so the demo is reproducible.
Coordinates are EPSG:3035 metres around (4.3e6, 3.4e6).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import shapely
import shapely.affinity
from shapely.geometry import MultiPolygon, Polygon
from shapely.geometry.base import BaseGeometry

FloatArray = npt.NDArray[np.float64]

CENTRE = (4_300_000.0, 3_400_000.0)
RADIUS = 130_000.0  # mean radius of the mainland, metres
BACKGROUND_SHARE = 0.45  # share of units (and 0.3 of accounts) spread over the countryside


@dataclass(frozen=True)
class City:
    """A population centre: a Gaussian bump in unit (and account) density."""

    name: str
    x: float
    y: float
    sigma: float  # metres
    weight: float  # share of the city-bound units


@dataclass(frozen=True)
class Land:
    """The land polygon(s), its cities, and the density that places units and accounts."""

    shape: BaseGeometry
    cities: tuple[City, ...]
    area: float

    def density(self, x: FloatArray, y: FloatArray) -> FloatArray:
        """Unit density per m^2 for one unit in total (a smooth function of position)."""
        rho = np.full(np.shape(x), BACKGROUND_SHARE / self.area)
        city_share = 1.0 - BACKGROUND_SHARE
        for c in self.cities:
            d2 = ((x - c.x) ** 2 + (y - c.y) ** 2) / (2 * c.sigma**2)
            rho = rho + city_share * c.weight * np.exp(-d2) / (2 * np.pi * c.sigma**2)
        return rho

    def sample(self, rng: np.random.Generator, n: int, background: float) -> tuple[FloatArray, FloatArray]:
        """``n`` points on land: a ``background`` share uniform, the rest around the cities."""
        shapely.prepare(self.shape)
        xmin, ymin, xmax, ymax = self.shape.bounds
        weights = np.array([c.weight for c in self.cities])
        xs: list[FloatArray] = []
        ys: list[FloatArray] = []
        have = 0
        while have < n:
            m = max(64, int((n - have) * 1.6))
            uniform = rng.random(m) < background
            which = rng.choice(len(self.cities), size=m, p=weights / weights.sum())
            cx = np.array([c.x for c in self.cities])[which]
            cy = np.array([c.y for c in self.cities])[which]
            sig = np.array([c.sigma for c in self.cities])[which]
            x = np.where(uniform, rng.uniform(xmin, xmax, m), cx + rng.standard_normal(m) * sig)
            y = np.where(uniform, rng.uniform(ymin, ymax, m), cy + rng.standard_normal(m) * sig)
            keep = shapely.contains_xy(self.shape, x, y)
            xs.append(x[keep])
            ys.append(y[keep])
            have += int(keep.sum())
        return np.concatenate(xs)[:n], np.concatenate(ys)[:n]


def _noisy_ring(rng: np.random.Generator, cx: float, cy: float, radius: float, vertices: int,
                roughness: float, harmonics: int) -> Polygon:
    """A star-shaped polygon whose radius is a sum of random harmonics (a fractal coast)."""
    theta = np.linspace(0.0, 2 * np.pi, vertices, endpoint=False)
    k = np.arange(2, harmonics + 2)
    amp = roughness * k**-1.3 * rng.uniform(0.3, 1.0, len(k))
    phase = rng.uniform(0, 2 * np.pi, len(k))
    wobble = np.cos(np.outer(theta, k) + phase) @ amp
    span = wobble.max() - wobble.min()
    r = radius * (1.0 + 0.55 * (wobble - wobble.mean()) / max(span, 1e-9))
    return Polygon(np.column_stack([cx + r * np.cos(theta), cy + r * np.sin(theta)]))


def _largest(geom: BaseGeometry) -> Polygon:
    parts = list(getattr(geom, "geoms", [geom]))
    return max(parts, key=lambda g: g.area)


def make_land(rng: np.random.Generator, names: list[str]) -> Land:
    """Mainland with a bay cut in, one offshore island, and 3-5 cities on the mainland."""
    cx, cy = CENTRE
    main = _noisy_ring(rng, cx, cy, RADIUS, 1500, 1.0, 160)
    # a bay: an ellipse pushed into the coast at a random bearing
    bearing = rng.uniform(0, 2 * np.pi)
    ux, uy = np.cos(bearing), np.sin(bearing)
    edge = shapely.get_coordinates(main.exterior.intersection(
        shapely.LineString([(cx, cy), (cx + 3 * RADIUS * ux, cy + 3 * RADIUS * uy)])))[0]
    bay = shapely.affinity.rotate(
        shapely.affinity.scale(shapely.Point(edge).buffer(1.0, 64), 0.32 * RADIUS, 0.14 * RADIUS),
        np.degrees(bearing), origin=(edge[0], edge[1]))
    main = _largest(shapely.make_valid(main.difference(bay)))
    # an island offshore, at a bearing away from the bay
    ib = bearing + rng.uniform(2.0, 4.2)
    ix, iy = np.cos(ib), np.sin(ib)
    far = shapely.get_coordinates(main.exterior.intersection(
        shapely.LineString([(cx, cy), (cx + 3 * RADIUS * ix, cy + 3 * RADIUS * iy)])))
    reach = float(np.max(np.hypot(far[:, 0] - cx, far[:, 1] - cy)))
    island_r = 0.13 * RADIUS
    island = _noisy_ring(rng, cx + (reach + 0.32 * RADIUS) * ix, cy + (reach + 0.32 * RADIUS) * iy,
                         island_r, 400, 1.0, 60)
    island = shapely.make_valid(island.difference(main.buffer(0.12 * RADIUS)))
    shape = MultiPolygon([main, _largest(island)])
    return Land(shape, _place_cities(rng, main, names), float(shape.area))


def _place_cities(rng: np.random.Generator, main: Polygon, names: list[str]) -> tuple[City, ...]:
    """3-5 cities, well apart, inside the mainland; the first is the big capital."""
    count = int(rng.integers(3, 6))
    inner = main.buffer(-0.08 * RADIUS)
    shapely.prepare(inner)
    xmin, ymin, xmax, ymax = inner.bounds
    spots: list[tuple[float, float]] = []
    min_gap = 0.55 * RADIUS
    while len(spots) < count:
        x, y = rng.uniform(xmin, xmax), rng.uniform(ymin, ymax)
        if shapely.contains_xy(inner, x, y) and all(np.hypot(x - a, y - b) > min_gap for a, b in spots):
            spots.append((x, y))
        else:
            min_gap *= 0.995  # never loop forever on an awkward coastline
    raw = np.concatenate([[1.0], rng.uniform(0.35, 0.6, count - 1)])
    weights = raw / raw.sum()
    return tuple(
        City(names[i], x, y, sigma=0.075 * RADIUS * float(np.sqrt(w / weights[0])) + 2500.0, weight=float(w))
        for i, ((x, y), w) in enumerate(zip(spots, weights, strict=True))
    )
