"""The demo's two alignments: 12 sales territories in 3 regions, and customer support.

Territories are power-diagram clusters of unit centres (k-means whose cluster weights are
nudged until each holds about the same market potential), so they come out compact,
contiguous apart from the island, and roughly balanced: a fair starting plan to improve.
"""

from __future__ import annotations

from random import Random

import numpy as np
import numpy.typing as npt
import shapely

from terradesk.io.demo._land import Land
from terradesk.io.demo._names import compass, email_of
from terradesk.model import Alignment, Owner, Territory, UnitLayer
from terradesk.model.ids import seeded_ids

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.intp]

SALES_COLOURS = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
                 "#e377c2", "#17becf", "#bcbd22", "#aec7e8", "#ffbb78", "#98df8a")
SUPPORT_COLOURS = ("#66c2a5", "#fc8d62", "#8da0cb", "#e78ac3", "#a6d854", "#ffd92f")


def balanced_clusters(px: FloatArray, py: FloatArray, weight: FloatArray, init: FloatArray,
                      rounds: int = 60) -> IntArray:
    """Label every point with its nearest centre, then weight centres towards equal loads.

    Weighted k-means first (compact clusters), then the centres stay put and only their
    additive weights move (a power diagram), which converges without centres wandering.
    """
    centres = init.astype(np.float64).copy()
    k = len(centres)
    w = weight + 1e-9
    for _ in range(12):
        labels = _nearest(px, py, centres, np.zeros(k))
        for c in range(k):
            mine = labels == c
            if mine.any():
                centres[c] = (np.average(px[mine], weights=w[mine]), np.average(py[mine], weights=w[mine]))
    target = float(w.sum()) / k
    scale = float(np.var(px) + np.var(py)) / k
    bias = np.zeros(k)
    labels = _nearest(px, py, centres, bias)
    for r in range(rounds):
        load = np.bincount(labels, weights=w, minlength=k)
        bias += 0.4 * scale * (1.0 - load / target) * (1.0 - r / rounds)
        labels = _nearest(px, py, centres, bias)
    return labels


def _nearest(px: FloatArray, py: FloatArray, centres: FloatArray, bias: FloatArray) -> IntArray:
    d2 = (px[:, None] - centres[:, 0]) ** 2 + (py[:, None] - centres[:, 1]) ** 2 - bias
    return np.argmin(d2, axis=1).astype(np.intp)


def _seed_centres(rng: np.random.Generator, px: FloatArray, py: FloatArray, weight: FloatArray,
                  k: int) -> FloatArray:
    """k-means++ style start: far-apart centres, drawn in proportion to weight."""
    p = weight / weight.sum()
    first = int(rng.choice(len(px), p=p))
    chosen = [first]
    d2 = (px - px[first]) ** 2 + (py - py[first]) ** 2
    for _ in range(k - 1):
        score = d2 * (weight + weight.mean())
        nxt = int(rng.choice(len(px), p=score / score.sum()))
        chosen.append(nxt)
        d2 = np.minimum(d2, (px - px[nxt]) ** 2 + (py - py[nxt]) ** 2)
    return np.column_stack([px[chosen], py[chosen]])


def _home(units: UnitLayer, members: IntArray) -> tuple[float, float]:
    """Where the owner lives: inside the territory's most populous unit."""
    best = members[int(np.argmax(units.column("population")[members]))]
    pt = shapely.point_on_surface(units.geometry[best])
    return (round(float(pt.x), 1), round(float(pt.y), 1))


def _territory_names(units: UnitLayer, labels: IntArray, k: int, cx: FloatArray, cy: FloatArray) -> list[str]:
    """Named after the territory's most populous place; repeats get a compass word."""
    pop = units.column("population")
    base = []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        place = str(units.names[members[int(np.argmax(pop[members]))]])
        base.append(place.rsplit(" ", 1)[0] if place[-1].isdigit() else place)
    names = list(base)
    for t in range(k):
        if base.count(base[t]) > 1:
            mates = [s for s in range(k) if base[s] == base[t]]
            mx, my = np.mean(cx[mates]), np.mean(cy[mates])
            names[t] = f"{base[t]} {compass(cx[t] - mx, cy[t] - my)}"
    for t in range(k):
        if names.count(names[t]) > 1:
            names[t] = f"{names[t]} {t + 1}"
    return names


def sales_alignment(units: UnitLayer, visits: FloatArray, reps: list[str], rng: np.random.Generator,
                    ids: Random) -> tuple[Alignment, list[Owner]]:
    """12 sales territories balanced on market potential, 3 regions of 4, one rep each."""
    k = 12
    centre = shapely.centroid(units.geometry)
    px, py = shapely.get_x(centre), shapely.get_y(centre)
    weight = units.column("market_potential")
    labels = balanced_clusters(px, py, weight, _seed_centres(rng, px, py, weight, k))
    labels = _compact_labels(labels, k)
    tx = np.array([np.average(px[labels == t]) for t in range(k)])
    ty = np.array([np.average(py[labels == t]) for t in range(k)])
    mx, my = float(np.mean(px)), float(np.mean(py))
    by_angle = np.argsort(np.arctan2(ty - my, tx - mx), kind="stable")
    region_of = np.empty(k, dtype=np.intp)
    region_of[by_angle] = np.arange(k) // 4
    region_names = _region_names(tx, ty, region_of, mx, my)
    names = _territory_names(units, labels, k, tx, ty)
    owner_ids = seeded_ids(ids, k)
    territory_ids = seeded_ids(ids, k)
    workload = np.bincount(labels, weights=visits, minlength=k)
    base_capacity = float(np.ceil(workload.mean() * 1.05 / 50.0) * 50.0)
    part_time = rng.random(k) < 0.15
    owners, territories = [], []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        owners.append(Owner(reps[t], role="sales", home=_home(units, members),
                            capacity=base_capacity * (0.8 if part_time[t] else 1.0),
                            email=email_of(reps[t]), id=owner_ids[t]))
        territories.append(Territory(names[t], colour=SALES_COLOURS[t], owner_id=owner_ids[t],
                                     region=region_names[int(region_of[t])], id=territory_ids[t]))
    order = np.lexsort((np.arange(k), region_of))  # list territories region by region
    alignment = Alignment("Sales 2027", "units", "Demo sales plan: 12 territories balanced on market potential.",
                          id=seeded_ids(ids, 1)[0], territories={territories[t].id: territories[t] for t in order})
    keys = np.array([alignment.key(territories[t].id) for t in range(k)], dtype=np.intp)
    alignment.assignment = keys[labels]
    return alignment, owners


def _compact_labels(labels: IntArray, k: int) -> IntArray:
    """Guarantee every territory holds at least one unit (a centre can end up empty)."""
    counts = np.bincount(labels, minlength=k)
    for t in np.flatnonzero(counts == 0):
        biggest = int(np.argmax(np.bincount(labels, minlength=k)))
        members = np.flatnonzero(labels == biggest)
        labels[members[: max(1, len(members) // 2)]] = t
    return labels


def _region_names(tx: FloatArray, ty: FloatArray, region_of: IntArray, mx: float, my: float) -> list[str]:
    names: list[str] = []
    for r in range(3):
        word = compass(float(np.mean(tx[region_of == r]) - mx), float(np.mean(ty[region_of == r]) - my))
        names.append(word if word not in names else f"{word} {r + 1}")
    return names


def support_alignment(units: UnitLayer, land: Land, account_unit: IntArray, leads: list[str],
                      ids: Random) -> tuple[Alignment, list[Owner]]:
    """One support team per city plus a rural one (4-6 territories), balanced on accounts."""
    k = min(6, max(4, len(land.cities) + 1))
    centre = shapely.centroid(units.geometry)
    px, py = shapely.get_x(centre), shapely.get_y(centre)
    load = np.bincount(account_unit, minlength=len(units)).astype(np.float64) + 0.1
    starts = [(c.x, c.y) for c in land.cities][:k]
    while len(starts) < k:
        far = np.min([(px - a) ** 2 + (py - b) ** 2 for a, b in starts], axis=0)
        i = int(np.argmax(far))
        starts.append((float(px[i]), float(py[i])))
    labels = _compact_labels(balanced_clusters(px, py, load, np.array(starts), rounds=30), k)
    team_names = [f"Support {c.name}" for c in land.cities][:k]
    team_names += [f"Support Rural {i + 1}" for i in range(k - len(team_names))]
    owner_ids = seeded_ids(ids, k)
    territory_ids = seeded_ids(ids, k)
    accounts = np.bincount(labels[account_unit], minlength=k) if len(account_unit) else np.zeros(k)
    capacity = float(max(100.0, np.ceil(np.mean(accounts) * 1.1 / 100.0) * 100.0))
    owners, territories = [], []
    for t in range(k):
        members = np.flatnonzero(labels == t)
        owners.append(Owner(leads[t], role="support", home=_home(units, members),
                            capacity=capacity, email=email_of(leads[t]), id=owner_ids[t]))
        territories.append(Territory(team_names[t], colour=SUPPORT_COLOURS[t], owner_id=owner_ids[t],
                                     notes="Capacity counts accounts served.", id=territory_ids[t]))
    alignment = Alignment("Customer support", "units", "Demo support plan: one team per city plus rural teams.",
                          id=seeded_ids(ids, 1)[0], territories={t.id: t for t in territories})
    keys = np.array([alignment.key(t.id) for t in territories], dtype=np.intp)
    alignment.assignment = keys[labels]
    return alignment, owners
