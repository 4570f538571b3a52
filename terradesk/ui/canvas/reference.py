"""Reference layers: any vector file GDAL reads, drawn as a styled background.

Read with pyogrio's raw reader (WKB in one call; fiona + ``shape()`` per feature is 16x
slower on big layers), reprojected to the display CRS, batched into a few paths.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
import shapely
from PySide6.QtGui import QPainterPath

from terradesk.geo.crs import transform_geometries
from terradesk.io.errors import ImportSourceError
from terradesk.ui.canvas.geometry import extract_rings

SUFFIXES = (".gpkg", ".shp", ".geojson", ".json", ".kml", ".kmz", ".gml", ".fgb", ".zip")


@dataclass
class ReferenceData:
    """A background layer ready to paint: polygon, line and point parts in display CRS."""

    path: str
    layer: str | None
    geoms: npt.NDArray[np.object_]
    polygons: QPainterPath
    lines: QPainterPath
    points: npt.NDArray[np.float64]  # (n, 2)
    bounds: tuple[float, float, float, float] | None


def read_reference(path: str, layer: str | None, display_crs: str) -> ReferenceData:
    """Load a vector file; raises :class:`ImportSourceError` with a one-line reason."""
    import pyogrio
    import pyogrio.errors

    if not os.path.exists(path):
        raise ImportSourceError(f"{path}: no such file")
    try:
        meta, _fids, wkb, _fields = pyogrio.raw.read(path, layer=layer, read_geometry=True, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ImportSourceError(f"{os.path.basename(path)}: not a readable vector file ({_first_line(exc)})") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise ImportSourceError(f"{os.path.basename(path)}: {_first_line(exc)}") from exc
    if wkb is None:
        raise ImportSourceError(f"{os.path.basename(path)}: the layer has no geometry")
    try:
        geoms = shapely.from_wkb(wkb, on_invalid="ignore")
    except shapely.errors.GEOSException as exc:  # pragma: no cover - GDAL gives valid WKB
        raise ImportSourceError(f"{os.path.basename(path)}: unreadable geometries") from exc
    geoms = np.asarray(geoms, dtype=object)
    geoms = geoms[~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)] if len(geoms) else geoms
    src = meta.get("crs") or "EPSG:4326"
    try:
        geoms = transform_geometries(geoms, src, display_crs)
    except Exception as exc:  # pyproj raises several unrelated types for bad CRSs
        raise ImportSourceError(f"{os.path.basename(path)}: cannot reproject from {src} ({_first_line(exc)})") from exc
    return prepare_reference(path, layer, geoms)


def prepare_reference(path: str, layer: str | None, geoms: npt.NDArray[np.object_]) -> ReferenceData:
    parts = shapely.get_parts(geoms) if len(geoms) else geoms
    types = shapely.get_type_id(parts) if len(parts) else np.empty(0, int)
    polys = parts[types == 3]
    lines = parts[(types == 1) | (types == 2)]
    pts = parts[types == 0]
    poly_path = extract_rings(polys).path()
    line_path = QPainterPath()
    if len(lines):
        coords, idx = shapely.get_coordinates(lines, return_index=True)
        connect = np.ones(len(coords), bool)
        connect[:-1] = idx[1:] == idx[:-1]
        connect[-1] = False
        line_path = pg.arrayToQPath(coords[:, 0], coords[:, 1], connect=connect)
    points = shapely.get_coordinates(pts) if len(pts) else np.empty((0, 2))
    bounds = None
    if len(geoms):
        b = shapely.total_bounds(geoms)
        bounds = (float(b[0]), float(b[1]), float(b[2]), float(b[3]))
    return ReferenceData(path, layer, geoms, poly_path, line_path, points, bounds)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
