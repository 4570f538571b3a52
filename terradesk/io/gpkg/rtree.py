"""Bulk-load a gpkg_rtree_index (SQLite R*Tree) by writing its node pages directly.

Inserting 200,000 points through the R*Tree virtual table costs ~2.4 s of node splits;
packing the tree ourselves (Hilbert-sorted leaves, full nodes, bottom-up) and writing the
three shadow tables takes ~0.1 s. GDAL's GPKG driver bulk-loads the same way. The format
(``ext/rtree/rtree.c``): each ``<name>_node`` row is a node blob of fixed size (that of
the root row created by ``CREATE VIRTUAL TABLE``): a 2-byte big-endian tree depth (root
only), a 2-byte cell count, then cells of an 8-byte rowid/child node number and four
big-endian float32 coordinates (minx, maxx, miny, maxy), minimums rounded down and
maximums rounded up like SQLite does. ``<name>_rowid`` maps every entry to its leaf,
``<name>_parent`` every non-root node to its parent. ``rtreecheck()`` validates it in tests.
"""

from __future__ import annotations

import sqlite3

import numpy as np
import numpy.typing as npt

from terradesk.io.gpkg.schema import quote_ident

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

_CELL = np.dtype([("id", ">i8"), ("box", ">f4", (4,))])


def _down(v: FloatArray) -> npt.NDArray[np.float32]:
    f = v.astype(np.float32)
    over = f.astype(np.float64) > v
    f[over] = np.nextafter(f[over], np.float32(-np.inf))
    return f


def _up(v: FloatArray) -> npt.NDArray[np.float32]:
    f = v.astype(np.float32)
    under = f.astype(np.float64) < v
    f[under] = np.nextafter(f[under], np.float32(np.inf))
    return f


def hilbert_order(x: FloatArray, y: FloatArray, bits: int = 16) -> npt.NDArray[np.intp]:
    """Positions sorted along a Hilbert curve, so neighbouring entries share leaves."""
    if len(x) == 0:
        return np.empty(0, dtype=np.intp)
    n = 1 << bits
    xi = ((x - x.min()) / max(float(np.ptp(x)), 1e-300) * (n - 1)).astype(np.int64)
    yi = ((y - y.min()) / max(float(np.ptp(y)), 1e-300) * (n - 1)).astype(np.int64)
    d = np.zeros(len(x), dtype=np.int64)
    s = n >> 1
    while s > 0:
        rx = ((xi & s) > 0).astype(np.int64)
        ry = ((yi & s) > 0).astype(np.int64)
        d += s * s * ((3 * rx) ^ ry)
        flip = (ry == 0) & (rx == 1)
        xi = np.where(flip, n - 1 - xi, xi)
        yi = np.where(flip, n - 1 - yi, yi)
        swap = ry == 0
        xi, yi = np.where(swap, yi, xi), np.where(swap, xi, yi)
        s >>= 1
    return np.argsort(d, kind="stable")


def _nodes(ids: IntArray, boxes: npt.NDArray[np.float32], cap: int, size: int) -> tuple[list[bytes], np.ndarray]:
    """Pack consecutive entries into nodes of ``cap`` cells; returns blobs and node boxes."""
    count = -(-len(ids) // cap)
    cells = np.zeros(count * cap, dtype=_CELL)
    cells["id"][: len(ids)] = ids
    cells["box"][: len(ids)] = boxes
    grouped = cells.reshape(count, cap)
    raw = np.zeros((count, size), dtype=np.uint8)
    raw[:, 4 : 4 + cap * _CELL.itemsize] = grouped.view(np.uint8).reshape(count, -1)
    fill = np.full(count, cap, dtype=np.int64)
    fill[-1] = len(ids) - cap * (count - 1)
    raw[:, 2] = fill >> 8
    raw[:, 3] = fill & 0xFF
    b = grouped["box"]
    valid = np.arange(cap)[None, :] < fill[:, None]
    lo = np.where(valid[..., None], b, np.float32(np.inf))
    hi = np.where(valid[..., None], b, np.float32(-np.inf))
    node_box = np.stack([lo[:, :, 0].min(1), hi[:, :, 1].max(1), lo[:, :, 2].min(1), hi[:, :, 3].max(1)], axis=1)
    return [r.tobytes() for r in raw], node_box.astype(np.float32)


def bulk_load(conn: sqlite3.Connection, name: str, ids: IntArray, bounds: FloatArray) -> None:
    """Fill an empty rtree virtual table ``name`` with (id, minx, miny, maxx, maxy) rows."""
    size = int(conn.execute(f"SELECT length(data) FROM {quote_ident(name + '_node')} WHERE nodeno = 1").fetchone()[0])
    cap = (size - 4) // _CELL.itemsize
    if len(ids) == 0:
        return
    order = hilbert_order((bounds[:, 0] + bounds[:, 2]) / 2, (bounds[:, 1] + bounds[:, 3]) / 2)
    level_ids = np.asarray(ids, dtype=np.int64)[order]
    b = bounds[order]
    level_boxes = np.column_stack([_down(b[:, 0]), _up(b[:, 2]), _down(b[:, 1]), _up(b[:, 3])])
    node_rows: list[tuple[int, bytes]] = []
    parent_rows: list[tuple[int, int]] = []
    rowid_rows: list[tuple[int, int]] = []
    next_no = 2
    depth = 0
    leaf = True
    while True:
        blobs, boxes = _nodes(level_ids, level_boxes, cap, size)
        if len(blobs) == 1:  # this level is the root: node 1, with the tree depth
            root = bytearray(blobs[0])
            root[0:2] = depth.to_bytes(2, "big")
            nos = np.array([1], dtype=np.int64)
            node_rows.append((1, bytes(root)))
        else:
            nos = np.arange(next_no, next_no + len(blobs), dtype=np.int64)
            next_no += len(blobs)
            node_rows.extend(zip(nos.tolist(), blobs, strict=True))
        members = np.repeat(nos, cap)[: len(level_ids)]
        (rowid_rows if leaf else parent_rows).extend(zip(level_ids.tolist(), members.tolist(), strict=True))
        if len(blobs) == 1:
            break
        level_ids, level_boxes, leaf, depth = nos, boxes, False, depth + 1
    conn.executemany(f"INSERT OR REPLACE INTO {quote_ident(name + '_node')} (nodeno, data) VALUES (?, ?)", node_rows)
    conn.executemany(f"INSERT INTO {quote_ident(name + '_rowid')} (rowid, nodeno) VALUES (?, ?)", rowid_rows)
    conn.executemany(f"INSERT INTO {quote_ident(name + '_parent')} (nodeno, parentnode) VALUES (?, ?)", parent_rows)
