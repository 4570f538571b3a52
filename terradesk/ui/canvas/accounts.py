"""Accounts as point markers, sized and/or coloured by a field.

Markers are pre-rendered sprites (one per size/colour class) blitted at each point: an
image blit costs a fraction of an antialiased ellipse, which matters for 10k+ accounts.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from pyqtgraph.Qt.internals import PrimitiveArray
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QPixmap, QTransform

from terradesk.ui.canvas.layers import Bounds
from terradesk.ui.canvas.scene import MapScene
from terradesk.ui.canvas.state import LayerState, class_breaks, classify, ramp_colours

PIN_COLOUR = QColor("#d35400")  # the ring around pinned ("named") accounts
SIZES = (4.0, 5.5, 7.0, 9.0, 11.5)  # marker diameters in px, by size class
CATEGORY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


#: Marker look by crowding: how many accounts share a CELL_PX screen cell with a typical
#: account at the view's zoom. Up to SPREAD they get full markers with a white rim; from
#: CROWDED on, small translucent dots without rim, so the territories under a dense
#: cluster stay readable and density shows as a darker tone (what QGIS users set up with
#: scale-dependent marker sizes). The 5,000-account demo is ~3.8 at full extent, ~1.7 at
#: 2x and ~1.2 at 4x.
CELL_PX = 6.0
SPREAD, CROWDED = 1.2, 3.5
SMALLEST_PX = 2.5


@dataclass(frozen=True)
class MarkerLook:
    scale: float  # marker diameter factor
    alpha: float
    rim: bool


def crowding(xy: npt.NDArray[np.float64], pixel: float) -> float:
    """Accounts in the ``CELL_PX`` screen cell of a typical account (mean over accounts,
    so a dense city counts for its accounts rather than for its few cells)."""
    ok = np.isfinite(xy).all(axis=1)
    if not ok.any() or pixel <= 0:
        return 1.0
    cells = np.floor(xy[ok] / (CELL_PX * pixel))
    cells -= cells.min(axis=0)
    span = float(cells[:, 1].max()) + 1
    if float(cells[:, 0].max()) * span >= 2.0**62:
        return 1.0
    keys = cells[:, 0].astype(np.int64) * int(span) + cells[:, 1].astype(np.int64)
    counts = np.unique(keys, return_counts=True)[1].astype(np.float64)
    return float((counts * counts).sum() / ok.sum())


def marker_look(crowd: float) -> MarkerLook:
    """Full markers when spread out, small faint dots when crowded; in quarter steps so a
    handful of sprites serve every zoom."""
    t = float(np.clip(np.log(max(crowd, 1e-9) / SPREAD) / np.log(CROWDED / SPREAD), 0.0, 1.0))
    t = round(t * 4) / 4
    return MarkerLook(1.0 - 0.5 * t, 1.0 - 0.6 * t, t < 0.5)


def look_for(scene: MapScene, pixel: float) -> MarkerLook:
    """The marker look at this zoom, cached per quarter octave of pixel size (a partial
    repaint at the same zoom gets the same look as the image it patches)."""
    step = round(math.log2(max(pixel, 1e-12)) * 4)
    cache = scene.marker_looks
    look = cache.get(step)
    if look is None:
        look = marker_look(crowding(scene.accounts_xy(), 2.0 ** (step / 4)))
        cache[step] = look
    return look


@lru_cache(maxsize=128)
def sprite(diameter: float, rgb: str, dpr: float = 1.0, alpha: float = 1.0, rim: bool = True) -> QImage:
    size = int(np.ceil(diameter + 3))
    img = QImage(int(size * dpr), int(size * dpr), QImage.Format.Format_ARGB32_Premultiplied)
    img.setDevicePixelRatio(dpr)
    img.fill(Qt.GlobalColor.transparent)
    p = QPainter(img)
    p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    p.setPen(QPen(QColor(255, 255, 255, round(230 * alpha)), 1.2) if rim else Qt.PenStyle.NoPen)
    fill = QColor(rgb)
    fill.setAlphaF(alpha)
    p.setBrush(fill)
    p.drawEllipse(QPointF(size / 2, size / 2), diameter / 2, diameter / 2)
    p.end()
    return img


def account_classes(scene: MapScene, layer: LayerState) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], list[str]]:
    """Size class and colour index per account, plus the colour table."""
    assert scene.project is not None
    acc = scene.project.accounts
    n = len(acc)
    size_cls = np.full(n, 1, dtype=np.intp)
    colour_idx = np.zeros(n, dtype=np.intp)
    colours = [layer.style.colour]
    if scene.account_size_field and scene.account_size_field in acc.fields:
        values = np.asarray(acc.column(scene.account_size_field), dtype=float)
        size_cls = np.maximum(classify(values, class_breaks(values, len(SIZES))), 0)
    field = scene.account_colour_field
    if field and field in acc.fields:
        col = acc.column(field)
        if col.dtype.kind == "f":
            values = np.asarray(col, dtype=float)
            k = classify(values, class_breaks(values, 5))
            ramp = [c.name() for c in ramp_colours(layer.style.ramp, max(1, int(k.max()) + 1 if n else 1))]
            colours = ["#b0b0b0", *ramp]
            colour_idx = k + 1
        else:
            cats, inv = np.unique(col.astype(str), return_inverse=True)
            colours = [CATEGORY_COLOURS[i % len(CATEGORY_COLOURS)] for i in range(len(cats))]
            colour_idx = inv.astype(np.intp)
    return size_cls, colour_idx, colours


def paint_accounts(scene: MapScene, painter: QPainter, rect: Bounds, world: QTransform, layer: LayerState) -> None:
    if scene.project is None or len(scene.project.accounts) == 0:
        return
    xy = scene.accounts_xy()
    size_cls, colour_idx, colours = account_classes(scene, layer)
    # NaN and infinite coordinates fail these comparisons, so no separate isfinite pass
    # over every account (~2.5 ms at 200,000, paid by every partial repaint)
    x, y = xy[:, 0], xy[:, 1]
    inside = (x >= rect[0]) & (x <= rect[2]) & (y >= rect[1]) & (y <= rect[3])
    idx = np.flatnonzero(inside)
    if len(idx) == 0:
        return
    s, dx, dy = world.m11(), world.dx(), world.dy()
    px = xy[idx, 0] * s + dx
    py = xy[idx, 1] * world.m22() + dy
    dpr = painter.device().devicePixelRatioF() if painter.device() is not None else 1.0
    sizes = np.minimum(size_cls[idx], len(SIZES) - 1)
    colour_of = colour_idx[idx]
    look = look_for(scene, 1.0 / abs(s))
    # big markers first so small ones stay visible on top; one batched call per sprite
    # (a Python drawImage per marker costs ~5 us: 1 s for 200,000 accounts)
    for k in sorted(set(sizes.tolist()), reverse=True):
        diameter = max(SIZES[k] * look.scale, SMALLEST_PX)
        for c in sorted(set(colour_of[sizes == k].tolist())):
            pick = (sizes == k) & (colour_of == c)
            pix = sprite_pixmap(diameter, colours[c], dpr, look.alpha, look.rim)
            _blit(painter, pix, px[pick], py[pick], dpr)
    paint_pins(scene, painter, idx, px, py)


@lru_cache(maxsize=128)
def sprite_pixmap(diameter: float, rgb: str, dpr: float = 1.0, alpha: float = 1.0, rim: bool = True) -> QPixmap:
    return QPixmap.fromImage(sprite(diameter, rgb, dpr, alpha, rim))


def _blit(painter: QPainter, pix: QPixmap, x: np.ndarray, y: np.ndarray, dpr: float) -> None:
    """Draw ``pix`` centred at every (x, y) device point in one drawPixmapFragments call."""
    frags = PrimitiveArray(QPainter.PixmapFragment, 10)
    frags.resize(len(x))
    arr = frags.ndarray()
    arr[:, 0], arr[:, 1] = x, y
    arr[:, 2:6] = (0.0, 0.0, float(pix.width()), float(pix.height()))
    arr[:, 6:10] = (1 / dpr, 1 / dpr, 0.0, 1.0)
    painter.drawPixmapFragments(*frags.drawargs(), pix)  # type: ignore[call-arg]  # pointer + count overload


def pinned_mask(scene: MapScene) -> npt.NDArray[np.bool_]:
    """Accounts pinned to a territory of the active alignment (named accounts)."""
    assert scene.project is not None
    acc = scene.project.accounts
    al = scene.project.active_alignment
    out = np.zeros(len(acc), dtype=bool)
    if al is None or not al.pins:
        return out
    for account, tid in al.pins.items():
        if tid in al.territories:
            try:
                out[acc.index_of(account)] = True
            except KeyError:
                continue
    return out


def paint_pins(scene: MapScene, painter: QPainter, idx: npt.NDArray[np.intp], px: npt.NDArray[np.float64],
               py: npt.NDArray[np.float64]) -> None:
    """A ring around each pinned account so overrides stand out from spatial membership."""
    pinned = pinned_mask(scene)[idx]
    if not pinned.any():
        return
    painter.setPen(QPen(PIN_COLOUR, 2.0))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    for x, y in zip(px[pinned].tolist(), py[pinned].tolist(), strict=True):
        painter.drawEllipse(QPointF(x, y), 7.0, 7.0)
