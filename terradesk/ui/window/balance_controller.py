"""One MetricsEngine per window, shared by the Balance dock, the Territories table and the map.

The controller owns the planner's :class:`MetricSpec` (fields, formula, targets), the
chosen chart metric and the reference point layers, and rebuilds the engine when the
project, the active alignment or the spec changes. Views listen to ``metrics_changed``
(emitted after the engine has refreshed, including after an undo) and ``engine_changed``.

A spec that stops fitting the project (an undo removes the account field a formula
uses) must not break the undo itself, so the engine built here is a guarded subclass:
it falls back to the nearest spec that still works and says why in ``spec_warning``.
"""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import QObject, Signal

from terradesk.analysis.formula import FormulaError
from terradesk.analysis.metrics import MetricsEngine, MetricSpec, Target
from terradesk.analysis.point_layers import PointLayer, point_layers_of, reference_layer_from_points
from terradesk.edit import Sink, add_reference_layer, next_reference_colour
from terradesk.model import Change, ChangeKind, Id, Project

_REBUILD = {ChangeKind.ACTIVE_ALIGNMENT, ChangeKind.ALIGNMENTS, ChangeKind.RESET}


class _GuardedEngine(MetricsEngine):
    """Calls ``on_error`` instead of raising out of a project change (i.e. out of an undo)."""

    on_error: object = None

    def _on_change(self, change: Change) -> None:
        try:
            super()._on_change(change)
        except (FormulaError, ValueError, KeyError) as exc:
            handler = self.on_error
            if callable(handler):
                handler(self, exc)
            else:  # pragma: no cover - always set by the controller
                raise


def fitting_spec(project: Project, spec: MetricSpec) -> tuple[MetricSpec, list[str]]:
    """``spec`` trimmed to what the project has now: fields, formula, targets."""
    notes: list[str] = []
    unit_numeric, acc_numeric = set(project.units.numeric_fields()), set(project.accounts.numeric_fields())
    if spec.unit_fields is not None and not set(spec.unit_fields) <= unit_numeric:
        gone = sorted(set(spec.unit_fields) - unit_numeric)
        notes.append(f"unit field(s) {', '.join(gone)} no longer exist")
        spec = replace(spec, unit_fields=tuple(f for f in spec.unit_fields if f in unit_numeric))
    if spec.account_fields is not None and not set(spec.account_fields) <= acc_numeric:
        gone = sorted(set(spec.account_fields) - acc_numeric)
        notes.append(f"account field(s) {', '.join(gone)} no longer exist")
        spec = replace(spec, account_fields=tuple(f for f in spec.account_fields if f in acc_numeric))
    return spec, notes


class BalanceController(QObject):
    """Keeps ``engine`` current for the window's project and active alignment."""

    engine_changed = Signal(object)  # MetricsEngine | None
    metrics_changed = Signal()
    spec_changed = Signal()
    point_layers_changed = Signal()

    def __init__(self, parent: QObject | None = None, spec: MetricSpec | None = None, sink: Sink | None = None) -> None:
        super().__init__(parent)
        #: where point layers go as undo steps; default: the parent window's ``undo`` stack
        self.sink = sink
        self.project: Project | None = None
        self.spec = spec or MetricSpec()
        self.engine: MetricsEngine | None = None
        self.metric = self.spec.targets[0].metric if self.spec.targets else "accounts"
        #: counted point layers: the project's (saved, undoable) then any added for the session
        self.point_layers: list[PointLayer] = []
        self._session_layers: list[PointLayer] = []
        self._cache: dict[str, tuple[object, PointLayer]] = {}
        self.spec_warning = ""

    # -- wiring -----------------------------------------------------------------------
    def set_project(self, project: Project | None) -> None:
        if self.project is not None:
            self.project.changed.disconnect(self._on_project_change)
        self.project = project
        self._session_layers = []
        self._cache = {}
        self._sync_point_layers()
        if project is not None:
            project.changed.connect(self._on_project_change)
        self.rebuild()
        self.point_layers_changed.emit()

    def set_spec(self, spec: MetricSpec, metric: str | None = None) -> None:
        """Use a new spec (raises FormulaError/ValueError when it does not fit; nothing changes then)."""
        if self.project is not None and self.project.active_alignment is not None:
            MetricsEngine(self.project, self.project.active_alignment.id, spec).close()  # validate first
        self.spec = spec
        if metric is not None:
            self.metric = metric
        self.rebuild()
        self.spec_changed.emit()

    def set_metric(self, metric: str) -> None:
        if metric != self.metric:
            self.metric = metric
            self.metrics_changed.emit()

    def target(self, metric: str) -> Target:
        for t in self.spec.targets:
            if t.metric == metric:
                return t
        return Target(metric)

    def set_tolerance(self, metric: str, tolerance: float) -> None:
        """Change (or add) the target tolerance of ``metric``: view settings, not an undo step."""
        old = self.target(metric)
        has = any(t.metric == metric for t in self.spec.targets)
        if has and abs(old.tolerance - tolerance) < 1e-12:
            return
        new = replace(old, tolerance=tolerance)
        if not has:  # a new deviation column: the engine has to be rebuilt
            self.set_spec(replace(self.spec, targets=(*self.spec.targets, new)))
            return
        # the tolerance moves no value, only the band: no rebuild needed
        self.spec = replace(self.spec, targets=tuple(new if t.metric == metric else t for t in self.spec.targets))
        if self.engine is not None:
            self.engine.spec = replace(self.engine.spec, targets=tuple(
                new if t.metric == metric else t for t in self.engine.spec.targets))
        self.spec_changed.emit()
        self.metrics_changed.emit()

    def add_point_layer(self, layer: PointLayer) -> None:
        """Add a counted point layer to the project as a reference layer: one undo step, saved
        with the project. With no project or undo stack it is kept for the session only."""
        sink = self.sink if self.sink is not None else getattr(self.parent(), "undo", None)
        if self.project is not None and sink is not None and hasattr(sink, "push"):
            ref = reference_layer_from_points(layer, next_reference_colour(self.project))
            sink.push(add_reference_layer(self.project, ref))  # the LAYERS change re-derives point_layers
            return
        self._session_layers.append(layer)
        self._sync_point_layers()
        self.point_layers_changed.emit()
        self.metrics_changed.emit()

    def remove_point_layer(self, name: str) -> None:
        self._session_layers = [p for p in self._session_layers if p.name != name]
        self._sync_point_layers()
        self.point_layers_changed.emit()
        self.metrics_changed.emit()

    def _sync_point_layers(self) -> bool:
        """Re-derive ``point_layers`` from the project's counted layers; True when they changed."""
        layers = point_layers_of(self.project, self._cache) if self.project is not None else []
        layers += self._session_layers
        if [id(p) for p in layers] == [id(p) for p in self.point_layers]:
            return False
        self.point_layers = layers
        return True

    # -- engine -----------------------------------------------------------------------------
    def rebuild(self) -> None:
        if self.engine is not None:
            self.engine.changed.disconnect(self._on_engine_change)
            self.engine.close()
            self.engine = None
        p = self.project
        al = p.active_alignment if p is not None else None
        self.spec_warning = ""
        if p is not None and al is not None:
            self.engine = self._build(p, al.id)
            self.engine.changed.connect(self._on_engine_change)
            # listen after the engine, so views never read it before it has caught up
            p.changed.disconnect(self._on_project_change)
            p.changed.connect(self._on_project_change)
        self.engine_changed.emit(self.engine)
        self.metrics_changed.emit()

    def _build(self, project: Project, aid: Id) -> MetricsEngine:
        spec, notes = fitting_spec(project, self.spec)
        for attempt in ("as is", "without the formula", "without targets"):
            try:
                engine = _GuardedEngine(project, aid, spec)
                engine.on_error = self._on_engine_error
                break
            except (FormulaError, ValueError) as exc:
                notes.append(f"{exc} ({attempt})")
                spec = replace(spec, formula=None) if attempt == "as is" else replace(spec, targets=())
        else:  # pragma: no cover - a bare spec always fits
            engine = _GuardedEngine(project, aid, MetricSpec(targets=()))
            engine.on_error = self._on_engine_error
        self.spec_warning = "; ".join(notes)
        if self.metric not in {c.name for c in engine.columns()}:
            self.metric = "accounts"
        return engine

    def _on_engine_error(self, engine: MetricsEngine, exc: Exception) -> None:
        if engine is self.engine:
            self.rebuild()

    def _on_engine_change(self, _tids: object) -> None:
        self.metrics_changed.emit()

    def _on_project_change(self, change: Change) -> None:
        p = self.project
        if p is None:
            return
        if change.kind in _REBUILD:
            al = p.active_alignment
            if self.engine is None or al is None or al.id != self.engine.alignment_id \
                    or self.engine.alignment_id not in p.alignments or change.kind == ChangeKind.RESET:
                self.rebuild()
        elif change.kind == ChangeKind.LAYERS:
            if self._sync_point_layers():
                self.point_layers_changed.emit()
                self.metrics_changed.emit()
        elif change.kind == ChangeKind.TERRITORIES or (change.kind == ChangeKind.ASSIGNMENT and self.point_layers):
            self.metrics_changed.emit()  # a deleted territory, or point counts beside the metrics
