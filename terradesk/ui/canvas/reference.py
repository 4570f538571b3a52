"""Reference layers drawn as a styled background, batched into a few paths.

The file is read once, into the project, by :func:`terradesk.io.reference_import.read_reference_file`;
this module only turns a layer's geometries (in display CRS) into paths.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pyqtgraph as pg
import shapely
from PySide6.QtGui import QPainterPath

from terradesk.ui.canvas.geometry import extract_rings


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

