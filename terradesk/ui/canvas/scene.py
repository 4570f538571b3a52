"""The map's content, independent of any widget: project data ready to paint, layer list,
selection, and the reaction to model changes. :mod:`.paint` draws it onto any QPainter,
so the screen, ``render_image``, SVG export and the headless CLI share one picture."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from pyproj import CRS

from terradesk.geo.crs import display_crs as choose_display_crs
from terradesk.geo.crs import transform_geometries, transform_points, transformer
from terradesk.model import Change, ChangeKind, Project
from terradesk.ui.canvas.layers import Bounds, TerritoryGeometry, UnitGeometry
from terradesk.ui.canvas.reference import ReferenceData, read_reference
from terradesk.ui.canvas.state import LayerState, LayerStyle, Selection


def default_layers() -> list[LayerState]:
    """Top first, like the layer panel shows them."""
    return [
        LayerState("accounts", "Accounts", "accounts", style=LayerStyle(mode="single", colour="#1f3a93")),
        LayerState("territories", "Territories", "territories", style=LayerStyle(mode="single", colour="#2b2b2b")),
        LayerState("units", "Units", "units", style=LayerStyle(mode="territory")),
    ]


class MapScene:
    """Holds draw caches for one project; ``generation`` bumps on every visible change."""

    def __init__(self) -> None:
        self.project: Project | None = None
        self.layers: list[LayerState] = default_layers()
        self.refs: dict[str, ReferenceData] = {}
        self._ref_counter = 0
        self.selection = Selection()
        self.units: UnitGeometry | None = None
        self.territories: TerritoryGeometry | None = None
        self.crs: str = "EPSG:3857"
        self.account_size_field: str | None = None
        self.account_colour_field: str | None = None
        self.generation = 0
        #: (generation, map bounds) changed by assignment edits since the last full render
        self.damage: tuple[int, Bounds | None] | None = None
        #: label anchors placed by the last full render (partial repaints reuse them)
        self.placed_labels: dict[str, tuple[float, float]] = {}
        self._accounts_xy: npt.NDArray[np.float64] | None = None
        self._north_cache: dict[tuple[int, int], float] = {}
        self._metres_per_unit: tuple[str, float] | None = None

    # -- project ----------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        self.project = project
        self.selection = Selection()
        self.units = None
        self.territories = None
        self._accounts_xy = None
        self._north_cache.clear()
        if project is not None:
            self._build_units()
        self.generation += 1

    def _build_units(self) -> None:
        assert self.project is not None
        geoms = np.asarray(self.project.units.geometry, dtype=object)
        src = self.project.meta.crs
        crs = CRS.from_user_input(src)
        if crs.is_projected:
            self.crs = src
        else:
            bounds = self._lonlat_bounds(geoms)
            self.crs = choose_display_crs(src, bounds)
            geoms = transform_geometries(geoms, src, self.crs) if len(geoms) else geoms
        self.units = UnitGeometry(geoms)
        self._build_territories()

    def _lonlat_bounds(self, geoms: npt.NDArray[np.object_]) -> Bounds:
        import shapely

        assert self.project is not None
        if len(geoms):
            b = shapely.total_bounds(geoms)
        elif len(self.project.accounts):
            xs, ys = self.project.accounts.x, self.project.accounts.y
            b = np.array([np.nanmin(xs), np.nanmin(ys), np.nanmax(xs), np.nanmax(ys)])
        else:
            b = np.array([-1.0, -1.0, 1.0, 1.0])
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def _build_territories(self) -> None:
        self.territories = None
        if self.project is None or self.units is None:
            return
        al = self.project.active_alignment
        if al is not None:
            self.territories = TerritoryGeometry(self.project, al, self.units, self.project.meta.crs, self.crs)

    def on_change(self, change: Change) -> bool:
        """Drop the caches a change touched; True when the picture may differ."""
        if self.project is None:
            return False
        kind = change.kind
        al = self.project.active_alignment
        if kind in (ChangeKind.UNITS, ChangeKind.RESET):
            self.set_project(self.project)
            return True
        if kind in (ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.ALIGNMENTS):
            if self.territories is None or al is None or self.territories.alignment is not al:
                self._build_territories()
                self.selection = Selection()
            self.generation += 1
            return True
        if kind in (ChangeKind.ACCOUNTS, ChangeKind.PINS):
            self._accounts_xy = None
            self.generation += 1
            return True
        if kind in (ChangeKind.TERRITORIES, ChangeKind.GEOMETRY, ChangeKind.ASSIGNMENT):
            if al is None or change.alignment not in (None, al.id):
                return False
            damage = self.damage
            if self.territories is not None:
                if kind == ChangeKind.ASSIGNMENT and len(change.units):
                    self.territories.update_assignment(change.ids, change.units)
                else:
                    self.territories.invalidate(change.ids, assignment=kind == ChangeKind.ASSIGNMENT)
            if kind == ChangeKind.TERRITORIES and self.selection.kind == "territories":
                alive = tuple(t for t in self.selection.ids if t in al.territories)
                if alive != self.selection.ids:
                    self.selection = Selection("territories", alive)
            self.generation += 1
            if kind == ChangeKind.ASSIGNMENT and len(change.units) and damage is not None:
                self.damage = self._grow_damage(damage, change.units)
            return True
        return False

    # -- partial repaints -----------------------------------------------------------
    def mark_rendered(self) -> None:
        """A full image was just drawn: later assignment edits may patch it."""
        self.damage = (self.generation, None)

    def _grow_damage(self, damage: tuple[int, Bounds | None], units: np.ndarray) -> tuple[int, Bounds | None] | None:
        """Extend the area an assignment edit repainted, while nothing else changed.

        Only an unbroken run of assignment edits since the last full render qualifies:
        any other change clears ``damage`` (the generation no longer matches).
        """
        import shapely

        gen, box = damage
        if gen != self.generation - 1 or self.units is None:
            return None
        b = shapely.total_bounds(self.units.geoms[units])
        if not np.isfinite(b).all():
            return None
        if box is not None:
            b = np.array([min(b[0], box[0]), min(b[1], box[1]), max(b[2], box[2]), max(b[3], box[3])])
        return (self.generation, (float(b[0]), float(b[1]), float(b[2]), float(b[3])))

    # -- geometry helpers -------------------------------------------------------
    def extent(self) -> Bounds | None:
        """Bounds of everything drawable (units, accounts, reference layers)."""
        boxes: list[Bounds] = []
        if self.units is not None and self.units.count:
            boxes.append(self.units.extent)
        xy = self.accounts_xy()
        if len(xy):
            ok = np.isfinite(xy).all(axis=1)
            if ok.any():
                p = xy[ok]
                boxes.append((float(p[:, 0].min()), float(p[:, 1].min()), float(p[:, 0].max()), float(p[:, 1].max())))
        for ref in self.refs.values():
            if ref.bounds is not None:
                boxes.append(ref.bounds)
        if not boxes:
            return None
        a = np.array(boxes)
        return (float(a[:, 0].min()), float(a[:, 1].min()), float(a[:, 2].max()), float(a[:, 3].max()))

    def accounts_xy(self) -> npt.NDArray[np.float64]:
        if self.project is None:
            return np.empty((0, 2))
        if self._accounts_xy is None or len(self._accounts_xy) != len(self.project.accounts):
            acc = self.project.accounts
            x, y = np.asarray(acc.x, float), np.asarray(acc.y, float)
            if len(x) and self.crs != self.project.meta.crs:
                x, y = transform_points(x, y, self.project.meta.crs, self.crs)
            self._accounts_xy = np.column_stack([x, y]) if len(x) else np.empty((0, 2))
        return self._accounts_xy

    def metres_per_unit(self) -> float:
        # asked on every frame (scale bar, brush radius); parsing a CRS costs ~0.1 ms
        cached = self._metres_per_unit
        if cached is not None and cached[0] == self.crs:
            return cached[1]
        try:
            value = float(CRS.from_user_input(self.crs).axis_info[0].unit_conversion_factor)
        except (IndexError, AttributeError):
            value = 1.0
        self._metres_per_unit = (self.crs, value)
        return value

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        lon, lat = transformer(self.crs, "EPSG:4326").transform(x, y)
        return float(lon), float(lat)

    def north_angle(self, x: float, y: float) -> float:
        """Clockwise screen angle of true north at (x, y), in degrees."""
        key = (round(x), round(y))
        cached = self._north_cache.get(key)
        if cached is not None:
            return cached
        try:
            lon, lat = self.to_lonlat(x, y)
            lat2 = min(lat + 0.01, 89.99)
            x2, y2 = transformer("EPSG:4326", self.crs).transform(lon, lat2)
            angle = math.degrees(math.atan2(x2 - x, y2 - y))
            angle = 0.0 if not math.isfinite(angle) else angle
        except Exception:  # a view outside the CRS's area of use: draw it straight up
            angle = 0.0
        if len(self._north_cache) > 256:
            self._north_cache.clear()
        self._north_cache[key] = angle
        return angle

    # -- layers -----------------------------------------------------------------
    def layer(self, layer_id: str) -> LayerState:
        for layer in self.layers:
            if layer.id == layer_id:
                return layer
        raise KeyError(f"no layer {layer_id!r}")

    def add_reference(self, path: str, layer: str | None = None) -> str:
        data = read_reference(path, layer, self.crs)
        self._ref_counter += 1
        lid = f"ref:{self._ref_counter}"
        self.refs[lid] = data
        import os

        title = os.path.splitext(os.path.basename(path))[0] + (f" ({layer})" if layer else "")
        palette = ("#7f8c8d", "#6c7a89", "#8e7f6f", "#5d8aa8")
        colour = palette[(self._ref_counter - 1) % len(palette)]
        self.layers.append(LayerState(lid, title, "reference", style=LayerStyle(mode="single", colour=colour)))
        self.generation += 1
        return lid
