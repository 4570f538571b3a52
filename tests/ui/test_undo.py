"""The Qt undo adapter runs the same command objects as edit.History."""

from __future__ import annotations

from typing import Any

import pytest

from terradesk.edit import History, rename_territory, set_territory_property
from terradesk.ui.undo import UndoStack
from tests.factories import grid_project


def _first(project: Any) -> tuple[str, str]:
    al = project.active_alignment
    return al.id, next(iter(al.territories))


def test_push_applies_and_undo_reverts(qtbot: Any) -> None:
    project = grid_project()
    start = project.state()
    stack = UndoStack()
    stack.set_project(project)
    aid, tid = _first(project)
    stack.push(rename_territory(project, aid, tid, "North"))
    assert project.alignment(aid).territory(tid).name == "North"
    assert stack.undo_label == "Rename territory T1 to North" and not stack.is_clean
    stack.undo()
    assert project.state() == start and stack.is_clean
    stack.redo()
    assert project.alignment(aid).territory(tid).name == "North"


def test_same_commands_as_history(qtbot: Any) -> None:
    """Pushing the same intents on History and UndoStack gives the same project."""
    a, b = grid_project(), grid_project()
    hist, stack = History(a), UndoStack()
    stack.set_project(b)
    for project, sink in ((a, hist), (b, stack)):
        aid, tid = _first(project)
        sink.push(rename_territory(project, aid, tid, "X"))
        sink.push(set_territory_property(project, aid, tid, "region", "East"))
    def props(project: Any) -> list[tuple[str, str, str]]:
        return [(t.name, t.region, t.colour) for t in project.active_alignment]

    assert props(a) == props(b)
    assert len(hist) == len(stack) == 2


def test_continuous_edits_merge_into_one_step(qtbot: Any) -> None:
    project = grid_project()
    stack = UndoStack()
    stack.set_project(project)
    aid, tid = _first(project)
    old = project.alignment(aid).territory(tid).colour
    for colour in ("#111111", "#222222", "#333333"):
        stack.push(set_territory_property(project, aid, tid, "colour", colour, continuous=True))
    assert len(stack) == 1
    stack.undo()
    assert project.alignment(aid).territory(tid).colour == old
    stack.redo()
    assert project.alignment(aid).territory(tid).colour == "#333333"


def test_refused_command_records_nothing(qtbot: Any) -> None:
    project = grid_project()
    stack = UndoStack()
    stack.set_project(project)
    aid, tid = _first(project)
    with pytest.raises(ValueError, match="needs a name"):
        stack.push(rename_territory(project, aid, tid, "   "))
    assert len(stack) == 0
    stack.push(None)  # factories return None for no-op intents
    assert len(stack) == 0


def test_push_without_project_is_refused(qtbot: Any) -> None:
    project = grid_project()
    aid, tid = _first(project)
    with pytest.raises(RuntimeError, match="no project"):
        UndoStack().push(rename_territory(project, aid, tid, "Y"))
