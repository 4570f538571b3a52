"""Shape editing in the main window: the editing tools, the 'Edit shapes' toolbar, the
Territory-menu actions (merge, delete, fill holes, check geometry) and the check dock.

``install(window)`` is the one call MainWindow makes; everything here talks to the
window only through what it already offers (``canvas``, ``undo``, ``project``,
``actions_by_key``, ``menus``, ``status``, ``statusBar()``), so the window stays
unaware of editing. Messages from the tools (refusals, repair notes) go to the status bar.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

import numpy as np
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QColor, QKeySequence, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDockWidget,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QPushButton,
    QSpinBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from terradesk.edit import Command
from terradesk.edit.shapes import check_alignment, delete_territories, fill_hole, merge_territories
from terradesk.geo.check import Issue
from terradesk.geo.crs import transform_points
from terradesk.model import Id
from terradesk.ui.canvas.tools.draw_polygon import DrawPolygonTool
from terradesk.ui.canvas.tools.editing import EditTool, feedback_for
from terradesk.ui.canvas.tools.fill_hole import FillHoleTool
from terradesk.ui.canvas.tools.move import MoveTool
from terradesk.ui.canvas.tools.pick_territory import PickTerritoryTool
from terradesk.ui.canvas.tools.reshape import ReshapeTool
from terradesk.ui.canvas.tools.snapping import snapper_for
from terradesk.ui.canvas.tools.split import SplitTool
from terradesk.ui.canvas.tools.vertex_edit import VertexEditTool
from terradesk.ui.window import icons
from terradesk.ui.window.actions import insert_in_group, set_tooltip, title_case

#: (action key, tool class, glyph) in toolbar order.
TOOLS: tuple[tuple[str, type[EditTool], str], ...] = (
    ("tools.pick_territory", PickTerritoryTool, "pick"),
    ("tools.draw", DrawPolygonTool, "draw"),
    ("tools.vertex", VertexEditTool, "vertex"),
    ("tools.reshape", ReshapeTool, "reshape"),
    ("tools.split", SplitTool, "split"),
    ("tools.move", MoveTool, "move"),
    ("tools.fill_hole", FillHoleTool, "fill"),
)
STATUS_MS = 10_000


# -- icons (added to the window's glyph table) ---------------------------------------------
def _pts(p: QPainter, xy: Sequence[tuple[float, float]], close: bool = False) -> None:
    icons._poly(p, list(xy), close)


def _dots(p: QPainter, xy: Sequence[tuple[float, float]]) -> None:
    p.save()
    p.setPen(QPen(icons.ACCENT, 1.5))
    p.setBrush(QColor("white"))
    for x, y in xy:
        p.drawRect(int(x) - 2, int(y) - 2, 4, 4)
    p.restore()


def _g_draw(p: QPainter, c: QColor) -> None:
    shape = [(4, 18), (8, 5), (19, 8), (20, 19)]
    _pts(p, shape, close=True)
    _dots(p, shape)


def _g_vertex(p: QPainter, c: QColor) -> None:
    _pts(p, [(3, 20), (12, 9), (21, 18)])
    p.setPen(QPen(icons.ACCENT, 1.5, Qt.PenStyle.DashLine))
    _pts(p, [(3, 20), (14, 4), (21, 18)])
    _dots(p, [(14, 4)])


def _g_reshape(p: QPainter, c: QColor) -> None:
    _pts(p, [(3, 4), (21, 4), (21, 20), (3, 20)], close=True)
    p.setPen(QPen(icons.ACCENT, 2))
    _pts(p, [(14, 2), (9, 12), (14, 22)])


def _g_split(p: QPainter, c: QColor) -> None:
    _pts(p, [(3, 4), (21, 4), (21, 20), (3, 20)], close=True)
    p.setPen(QPen(icons.ACCENT, 2, Qt.PenStyle.DashLine))
    p.drawLine(QPointF(15, 1), QPointF(9, 23))


def _g_move(p: QPainter, c: QColor) -> None:
    for a, b in (((12, 2), (12, 22)), ((2, 12), (22, 12))):
        p.drawLine(QPointF(*a), QPointF(*b))
    for tip in ([(9, 5), (12, 2), (15, 5)], [(9, 19), (12, 22), (15, 19)], [(5, 9), (2, 12), (5, 15)],
                [(19, 9), (22, 12), (19, 15)]):
        _pts(p, tip)


def _g_fill(p: QPainter, c: QColor) -> None:
    _pts(p, [(3, 3), (21, 3), (21, 21), (3, 21)], close=True)
    p.setBrush(icons.ACCENT)
    p.drawEllipse(QPointF(12, 12), 4.5, 4.5)


def _g_pick(p: QPainter, c: QColor) -> None:
    p.setBrush(QColor(icons.ACCENT.red(), icons.ACCENT.green(), icons.ACCENT.blue(), 70))
    _pts(p, [(3, 5), (14, 3), (16, 14), (5, 17)], close=True)
    p.setBrush(Qt.BrushStyle.NoBrush)
    _pts(p, [(13, 12), (13, 22), (16, 19), (19, 23), (21, 22), (18, 18), (22, 17)], close=True)


def _g_snap(p: QPainter, c: QColor) -> None:
    p.drawArc(5, 3, 14, 14, 0, 180 * 16)
    p.drawLine(QPointF(5, 10), QPointF(5, 18))
    p.drawLine(QPointF(19, 10), QPointF(19, 18))
    p.setPen(QPen(icons.ACCENT, 2.5))
    p.drawLine(QPointF(5, 18), QPointF(5, 21))
    p.drawLine(QPointF(19, 18), QPointF(19, 21))


def _g_take(p: QPainter, c: QColor) -> None:
    _pts(p, [(2, 4), (14, 4), (14, 20), (2, 20)], close=True)
    p.setBrush(QColor(icons.ACCENT.red(), icons.ACCENT.green(), icons.ACCENT.blue(), 110))
    _pts(p, [(9, 8), (22, 8), (22, 16), (9, 16)], close=True)


icons.GLYPHS.update({"draw": _g_draw, "vertex": _g_vertex, "reshape": _g_reshape, "split": _g_split,
                     "move": _g_move, "fill": _g_fill, "pick": _g_pick, "snap": _g_snap, "take": _g_take})


# -- the check dock ----------------------------------------------------------------------------
class CheckPanel(QWidget):
    """Overlaps, gaps and invalid shapes of the active alignment; double-click zooms to one."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window_ = window
        self.issues: list[Issue] = []
        self.summary = QLabel("Run the check to list overlaps, gaps and invalid shapes.", self)
        self.summary.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("checkList")
        self.list.itemActivated.connect(self._activated)
        self.list.itemDoubleClicked.connect(self._activated)
        rerun = QPushButton("Check again", self)
        rerun.clicked.connect(self.run)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        for w in (self.summary, self.list, rerun):
            layout.addWidget(w)

    def run(self) -> list[Issue]:
        p = self.window_.project
        al = p.active_alignment if p is not None else None
        self.list.clear()
        self.issues = [] if al is None else check_alignment(p, al.id)
        for i, issue in enumerate(self.issues):
            item = QListWidgetItem(f"{issue.kind.capitalize()}: {issue.message}")
            item.setData(Qt.ItemDataRole.UserRole, i)
            item.setToolTip("Double-click to zoom to it")
            self.list.addItem(item)
        if al is None:
            self.summary.setText("No alignment to check.")
        elif not self.issues:
            self.summary.setText(f"{al.name}: no overlaps, gaps or invalid shapes.")
        else:
            counts = {k: sum(1 for i in self.issues if i.kind == k) for k in ("overlap", "gap", "invalid")}
            parts = [f"{n} {k}{'s' if n != 1 else ''}" for k, n in counts.items() if n]
            self.summary.setText(f"{al.name}: {', '.join(parts)}. Double-click one to zoom to it.")
        return self.issues

    def _activated(self, item: QListWidgetItem) -> None:
        self.zoom_to(int(item.data(Qt.ItemDataRole.UserRole)))

    def zoom_to(self, row: int) -> None:
        issue = self.issues[row]
        canvas = self.window_.canvas
        p = self.window_.project
        x0, y0, x1, y1 = issue.bounds
        if p is not None and canvas.display_crs() != p.meta.crs:
            xs, ys = transform_points([x0, x1, x0, x1], [y0, y0, y1, y1], p.meta.crs, canvas.display_crs())
            x0, y0, x1, y1 = float(np.min(xs)), float(np.min(ys)), float(np.max(xs)), float(np.max(ys))
        pad = max(x1 - x0, y1 - y0) * 0.5
        canvas.zoom_to_bounds(x0 - pad, y0 - pad, x1 + pad, y1 + pad)
        keys = tuple(str(k) for k in issue.keys if p is not None and p.active_alignment is not None
                     and k in p.active_alignment.territories)
        if keys:
            self.window_.select("territories", keys)


# -- merge dialog --------------------------------------------------------------------------------
def ask_keep(parent: QWidget, names: list[str]) -> int | None:
    """Which territory keeps its name and attributes (index into ``names``), or None."""
    dialog = QDialog(parent)
    dialog.setWindowTitle("Merge territories")
    combo = QComboBox(dialog)
    combo.addItems(names)
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    layout = QVBoxLayout(dialog)
    layout.addWidget(QLabel(f"Merge {len(names)} territories into one.\nKeep the name, owner and attributes of:"))
    layout.addWidget(combo)
    layout.addWidget(buttons)
    return combo.currentIndex() if dialog.exec() == QDialog.DialogCode.Accepted else None


# -- the controller ----------------------------------------------------------------------------------
class EditTools:
    """Owns the editing actions of one window."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.canvas = window.canvas
        self.actions: dict[str, QAction] = {}
        self.ask_keep: Callable[[QWidget, list[str]], int | None] = ask_keep
        self.snapper = snapper_for(self.canvas)
        self.draw_mode = "clip"
        feedback_for(self.canvas).message.connect(self.show_message)

    # -- building -----------------------------------------------------------------------------
    def build(self) -> None:
        w = self.window
        group = w.actions_by_key["tools.pan"].actionGroup()
        for key, cls, glyph in TOOLS:
            a = self._action(key, title_case(cls.name), cls.shortcut, cls.tooltip, glyph, partial(self.use, cls, key))
            a.setCheckable(True)
            if group is not None:
                group.addAction(a)
        self._action("edit.snapping", "S&napping", "Ctrl+Shift+N", "Snap to vertices and edges of territories "
                     "and units (hold Shift while drawing to suspend)", "snap",
                     lambda: self.snapper.set_enabled(self.actions["edit.snapping"].isChecked()), checkable=True)
        self.actions["edit.snapping"].setChecked(self.snapper.enabled)
        self._action("edit.take_area", "&Take Area from Neighbours", "Ctrl+Shift+T",
                     "New territories take the area they cover from their neighbours (else they are clipped); "
                     "Ctrl while finishing does the other", "take", self._set_mode, checkable=True)
        self._action("territory.merge", "&Merge Selected Territories…", "Ctrl+Shift+M", "Merge the selected "
                     "territories into one (you choose whose name and attributes to keep)", "", self.merge_selected)
        self._action("territory.delete_selected", "De&lete Selected Territories", "Shift+Del",
                     "Delete every selected territory (their units become unassigned)", "", self.delete_selected)
        self._action("territory.fill_holes", "&Fill Holes", "Ctrl+Shift+H",
                     "Fill every hole of the selected territories", "", self.fill_holes)
        self._action("territory.check", "Check &Geometry", "Ctrl+Shift+G",
                     "List overlaps, gaps and invalid shapes; double-click one to zoom to it", "", self.check)
        self._menus()
        self._toolbar()
        self._dock()
        original = w.update_actions

        def update_actions() -> None:
            original()
            self.update_actions()

        w.update_actions = update_actions
        self.update_actions()

    def _action(self, key: str, text: str, shortcut: str, tip: str, glyph: str, slot: Callable[[], object],
                checkable: bool = False) -> QAction:
        a = QAction(text, self.window)
        a.setObjectName(key)
        a.setShortcut(QKeySequence(shortcut))
        a.setCheckable(checkable)
        if glyph:
            a.setIcon(icons.icon(glyph))
        set_tooltip(a, text.replace("&", "").replace("…", ""), tip)
        a.triggered.connect(lambda _c=False: slot())
        self.window.addAction(a)
        self.window.actions_by_key[key] = a
        self.actions[key] = a
        return a

    def _menus(self) -> None:
        menus = self.window.menus
        tools = menus.get("Tools")
        if tools is not None:
            tools.addSeparator()
            for key, _cls, _g in TOOLS:
                tools.addAction(self.actions[key])
            tools.addSeparator()
            tools.addAction(self.actions["edit.snapping"])
            tools.addAction(self.actions["edit.take_area"])
        territory = menus.get("Territory")
        if territory is not None:
            first = territory.actions()[0] if territory.actions() else None
            before = next((a for a in territory.actions() if a.isSeparator()), first)
            for key in ("territory.merge", "territory.delete_selected", "territory.fill_holes", "territory.check"):
                territory.insertAction(before, self.actions[key])
            if before is not None and not before.isSeparator():
                territory.insertSeparator(before)

    def _toolbar(self) -> None:
        bar = QToolBar("Edit shapes", self.window)
        bar.setObjectName("editShapesToolbar")
        for key, _cls, _g in TOOLS:
            bar.addAction(self.actions[key])
        bar.addSeparator()
        bar.addAction(self.actions["edit.take_area"])
        bar.addAction(self.actions["edit.snapping"])
        self.tolerance = QSpinBox(bar)
        self.tolerance.setObjectName("snapTolerance")
        self.tolerance.setRange(1, 50)
        self.tolerance.setSuffix(" px")
        self.tolerance.setValue(int(self.snapper.tolerance_px))
        self.tolerance.setToolTip("Snapping tolerance in screen pixels")
        self.tolerance.valueChanged.connect(lambda v: self.snapper.set_tolerance_px(v))
        bar.addWidget(self.tolerance)
        self.window.addToolBar(bar)
        self.toolbar = bar

    def _dock(self) -> None:
        self.check_panel = CheckPanel(self.window)
        dock = QDockWidget("Geometry check", self.window)
        dock.setObjectName("dockGeometryCheck")
        dock.setWidget(self.check_panel)
        self.window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, dock)
        dock.hide()
        self.check_dock = dock
        view = self.window.menus.get("View")
        reset = self.window.actions_by_key.get("view.reset_layout")
        if view is not None:  # listed with the other panels, above Reset Panel Layout
            toggle = dock.toggleViewAction()
            set_tooltip(toggle, "Show/hide Geometry check", "Show or hide the Geometry check panel")
            insert_in_group(view, reset, toggle)

    # -- behaviour -------------------------------------------------------------------------------
    def use(self, cls: type[EditTool], key: str) -> EditTool:
        tool = cls(self.canvas)
        if isinstance(tool, DrawPolygonTool):
            tool.mode = "take" if self.actions["edit.take_area"].isChecked() else "clip"
        self.canvas.set_tool(tool)
        self.actions[key].setChecked(True)
        self.window.status.set_tool(cls.name)
        return tool

    def _set_mode(self) -> None:
        tool = self.canvas.tool()
        if isinstance(tool, DrawPolygonTool):
            tool.mode = "take" if self.actions["edit.take_area"].isChecked() else "clip"

    def show_message(self, text: str) -> None:
        self.window.statusBar().showMessage(text, STATUS_MS)

    def selected_territories(self) -> list[Id]:
        p = self.window.project
        al = p.active_alignment if p is not None else None
        kind, ids = self.window.selected()
        if al is None or kind != "territories":
            return []
        return [t for t in ids if t in al.territories]

    def push(self, build: Callable[[], Command | None]) -> bool:
        try:
            command = build()
            self.window.undo.push(command)
        except ValueError as exc:
            self.show_message(str(exc))
            return False
        notes = getattr(command, "notes", ())
        if command is not None:
            self.show_message("; ".join(notes) if notes else command.label)
        return command is not None

    def merge_selected(self, keep: Id | None = None) -> bool:
        p, tids = self.window.project, self.selected_territories()
        if p is None or p.active_alignment is None:
            return False
        al = p.active_alignment
        if len(tids) < 2:
            self.show_message("Select at least two territories to merge (Select territories tool, Shift-click)")
            return False
        if keep is None:
            index = self.ask_keep(self.window, [al.territory(t).name for t in tids])
            if index is None:
                return False
            keep = tids[index]
        if self.push(lambda: merge_territories(p, al.id, tids, keep)):
            self.window.select("territories", (keep,))
            return True
        return False

    def delete_selected(self) -> bool:
        p, tids = self.window.project, self.selected_territories()
        if p is None or p.active_alignment is None or not tids:
            return False
        if self.push(lambda: delete_territories(p, p.active_alignment.id, tids)):
            self.window.select(None, ())
            return True
        return False

    def fill_holes(self) -> bool:
        p, tids = self.window.project, self.selected_territories()
        if p is None or p.active_alignment is None or len(tids) != 1:
            self.show_message("Select one territory to fill its holes (or use the Fill hole tool)")
            return False
        return self.push(lambda: fill_hole(p, p.active_alignment.id, tids[0]))

    def check(self) -> list[Issue]:
        self.check_dock.show()
        self.check_dock.raise_()
        issues = self.check_panel.run()
        self.show_message(self.check_panel.summary.text())
        return issues

    def update_actions(self) -> None:
        p = self.window.project
        al = p.active_alignment if p is not None else None
        n = len(self.selected_territories())
        for key, _cls, _g in TOOLS:
            self.actions[key].setEnabled(al is not None)
        self.actions["territory.merge"].setEnabled(n >= 2)
        self.actions["territory.delete_selected"].setEnabled(n >= 1)
        self.actions["territory.fill_holes"].setEnabled(n == 1 and al is not None and al.kind == "freeform")
        self.actions["territory.check"].setEnabled(al is not None)


def install(window: QMainWindow) -> EditTools:
    """Add the shape-editing tools, toolbar, menu entries and check dock to ``window``."""
    tools = EditTools(window)
    tools.build()
    window.edit_tools = tools  # type: ignore[attr-defined]
    return tools
