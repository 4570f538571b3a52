"""Tools > Create Territories…: N new territories over all (or the selected) units.

Seeds come from the sales owners' homes where given, the rest from the optimiser; the
territories grow contiguously and are balanced on the chosen metrics (see
:func:`terradesk.analysis.rebalance.create_territories`). The result is previewed on the
map in its new colours; Accept adds it as a new alignment with ONE command
(``AddAlignment``) and shows it. Reject leaves the project as it was.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from terradesk.analysis.rebalance import CreatedPlan, RebalanceSpec, create_territories
from terradesk.edit import AddAlignment, Sink
from terradesk.model import Change, ChangeKind, Owner, Project
from terradesk.ui.dialogs.optimiser_run import GoalsTable, metric_choices
from terradesk.ui.dialogs.rebalance import OptimiserDialog
from terradesk.ui.dialogs.rebalance_preview import REASONS, RowsModel, table_view
from terradesk.ui.panels.metrics import metric_title


def unique_name(project: Project, base: str = "Generated plan") -> str:
    names = {a.name for a in project.alignments.values()}
    if base not in names:
        return base
    return next(f"{base} {i}" for i in range(2, len(names) + 3) if f"{base} {i}" not in names)


class CreateTerritoriesDialog(OptimiserDialog):
    """How many territories, over which units, named how, balanced on what."""

    def __init__(self, project: Project, selected_units: Sequence[int] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        if len(project.units) == 0:
            raise ValueError("import units first: territories are built from units")
        choices = metric_choices(project)
        if not choices:
            raise ValueError("the project has no numeric unit or account field to balance on")
        self.project = project
        self.selected_units = np.unique(np.asarray(selected_units, dtype=np.intp))
        self.setWindowTitle("Create Territories")
        self.setObjectName("createTerritoriesDialog")
        intro = QLabel("Build a new alignment from scratch: contiguous, compact territories balanced on the "
                       "metrics below. Your current plans are not changed.", self)
        intro.setWordWrap(True)
        self.name = QLineEdit(unique_name(project), self)
        self.count = QSpinBox(self)
        self.count.setRange(1, max(1, min(1000, len(project.units))))
        al = project.active_alignment
        self.count.setValue(min(len(al.territories) if al is not None and al.territories else 8, self.count.maximum()))
        self.count.setToolTip("How many territories to create")
        self.prefix = QLineEdit("Territory", self)
        self.prefix.setToolTip("Territories are named '<prefix> 1', '<prefix> 2', …")
        self.all_units = QRadioButton(f"All {len(project.units):,} units", self)
        n_sel = len(self.selected_units)
        self.selected = QRadioButton(f"The {n_sel:,} selected units" if n_sel else
                                     "Only the selected units (select units on the map first)", self)
        self.selected.setEnabled(len(self.selected_units) > 0)
        scope = QButtonGroup(self)
        scope.addButton(self.all_units)
        scope.addButton(self.selected)
        (self.selected if len(self.selected_units) else self.all_units).setChecked(True)
        homes = [o for o in project.owners.values() if o.role == "sales" and o.home is not None]
        self.use_owners = QCheckBox(f"Start territories at sales owners' homes ({len(homes)} with a home)", self)
        self.use_owners.setChecked(bool(homes))
        self.use_owners.setEnabled(bool(homes))
        self.use_owners.setToolTip("Each such owner gets one territory grown around their home")
        self.goals = GoalsTable(choices, self)
        self.goals.setMinimumHeight(110)
        form = QFormLayout()
        form.addRow("Alignment name:", self.name)
        form.addRow("Territories:", self.count)
        form.addRow("Territory names:", self.prefix)
        form.addRow("Over:", self.all_units)
        form.addRow("", self.selected)
        form.addRow("", self.use_owners)
        goals_box = QGroupBox("Metrics to balance", self)
        QVBoxLayout(goals_box).addWidget(self.goals)
        run_form = QFormLayout()
        run_form.addRow("Time limit:", self.time_limit)
        run_form.addRow("Seed:", self.seed)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(goals_box, 1)
        layout.addLayout(run_form)
        layout.addWidget(self.progress)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.inputs = [self.name, self.count, self.prefix, self.all_units, self.selected, self.use_owners, self.goals,
                       self.time_limit, self.seed]
        self.resize(520, 560)

    @property
    def plan(self) -> CreatedPlan | None:
        return self.result_value if isinstance(self.result_value, CreatedPlan) else None

    def job(self) -> partial[Any]:
        name = self.name.text().strip()
        if not name:
            raise ValueError("name the new alignment")
        if self.project.alignment_by_name(name) is not None:
            raise ValueError(f"an alignment named {name!r} already exists")
        spec = RebalanceSpec(goals=self.goals.goals(), contiguous=True, time_limit_s=self.time_limit.value(),
                             seed=self.seed.value())
        units = self.selected_units if self.selected.isChecked() else None
        owners: list[Owner] | None = None if self.use_owners.isChecked() else []
        return partial(create_territories, self.project, self.count.value(), spec, units=units,
                       name_prefix=self.prefix.text().strip() or "Territory", alignment_name=name, owners=owners)


def plan_rows(plan: CreatedPlan, project: Project) -> tuple[list[str], list[list[object]], list[str]]:
    """Per new territory: owner, units, each goal's value and deviation, compactness."""
    table, al = plan.table, plan.alignment
    counts = np.bincount(al.assignment[al.assignment >= 0], minlength=len(al._id_of_key))
    headers, formats = ["Territory", "Owner", "Units"], ["{}", "{}", "{:,}"]
    for g in table.goals:
        headers += [metric_title(g), "Deviation"]
        formats += ["{:,.0f}", "{:+.1%}"]
    headers.append("Compactness")
    formats.append("{:.2f}")
    dev = table.deviation
    rows: list[list[object]] = []
    for i, tid in enumerate(table.territory_ids):
        t = al.territories[tid]
        owner = project.owners.get(t.owner_id) if t.owner_id else None
        row: list[object] = [t.name, owner.name if owner else "", int(counts[al.key(tid)])]
        for j in range(len(table.goals)):
            row += [float(table.values[i, j]), float(dev[i, j])]
        row.append(float(table.polsby_popper[i]))
        rows.append(row)
    return headers, rows, formats


class CreatePreview(QDialog):
    """The generated plan on the map (filled in its colours) and per territory; Accept
    adds it as a new alignment in one undo step and makes it the active plan."""

    def __init__(self, project: Project, plan: CreatedPlan, canvas: Any, sink: Sink, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("createPreview")
        self.setWindowTitle(f"New alignment preview — {plan.alignment.name}")
        self.project, self.plan, self.canvas, self.sink = project, plan, canvas, sink
        self.stale = False
        t = plan.table
        summary = QLabel(
            f"<b>{len(plan.alignment.territories)}</b> territories over "
            f"<b>{int((plan.alignment.assignment >= 0).sum()):,}</b> units · worst deviation "
            f"<b>{t.max_deviation:.1%}</b> · mean compactness <b>{t.mean_polsby_popper:.3f}</b><br>"
            f"Stopped: {REASONS.get(plan.reason, plan.reason)} ({plan.elapsed_s:.1f} s)", self)
        summary.setTextFormat(Qt.TextFormat.RichText)
        headers, rows, formats = plan_rows(plan, project)
        self.model = RowsModel(headers, rows, formats, self)
        self.message = QLabel(self)
        self.message.setStyleSheet("color: #b00020;")
        self.buttons = QDialogButtonBox(self)
        self.accept_button = QPushButton("&Add Alignment", self)
        self.accept_button.setToolTip("Add this plan as a new alignment (one undo step)")
        self.reject_button = QPushButton("&Discard", self)
        self.buttons.addButton(self.accept_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.addButton(self.reject_button, QDialogButtonBox.ButtonRole.RejectRole)
        self.accept_button.clicked.connect(self.accept)
        self.reject_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(summary)
        layout.addWidget(table_view(self.model, self), 1)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)
        self.resize(640, 420)
        self.show_on_map()
        project.changed.connect(self._on_project_change)

    def show_on_map(self) -> None:
        al = self.plan.alignment
        units = np.flatnonzero(al.assignment >= 0)
        colours = {k: al.territories[tid].colour for tid in al.territories for k in [al.key(tid)]}
        if self.canvas is not None and hasattr(self.canvas, "set_preview_units"):
            self.canvas.set_preview_units(units, [colours[int(k)] for k in al.assignment[units].tolist()], "fill")

    def _on_project_change(self, change: Change) -> None:
        if change.kind in (ChangeKind.UNITS, ChangeKind.RESET) and not self.stale:
            self.stale = True
            self.accept_button.setEnabled(False)
            self.message.setText("The units changed after this plan was made; discard it and create again.")

    def accept(self) -> None:
        if self.stale:
            return
        if getattr(self.sink, "project", self.project) is not self.project:
            self.message.setText("another project is open now; this plan no longer applies")
            return
        if self.project.alignment_by_name(self.plan.alignment.name) is not None:
            self.message.setText(f"an alignment named {self.plan.alignment.name!r} exists now; create again")
            return
        self.sink.push(AddAlignment(self.plan.alignment, label=self.plan.label))
        self.project.set_active_alignment(self.plan.alignment.id)  # view state, not an undo step
        super().accept()

    def done(self, code: int) -> None:
        self.project.changed.disconnect(self._on_project_change)
        if self.canvas is not None and hasattr(self.canvas, "clear_preview"):
            self.canvas.clear_preview()
        super().done(code)
