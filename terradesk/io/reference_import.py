"""Read any vector file GDAL knows into reference layers (project CRS, one kind per layer).

pyogrio's raw reader gives WKB and field columns in one call (fiona + ``shape()`` per
feature is many times slower on big layers). A file mixing polygons, lines and points
becomes one layer per kind; MultiPoints are split into one row per point (a counted
point layer counts points). Only the data is kept: the project never refers back to
the file, so it stays self-contained when e-mailed.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np
import shapely

from terradesk.geo.crs import transform_geometries
from terradesk.io.errors import ImportSourceError
from terradesk.model import Project, ReferenceLayer, ReferenceStyle
from terradesk.model.layers import REFERENCE_PALETTE, fields_from, kind_of

_KIND_TITLE = {"polygon": "areas", "line": "lines", "point": "points"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def layer_title(path: str, layer: str | None = None) -> str:
    return os.path.splitext(os.path.basename(path))[0] + (f" ({layer})" if layer else "")


def read_reference_file(path: str, project: Project, layer: str | None = None, title: str | None = None,
                        colour: str | None = None) -> list[ReferenceLayer]:
    """The file's features as reference layers in the project CRS.

    Raises :class:`ImportSourceError` with a one-line reason (missing file, not a vector
    file, no geometry, CRS that cannot be reprojected).
    """
    import pyogrio
    import pyogrio.errors

    name = os.path.basename(path)
    if not os.path.exists(path):
        raise ImportSourceError(f"{path}: no such file")
    try:
        meta, _fids, wkb, values = pyogrio.raw.read(path, layer=layer, read_geometry=True, force_2d=True)
    except (pyogrio.errors.DataSourceError, pyogrio.errors.DataLayerError) as exc:
        raise ImportSourceError(f"{name}: not a readable vector file ({_first_line(exc)})") from exc
    except (OSError, ValueError, RuntimeError) as exc:
        raise ImportSourceError(f"{name}: {_first_line(exc)}") from exc
    if wkb is None:
        raise ImportSourceError(f"{name}: the layer has no geometry")
    geoms = np.asarray(shapely.from_wkb(wkb, on_invalid="ignore"), dtype=object)
    columns: dict[str, Any] = {str(f): v for f, v in zip(meta.get("fields", []), values, strict=True)}
    src = meta.get("crs") or "EPSG:4326"
    try:
        geoms = transform_geometries(geoms, src, project.meta.crs) if len(geoms) else geoms
    except Exception as exc:  # pyproj raises several unrelated types for bad CRSs
        raise ImportSourceError(f"{name}: cannot reproject from {src} ({_first_line(exc)})") from exc
    return layers_from_geometries(geoms, columns, title or layer_title(path, layer), colour)


def layers_from_geometries(geoms: Any, columns: dict[str, Any], title: str,
                           colour: str | None = None) -> list[ReferenceLayer]:
    """Split geometries (project CRS) and their columns into one layer per kind."""
    geoms = np.asarray(geoms, dtype=object)
    keep = ~(shapely.is_missing(geoms) | shapely.is_empty(geoms)) if len(geoms) else np.zeros(0, bool)
    geoms = geoms[keep]
    columns = {k: np.asarray(v)[keep] for k, v in columns.items()}
    by_kind = kind_of(geoms)
    if not by_kind:
        raise ImportSourceError(f"{title}: the layer has no shapes to show")
    out = []
    for i, (kind, rows) in enumerate(by_kind.items()):
        sub, index = geoms[rows], np.arange(len(rows))
        if kind == "point":
            sub, index = shapely.get_parts(sub, return_index=True)
        fields = fields_from({k: v[rows][index] for k, v in columns.items()})
        name = title if len(by_kind) == 1 else f"{title} ({_KIND_TITLE[kind]})"
        style = ReferenceStyle(colour or REFERENCE_PALETTE[i % len(REFERENCE_PALETTE)])
        out.append(ReferenceLayer(name, kind, np.asarray(sub, dtype=object), fields, style=style))
    return out
