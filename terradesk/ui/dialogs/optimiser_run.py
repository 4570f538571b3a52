"""Pieces shared by Tools > Rebalance and Tools > Create Territories.

:class:`OptimiserRun` runs one optimiser call on a worker ``QThread``. The worker only
reads the model (the dialogs that start it are modal while it runs, so nothing edits the
project meanwhile); progress and the result come back as queued signals, so no widget is
touched from the worker. :class:`GoalsTable` picks the metrics with weights and
tolerances; :func:`metric_choices` lists what a project can balance on.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QDoubleSpinBox, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from terradesk.analysis.rebalance import MetricGoal, ProgressInfo
from terradesk.model import Project
from terradesk.ui.panels.metrics import metric_title

#: Metrics planners usually balance first; the first present is ticked by default.
PREFERRED = ("market_potential", "potential", "workload", "revenue", "population", "accounts")


@dataclass(frozen=True)
class MetricChoice:
    name: str
    source: str  # "unit", "account_sum", "account_count"
    label: str


def metric_choices(project: Project) -> list[MetricChoice]:
    """Numeric unit fields, numeric account fields (summed per unit) and the account count."""
    out: list[MetricChoice] = []
    seen: set[str] = set()
    for name, col in project.units.fields.items():
        if col.dtype.kind == "f":
            out.append(MetricChoice(name, "unit", f"{metric_title(name)} (units)"))
            seen.add(name)
    for name, col in project.accounts.fields.items():
        if col.dtype.kind == "f" and name not in seen:
            out.append(MetricChoice(name, "account_sum", f"{metric_title(name)} (sum of accounts)"))
            seen.add(name)
    if len(project.accounts) and "accounts" not in seen:
        out.append(MetricChoice("accounts", "account_count", "Accounts (number of accounts)"))
    return out


class GoalsTable(QTableWidget):
    """One row per metric: tick to balance it, its weight and its tolerance (+-%)."""

    COLUMNS = ("Metric", "Weight", "Tolerance ±%")

    def __init__(self, choices: list[MetricChoice], parent: QWidget | None = None) -> None:
        super().__init__(len(choices), len(self.COLUMNS), parent)
        self.choices = choices
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.verticalHeader().hide()
        self.setSelectionMode(QTableWidget.SelectionMode.NoSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for c in (1, 2):
            header.setSectionResizeMode(c, QHeaderView.ResizeMode.ResizeToContents)
        default = next((p for p in PREFERRED if any(c.name == p for c in choices)), choices[0].name if choices else "")
        for row, choice in enumerate(choices):
            item = QTableWidgetItem(choice.label)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if choice.name == default else Qt.CheckState.Unchecked)
            item.setToolTip(f"Balance territories on {choice.label} [{choice.name}]")
            self.setItem(row, 0, item)
            weight = QDoubleSpinBox()
            weight.setRange(0.1, 10.0)
            weight.setSingleStep(0.5)
            weight.setValue(1.0)
            weight.setToolTip("How much this metric counts when metrics pull apart")
            self.setCellWidget(row, 1, weight)
            tol = QDoubleSpinBox()
            tol.setRange(0.5, 50.0)
            tol.setSingleStep(0.5)
            tol.setDecimals(1)
            tol.setSuffix(" %")
            tol.setValue(5.0 if choice.source != "account_count" else 10.0)
            tol.setToolTip("Every territory within this share of the mean counts as balanced")
            self.setCellWidget(row, 2, tol)

    def row_of(self, name: str) -> int:
        return next(i for i, c in enumerate(self.choices) if c.name == name)

    def set_goal(self, name: str, checked: bool = True, tolerance_pct: float | None = None,
                 weight: float | None = None) -> None:
        """Set one row (tests and callers presetting a goal)."""
        row = self.row_of(name)
        item = self.item(row, 0)
        assert item is not None
        item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        if tolerance_pct is not None:
            self._spin(row, 2).setValue(tolerance_pct)
        if weight is not None:
            self._spin(row, 1).setValue(weight)

    def _spin(self, row: int, col: int) -> QDoubleSpinBox:
        w = self.cellWidget(row, col)
        assert isinstance(w, QDoubleSpinBox)
        return w

    def goals(self) -> list[MetricGoal]:
        out = []
        for row, choice in enumerate(self.choices):
            item = self.item(row, 0)
            if item is not None and item.checkState() == Qt.CheckState.Checked:
                out.append(MetricGoal(choice.name, tolerance=self._spin(row, 2).value() / 100.0,
                                      weight=self._spin(row, 1).value(), source=choice.source))  # type: ignore[arg-type]
        return out


class _Worker(QObject):
    """Runs ``fn`` once; every signal carries the run number so stale ones are ignored."""

    progressed = Signal(int, object)
    done = Signal(int, object, object)  # run number, result, error

    def __init__(self, fn: Callable[..., Any], cancel: threading.Event, number: int) -> None:
        super().__init__()
        self._fn = fn
        self._cancel = cancel
        self.number = number

    def run(self) -> None:
        try:
            result = self._fn(progress=lambda info: self.progressed.emit(self.number, info), cancel=self._cancel.is_set)
        except Exception as exc:  # shown by the dialog on the GUI thread
            self.done.emit(self.number, None, exc)
            return
        self.done.emit(self.number, result, None)


class OptimiserRun(QObject):
    """One optimiser call on a worker thread: ``start(fn)``, ``cancel()``, then ``finished``.

    ``fn(progress=..., cancel=...)`` runs on the worker; ``progress`` and ``finished``
    arrive on the GUI thread. Cancelling asks the optimiser to stop: it still returns the
    best plan so far, delivered through ``finished`` like a normal result.
    """

    progress = Signal(object)  # ProgressInfo
    finished = Signal(object)  # the result
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._thread: QThread | None = None
        self._worker: _Worker | None = None
        #: polled by the optimiser between moves (tests may swap in a gated event)
        self.cancel_event = threading.Event()
        self.last: ProgressInfo | None = None
        self._number = 0  # the current run; reports of earlier (given up) runs are dropped

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, fn: Callable[..., Any]) -> None:
        if self.running:
            raise RuntimeError("an optimiser run is already going")
        self.cancel_event.clear()
        self.last = None
        self._number += 1
        thread = QThread()
        worker = _Worker(fn, self.cancel_event, self._number)
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        worker.progressed.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        worker.done.connect(self._on_done, Qt.ConnectionType.QueuedConnection)
        self._thread, self._worker = thread, worker
        thread.start()

    def cancel(self) -> None:
        self.cancel_event.set()

    def wait(self) -> None:
        """Cancel, block until the worker stops and drop its result (closing mid-run)."""
        thread = self._thread
        if thread is not None:
            self.cancel_event.set()
            thread.quit()
            thread.wait()
            self._thread = self._worker = None
            self._number += 1  # its queued reports no longer match

    def _on_progress(self, number: int, info: ProgressInfo) -> None:
        if number != self._number or self._thread is None:
            return  # a report from a run given up by wait()
        self.last = info
        self.progress.emit(info)

    def _on_done(self, number: int, result: Any, error: Exception | None) -> None:
        if number != self._number or self._thread is None:
            return
        thread, self._thread, self._worker = self._thread, None, None
        if thread is not None:
            thread.quit()
            thread.wait()
        if error is not None:
            self.failed.emit(str(error))
        else:
            self.finished.emit(result)


def progress_text(info: ProgressInfo | None, time_limit: float) -> str:
    """What the progress bar says: the worst deviation now, the time used, units moved."""
    if info is None:
        return "Starting…"
    return (f"Worst deviation {info.max_deviation * 100:.1f}% · {info.elapsed_s:.1f} of {time_limit:g} s · "
            f"{info.units_moved} units moved")
