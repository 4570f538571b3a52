"""Which territories of a unit-built plan fall apart into several pieces.

Neighbours come from the shared-edge graph of :mod:`terradesk.analysis.adjacency`
(rook contiguity: a territory joined only at a corner is in two pieces).
"""

from __future__ import annotations

import numpy as np
import shapely

from terradesk.analysis.adjacency import Adjacency, IntArray, unit_adjacency
from terradesk.model import Alignment, Id, Project

__all__ = ["Adjacency", "components", "non_contiguous_territories", "territory_parts", "unit_adjacency"]


# -- components -------------------------------------------------------------------------
def components(n: int, u: IntArray, v: IntArray) -> IntArray:
    """Connected-component label per node (the smallest node index in its component).

    Vectorised hook-and-compress (Shiloach-Vishkin style): no scipy needed.
    """
    parent = np.arange(n, dtype=np.intp)
    while True:
        pu, pv = parent[u], parent[v]
        differ = pu != pv
        if not differ.any():
            return parent
        lo, hi = np.minimum(pu[differ], pv[differ]), np.maximum(pu[differ], pv[differ])
        np.minimum.at(parent, hi, lo)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            parent = grand


def territory_parts(project: Project, alignment_id: Id) -> dict[Id, int]:
    """Number of separate pieces of every territory of a unit-built alignment (0 = empty)."""
    al = project.alignment(alignment_id)
    if al.kind != "units":
        return {tid: _freeform_parts(al, tid) for tid in al.territories}
    adj = unit_adjacency(project.units)
    keys = al.assignment
    inside = keys[adj.u] == keys[adj.v]
    labels = components(len(keys), adj.u[inside], adj.v[inside])
    assigned = keys >= 0
    pieces = np.unique(np.column_stack([keys[assigned], labels[assigned]]), axis=0)
    count = np.bincount(pieces[:, 0], minlength=len(al._id_of_key)) if len(pieces) else np.zeros(0, np.intp)
    return {tid: int(count[k]) if (k := al.key(tid)) < len(count) else 0 for tid in al.territories}


def _freeform_parts(al: Alignment, tid: Id) -> int:
    geom = al.territory(tid).geometry
    if geom is None or geom.is_empty:
        return 0
    return int(shapely.get_num_geometries(geom))


def non_contiguous_territories(project: Project, alignment_id: Id) -> dict[Id, int]:
    """Territories in more than one piece, with their piece counts."""
    return {tid: n for tid, n in territory_parts(project, alignment_id).items() if n > 1}
