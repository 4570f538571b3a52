"""Tools > Rebalance…: choose metrics and constraints, run the optimiser in the background.

The dialog is modal while it is open, so nothing edits the project while the worker
reads it. The run ends at the time limit, when every territory is balanced, or on
Cancel, which keeps the best plan found so far. The result is handed on through
``result_ready`` (and kept in ``result``) to :mod:`terradesk.ui.dialogs.rebalance_preview`;
nothing in the project changes here.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from terradesk.analysis.rebalance import ProgressInfo, RebalanceResult, RebalanceSpec, rebalance
from terradesk.model import Id, Project
from terradesk.ui.dialogs.optimiser_run import GoalsTable, OptimiserRun, metric_choices, progress_text


def run_settings(parent: QWidget) -> tuple[QDoubleSpinBox, QSpinBox]:
    """Time limit (s) and seed spin boxes, as both optimiser dialogs show them."""
    limit = QDoubleSpinBox(parent)
    limit.setRange(0.5, 600.0)
    limit.setDecimals(1)
    limit.setValue(10.0)
    limit.setSuffix(" s")
    limit.setToolTip("Stop after this long and keep the best plan found")
    seed = QSpinBox(parent)
    seed.setRange(0, 999_999)
    seed.setToolTip("The same seed and settings give the same plan")
    return limit, seed


class OptimiserDialog(QDialog):
    """Run / Cancel / Close buttons, the progress bar and the worker run they drive."""

    result_ready = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModal(True)
        self.result_value: object | None = None
        self.run = OptimiserRun(self)
        self.run.progress.connect(self._on_progress)
        self.run.finished.connect(self._on_finished)
        self.run.failed.connect(self._on_failed)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(True)
        self.progress.hide()
        self.message = QLabel(self)
        self.message.setWordWrap(True)
        self.buttons = QDialogButtonBox(self)
        self.run_button = QPushButton("&Run", self)
        self.run_button.setDefault(True)
        self.cancel_button = QPushButton("&Cancel Run", self)
        self.cancel_button.setToolTip("Stop now and preview the best plan found so far")
        self.cancel_button.setEnabled(False)
        self.close_button = QPushButton("Close", self)
        for b, role in ((self.run_button, QDialogButtonBox.ButtonRole.AcceptRole),
                        (self.cancel_button, QDialogButtonBox.ButtonRole.ActionRole),
                        (self.close_button, QDialogButtonBox.ButtonRole.RejectRole)):
            self.buttons.addButton(b, role)
        self.run_button.clicked.connect(self.start)
        self.cancel_button.clicked.connect(self.cancel_run)
        self.close_button.clicked.connect(self.reject)
        self.time_limit, self.seed = run_settings(self)
        self.inputs: list[QWidget] = []

    # -- to be provided by subclasses ----------------------------------------------------
    def job(self) -> partial[Any]:
        """The optimiser call (without progress/cancel); raise ValueError on bad input."""
        raise NotImplementedError

    # -- run ---------------------------------------------------------------------------
    def start(self) -> None:
        try:
            fn = self.job()
        except ValueError as exc:
            self._say(str(exc), error=True)
            return
        for w in self.inputs:
            w.setEnabled(False)
        self.run_button.setEnabled(False)
        self.close_button.setEnabled(False)
        self.cancel_button.setEnabled(True)
        self.progress.setValue(0)
        self.progress.setFormat(progress_text(None, self.time_limit.value()))
        self.progress.show()
        self._say("Working… the map stays as it is until you accept the proposal.")
        self.run.start(fn)

    def cancel_run(self) -> None:
        if self.run.running:
            self.cancel_button.setEnabled(False)
            self._say("Stopping: the best plan so far will be shown.")
            self.run.cancel()

    def reject(self) -> None:
        """Esc or Close: while running this cancels the run (its best plan is kept)."""
        if self.run.running:
            self.cancel_run()
            return
        super().reject()

    def closeEvent(self, event: object) -> None:
        self.run.wait()  # closing the window gives the run up altogether
        super().closeEvent(event)  # type: ignore[arg-type]

    def _on_progress(self, info: ProgressInfo) -> None:
        self.progress.setValue(int(1000 * min(max(info.fraction, 0.0), 1.0)))
        self.progress.setFormat(progress_text(info, self.time_limit.value()))

    def _on_finished(self, result: object) -> None:
        self.progress.setValue(1000)
        self.result_value = result
        self.result_ready.emit(result)
        self.accept()

    def _on_failed(self, text: str) -> None:
        self._idle()
        self.progress.hide()
        self._say(text, error=True)

    def _idle(self) -> None:
        for w in self.inputs:
            w.setEnabled(True)
        self.run_button.setEnabled(True)
        self.close_button.setEnabled(True)
        self.cancel_button.setEnabled(False)

    def _say(self, text: str, error: bool = False) -> None:
        self.message.setStyleSheet("color: #b00020;" if error else "")
        self.message.setText(text)


class RebalanceDialog(OptimiserDialog):
    """Goals (metrics with weight and tolerance), constraints, time limit and seed."""

    def __init__(self, project: Project, alignment_id: Id | None = None, selected_units: Sequence[int] = (),
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        aid = alignment_id if alignment_id is not None else project.active_alignment_id
        if aid is None or aid not in project.alignments:
            raise ValueError("open an alignment to rebalance")
        al = project.alignment(aid)
        if al.kind != "units":
            raise ValueError(f"alignment {al.name!r} is drawn by hand; only unit-built plans can be rebalanced")
        choices = metric_choices(project)
        if not choices:
            raise ValueError("the project has no numeric unit or account field to balance on")
        self.project, self.alignment_id = project, aid
        self.selected_units = tuple(int(u) for u in selected_units)
        self.setWindowTitle(f"Rebalance {al.name}")
        self.setObjectName("rebalanceDialog")
        intro = QLabel(f"Propose a balanced plan for <b>{al.name}</b> ({len(al.territories)} territories). "
                       "Balance comes first, then moving as few units and accounts as possible, then compact "
                       "shapes. Nothing changes until you accept the preview.", self)
        intro.setWordWrap(True)
        self.goals = GoalsTable(choices, self)
        self.goals.setMinimumHeight(120)
        goals_box = QGroupBox("Metrics to balance", self)
        QVBoxLayout(goals_box).addWidget(self.goals)

        self.contiguous = QCheckBox("Territories stay contiguous", self)
        self.contiguous.setChecked(True)
        self.contiguous.setToolTip("Never split a territory into pieces")
        locked = sum(1 for t in al.territories.values() if t.locked)
        self.respect_locks = QCheckBox(f"Locked territories do not change ({locked} locked)", self)
        self.respect_locks.setChecked(True)
        self.respect_pins = QCheckBox(f"Pinned accounts stay with their territory ({len(al.pins)} pinned)", self)
        self.respect_pins.setChecked(True)
        self.keep_selected = QCheckBox(f"Keep the {len(self.selected_units)} selected units where they are", self)
        self.keep_selected.setChecked(bool(self.selected_units))
        self.keep_selected.setVisible(bool(self.selected_units))
        self.limit_distance = QCheckBox("Units at most", self)
        self.limit_distance.setToolTip("Only give a unit to a territory whose owner lives this close "
                                       "(owners without a home are not limited)")
        self.max_km = QDoubleSpinBox(self)
        self.max_km.setRange(1.0, 5000.0)
        self.max_km.setValue(100.0)
        self.max_km.setSuffix(" km")
        self.max_km.setEnabled(False)
        self.limit_distance.toggled.connect(self.max_km.setEnabled)
        distance = QHBoxLayout()
        distance.addWidget(self.limit_distance)
        distance.addWidget(self.max_km)
        distance.addWidget(QLabel("from the receiving owner's home", self))
        distance.addStretch(1)
        constraints = QGroupBox("Constraints (never broken)", self)
        cl = QVBoxLayout(constraints)
        for w in (self.contiguous, self.respect_locks, self.respect_pins, self.keep_selected):
            cl.addWidget(w)
        cl.addLayout(distance)

        form = QFormLayout()
        form.addRow("Time limit:", self.time_limit)
        form.addRow("Seed:", self.seed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(goals_box, 1)
        layout.addWidget(constraints)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.inputs = [self.goals, constraints, self.time_limit, self.seed]
        self.resize(520, 560)

    @property
    def plan(self) -> RebalanceResult | None:
        """The proposal of the last run (None before a run finished)."""
        return self.result_value if isinstance(self.result_value, RebalanceResult) else None

    def spec(self) -> RebalanceSpec:
        """The settings as a spec (ValueError with a planner-readable reason when invalid)."""
        return RebalanceSpec(
            goals=self.goals.goals(), contiguous=self.contiguous.isChecked(),
            respect_locks=self.respect_locks.isChecked(), respect_pins=self.respect_pins.isChecked(),
            max_distance_m=self.max_km.value() * 1000.0 if self.limit_distance.isChecked() else None,
            time_limit_s=self.time_limit.value(), seed=self.seed.value(),
            locked_units=self.selected_units if self.keep_selected.isChecked() else (),
        )

    def job(self) -> partial[Any]:
        spec = self.spec()
        return partial(rebalance, self.project, self.alignment_id, spec)
