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
from typing import Any

import numpy as np
import numpy.typing as npt

from terradesk.io.gpkg.bulk import insert_columns
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


def _interleave(v: npt.NDArray[Any]) -> npt.NDArray[Any]:
    v = (v | (v << 8)) & 0x00FF00FF
    v = (v | (v << 4)) & 0x0F0F0F0F
    v = (v | (v << 2)) & 0x33333333
    return (v | (v << 1)) & 0x55555555


def hilbert_index(x: npt.NDArray[Any], y: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """Position on a 16-bit Hilbert curve, branch-free (F. Giesen's prefix-scan form, as in flatbush).

    About 40 whole-array operations instead of a loop over the 16 bits.
    """
    a = x ^ y
    b = 0xFFFF ^ a
    c = 0xFFFF ^ (x | y)
    d = x & (y ^ 0xFFFF)
    big_a = a | (b >> 1)
    big_b = (a >> 1) ^ a
    big_c = ((c >> 1) ^ (b & (d >> 1))) ^ c
    big_d = ((a & (c >> 1)) ^ (d >> 1)) ^ d
    for shift in (2, 4):
        a, b, c, d = big_a, big_b, big_c, big_d
        big_a = (a & (a >> shift)) ^ (b & (b >> shift))
        big_b = (a & (b >> shift)) ^ (b & ((a ^ b) >> shift))
        big_c = big_c ^ ((a & (c >> shift)) ^ (b & (d >> shift)))
        big_d = big_d ^ ((b & (c >> shift)) ^ ((a ^ b) & (d >> shift)))
    a, b, c, d = big_a, big_b, big_c, big_d
    big_c = big_c ^ ((a & (c >> 8)) ^ (b & (d >> 8)))
    big_d = big_d ^ ((b & (c >> 8)) ^ ((a ^ b) & (d >> 8)))
    a = big_c ^ (big_c >> 1)
    b = big_d ^ (big_d >> 1)
    i0 = x ^ y
    i1 = b | (0xFFFF ^ (i0 | a))
    return (_interleave(i1) << 1) | _interleave(i0)


def hilbert_order(x: FloatArray, y: FloatArray) -> npt.NDArray[np.intp]:
    """Positions sorted along a Hilbert curve, so neighbouring entries share leaves."""
    if len(x) == 0:
        return np.empty(0, dtype=np.intp)
    n = 0xFFFF
    xi = ((x - x.min()) / max(float(np.ptp(x)), 1e-300) * n).astype(np.uint32)
    yi = ((y - y.min()) / max(float(np.ptp(y)), 1e-300) * n).astype(np.uint32)
    return np.argsort(hilbert_index(xi, yi), kind="stable")


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
    parents: list[tuple[IntArray, IntArray]] = []
    leaves: tuple[IntArray, IntArray] | None = None
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
        if leaf:
            leaves = (level_ids, members)
        else:
            parents.append((level_ids, members))
        if len(blobs) == 1:
            break
        level_ids, level_boxes, leaf, depth = nos, boxes, False, depth + 1
    conn.execute(f"DELETE FROM {quote_ident(name + '_node')} WHERE nodeno = 1")  # the empty root, replaced
    node_rows.sort()
    insert_columns(conn, name + "_node", ["nodeno", "data"],
                   [np.array([r[0] for r in node_rows], dtype=np.int64), [r[1] for r in node_rows]])
    for table, key, value, pairs in ((name + "_rowid", "rowid", "nodeno", [leaves] if leaves else []),
                                     (name + "_parent", "nodeno", "parentnode", parents)):
        if not pairs:
            continue
        keys = np.concatenate([p[0] for p in pairs])
        values = np.concatenate([p[1] for p in pairs])
        order = np.argsort(keys, kind="stable")  # ascending keys: SQLite appends instead of splitting pages
        insert_columns(conn, table, [key, value], [keys[order], values[order]])
