"""Undo as a property (napari's test_undo_redo, QGIS's undo-stack counts).

Random sequences of commands; undo-all returns the exact starting project, redo-all the
exact end state, and both states round-trip through the project file.
"""

from __future__ import annotations

import os
import tempfile

import shapely
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from terradesk import edit
from terradesk.edit import History
from terradesk.io.gpkg import open_project, save_project
from terradesk.model import AccountLayer, Project, ReferenceLayer
from tests.factories import grid_project


class EditSession(RuleBasedStateMachine):
    @initialize()
    def start(self) -> None:
        self.project = grid_project(nx=5, ny=4, territories=3, accounts=12)
        self.history = History(self.project)
        self.start_state = self.project.state()
        self.counter = 0

    def _al(self):
        al = self.project.active_alignment
        assert al is not None
        return al

    def _push(self, cmd: edit.Command | None) -> None:
        if cmd is not None:
            self.history.push(cmd)

    @rule(units=st.lists(st.integers(0, 19), min_size=1, max_size=8), which=st.integers(0, 30), skip=st.booleans())
    def assign(self, units: list[int], which: int, skip: bool) -> None:
        al = self._al()
        if al.kind != "units":
            return
        tids = [t.id for t in al if not (skip and t.locked)]
        target = tids[which % len(tids)] if tids and which % 4 else None
        self._push(edit.assign_units(self.project, al.id, units, target, skip_locked=skip))

    @rule(name=st.text(min_size=1, max_size=12).filter(str.strip))
    def create(self, name: str) -> None:
        self._push(edit.create_territory(self.project, self._al().id, name))

    @precondition(lambda self: len(self._al().territories) > 1)
    @rule(which=st.integers(0, 30))
    def delete(self, which: int) -> None:
        al = self._al()
        self._push(edit.delete_territory(self.project, al.id, list(al.territories)[which % len(al.territories)]))

    @precondition(lambda self: len(self._al().territories) > 0)
    @rule(which=st.integers(0, 30), prop=st.sampled_from(["name", "colour", "region", "notes", "locked"]),
          text=st.text(min_size=1, max_size=8).filter(str.strip), flag=st.booleans(),
          colour=st.from_regex(r"#[0-9a-f]{6}", fullmatch=True), continuous=st.booleans())
    def set_property(self, which: int, prop: str, text: str, flag: bool, colour: str, continuous: bool) -> None:
        al = self._al()
        tid = list(al.territories)[which % len(al.territories)]
        value: object = {"colour": colour, "locked": flag}.get(prop, text)
        self._push(edit.set_territory_property(self.project, al.id, tid, prop, value, continuous=continuous))

    @rule()
    def duplicate(self) -> None:
        self.counter += 1
        self._push(edit.duplicate_alignment(self.project, self._al().id, f"Copy {self.counter}"))

    @precondition(lambda self: len(self.project.alignments) > 1)
    @rule()
    def remove_active(self) -> None:
        self._push(edit.remove_alignment(self.project, self._al().id))

    @rule(n=st.integers(1, 3), revenue=st.floats(0, 1e6))
    def add_accounts(self, n: int, revenue: float) -> None:
        self.counter += 1
        ids = [f"30000000-0000-4000-8000-{self.counter * 10 + i:012d}" for i in range(n)]
        rows = AccountLayer({"id": ids, "name": ids, "x": [4e6] * n, "y": [3e6] * n}, {"revenue": [revenue] * n})
        self._push(edit.add_accounts(self.project, rows))

    @precondition(lambda self: len(self.project.accounts) > 2)
    @rule(which=st.integers(0, 100))
    def remove_account(self, which: int) -> None:
        acc = self.project.accounts.ids[which % len(self.project.accounts)]
        self._push(edit.remove_accounts(self.project, [acc]))

    @precondition(lambda self: len(self.project.accounts) > 0 and len(self._al().territories) > 0)
    @rule(which=st.integers(0, 100), unpin=st.booleans())
    def pin(self, which: int, unpin: bool) -> None:
        al = self._al()
        acc = self.project.accounts.ids[which % len(self.project.accounts)]
        tid = None if unpin else list(al.territories)[which % len(al.territories)]
        self._push(edit.pin_accounts(self.project, al.id, [acc], tid))

    @rule(name=st.text(min_size=1, max_size=8).filter(str.strip), cap=st.floats(0, 1000))
    def add_owner(self, name: str, cap: float) -> None:
        self._push(edit.add_owner(self.project, name, capacity=cap))

    @precondition(lambda self: len(self.project.owners) > 0 and len(self._al().territories) > 0)
    @rule(which=st.integers(0, 30))
    def give_owner(self, which: int) -> None:
        al = self._al()
        owner = list(self.project.owners)[which % len(self.project.owners)]
        tid = list(al.territories)[which % len(al.territories)]
        self._push(edit.set_territory_property(self.project, al.id, tid, "owner_id", owner))

    @precondition(lambda self: len(self.project.owners) > 0)
    @rule(which=st.integers(0, 30))
    def remove_owner(self, which: int) -> None:
        self._push(edit.remove_owner(self.project, list(self.project.owners)[which % len(self.project.owners)]))

    @rule(kind=st.sampled_from(["polygon", "line", "point"]), name=st.text(min_size=1, max_size=8).filter(str.strip),
          top=st.booleans())
    def add_reference_layer(self, kind: str, name: str, top: bool) -> None:
        geom = {"point": shapely.Point(4.0005e6, 3.0005e6), "line": shapely.LineString([(4e6, 3e6), (4.002e6, 3.001e6)]),
                "polygon": shapely.box(4e6, 3e6, 4.001e6, 3.002e6)}[kind]
        layer = ReferenceLayer(name, kind, [geom, None], {"label": [name, None], "n": [1.5, float("nan")]},
                               counted=kind == "point")
        self._push(edit.add_reference_layer(self.project, layer, 0 if top else None))

    @precondition(lambda self: len(self.project.reference_layers) > 0)
    @rule(which=st.integers(0, 30), colour=st.from_regex(r"#[0-9a-f]{6}", fullmatch=True),
          opacity=st.floats(0, 1), visible=st.booleans(), continuous=st.booleans(), to=st.integers(0, 5))
    def restyle_reference_layer(self, which: int, colour: str, opacity: float, visible: bool, continuous: bool,
                                to: int) -> None:
        lid = list(self.project.reference_layers)[which % len(self.project.reference_layers)]
        self._push(edit.set_reference_style(self.project, lid, continuous=continuous, colour=colour, opacity=opacity,
                                            visible=visible))
        self._push(edit.move_reference_layer(self.project, lid, to))

    @precondition(lambda self: len(self.project.reference_layers) > 0)
    @rule(which=st.integers(0, 30))
    def remove_reference_layer(self, which: int) -> None:
        lid = list(self.project.reference_layers)[which % len(self.project.reference_layers)]
        self._push(edit.remove_reference_layer(self.project, lid))

    @rule()
    def undo_one(self) -> None:
        self.history.undo()

    @rule()
    def redo_one(self) -> None:
        self.history.redo()

    @invariant()
    def undo_all_then_redo_all_is_exact(self) -> None:
        end, steps = self.project.state(), self.history.index
        self.history.undo_all()
        assert self.project.state() == self.start_state
        for _ in range(steps):
            self.history.redo()
        assert self.project.state() == end

    def teardown(self) -> None:
        """Both the end state and, after undo-all, the start state survive the file."""
        if not hasattr(self, "history"):
            return
        _round_trip(self.project)
        self.history.undo_all()
        _round_trip(self.project)


def _round_trip(project: Project) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "p.gpkg")
        save_project(project, path)
        assert open_project(path).project.state() == project.state()


EditSession.TestCase.settings = settings(
    max_examples=40, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestEditSession = EditSession.TestCase
