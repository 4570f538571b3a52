"""Grow contiguous regions from seed units: the start plan for new alignments.

Regions grow one unit at a time, the region furthest below its target load first, each
taking the free neighbour closest to its seed (round, compact shapes). The optimiser
then fixes what growth leaves unbalanced.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from terradesk.analysis.rebalance.graph import Adjacency

IntArray = npt.NDArray[np.intp]
FloatArray = npt.NDArray[np.float64]


def spread_seeds(centroid: FloatArray, weight: FloatArray, k: int, eligible: IntArray, seed: int,
                 fixed: Sequence[int] = (), iterations: int = 12) -> list[int]:
    """``k`` seed units: weighted k-means over centroids (k-means++ start), nearest units.

    ``fixed`` seeds (e.g. owners' homes) are kept as they are; the rest are placed.
    """
    rng = np.random.default_rng(seed)
    pts = centroid[eligible]
    w = np.maximum(weight[eligible], 0) + 1e-12
    centres = [pts[np.searchsorted(eligible, f)] for f in fixed]
    n_free = k - len(centres)
    if n_free > 0:
        if not centres:
            centres.append(pts[rng.choice(len(pts), p=w / w.sum())])
            n_free -= 1
        for _ in range(n_free):
            d2 = np.min(((pts[:, None, :] - np.asarray(centres)[None, :, :]) ** 2).sum(axis=2), axis=1)
            prob = d2 * w
            total = prob.sum()
            pick = rng.choice(len(pts), p=prob / total) if total > 0 else rng.integers(len(pts))
            centres.append(pts[pick])
    c = np.asarray(centres, dtype=np.float64)
    n_fixed = len(fixed)
    for _ in range(iterations):
        label = _nearest(pts, c)
        for j in range(n_fixed, k):
            m = label == j
            if m.any():
                c[j] = np.average(pts[m], axis=0, weights=w[m])
    chosen: list[int] = list(fixed)
    taken = set(chosen)
    for j in range(n_fixed, k):
        order = np.argsort(((pts - c[j]) ** 2).sum(axis=1))
        for i in order.tolist():
            if int(eligible[i]) not in taken:
                chosen.append(int(eligible[i]))
                taken.add(int(eligible[i]))
                break
    return chosen


def _nearest(pts: FloatArray, centres: FloatArray) -> IntArray:
    out = np.empty(len(pts), dtype=np.intp)
    step = max(1, 2_000_000 // max(len(centres), 1))
    for s in range(0, len(pts), step):
        d = ((pts[s : s + step, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
        out[s : s + step] = np.argmin(d, axis=1)
    return out


def grow_regions(adj: Adjacency, values: FloatArray, seeds: Sequence[int], targets: FloatArray,
                 eligible: npt.NDArray[np.bool_], centroid: FloatArray, rounds: int = 12) -> IntArray:
    """Keys 0..k-1 for eligible units (-1 elsewhere), grown contiguously from ``seeds``.

    A multi-source Dijkstra over the unit graph where each region starts at its own
    offset (an additively weighted Voronoi on the graph): every unit's predecessor lies
    in the same region, so regions are contiguous. The offsets are recalibrated for ``rounds`` rounds so loads approach ``targets``. Units no region
    can reach (islands) go to the region with the nearest seed.
    """
    k = len(seeds)
    offset = np.zeros(k)
    pts = centroid[eligible]
    span = float(np.ptp(pts[:, 0]) * np.ptp(pts[:, 1])) if len(pts) else 0.0
    radius = (span / max(k, 1) / np.pi) ** 0.5
    tg = np.maximum(np.asarray(targets, dtype=np.float64), 1e-12)
    best: IntArray | None = None
    best_err = np.inf
    for step in range(max(rounds, 1)):
        keys = _dijkstra(adj, seeds, offset, eligible, centroid)
        left = np.flatnonzero((keys < 0) & eligible)
        if len(left):
            keys[left] = _nearest(centroid[left], centroid[np.asarray(seeds, dtype=np.intp)])
        load = np.bincount(keys[keys >= 0], weights=values[keys >= 0], minlength=k)
        err = float(np.abs(load / tg - 1).max())
        if err < best_err:
            best, best_err = keys, err
        offset += 0.5 / (1 + step / 3) * radius * np.clip(load / tg - 1, -1.0, 1.0)
    assert best is not None
    return best


def _dijkstra(adj: Adjacency, seeds: Sequence[int], offset: FloatArray, eligible: npt.NDArray[np.bool_],
              centroid: FloatArray) -> IntArray:
    n = adj.n
    key = [-1] * n
    dist = [np.inf] * n
    elig = eligible.tolist()
    nbrs = adj.neighbour_lists()
    cx, cy = centroid[:, 0].tolist(), centroid[:, 1].tolist()
    heap: list[tuple[float, int, int]] = []
    for r, s in enumerate(seeds):
        heap.append((float(offset[r]), int(s), r))
        dist[int(s)] = -np.inf  # a seed always belongs to its own region
    heapq.heapify(heap)
    while heap:
        d, u, r = heapq.heappop(heap)
        if key[u] >= 0:
            continue
        key[u] = r
        x, y = cx[u], cy[u]
        for v in nbrs[u]:
            if key[v] < 0 and elig[v]:
                nd = d + ((cx[v] - x) ** 2 + (cy[v] - y) ** 2) ** 0.5
                if nd < dist[v]:
                    dist[v] = nd
                    heapq.heappush(heap, (nd, v, r))
    return np.asarray(key, dtype=np.intp)
