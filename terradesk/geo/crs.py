"""CRS helpers: parse what a planner or a file gives, pick display and equal-area CRSs."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry.base import BaseGeometry


class UnknownCRSError(ValueError):
    """A CRS definition pyproj cannot understand."""


def parse_crs(text: str) -> CRS:
    try:
        return CRS.from_user_input(text)
    except (CRSError, TypeError) as exc:
        raise UnknownCRSError(f"unknown coordinate reference system {text!r}") from exc


def crs_to_storage(crs: CRS) -> str:
    """``AUTH:CODE`` when the CRS has one, else its WKT2 (for custom projections)."""
    auth = crs.to_authority(min_confidence=90)
    return f"{auth[0]}:{auth[1]}" if auth else crs.to_wkt()


def equal_area_crs(lon: float, lat: float) -> CRS:
    """A Lambert azimuthal equal-area CRS centred on the data: areas in m^2, never degrees."""
    return CRS.from_proj4(f"+proj=laea +lat_0={lat:.4f} +lon_0={lon:.4f} +datum=WGS84 +units=m +no_defs")


@lru_cache(maxsize=32)
def transformer(src: str, dst: str) -> Transformer:
    return Transformer.from_crs(CRS.from_user_input(src), CRS.from_user_input(dst), always_xy=True)


def transform_geometries(geoms: npt.NDArray[np.object_], src: str, dst: str) -> npt.NDArray[np.object_]:
    """Reproject an array of geometries in one vectorised pass."""
    if CRS.from_user_input(src) == CRS.from_user_input(dst):
        return geoms
    t = transformer(src, dst)

    def fn(coords: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        x, y = t.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return np.asarray(shapely.transform(geoms, fn), dtype=object)


def transform_points(x: npt.ArrayLike, y: npt.ArrayLike, src: str, dst: str) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    xs, ys = transformer(src, dst).transform(np.asarray(x, float), np.asarray(y, float))
    return np.asarray(xs, float), np.asarray(ys, float)


def lonlat_centre(bounds: tuple[float, float, float, float], crs: str) -> tuple[float, float]:
    cx, cy = (bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2
    lon, lat = transformer(crs, "EPSG:4326").transform(cx, cy)
    return float(lon), float(lat)


def display_crs(project_crs: str, bounds: tuple[float, float, float, float]) -> str:
    """The CRS the map draws in: the project's if projected, else equal-area at the centre."""
    crs = CRS.from_user_input(project_crs)
    if crs.is_projected:
        return project_crs
    lon, lat = lonlat_centre(bounds, project_crs)
    return equal_area_crs(lon, lat).to_wkt()


def areas_m2(geoms: npt.NDArray[np.object_] | BaseGeometry, crs: str) -> npt.NDArray[np.float64]:
    """Areas in square metres: planar in an equal-area CRS, else via a local LAEA."""
    arr = np.atleast_1d(np.asarray(geoms, dtype=object))
    c = CRS.from_user_input(crs)
    if c.is_projected and _is_equal_area(c):
        return np.asarray(shapely.area(arr), dtype=float)
    valid = arr[~shapely.is_missing(arr)]
    if len(valid) == 0:
        return np.zeros(len(arr))
    b = shapely.total_bounds(valid)
    lon, lat = lonlat_centre((b[0], b[1], b[2], b[3]), crs)
    ea = equal_area_crs(lon, lat).to_wkt()
    return np.asarray(shapely.area(transform_geometries(arr, crs, ea)), dtype=float)


def _is_equal_area(crs: CRS) -> bool:
    method = (crs.coordinate_operation.method_name if crs.coordinate_operation else "").lower()
    return "equal area" in method or "equal-area" in method
