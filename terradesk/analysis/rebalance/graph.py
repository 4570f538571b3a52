"""What the rebalancer reads off the unit graph: bordering territories, compactness, pieces.

The graph itself (rook adjacency with shared boundary lengths, unit areas and
perimeters) comes from :mod:`terradesk.analysis.adjacency`, shared with contiguity
checks and shape metrics.
"""

from __future__ import annotations

import numpy as np

from terradesk.analysis.adjacency import Adjacency, FloatArray, IntArray, unit_adjacency
from terradesk.analysis.contiguity import components as component_labels

__all__ = ["Adjacency", "components", "polsby_popper", "territory_pairs", "unit_adjacency"]


def territory_pairs(adj: Adjacency, keys: IntArray) -> IntArray:
    """Pairs of territory keys that share a boundary (each pair once, lower key first)."""
    ka, kb = keys[adj.u], keys[adj.v]
    m = (ka != kb) & (ka >= 0) & (kb >= 0)
    lo, hi = np.minimum(ka[m], kb[m]), np.maximum(ka[m], kb[m])
    if len(lo) == 0:
        return np.empty((0, 2), dtype=np.intp)
    return np.unique(np.stack([lo, hi], axis=1), axis=0).astype(np.intp)


def polsby_popper(adj: Adjacency, keys: IntArray, n_keys: int) -> FloatArray:
    """Polsby-Popper (4 pi A / P^2) per territory key, from unit areas and perimeters.

    Territory perimeter = sum of unit perimeters minus twice the internal shared
    boundary: exact for a coverage and needs no dissolve. NaN for empty territories.
    """
    ok = keys >= 0
    area = np.bincount(keys[ok], weights=adj.area[ok], minlength=n_keys)
    per = np.bincount(keys[ok], weights=adj.perimeter[ok], minlength=n_keys)
    ka, kb = keys[adj.u], keys[adj.v]
    inside = (ka == kb) & (ka >= 0)
    per -= 2 * np.bincount(ka[inside], weights=adj.edge_length[inside], minlength=n_keys)
    with np.errstate(divide="ignore", invalid="ignore"):
        pp = 4 * np.pi * area / per**2
    pp[area == 0] = np.nan
    return pp


def components(adj: Adjacency, keys: IntArray, key: int) -> int:
    """Number of connected pieces of one territory (0 when empty): used by tests and checks."""
    members = np.flatnonzero(keys == key)
    if len(members) == 0:
        return 0
    inside = (keys[adj.u] == key) & (keys[adj.v] == key)
    labels = component_labels(adj.n, adj.u[inside], adj.v[inside])
    return len(np.unique(labels[members]))
