"""Paint a :class:`MapScene` for one view rectangle onto any QPainter.

Costs measured on 40k units (760k vertices) at 1600x1000, antialiased: filling unit rings
takes ~200 ms, so fills use the dissolved territory shapes (~95k vertices, ~11 ms);
unit outlines are the unique edges, stroked once with a cosmetic hairline (~40 ms); a
2 px antialiased pen costs ~700 ms through Qt's stroker, so thick outlines are drawn as
three offset hairlines (~30 ms).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen, QTransform

from terradesk.ui.canvas.accounts import paint_accounts
from terradesk.ui.canvas.labels import LABEL_SIZES, PlacedLabel, box_inside, candidate_anchors, wrapped
from terradesk.ui.canvas.layers import Bounds
from terradesk.ui.canvas.overlays import draw_north_arrow, draw_scale_bar
from terradesk.ui.canvas.scene import MapScene
from terradesk.ui.canvas.state import (
    SELECTION_COLOUR,
    UNASSIGNED_FILL,
    UNASSIGNED_HATCH,
    LayerState,
    class_breaks,
    classify,
    deviation_colour,
    ramp_colours,
)
from terradesk.ui.canvas.theme import LIGHT, MapTheme

BACKGROUND = LIGHT.background
TERRITORY_LINE = QColor("#2b2b2b")
LABEL_INK = QColor("#1a1a1a")
#: Views covering at least this share of the data use the cached full-extent paths.
FULL_VIEW_SHARE = 0.45
#: Selection outline width (px) and the alpha of the white veil over the selected shapes.
SELECTION_WIDTH = 3.0
SELECTION_VEIL_ALPHA = 60


def world_transform(rect: Bounds, width: float) -> QTransform:
    """Map coordinates (y up) to device pixels (y down)."""
    s = width / (rect[2] - rect[0])
    return QTransform(s, 0, 0, -s, -rect[0] * s, rect[3] * s)


def fit_rect(bounds: Bounds, width: float, height: float, margin: float = 0.03) -> Bounds:
    """``bounds`` grown to the aspect of a ``width`` x ``height`` image, with a margin."""
    x0, y0, x1, y1 = bounds
    w, h = max(x1 - x0, 1e-9), max(y1 - y0, 1e-9)
    w, h = w * (1 + 2 * margin), h * (1 + 2 * margin)
    if w / h < width / height:
        w = h * width / height
    else:
        h = w * height / width
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)


def stroke_thick(painter: QPainter, world: QTransform, path: QPainterPath, colour: QColor, offset: float = 0.9) -> None:
    """A ~2 px line as three offset antialiased hairlines (25x faster than a 2 px pen)."""
    pen = QPen(colour, 1)
    pen.setCosmetic(True)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for dx, dy in ((0.0, 0.0), (offset, 0.0), (0.0, offset)):
        painter.setTransform(world * QTransform.fromTranslate(dx - offset / 3, dy - offset / 3))
        painter.drawPath(path)
    painter.setTransform(world)


def paint_scene(
    scene: MapScene, painter: QPainter, rect: Bounds, width: int, height: int,
    *, selection: bool = True, overlays: bool = True, background: bool = True,
    labels: dict[str, PlacedLabel] | None = None, theme: MapTheme = LIGHT,
    highlight: QColor | None = None,
) -> None:
    """Draw every visible layer bottom-up, then the selection, labels and overlays.

    ``theme`` gives the background and overlay colours (the screen follows the palette;
    exports keep the light default).

    ``labels`` (territory id -> anchor) draws exactly those labels instead of placing
    them afresh: a partial repaint must show the labels of the image it patches.
    ``highlight`` colours the selection outline (the screen passes the palette's
    highlight colour; the default is :data:`SELECTION_COLOUR`).
    """
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    if background:
        painter.fillRect(QRectF(0, 0, width, height), theme.background)
    world = world_transform(rect, width)
    ctx = _Context(scene, rect, width, height, world)
    ctx.fixed_labels = labels
    ctx.highlight = QColor(highlight) if highlight is not None else QColor(SELECTION_COLOUR)
    for layer in reversed(scene.layers):
        if not layer.visible or layer.opacity <= 0:
            continue
        painter.save()
        painter.setOpacity(max(0.0, min(1.0, layer.opacity)))
        painter.setTransform(world)
        if layer.id == "units":
            ctx.paint_units(painter, layer)
        elif layer.id == "territories":
            ctx.paint_territories(painter, layer)
        elif layer.id == "accounts":
            painter.resetTransform()
            paint_accounts(scene, painter, rect, world, layer)
        elif layer.id in scene.refs:
            ctx.paint_reference(painter, layer)
        painter.restore()
    if selection and scene.selection:
        painter.save()
        painter.setTransform(world)
        ctx.paint_selection(painter)
        painter.restore()
    if ctx.labels:  # after the selection, so no outline or marker covers a territory name
        painter.save()
        painter.resetTransform()
        painter.setOpacity(ctx.labels_opacity)
        ctx.paint_labels(painter, ctx.labels)
        painter.restore()
    if labels is None:
        scene.placed_labels = ctx.placed
    if overlays and scene.project is not None:
        painter.save()
        painter.resetTransform()
        mpp = (rect[2] - rect[0]) / width * scene.metres_per_unit()
        draw_scale_bar(painter, height, mpp, theme)
        angle = scene.north_angle((rect[0] + rect[2]) / 2, (rect[1] + rect[3]) / 2)
        draw_north_arrow(painter, width, angle, theme)
        painter.restore()


class _Context:
    """One paint pass: view rectangle, pixel size, level and culling decided once."""

    def __init__(self, scene: MapScene, rect: Bounds, width: int, height: int, world: QTransform) -> None:
        self.scene, self.rect, self.width, self.height, self.world = scene, rect, width, height, world
        self.pixel = (rect[2] - rect[0]) / max(width, 1)
        units = scene.units
        self.level = units.level_for(self.pixel) if units is not None else 0
        self.full = True
        self.labels: dict = {}  # type: ignore[type-arg]
        self.fixed_labels: dict[str, PlacedLabel] | None = None
        self.placed: dict[str, PlacedLabel] = {}
        self._grid: dict[tuple[int, int], list[QRectF]] = {}
        self.labels_opacity = 1.0
        self.highlight = QColor(SELECTION_COLOUR)
        self.visible_units: np.ndarray | None = None
        if units is not None and units.count:
            ex = units.extent
            ix = max(0.0, min(rect[2], ex[2]) - max(rect[0], ex[0]))
            iy = max(0.0, min(rect[3], ex[3]) - max(rect[1], ex[1]))
            area = max((ex[2] - ex[0]) * (ex[3] - ex[1]), 1e-12)
            self.full = ix * iy / area >= FULL_VIEW_SHARE

    def culled_units(self) -> np.ndarray | None:
        """Unit indices in view, or None when the cached full paths are cheaper."""
        if self.full or self.scene.units is None:
            return None
        if self.visible_units is None:
            self.visible_units = self.scene.units.in_rect(self.rect)
        return self.visible_units

    def _hatch_brush(self) -> QBrush:
        brush = QBrush(UNASSIGNED_HATCH, Qt.BrushStyle.BDiagPattern)
        brush.setTransform(self.world.inverted()[0])
        return brush

    # -- units ------------------------------------------------------------------
    def paint_units(self, painter: QPainter, layer: LayerState) -> None:
        scene, units = self.scene, self.scene.units
        if units is None or scene.project is None:
            return
        painter.setPen(Qt.PenStyle.NoPen)
        style = layer.style
        terr = scene.territories
        if style.mode == "field" and style.field:
            self._paint_choropleth(painter, layer)
        elif terr is not None:
            al = terr.alignment
            single = QColor(style.colour) if style.mode == "single" else None
            dev = style.values if style.mode == "deviation" else None
            for tid, item in terr.items().items():
                if not _intersects(item.bounds, self.rect):
                    continue
                if dev is not None:
                    painter.setBrush(deviation_colour(dev.get(tid, float("nan")), style.tolerance))
                else:
                    painter.setBrush(single or QColor(al.territories[tid].colour))
                painter.drawPath(terr.path(tid, self.level))
            free = terr.unassigned_path(self.level, self.culled_units())
            if not free.isEmpty():
                painter.setBrush(single or UNASSIGNED_FILL)
                painter.drawPath(free)
                if single is None:
                    painter.setBrush(self._hatch_brush())
                    painter.drawPath(free)
        else:  # no alignment yet: all units unassigned
            path = units.level(self.level).rings.path()
            painter.setBrush(QColor(style.colour) if style.mode == "single" else UNASSIGNED_FILL)
            painter.drawPath(path)
        self._paint_unit_edges(painter)

    def _paint_choropleth(self, painter: QPainter, layer: LayerState) -> None:
        scene, units = self.scene, self.scene.units
        assert units is not None and scene.project is not None
        style = layer.style
        try:
            values = np.asarray(scene.project.units.column(style.field or ""), dtype=float)
        except (KeyError, ValueError, TypeError):
            return
        classes = classify(values, class_breaks(values, style.classes))
        colours = ramp_colours(style.ramp, max(1, int(classes.max()) + 1 if len(classes) else 1))
        rings = units.level(self.level).rings
        visible = self.culled_units()
        if visible is not None:
            rings = rings.of_owners(visible, units.count)
        point_class = classes[rings.owner] if len(rings) else np.empty(0, np.intp)
        for k in range(-1, len(colours)):
            sub = rings.select(point_class == k)
            if len(sub) == 0:
                continue
            painter.setBrush(UNASSIGNED_FILL if k < 0 else colours[k])
            painter.drawPath(sub.path())

    def _paint_unit_edges(self, painter: QPainter) -> None:
        units = self.scene.units
        assert units is not None
        size_px = units.mean_size() / self.pixel
        if size_px < 3:
            return  # a grey haze, not information: the territory outlines carry the picture
        alpha = int(np.interp(size_px, [3, 30], [40, 150]))
        pen = QPen(QColor(70, 70, 70, alpha), 1)
        pen.setCosmetic(True)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        lv = units.level(self.level)
        if self.full:
            painter.drawPath(lv.edge_path())
        else:
            painter.drawPath(lv.edges.path(lv.edges.in_rect(*self.rect)))

    # -- territories ------------------------------------------------------------
    def paint_territories(self, painter: QPainter, layer: LayerState) -> None:
        terr = self.scene.territories
        if terr is None:
            return
        items = {t: i for t, i in terr.items().items() if _intersects(i.bounds, self.rect)}
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        for tid in items:
            path.addPath(terr.path(tid, self.level))
        colour = QColor(layer.style.colour) if layer.style.mode == "single" else TERRITORY_LINE
        stroke_thick(painter, self.world, path, colour)
        self.labels, self.labels_opacity = items, painter.opacity()

    def paint_labels(self, painter: QPainter, items: dict) -> None:  # type: ignore[type-arg]
        """Names on the territories: selected ones first, then the biggest.

        Each label tries several anchors and a smaller font before it is dropped
        (:mod:`terradesk.ui.canvas.labels`); a partial repaint (``fixed_labels``) draws
        exactly what the full render placed, so labels never jump during an edit.
        """
        terr = self.scene.territories
        assert terr is not None
        fonts = []
        for size in LABEL_SIZES:
            font = QFont(painter.font())
            font.setPointSizeF(size)
            font.setBold(True)
            fonts.append((size, font, QFontMetricsF(font)))
        self._grid = {}
        sel = self.scene.selection
        chosen = set(sel.ids) if sel.kind == "territories" else set()
        order = sorted(items.items(), key=lambda kv: (kv[0] not in chosen, -kv[1].area))
        fixed = self.fixed_labels
        inv = self.world.inverted()[0]
        for tid, item in order:
            name = terr.alignment.territories[tid].name
            if fixed is not None:
                if tid in fixed:
                    x, y, *rest = fixed[tid]
                    size = rest[0] if rest else LABEL_SIZES[0]
                    text = wrapped(name) if len(rest) > 1 and rest[1] > 1 else name
                    font_fm = next(((f, m) for s, f, m in fonts if s == size), fonts[0][1:])
                    self._draw_label(painter, text, (x, y), *font_fm)
                continue
            if item.anchor is None:
                continue
            placed = self._place(item, name, fonts, inv)
            if placed is not None:
                (x, y), size, text, font, fm = placed
                self.placed[tid] = (x, y, size, float(text.count("\n") + 1))
                self._draw_label(painter, text, (x, y), font, fm)

    def _label_rect(self, anchor: tuple[float, float], text: str, fm: QFontMetricsF) -> QRectF:
        lines = text.split("\n")
        w = max(fm.horizontalAdvance(line) for line in lines) + 4
        h = fm.height() + fm.lineSpacing() * (len(lines) - 1)
        pt = self.world.map(QPointF(*anchor))
        return QRectF(pt.x() - w / 2, pt.y() - h / 2, w, h)

    def _place(self, item: Any, name: str, fonts: list[Any], inv: QTransform) -> Any:
        """The first anchor and font whose label is on screen, free and inside the shape.

        The territory's own anchor is taken as before, by the size of its box (no inside
        test, so thin shapes keep their names); every other try must fit inside.
        """
        s = 1.0 / self.pixel
        if (item.bounds[3] - item.bounds[1]) * s < fonts[-1][2].height():
            return None  # too small on screen to carry its name legibly
        if item.candidates is None:
            shapely.prepare(item.geom)
            item.candidates = candidate_anchors(item.geom, item.anchor)
        two = wrapped(name)
        tries = [(size, font, fm, text) for size, font, fm in fonts for text in dict.fromkeys((name, two))]
        for size, font, fm, text in tries:
            h = fm.height()
            for k, base in enumerate(item.candidates):
                for dy in (0.0, -h, h):
                    anchor = (base[0], base[1] - dy * self.pixel)
                    r = self._label_rect(anchor, text, fm)
                    if r.right() < 0 or r.left() > self.width or r.bottom() < 0 or r.top() > self.height:
                        continue
                    if self._collides(r):
                        continue
                    if k == 0 and dy == 0.0:
                        if (item.bounds[2] - item.bounds[0]) * s >= r.width() * 0.5 \
                                and (item.bounds[3] - item.bounds[1]) * s >= h:
                            return anchor, size, text, font, fm
                        continue
                    m = inv.mapRect(r)
                    if box_inside(item.geom, m.left(), m.top(), m.right(), m.bottom()):
                        return anchor, size, text, font, fm
        return None

    def _collides(self, r: QRectF) -> bool:
        return any(r.intersects(o) for c in _cells(r) for o in self._grid.get(c, ()))

    def _draw_label(self, painter: QPainter, name: str, anchor: tuple[float, float], font: QFont,
                    fm: QFontMetricsF) -> None:
        r = self._label_rect(anchor, name, fm)
        for c in _cells(r):
            self._grid.setdefault(c, []).append(r)
        painter.setFont(font)
        painter.setPen(QColor(255, 255, 255, 230))
        for dx, dy in ((-1, 0), (1, 0), (0, -1), (0, 1)):
            painter.drawText(r.translated(dx, dy), Qt.AlignmentFlag.AlignCenter, name)
        painter.setPen(LABEL_INK)
        painter.drawText(r, Qt.AlignmentFlag.AlignCenter, name)

    # -- reference layers ---------------------------------------------------------
    def paint_reference(self, painter: QPainter, layer: LayerState) -> None:
        ref = self.scene.refs[layer.id]
        if ref.bounds is not None and not _intersects(ref.bounds, self.rect):
            return
        colour = QColor(layer.style.colour)
        fill = QColor(colour)
        fill.setAlpha(70)
        pen = QPen(colour.darker(130), 1)
        pen.setCosmetic(True)
        painter.setPen(pen)
        if not ref.polygons.isEmpty():
            painter.setBrush(fill)
            painter.drawPath(ref.polygons)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if not ref.lines.isEmpty():
            painter.drawPath(ref.lines)
        if len(ref.points):
            painter.resetTransform()
            painter.setBrush(colour)
            for x, y in ref.points:
                painter.drawEllipse(self.world.map(QPointF(float(x), float(y))), 3.0, 3.0)

    # -- selection --------------------------------------------------------------
    def paint_selection(self, painter: QPainter) -> None:
        scene = self.scene
        sel = scene.selection
        path = selection_path(scene, self.level)
        if path is not None and not path.isEmpty():
            # a light veil, not a tint: the territory's own colour stays readable
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor(255, 255, 255, SELECTION_VEIL_ALPHA))
            painter.drawPath(path)
            # a white casing under a 3 px highlight ring reads on every fill colour
            for colour, width in ((QColor(255, 255, 255, 220), SELECTION_WIDTH + 2.0),
                                  (self.highlight, SELECTION_WIDTH)):
                pen = QPen(colour, width)
                pen.setCosmetic(True)
                pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
                painter.setPen(pen)
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawPath(path)
        if sel.kind == "accounts" and sel.indices:
            xy = scene.accounts_xy()
            painter.resetTransform()
            pen = QPen(self.highlight, 2.5)
            painter.setPen(pen)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            for i in sel.indices:
                if 0 <= i < len(xy) and np.isfinite(xy[i]).all():
                    painter.drawEllipse(self.world.map(QPointF(float(xy[i, 0]), float(xy[i, 1]))), 8.0, 8.0)


def selection_path(scene: MapScene, level: int) -> QPainterPath | None:
    """The selected units or territories as one path (map coordinates)."""
    sel = scene.selection
    if sel.kind == "units" and scene.units is not None and sel.indices:
        return scene.units.rings_of(np.asarray(sel.indices, np.intp), level).path()
    if sel.kind == "territories" and scene.territories is not None:
        items = scene.territories.items()
        path = QPainterPath()
        path.setFillRule(Qt.FillRule.WindingFill)
        for tid in sel.ids:
            if tid in items:
                path.addPath(scene.territories.path(tid, level))
        return path
    return None


def _cells(r: QRectF, cell: float = 64.0) -> list[tuple[int, int]]:
    return [(i, j) for i in range(int(r.left() // cell), int(r.right() // cell) + 1)
            for j in range(int(r.top() // cell), int(r.bottom() // cell) + 1)]


def _intersects(a: Bounds, b: Bounds) -> bool:
    return a[2] >= b[0] and a[0] <= b[2] and a[3] >= b[1] and a[1] <= b[3]
