"""MapCanvas: the map widget (pyqtgraph ViewBox showing one cached image of the scene)."""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from typing import Any

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, QTimer, Signal
from PySide6.QtGui import QColor, QImage, QPainter, QPalette
from PySide6.QtWidgets import QToolTip, QVBoxLayout, QWidget

from terradesk.edit import Sink
from terradesk.model import Change, ChangeKind, Project
from terradesk.ui.canvas.items import HighlightItem, MapImageItem, RubberBandItem
from terradesk.ui.canvas.layers import Bounds
from terradesk.ui.canvas.legend import legend_for
from terradesk.ui.canvas.paint import BACKGROUND, fit_rect, paint_scene
from terradesk.ui.canvas.patch import patch_image
from terradesk.ui.canvas.preview import PreviewOverlay, PreviewStyle
from terradesk.ui.canvas.scene import MapScene
from terradesk.ui.canvas.state import LayerState, LayerStyle, Selection
from terradesk.ui.canvas.theme import MapTheme, theme_for
from terradesk.ui.canvas.tools import MapTool, PanTool
from terradesk.ui.canvas.view import MapView

#: Delay before a fresh image is rendered once the view stops moving.
SETTLE_MS = 120
#: Work queued with call_after_paint runs after this long even if no frame was painted.
AFTER_PAINT_FALLBACK_MS = 2000
ZOOM_STEP = 1.5


class MapCanvas(QWidget):
    cursor_moved = Signal(float, float)
    scale_changed = Signal(float)
    selection_changed = Signal(object)
    layers_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.scene_data = MapScene()
        #: screen colours (background, scale bar, north arrow) follow the palette
        self.theme: MapTheme = theme_for(self.palette())
        self.undo_sink: Sink | None = None
        self.view = MapView(self)
        self.vb = self.view.vb
        self._image_item = MapImageItem()
        self._hover_item = HighlightItem()
        self._band_item = RubberBandItem()
        self._preview_item = PreviewOverlay()
        for item in (self._image_item, self._preview_item, self._hover_item, self._band_item):
            self.vb.addItem(item, ignoreBounds=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.view)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.refresh)
        self._rendered_gen = -1
        self._image_key: tuple[Bounds, int, int, float] | None = None
        self._placed_labels: dict[str, tuple[float, ...]] = {}
        self._navigated = False
        self._hover: tuple[str, int] | None = None
        self._tool: MapTool | None = None
        self._after_paint: list[Callable[[], None]] = []
        self._warm_pending = False
        self._image_item.on_painted = self._on_image_painted
        self.vb.sigRangeChanged.connect(self._on_range_changed)
        self.view.resized.connect(self._on_resized)
        self.set_tool(PanTool(self))

    # -- project ------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        old = self.scene_data.project
        if old is not None:
            old.changed.disconnect(self._on_change)
        self.scene_data.set_project(project)
        self.clear_preview()
        if project is not None:
            project.changed.connect(self._on_change)
        self._navigated = False
        self._warm_pending = project is not None
        self._set_hover(None)
        self.zoom_full()
        self.layers_changed.emit()
        self.selection_changed.emit(self.scene_data.selection)
        self._schedule(0)

    def project(self) -> Project | None:
        return self.scene_data.project

    def display_crs(self) -> str:
        return self.scene_data.crs

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return self.scene_data.to_lonlat(x, y)

    def _on_change(self, change: Change) -> None:
        had = self.scene_data.selection
        if self.scene_data.on_change(change):
            self._schedule(0)
        if self.scene_data.selection != had:
            self.selection_changed.emit(self.scene_data.selection)
        if change.kind == ChangeKind.LAYERS:
            self.layers_changed.emit()

    # -- view ---------------------------------------------------------------------
    def view_rect(self) -> Bounds:
        (x0, x1), (y0, y1) = self.vb.viewRange()
        return (float(x0), float(y0), float(x1), float(y1))

    def zoom_to_bounds(self, xmin: float, ymin: float, xmax: float, ymax: float) -> None:
        if not all(map(math.isfinite, (xmin, ymin, xmax, ymax))):
            return
        if xmax - xmin <= 0 and ymax - ymin <= 0:
            pad = 500.0 / self.scene_data.metres_per_unit()
            xmin, xmax, ymin, ymax = xmin - pad, xmax + pad, ymin - pad, ymax + pad
        self._navigated = True
        self.vb.setRange(xRange=(xmin, xmax), yRange=(ymin, ymax), padding=0.03)

    def zoom_full(self) -> None:
        ext = self.scene_data.extent()
        if ext is not None:
            self.zoom_to_bounds(*ext)
        self._navigated = False

    def zoom_in(self, at: tuple[float, float] | None = None) -> None:
        self._zoom(1 / ZOOM_STEP, at)

    def zoom_out(self, at: tuple[float, float] | None = None) -> None:
        self._zoom(ZOOM_STEP, at)

    def _zoom(self, factor: float, at: tuple[float, float] | None) -> None:
        self._navigated = True
        centre = QPointF(*at) if at is not None else None
        self.vb.scaleBy((factor, factor), center=centre)

    def pan_by(self, fx: float, fy: float) -> None:
        """Pan by a fraction of the view (arrow keys)."""
        x0, y0, x1, y1 = self.view_rect()
        self._navigated = True
        self.vb.translateBy(x=(x1 - x0) * fx, y=(y1 - y0) * fy)

    def zoom_to_layer(self, layer_id: str) -> None:
        sd = self.scene_data
        if layer_id in sd.refs and sd.refs[layer_id].bounds is not None:
            self.zoom_to_bounds(*sd.refs[layer_id].bounds)  # type: ignore[misc]
        elif layer_id == "accounts" and len(sd.accounts_xy()):
            xy = sd.accounts_xy()
            xy = xy[np.isfinite(xy).all(axis=1)]
            if len(xy):
                self.zoom_to_bounds(xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max())
        elif sd.units is not None and sd.units.count:
            self.zoom_to_bounds(*sd.units.extent)

    def zoom_to_selection(self) -> None:
        b = self.selection_bounds()
        if b is not None:
            self.zoom_to_bounds(*b)

    def selection_bounds(self) -> Bounds | None:
        import shapely

        sd, sel = self.scene_data, self.scene_data.selection
        if sel.kind == "units" and sd.units is not None and sel.indices:
            b = shapely.total_bounds(sd.units.geoms[list(sel.indices)])
        elif sel.kind == "accounts" and sel.indices:
            xy = sd.accounts_xy()[list(sel.indices)]
            b = np.array([xy[:, 0].min(), xy[:, 1].min(), xy[:, 0].max(), xy[:, 1].max()])
        elif sel.kind == "territories" and sd.territories is not None:
            items = sd.territories.items()
            boxes = [items[t].bounds for t in sel.ids if t in items and items[t].anchor is not None]
            if not boxes:
                return None
            a = np.array(boxes)
            b = np.array([a[:, 0].min(), a[:, 1].min(), a[:, 2].max(), a[:, 3].max()])
        else:
            return None
        return (float(b[0]), float(b[1]), float(b[2]), float(b[3])) if np.isfinite(b).all() else None

    def scale(self) -> float:
        """Map scale denominator at the screen's DPI."""
        x0, _, x1, _ = self.view_rect()
        width = max(self.vb.width(), 1.0)
        metres_per_px = (x1 - x0) / width * self.scene_data.metres_per_unit()
        dpi = self.logicalDpiX() or 96
        return float(metres_per_px / (0.0254 / dpi))

    def pixels_between(self, a: tuple[float, float], b: tuple[float, float]) -> float:
        x0, _, x1, _ = self.view_rect()
        per_px = (x1 - x0) / max(self.vb.width(), 1.0)
        return float(math.hypot(a[0] - b[0], a[1] - b[1]) / max(per_px, 1e-12))

    def _on_range_changed(self, *_: Any) -> None:
        self.scale_changed.emit(self.scale())
        self._schedule(SETTLE_MS)

    def _on_resized(self) -> None:
        if not self._navigated:
            self.zoom_full()
        self._schedule(SETTLE_MS)

    # -- rendering --------------------------------------------------------------------
    def _schedule(self, delay: int) -> None:
        self._timer.start(delay)

    def refresh(self) -> None:
        """Render the image for the current view now (normally called once the view rests).

        When only assignment edits happened since the last render, and the view has not
        moved, just the edited area is repainted (see :func:`patch_image`).
        """
        self._timer.stop()
        self._preview_item.invalidate()  # re-render the preview for the settled view
        w, h = int(self.vb.width()), int(self.vb.height())
        if w < 2 or h < 2:
            return
        rect = self.view_rect()
        dpr = self.devicePixelRatioF()
        sd = self.scene_data
        damage, shown = sd.damage, self._image_item.image()
        if (damage is not None and damage[0] == sd.generation and damage[1] is not None
                and self._image_key == (rect, w, h, dpr) and shown is not None):
            patch_image(sd, shown, rect, w, h, damage[1], self._placed_labels, self.theme,
                        self.highlight_colour())
            sd.mark_rendered()
            self._rendered_gen = sd.generation
            self._image_item.update()
            self.view.viewport().update()
            return
        img = QImage(int(w * dpr), int(h * dpr), QImage.Format.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        painter = QPainter(img)
        try:
            paint_scene(sd, painter, rect, w, h, overlays=False, theme=self.theme,
                        highlight=self.highlight_colour())
        finally:
            painter.end()
        self._placed_labels = dict(sd.placed_labels)
        self._image_key = (rect, w, h, dpr)
        sd.mark_rendered()
        self._image_item.set_image(img, QRectF(rect[0], rect[1], rect[2] - rect[0], rect[3] - rect[1]))
        self._rendered_gen = sd.generation
        self.view.viewport().update()

    # -- palette ----------------------------------------------------------------------
    def highlight_colour(self) -> QColor:
        """The selection outline colour: the window palette's highlight."""
        return self.palette().color(QPalette.ColorRole.Highlight)

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            self._follow_palette()

    def _follow_palette(self) -> None:
        theme = theme_for(self.palette())
        if theme == self.theme:
            return
        self.theme = theme
        self.view.setBackground(theme.background)
        self.scene_data.generation += 1  # the cached image has the old background
        self._schedule(0)

    # -- work after the first frame ----------------------------------------------------
    def call_after_paint(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` once the current map is on screen (start-up work the first frame does
        not need waits for it). Runs soon anyway when the canvas is hidden, and after
        AFTER_PAINT_FALLBACK_MS when nothing paints (a minimised window)."""
        if not self.isVisible():
            QTimer.singleShot(0, fn)
            return
        self._after_paint.append(fn)
        QTimer.singleShot(AFTER_PAINT_FALLBACK_MS, self, self._flush_after_paint)

    def _on_image_painted(self) -> None:
        if (self._after_paint or self._warm_pending) and self._rendered_gen == self.scene_data.generation:
            QTimer.singleShot(0, self, self._flush_after_paint)

    def _flush_after_paint(self) -> None:
        if self._warm_pending:
            self._warm_pending = False
            self._warm_up()
        pending, self._after_paint = self._after_paint, []
        for fn in pending:
            fn()

    def _warm_up(self) -> None:
        """Build what hover and clicks need (hit-test index) while the planner looks."""
        units = self.scene_data.units
        if units is not None and units.count:
            units.tree  # noqa: B018 - builds the STRtree

    def render_image(self, width: int, height: int) -> QImage:
        """The map as a ``width`` x ``height`` image: the current view, or the full extent
        when the widget has never been shown or navigated."""
        img = QImage(width, height, QImage.Format.Format_ARGB32_Premultiplied)
        img.fill(BACKGROUND)
        rect = self.image_rect(width, height)
        if rect is None:
            return img
        painter = QPainter(img)
        try:
            paint_scene(self.scene_data, painter, rect, width, height)
        finally:
            painter.end()
        return img

    def image_rect(self, width: int, height: int) -> Bounds | None:
        """The map rectangle render_image and export_image draw for that image size."""
        if self.isVisible() or self._navigated:
            return fit_rect(self.view_rect(), width, height, margin=0.0)
        ext = self.scene_data.extent()
        return None if ext is None else fit_rect(ext, width, height)

    def export_image(self, path: str, width: int, height: int) -> None:
        """Write ``.png`` (or any raster Qt writes) or ``.svg`` (vector, via QSvgGenerator)."""
        if path.lower().endswith(".svg"):
            from PySide6.QtSvg import QSvgGenerator

            gen = QSvgGenerator()
            gen.setFileName(path)
            gen.setSize(QSize(width, height))
            gen.setViewBox(QRectF(0, 0, width, height))
            gen.setTitle(self.scene_data.project.meta.name if self.scene_data.project else "Map")
            rect = self.image_rect(width, height)
            painter = QPainter(gen)
            try:
                if rect is not None:
                    paint_scene(self.scene_data, painter, rect, width, height)
            finally:
                painter.end()
            return
        if not self.render_image(width, height).save(path):
            raise OSError(f"could not write {path}")

    # -- tools, hover, selection ----------------------------------------------------
    def set_tool(self, tool: MapTool | None) -> None:
        if self._tool is not None:
            self._tool.deactivate()
        self._tool = tool
        if tool is not None:
            tool.canvas = self
            tool.activate()
            self.view.viewport().setCursor(tool.cursor)
        else:
            self.view.viewport().unsetCursor()

    def tool(self) -> MapTool | None:
        return self._tool

    def set_rubber_band(self, rect: QRectF | None) -> None:
        self._band_item.set_rect(rect)

    def pick(self, x: float, y: float, territory: bool = False) -> Selection:
        """What a click at (x, y) selects: an account under the cursor, else the unit
        (or its territory)."""
        sd = self.scene_data
        acc = self.account_at(x, y)
        if acc is not None and sd.project is not None and self._layer_visible("accounts"):
            return Selection("accounts", (str(sd.project.accounts.ids[acc]),), (acc,))
        unit = sd.units.hit(x, y) if sd.units is not None else None
        if unit is None or sd.project is None:
            return Selection()
        al = sd.project.active_alignment
        if territory and al is not None:
            tid = al.territory_of_unit(unit) if al.kind == "units" else None
            return Selection("territories", (tid,)) if tid else Selection()
        return Selection("units", (str(sd.project.units.ids[unit]),), (unit,))

    def select_units_in(self, bounds: Bounds) -> Selection:
        sd = self.scene_data
        if sd.units is None or sd.project is None:
            return Selection()
        idx = sd.units.in_rect(bounds)
        return Selection("units", tuple(str(i) for i in sd.project.units.ids[idx]), tuple(int(i) for i in idx))

    def account_at(self, x: float, y: float, radius_px: float = 6.0) -> int | None:
        xy = self.scene_data.accounts_xy()
        if len(xy) == 0:
            return None
        x0, _, x1, _ = self.view_rect()
        r = radius_px * (x1 - x0) / max(self.vb.width(), 1.0)
        d2 = (xy[:, 0] - x) ** 2 + (xy[:, 1] - y) ** 2
        d2 = np.where(np.isfinite(d2), d2, np.inf)
        i = int(np.argmin(d2))
        return i if d2[i] <= r * r else None

    def _layer_visible(self, layer_id: str) -> bool:
        try:
            return self.scene_data.layer(layer_id).visible
        except KeyError:
            return False

    def selection(self) -> Selection:
        return self.scene_data.selection

    def set_selection(self, selection: Selection) -> None:
        if selection == self.scene_data.selection:
            return
        self.scene_data.selection = selection
        self.scene_data.generation += 1
        self.refresh()
        self.selection_changed.emit(selection)

    def hover_at(self, x: float, y: float, global_pos: QPointF | None = None) -> str:
        """Highlight what is under (x, y) and return its tooltip text."""
        sd = self.scene_data
        text = ""
        acc = self.account_at(x, y) if self._layer_visible("accounts") else None
        if acc is not None and sd.project is not None:
            self._set_hover(("account", acc))
            text = f"Account: {sd.project.accounts.names[acc]}"
        else:
            unit = sd.units.hit(x, y) if sd.units is not None else None
            if unit is None or sd.project is None:
                self._set_hover(None)
            else:
                self._set_hover(("unit", unit))
                units = sd.project.units
                al = sd.project.active_alignment
                tid = al.territory_of_unit(unit) if al is not None and al.kind == "units" else None
                tname = al.territories[tid].name if al is not None and tid in al.territories else "unassigned"
                text = f"{units.codes[unit]} {units.names[unit]}\nTerritory: {tname}"
        if global_pos is not None:
            if text:
                QToolTip.showText(global_pos.toPoint(), text, self.view)
            else:
                QToolTip.hideText()
        return text

    def _set_hover(self, hover: tuple[str, int] | None) -> None:
        if hover == self._hover:
            return
        self._hover = hover
        sd = self.scene_data
        if hover is None or sd.units is None:
            self._hover_item.set_path(None)
        elif hover[0] == "unit":
            self._hover_item.set_path(sd.units.rings_of([hover[1]], len(sd.units.tolerances) - 1).path())
        else:
            from PySide6.QtGui import QPainterPath

            x, y = sd.accounts_xy()[hover[1]]
            x0, _, x1, _ = self.view_rect()
            r = 7 * (x1 - x0) / max(self.vb.width(), 1.0)
            p = QPainterPath()
            p.addEllipse(QPointF(float(x), float(y)), r, r)
            self._hover_item.set_path(p)

    # -- preview of a proposed plan (nothing in the model changes) ---------------------
    def set_preview_units(self, units: Any, colours: Any, style: PreviewStyle = "hatch") -> None:
        """Hatch (or fill, ``style="fill"``) ``units`` in ``colours`` (one per unit or one
        for all) over the map, e.g. the units a rebalance would move, in the colour of the
        territory that would receive them. Drawn live: the map image is not re-rendered."""
        self._preview_item.set_units(self.scene_data.units, units, colours, style)

    def clear_preview(self) -> None:
        self._preview_item.clear()

    def preview_units(self) -> np.ndarray:
        """The unit indices shown in the preview (empty when there is none)."""
        return self._preview_item.units

    # -- layers ------------------------------------------------------------------
    def layers(self) -> list[LayerState]:
        return list(self.scene_data.layers)

    def set_layer_state(self, layer_id: str, **changes: Any) -> None:
        """Change a layer's look. Core layers: view state. Reference layers belong to the
        project, so their visibility, opacity, colour and title become undoable commands."""
        for key, value in changes.items():
            if key not in ("visible", "opacity", "style", "title"):
                raise TypeError(f"unknown layer property {key!r}")
            if key == "style" and not isinstance(value, LayerStyle):
                raise TypeError("style must be a LayerStyle")
        layer = self.scene_data.layer(layer_id)
        rid = self.scene_data.reference_id(layer_id)
        if rid is not None and self.project() is not None:
            self._restyle_reference(rid, changes)
            return
        for key, value in changes.items():
            setattr(layer, key, value)
        self._layers_touched()

    def _restyle_reference(self, rid: str, changes: dict[str, Any]) -> None:
        from terradesk import edit

        project = self.project()
        assert project is not None
        style: dict[str, Any] = {}
        if "visible" in changes:
            style["visible"] = bool(changes["visible"])
        if "opacity" in changes:
            style["opacity"] = max(0.0, min(1.0, float(changes["opacity"])))
        if "style" in changes:
            style["colour"] = changes["style"].colour
        commands: list[edit.Command | None] = [
            edit.set_reference_style(project, rid, continuous=set(style) == {"opacity"}, **style)]
        if "title" in changes:
            commands.append(edit.set_reference_property(project, rid, "name", changes["title"]))
        for command in commands:
            if command is not None:
                self._push(command)

    def _push(self, command: Any) -> None:
        """Through the window's undo stack; with no stack (tests, scripts) the command just applies."""
        if self.undo_sink is not None:
            self.undo_sink.push(command)
        else:
            project = self.project()
            assert project is not None
            command.apply(project)

    def move_layer(self, layer_id: str, index: int) -> None:
        """Reorder the list (view state); moving a reference layer past another is a command."""
        from terradesk import edit

        layers = self.scene_data.layers
        layer = self.scene_data.layer(layer_id)
        layers.remove(layer)
        layers.insert(max(0, min(index, len(layers))), layer)
        rid = self.scene_data.reference_id(layer_id)
        project = self.project()
        if rid is not None and project is not None:
            order = [lid[4:] for lid in (ly.id for ly in layers) if lid.startswith("ref:")]
            command = edit.move_reference_layer(project, rid, order.index(rid))
            if command is not None:
                self._push(command)
                return
        self._layers_touched()

    def remove_layer(self, layer_id: str) -> None:
        from terradesk import edit

        rid = self.scene_data.reference_id(layer_id)
        project = self.project()
        if rid is None or project is None or rid not in project.reference_layers:
            raise ValueError(f"the {layer_id} layer is part of the project and cannot be removed")
        self._push(edit.remove_reference_layer(project, rid))

    def add_reference_layer(self, path: str, layer: str | None = None) -> str:
        """Read a vector file into the project as reference layer(s), one undo step per layer.

        Raises :class:`ImportSourceError` for unreadable files; returns the first map layer id.
        """
        from terradesk import edit
        from terradesk.io.reference_import import read_reference_file

        project = self.project()
        if project is None:
            raise ValueError("open a project before adding reference layers")
        added = read_reference_file(path, project, layer, colour=edit.next_reference_colour(project))
        parts = []
        for i, ref in enumerate(added):  # a file mixing kinds gives one layer per kind, one undo step
            parts.append(edit.add_reference_layer(project, ref, len(project.reference_layers) + i))
        command = parts[0] if len(parts) == 1 else edit.Composite(f"Add layers from {os.path.basename(path)}", parts)
        self._push(command)
        return f"ref:{added[0].id}"

    def legend(self, layer_id: str) -> list[tuple[str, QColor]]:
        return legend_for(self.scene_data, layer_id)

    def set_account_style(self, size_field: str | None, colour_field: str | None) -> None:
        self.scene_data.account_size_field = size_field
        self.scene_data.account_colour_field = colour_field
        self._layers_touched()

    def _layers_touched(self) -> None:
        self.scene_data.generation += 1
        self._schedule(0)
        self.layers_changed.emit()

    def is_current(self) -> bool:
        """True when the shown image reflects every change (tests, benchmarks)."""
        return self._rendered_gen == self.scene_data.generation and not self._timer.isActive()
