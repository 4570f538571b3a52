"""The Balance dock: each territory's value for one metric against its target band.

Bars are sorted (largest first) and coloured by :func:`terradesk.analysis.targets.status`:
red over the band, blue under it, green inside. The band (target ± tolerance) is drawn
per bar, so per-owner capacity targets show as steps and a mean target as one strip.
Clicking a bar selects that territory on the map; the bar of the territory selected on
the map or in the table is outlined, on a pale column. The panel reads a MetricsEngine and
redraws on ``engine.changed`` (which also fires after an undo, since undo is a change).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFontMetrics
from PySide6.QtWidgets import QComboBox, QDoubleSpinBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from terradesk.analysis.metrics import MetricsEngine
from terradesk.analysis.targets import status
from terradesk.model import Id

OVER = QColor("#d6604d")
UNDER = QColor("#4393c3")
INSIDE = QColor("#5aae61")
BAND = QColor(120, 120, 120, 55)
STATUS_COLOURS = {1: OVER, -1: UNDER, 0: INSIDE}
TOLERANCE_SETTLE_MS = 400
#: The selected territory's bar: a dark outline and a pale column behind it.
BAR_PEN = pg.mkPen("#ffffff", width=0.5)
SELECTED_PEN = pg.mkPen("#1a1a1a", width=2.5)
SELECTED_COLUMN = QColor(48, 140, 198, 45)


@dataclass
class ChartData:
    """What the chart shows, in bar order (also what tests compare with the engine)."""

    tids: list[Id]
    names: list[str]
    values: list[float]
    targets: list[float]
    deviations: list[float]
    statuses: list[int]
    tolerance: float


def chart_data(engine: MetricsEngine, metric: str, tolerance: float | None = None) -> ChartData:
    """Territories sorted by ``metric`` (descending, unknown values last) with targets."""
    al = engine.alignment
    values = engine.values(metric)
    targets = engine.targets(metric)
    tol = engine.target(metric).tolerance if tolerance is None else tolerance
    order = sorted(values, key=lambda t: (not math.isfinite(values[t]), -values[t] if math.isfinite(values[t]) else 0))
    devs = [engine.deviation(t, metric) for t in order]
    return ChartData(
        tids=order,
        names=[al.territory(t).name for t in order],
        values=[values[t] for t in order],
        targets=[targets[t] for t in order],
        deviations=devs,
        statuses=[status(d, tol) for d in devs],
        tolerance=tol,
    )


def tick_labels(names: list[str], bar_px: float, metrics: QFontMetrics) -> list[tuple[int, str]]:
    """Names elided to the width of one bar (in the middle when cutting the end makes two alike);
    with very narrow bars only every k-th bar is named."""
    if not names:
        return []
    room = max(bar_px - 6.0, 1.0)
    step = 1
    while room * step < metrics.horizontalAdvance("Wxyz…") and step < len(names):
        step += 1
    width = int(room * step)
    shown = [(i, name) for i, name in enumerate(names) if i % step == 0]
    best: list[tuple[int, str]] = []
    # "Yarelb…" twice says nothing: keep whichever cut tells the most names apart (end, middle, start)
    for mode in (Qt.TextElideMode.ElideRight, Qt.TextElideMode.ElideMiddle, Qt.TextElideMode.ElideLeft):
        labels = [(i, metrics.elidedText(name, mode, width)) for i, name in shown]
        if len({t for _i, t in labels}) > len({t for _i, t in best}):
            best = labels
    return best


class BalancePanel(QWidget):
    """Metric chooser, tolerance spin, summary line and the sorted bar chart."""

    territory_clicked = Signal(str)
    metric_chosen = Signal(str)
    tolerance_changed = Signal(str, float)  # metric, tolerance (0.1 = ±10 %)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.engine: MetricsEngine | None = None
        self.canvas: Any = None
        self.current_metric = "accounts"
        self.data = ChartData([], [], [], [], [], [], 0.1)
        self._tolerance: float | None = None
        self.preview: dict[Id, dict[str, float]] = {}  # would-be rows during a brush stroke
        self.selected: frozenset[Id] = frozenset()  # territories selected on the map or table
        self.metric_box = QComboBox(self)
        self.metric_box.setObjectName("balanceMetric")
        self.metric_box.setToolTip("Metric to compare across territories")
        self.metric_box.setMinimumContentsLength(14)
        self.metric_box.activated.connect(lambda _i: self._choose(self.metric_box.currentData()))
        self.tolerance = QDoubleSpinBox(self)
        self.tolerance.setObjectName("balanceTolerance")
        self.tolerance.setRange(0.0, 100.0)
        self.tolerance.setDecimals(1)
        self.tolerance.setSingleStep(1.0)
        self.tolerance.setPrefix("± ")
        self.tolerance.setSuffix(" %")
        self.tolerance.setToolTip("Accepted deviation from the target (the grey band)")
        self.tolerance.valueChanged.connect(lambda _v: self._on_tolerance())
        self._tolerance_timer = QTimer(self)
        self._tolerance_timer.setSingleShot(True)
        self._tolerance_timer.setInterval(TOLERANCE_SETTLE_MS)
        self._tolerance_timer.timeout.connect(lambda: self.tolerance_changed.emit(self.current_metric, self.data.tolerance))
        self.summary = QLabel(self)
        self.summary.setObjectName("balanceSummary")
        top = QHBoxLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addWidget(QLabel("Metric", self))
        top.addWidget(self.metric_box, 1)
        top.addWidget(QLabel("Tolerance", self))
        top.addWidget(self.tolerance)
        top.addWidget(self.summary, 2)
        self.plot = pg.PlotWidget(self, background="w")
        self.plot.setObjectName("balancePlot")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.hideButtons()
        self.plot.showGrid(y=True, alpha=0.25)
        self.plot.setMinimumHeight(120)
        for axis in ("left", "bottom"):
            self.plot.getAxis(axis).setTextPen("#333333")
            self.plot.getAxis(axis).setPen("#888888")
        self.band_item = pg.BarGraphItem(x=[], height=[], width=1.0, brush=BAND, pen=pg.mkPen(None))
        self.bar_item = pg.BarGraphItem(x=[], height=[], width=0.62, brushes=[], pen=BAR_PEN)
        self.target_item = pg.PlotDataItem(connect="pairs", pen=pg.mkPen("#222222", width=2))
        # a pale column behind the selected territory's bar, which also gets a dark outline
        self.selected_item = pg.BarGraphItem(x=[], height=[], width=0.96, brush=SELECTED_COLUMN, pen=pg.mkPen(None))
        for item in (self.selected_item, self.band_item, self.bar_item, self.target_item):
            self.plot.addItem(item)
        self.plot.scene().sigMouseClicked.connect(self._on_scene_click)
        self.plot.getPlotItem().vb.sigResized.connect(lambda _vb: self._label_ticks())
        self.plot.scene().sigMouseMoved.connect(self._on_hover)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 4)
        layout.setSpacing(2)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._set_enabled()

    # -- wiring -----------------------------------------------------------------------
    def set_engine(self, engine: MetricsEngine | None, metric: str | None = None) -> None:
        if self.engine is not None:
            self.engine.changed.disconnect(self._on_engine_change)
        self.engine = engine
        if metric is not None:
            self.current_metric = metric
        if engine is not None:
            engine.changed.connect(self._on_engine_change)
        self._fill_metrics()
        self.refresh()

    def set_canvas(self, canvas: Any) -> None:
        self.canvas = canvas

    def set_metric(self, metric: str) -> None:
        self.current_metric = metric
        self._tolerance = None
        i = self.metric_box.findData(metric)
        if i >= 0:
            self.metric_box.setCurrentIndex(i)
        self.refresh()

    def _fill_metrics(self) -> None:
        self.metric_box.blockSignals(True)
        self.metric_box.clear()
        if self.engine is not None:
            for col in self.engine.columns():
                if col.kind != "deviation":
                    label = f"{col.label} ({col.unit})" if col.unit else col.label
                    self.metric_box.addItem(label, col.name)
        i = self.metric_box.findData(self.current_metric)
        if i < 0 and self.metric_box.count():
            i = max(0, self.metric_box.findData("accounts"))
            self.current_metric = str(self.metric_box.itemData(i))
        self.metric_box.setCurrentIndex(i)
        self.metric_box.blockSignals(False)
        self._set_enabled()

    def _set_enabled(self) -> None:
        on = self.engine is not None
        for w in (self.metric_box, self.tolerance, self.plot):
            w.setEnabled(on)

    def _choose(self, metric: object) -> None:
        if metric is None:
            return
        self.current_metric = str(metric)
        self._tolerance = None
        self.refresh()
        self.metric_chosen.emit(self.current_metric)

    def _on_tolerance(self) -> None:
        if self.engine is None or self._updating_spin:
            return
        tol = self.tolerance.value() / 100.0
        if abs(tol - self.data.tolerance) < 1e-9:
            return
        self._tolerance = tol
        self.refresh()
        self._tolerance_timer.start()  # tell the spec once the planner stops stepping

    _updating_spin = False

    def _on_engine_change(self, _tids: object) -> None:
        self.refresh()

    # -- drawing ----------------------------------------------------------------------
    def refresh(self) -> None:
        engine = self.engine
        if engine is None or not self.metric_box.count():
            self.data = ChartData([], [], [], [], [], [], 0.1)
            self.summary.setText("No alignment" if engine is None else "")
        else:
            try:
                if self._tolerance is not None and abs(engine.target(self.current_metric).tolerance - self._tolerance) < 1e-9:
                    self._tolerance = None  # the engine has caught up with the spin
                self.data = chart_data(engine, self.current_metric, self._tolerance)
            except KeyError:
                self._fill_metrics()
                self.data = chart_data(engine, self.current_metric, self._tolerance)
            self._apply_preview()
        self._draw()

    def set_selected(self, tids: Iterable[Id]) -> None:
        """Highlight the bars of these territories (the map / table selection)."""
        selected = frozenset(tids)
        if selected != self.selected:
            self.selected = selected
            self._draw()

    def selected_bars(self) -> list[int]:
        """Bar positions currently highlighted (what the planner sees outlined)."""
        return [i for i, t in enumerate(self.data.tids) if t in self.selected]

    def preview_values(self, values: dict[Id, dict[str, float]] | None) -> None:
        """Bars of a brush stroke's would-be values (bar order kept) until called with None."""
        self.preview = dict(values or {})
        self.refresh()

    def _apply_preview(self) -> None:
        d, m = self.data, self.current_metric
        for i, tid in enumerate(d.tids):
            row = self.preview.get(tid)
            if row is None or m not in row:
                continue
            d.values[i] = row[m]
            dev = row.get(f"{m}_deviation")
            if dev is None and math.isfinite(d.targets[i]) and d.targets[i]:
                dev = (row[m] - d.targets[i]) / d.targets[i]
            if dev is not None:
                d.deviations[i], d.statuses[i] = dev, status(dev, d.tolerance)

    def _draw(self) -> None:
        d = self.data
        n = len(d.tids)
        x = np.arange(n, dtype=float)
        vals = np.nan_to_num(np.asarray(d.values, dtype=float))
        tgt = np.asarray(d.targets, dtype=float)
        ok = np.isfinite(tgt)
        lo, hi = tgt * (1 - d.tolerance), tgt * (1 + d.tolerance)
        self.band_item.setOpts(x=x[ok], y0=lo[ok], height=(hi - lo)[ok], width=1.0)
        pens = [SELECTED_PEN if t in self.selected else BAR_PEN for t in d.tids]
        self.bar_item.setOpts(x=x, height=vals, width=0.62, brushes=[STATUS_COLOURS[s] for s in d.statuses],
                              pens=pens or None)  # pyqtgraph 0.14 fails on an empty pens list
        chosen = np.asarray(self.selected_bars(), dtype=int)
        top_all = float(np.nanmax(np.concatenate([vals, hi[ok], [0.0]]))) if n else 0.0
        self.selected_item.setOpts(x=x[chosen], height=np.full(len(chosen), max(top_all * 1.05, 1e-9)),
                                   y0=np.zeros(len(chosen)), width=0.96)
        tx = np.column_stack([x[ok] - 0.46, x[ok] + 0.46]).ravel()
        ty = np.repeat(tgt[ok], 2)
        self.target_item.setData(x=tx, y=ty)
        self._label_ticks()
        self._updating_spin = True
        self.tolerance.setValue(100.0 * d.tolerance)
        self._updating_spin = False
        if n:
            top = float(np.nanmax(np.concatenate([vals, hi[ok]]))) if len(vals) else 1.0
            self.plot.setXRange(-0.6, n - 0.4, padding=0)
            self.plot.setYRange(min(0.0, float(vals.min())), max(top * 1.05, 1e-9), padding=0)
            over = d.statuses.count(1)
            under = d.statuses.count(-1)
            self.summary.setText(
                f"{over} over · {under} under · {n - over - under} within ±{100 * d.tolerance:g} %"
            )
        else:
            self.summary.setText("No alignment" if self.engine is None else "No territories")

    def _label_ticks(self) -> None:
        axis = self.plot.getAxis("bottom")
        n = len(self.data.names)
        bar_px = self.plot.getPlotItem().vb.width() / max(n, 1)
        font = axis.style.get("tickFont") or self.plot.font()
        axis.setTicks([tick_labels(self.data.names, bar_px, QFontMetrics(font))])

    # -- clicks -------------------------------------------------------------------------
    def bar_at(self, x: float, y: float) -> Id | None:
        """The territory whose bar (or its column) is at chart coordinates (x, y)."""
        i = round(x)
        if 0 <= i < len(self.data.tids) and abs(x - i) <= 0.5 and y >= min(0.0, self.data.values[i]):
            return self.data.tids[i]
        return None

    def bar_centre(self, tid: Id) -> QPointF:
        """Where a bar sits in chart coordinates (tests click there)."""
        i = self.data.tids.index(tid)
        v = self.data.values[i]
        return QPointF(float(i), float(v) / 2 if math.isfinite(v) else 0.0)

    def bar_text(self, tid: Id) -> str:
        """The hover text of a bar: name, value, target and deviation."""
        d = self.data
        i = d.tids.index(tid)
        dev = d.deviations[i]
        where = {1: "over", -1: "under", 0: "within"}[d.statuses[i]]
        dev_text = f"{100 * dev:+.1f} % ({where} ±{100 * d.tolerance:g} %)" if math.isfinite(dev) else "no target"
        return f"<b>{d.names[i]}</b><br>{d.values[i]:,.4g} · target {d.targets[i]:,.4g}<br>{dev_text}"

    def _on_hover(self, scene_pos: Any) -> None:
        vb = self.plot.getPlotItem().vb
        tid = None
        if vb.sceneBoundingRect().contains(scene_pos):
            p = vb.mapSceneToView(scene_pos)
            tid = self.bar_at(p.x(), p.y())
        text = self.bar_text(tid) if tid is not None else "Click a bar to select the territory on the map"
        if text != self.plot.toolTip():
            self.plot.setToolTip(text)

    def _on_scene_click(self, event: Any) -> None:
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(event.scenePos()):
            return
        p = vb.mapSceneToView(event.scenePos())
        tid = self.bar_at(p.x(), p.y())
        if tid is not None:
            self.select(tid)

    def select(self, tid: Id) -> None:
        """Select ``tid`` on the map (when a canvas is attached) and tell listeners."""
        if self.canvas is not None:
            from terradesk.ui.canvas import Selection

            self.canvas.set_selection(Selection("territories", (tid,)))
        self.territory_clicked.emit(tid)

    def close_engine(self) -> None:
        self.set_engine(None)
