"""The map's content, independent of any widget: project data ready to paint, layer list,
selection, and the reaction to model changes. :mod:`.paint` draws it onto any QPainter,
so the screen, ``render_image``, SVG export and the headless CLI share one picture."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
from pyproj import CRS
from pyproj.enums import TransformDirection

from terradesk.geo.crs import display_crs as choose_display_crs
from terradesk.geo.crs import transform_geometries, transform_points, transformer
from terradesk.model import Change, ChangeKind, Project, ReferenceLayer
from terradesk.ui.canvas.layers import Bounds, TerritoryGeometry, UnitGeometry
from terradesk.ui.canvas.reference import ReferenceData, prepare_reference
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
        #: reference layers of the project, ready to paint ("ref:<layer uuid>" -> data)
        self.refs: dict[str, ReferenceData] = {}
        self._ref_cache: dict[str, tuple[object, str, ReferenceData]] = {}
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
        self.placed_labels: dict[str, tuple[float, ...]] = {}
        self._accounts_xy: npt.NDArray[np.float64] | None = None
        #: account marker look per zoom step (terradesk.ui.canvas.accounts.look_for)
        self.marker_looks: dict[int, Any] = {}
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
        self.sync_references()
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
        else:  # no units: centre the display CRS on drawn territories and accounts
            shapes = self._drawn_shapes()
            boxes = [shapely.total_bounds(shapes)] if len(shapes) else []
            xs, ys = np.asarray(self.project.accounts.x, float), np.asarray(self.project.accounts.y, float)
            ok = np.isfinite(xs) & np.isfinite(ys)
            if ok.any():
                boxes.append(np.array([xs[ok].min(), ys[ok].min(), xs[ok].max(), ys[ok].max()]))
            a = np.array([box for box in boxes if np.isfinite(box).all()] or [[-1.0, -1.0, 1.0, 1.0]])
            b = np.array([a[:, 0].min(), a[:, 1].min(), a[:, 2].max(), a[:, 3].max()])
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3]))

    def _drawn_shapes(self) -> npt.NDArray[np.object_]:
        """Territory shapes of a free-form active alignment (project CRS)."""
        assert self.project is not None
        al = self.project.active_alignment
        shapes = [t.geometry for t in al.territories.values() if t.geometry is not None] \
            if al is not None and al.kind == "freeform" else []
        out = np.empty(len(shapes), dtype=object)
        out[:] = shapes
        return out

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
        if kind == ChangeKind.LAYERS:
            self.sync_references()
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
        terr = self.territories
        if terr is not None and terr.alignment.kind == "freeform":  # unit-built ones lie inside the units
            boxes.extend(item.bounds for item in terr.items().values() if item.anchor is not None)
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
            self.marker_looks.clear()
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
            # one transformer both ways: building a second one costs ~30 ms on the first frame
            t = transformer(self.crs, "EPSG:4326")
            lon, lat = t.transform(x, y)
            lat2 = min(lat + 0.01, 89.99)
            x2, y2 = t.transform(lon, lat2, direction=TransformDirection.INVERSE)
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

    @staticmethod
    def reference_id(layer_id: str) -> str | None:
        """The model's layer uuid of a map layer id ("ref:<uuid>"), None for core layers."""
        return layer_id[4:] if layer_id.startswith("ref:") else None

    def sync_references(self) -> None:
        """Rebuild the reference entries of the layer list from the project's layers.

        Core layers keep their place (view state); the reference layers fill the slots
        reference layers held before, in the project's order (new slots go below the
        last one, or at the bottom), so reordering in the file and on screen agree.
        """
        model = list(self.project.reference_layers.values()) if self.project is not None else []
        wanted = {f"ref:{r.id}" for r in model}
        layers = [ly for ly in self.layers if ly.kind != "reference" or ly.id in wanted]
        slots = [i for i, ly in enumerate(layers) if ly.kind == "reference"]
        missing = len(model) - len(slots)
        if missing > 0:
            at = slots[-1] + 1 if slots else len(layers)
            for k in range(missing):
                layers.insert(at + k, LayerState("", "", "reference"))
            slots = [i for i, ly in enumerate(layers) if ly.kind == "reference"]
        refs: dict[str, ReferenceData] = {}
        for i, ref in zip(slots, model, strict=True):
            lid = f"ref:{ref.id}"
            old = layers[i] if layers[i].id == lid else next((ly for ly in self.layers if ly.id == lid), None)
            style = old.style if old is not None else LayerStyle(mode="single")
            style = dataclasses.replace(style, mode="single", colour=ref.style.colour)
            layers[i] = LayerState(lid, ref.name, "reference", ref.style.visible, ref.style.opacity, style)
            refs[lid] = self._reference_data(ref)
        self.layers = layers
        self.refs = refs
        self._ref_cache = {k: v for k, v in self._ref_cache.items() if k in refs}

    def _reference_data(self, ref: ReferenceLayer) -> ReferenceData:
        """Paths in the display CRS, cached while the layer's geometry and the CRS stay the same."""
        lid = f"ref:{ref.id}"
        cached = self._ref_cache.get(lid)
        if cached is not None and cached[0] is ref.geometry and cached[1] == self.crs:
            return cached[2]
        assert self.project is not None
        geoms = ref.geometry
        geoms = geoms[~shapely.is_missing(geoms)] if len(geoms) else geoms
        if len(geoms) and self.crs != self.project.meta.crs:
            geoms = transform_geometries(geoms, self.project.meta.crs, self.crs)
        data = prepare_reference(ref.name, None, geoms)
        self._ref_cache[lid] = (ref.geometry, self.crs, data)
        return data

