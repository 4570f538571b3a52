"""GeoPackageBinary (clause 2.1.3): a small header + ISO WKB, encoded and decoded in bulk.

Header layout: magic ``GP``, version 0, a flags byte (bit 0 byte order, bits 1-3 envelope
indicator, bit 4 empty, bit 5 extended), int32 srs_id, then 0/4/6/8 doubles of envelope.
We write little-endian headers, a 2D envelope (minx, maxx, miny, maxy) for polygons and
none for points (allowed by Table 6), and NULL instead of empty geometries (GDAL 3.6's
validator misreads the empty flag). Everything is numpy/shapely vectorised; the only
Python loops are the unavoidable per-row ``bytes`` slices.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely

Blobs = list[bytes | None]
GeomArray = npt.NDArray[np.object_]
FloatArray = npt.NDArray[np.float64]

_SLICE = 5000  # geometries per to_wkb call (~4 ms each)
_LE = 0x01  # flags bit 0: little-endian header
_ENV_XY = 0x02  # flags bits 1-3 = 1: envelope [minx, maxx, miny, maxy]
_ENV_LEN = {0: 0, 1: 32, 2: 48, 3: 48, 4: 64}
#: header length for each possible flags byte (envelope codes 5-7 are invalid: -1)
_HEADER_LEN = [8 + _ENV_LEN.get((f >> 1) & 7, -9) for f in range(256)]

_POLY_HEADER = np.dtype([("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("env", "<f8", (4,))])
#: our header followed by the 9 bytes that make a Polygon's WKB a one-part MultiPolygon's
_PROMOTING_HEADER = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"), ("env", "<f8", (4,)), ("prefix", "S9")]
)
_POINT = np.dtype(
    [("magic", "S2"), ("version", "u1"), ("flags", "u1"), ("srs_id", "<i4"),
     ("order", "u1"), ("wkb_type", "<u4"), ("x", "<f8"), ("y", "<f8")]
)


def _split(buffer: bytes, size: int, count: int) -> list[bytes]:
    return [buffer[i : i + size] for i in range(0, size * count, size)]


def to_multipolygons(geoms: GeomArray) -> GeomArray:
    """Polygons promoted to one-part MultiPolygons (the declared column type); others kept."""
    out = np.asarray(geoms, dtype=object).copy()
    poly = shapely.get_type_id(out) == 3
    if poly.any():
        out[poly] = shapely.multipolygons(out[poly][:, None])
    return out


def encode_multipolygons(geoms: GeomArray, srs_id: int) -> Blobs:
    """Like ``encode_geometries(to_multipolygons(geoms))``, byte for byte, without new geometries.

    A one-part MultiPolygon's ISO WKB is 9 bytes (order, type 6, count 1) followed by
    its Polygon's WKB, so Polygons get that prefix in the header bytes instead of being
    rebuilt by GEOS on every save.
    """
    return encode_geometries(geoms, srs_id, promote_polygons=True)


def encode_geometries(geoms: GeomArray, srs_id: int, promote_polygons: bool = False) -> Blobs:
    """GeoPackageBinary blobs with an XY envelope; None (SQL NULL) for missing or empty."""
    arr = np.asarray(geoms, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr))
    out: Blobs = [None] * len(arr)
    idx = np.flatnonzero(present)
    if len(idx) == 0:
        return out
    sub = arr[idx]
    # in slices: to_wkb holds the GIL, and a GUI thread may be waiting for it (background autosave)
    wkb = np.concatenate([shapely.to_wkb(sub[i : i + _SLICE], output_dimension=2, byte_order=1, flavor="iso")
                          for i in range(0, len(sub), _SLICE)])
    bounds = shapely.bounds(sub)
    head = np.zeros(len(idx), dtype=_PROMOTING_HEADER if promote_polygons else _POLY_HEADER)
    head["magic"] = b"GP"
    head["flags"] = _LE | _ENV_XY
    head["srs_id"] = srs_id
    head["env"] = bounds[:, [0, 2, 1, 3]]
    if promote_polygons:
        head["prefix"] = _ONE_PART_MULTIPOLYGON
        polygon = (shapely.get_type_id(sub) == 3).tolist()
        headers = _split(head.tobytes(), _PROMOTING_HEADER.itemsize, len(idx))
        for i, h, w, p in zip(idx.tolist(), headers, wkb.tolist(), polygon, strict=True):
            out[i] = h + w if p else h[:_POLY_HEADER.itemsize] + w
        return out
    headers = _split(head.tobytes(), _POLY_HEADER.itemsize, len(idx))
    for i, h, w in zip(idx.tolist(), headers, wkb.tolist(), strict=True):
        out[i] = h + w
    return out


def encode_points(x: FloatArray, y: FloatArray, srs_id: int) -> Blobs:
    """Point blobs built as one packed numpy record array; NULL where x or y is NaN."""
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    present = ~(np.isnan(x) | np.isnan(y))
    rec = np.zeros(len(x), dtype=_POINT)
    rec["magic"] = b"GP"
    rec["flags"] = _LE
    rec["srs_id"] = srs_id
    rec["order"] = 1
    rec["wkb_type"] = 1
    rec["x"] = x
    rec["y"] = y
    blobs: Blobs = list(_split(rec.tobytes(), _POINT.itemsize, len(x)))
    if not present.all():
        for i in np.flatnonzero(~present).tolist():
            blobs[i] = None
    return blobs


def _wkb_part(blob: Any) -> bytes | None:
    if not isinstance(blob, bytes) or len(blob) < 8 or blob[:2] != b"GP":
        return None
    n = _HEADER_LEN[blob[3]]
    return blob[n:] if 8 <= n < len(blob) else None


def _non_finite_rows(geoms: GeomArray) -> npt.NDArray[np.bool_]:
    """Rows with a NaN or infinite coordinate (one vectorised pass; indexes only if needed)."""
    mask = np.zeros(len(geoms), dtype=bool)
    if np.isfinite(shapely.get_coordinates(geoms)).all():
        return mask
    coords, index = shapely.get_coordinates(geoms, return_index=True)
    mask[index[~np.isfinite(coords).all(axis=1)]] = True
    return mask


def _from_wkb_or_none(wkb: bytes | None) -> Any:
    """One blob, None when GEOS or shapely cannot represent it (curves, damaged WKB)."""
    if wkb is None:
        return None
    try:
        return shapely.from_wkb(wkb, on_invalid="ignore")
    except (NotImplementedError, shapely.errors.GEOSException):
        return None


_STANDARD = b"GP\x00\x03"  # our header: version 0, little-endian, XY envelope (40 bytes)
_ONE_PART_MULTIPOLYGON = b"\x01\x06\x00\x00\x00\x01\x00\x00\x00"


def decode_geometries(
    blobs: Sequence[Any] | npt.NDArray[Any], polygons: npt.NDArray[np.bool_] | None = None
) -> tuple[GeomArray, npt.NDArray[np.bool_]]:
    """Shapely geometries from blobs, plus a mask of blobs that are not readable geometry.

    NULL stays None (not unreadable); a blob that is not GeoPackageBinary/WKB gives None
    and is flagged so the caller can name the rows. Rows set in ``polygons`` whose blob
    holds a one-part MultiPolygon are decoded as that Polygon (the member's WKB starts
    at byte 9), so the model gets back exactly the type it saved.
    """
    wkb = [
        None if b is None else b[40:] if b[:4] == _STANDARD else _wkb_part(b)
        for b in blobs
    ]
    if polygons is not None:
        for i in np.flatnonzero(polygons).tolist():
            w = wkb[i]
            if w is not None and w[:9] == _ONE_PART_MULTIPOLYGON:
                wkb[i] = w[9:]
    arr = np.empty(len(wkb), dtype=object)
    arr[:] = wkb
    with np.errstate(invalid="ignore"):  # NaN coordinates are flagged below, not warned about
        try:
            geoms = shapely.from_wkb(arr, on_invalid="ignore")
        except (NotImplementedError, shapely.errors.GEOSException):  # e.g. curves: one row must not sink all
            geoms = np.empty(len(wkb), dtype=object)
            geoms[:] = [_from_wkb_or_none(w) for w in wkb]
    non_finite = _non_finite_rows(geoms)
    if non_finite.any():  # GEOS cannot compute with NaN/Inf: such a shape is unreadable
        geoms[non_finite] = None
    is_null = np.fromiter((b is None for b in blobs), dtype=bool, count=len(blobs))
    bad = shapely.is_missing(geoms) & ~is_null
    return np.asarray(geoms, dtype=object), bad


def decode_points(blobs: Sequence[Any] | npt.NDArray[Any]) -> tuple[FloatArray, FloatArray, npt.NDArray[np.bool_]]:
    """x, y (NaN for NULL/empty) and the unreadable mask; fixed-size blobs read in one go."""
    n = len(blobs)
    try:  # fast path: every row holds one of our 29-byte points
        joined = b"".join(blobs)
    except TypeError:  # NULLs or values that are not blobs
        joined = b""
    if n and len(joined) == _POINT.itemsize * n:
        rec = np.frombuffer(joined, dtype=_POINT)
        if ((rec["magic"] == b"GP") & (rec["flags"] & 0x0E == 0) & (rec["order"] == 1) & (rec["wkb_type"] == 1)).all():
            x, y = rec["x"].astype(np.float64), rec["y"].astype(np.float64)
            bad = ~(np.isfinite(x) & np.isfinite(y))  # NaN/Inf written by another program
            x[bad] = y[bad] = np.nan
            return x, y, bad
    present = np.fromiter((b is not None for b in blobs), dtype=bool, count=n)
    x = np.full(n, np.nan)
    y = np.full(n, np.nan)
    bad = np.zeros(n, dtype=bool)
    if not present.any():
        return x, y, bad
    items = [b for b in blobs if b is not None]
    joined = b"".join(items) if all(isinstance(b, bytes) for b in items) else b""
    if len(joined) == _POINT.itemsize * len(items):
        rec = np.frombuffer(joined, dtype=_POINT)
        ok = (rec["magic"] == b"GP") & (rec["flags"] & 0x0E == 0) & (rec["order"] == 1) & (rec["wkb_type"] == 1)
        if ok.all():
            x[present] = rec["x"]
            y[present] = rec["y"]
            bad = present & ~(np.isfinite(x) & np.isfinite(y))  # NaN/Inf written by another program
            x[bad] = y[bad] = np.nan
            return x, y, bad
    geoms, bad = decode_geometries(blobs)
    points = shapely.get_type_id(geoms) == 0
    bad |= present & ~points & ~bad
    x[points] = shapely.get_x(geoms[points])
    y[points] = shapely.get_y(geoms[points])
    return x, y, bad
